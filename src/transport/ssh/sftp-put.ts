// Puts many files through one SFTP session: each written byte for byte, then chmod to its exact mode.
import type { Client, SFTPWrapper } from 'ssh2';
import { HostUnreachableError, RemoteFileError } from '../../core/errors/remote-errors.js';
import type { FileToPut } from '../transport.js';

/** Opens one SFTP channel, writes all files with pipelined requests, closes the channel. */
export async function sftpPut(client: Client, host: string, files: readonly FileToPut[]): Promise<void> {
  const sftp = await openSftp(client, host);
  try {
    await Promise.all(files.map((f) => putOne(sftp, host, f)));
  } finally {
    sftp.end();
  }
}

function openSftp(client: Client, host: string): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => {
    client.sftp((err, sftp) =>
      err ? reject(new HostUnreachableError(host, `cannot open SFTP: ${err.message}`, { cause: err })) : resolve(sftp),
    );
  });
}

/** The create mode is filtered by the server's umask, so the mode is set again explicitly afterwards. */
async function putOne(sftp: SFTPWrapper, host: string, f: FileToPut): Promise<void> {
  const fail = (err: Error): RemoteFileError => new RemoteFileError(host, f.path, err.message);
  await new Promise<void>((resolve, reject) => {
    sftp.writeFile(f.path, f.content, { mode: f.mode }, (err) => (err ? reject(fail(err)) : resolve()));
  });
  await new Promise<void>((resolve, reject) => {
    sftp.chmod(f.path, f.mode, (err) => (err ? reject(fail(err)) : resolve()));
  });
}
