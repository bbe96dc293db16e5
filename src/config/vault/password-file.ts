// Reads one vault password the way Ansible does: an executable file is run for its stdout, any other file is read.
import { readFile, stat } from 'node:fs/promises';
import { UserError } from '../../core/errors/errors.js';

/** Where a password file came from, for messages (`--vault-password-file`, `$RIG_VAULT_PASSWORD_FILE`, …). */
export interface PasswordFileRef {
  readonly file: string;
  readonly origin: string;
}

/**
 * Returns the password bytes of `ref.file`. Like Ansible: a file with any execute bit is run without arguments and
 * its stdout is used with surrounding CR/LF removed; otherwise the content with surrounding whitespace removed.
 * The password never appears in an error.
 */
export async function readPasswordFile(ref: PasswordFileRef): Promise<Buffer> {
  const where = `${ref.file} (${ref.origin})`;
  const mode = await stat(ref.file).then(
    (s) => (s.isFile() ? s.mode : undefined),
    () => undefined,
  );
  if (mode === undefined) throw new UserError(`vault password file ${where} was not found`);
  const executable = (mode & 0o111) !== 0;
  const password = executable ? stripBytes(await runScript(ref.file, where), CRLF) : await readPlain(ref.file, where);
  if (password.length === 0) {
    throw new UserError(`vault password ${executable ? 'script' : 'file'} ${where} gave an empty password`);
  }
  return password;
}

const CRLF = new Set([0x0d, 0x0a]);
/** Python's bytes.strip(): space, \t, \n, \r, \v, \f. */
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c]);

async function readPlain(file: string, where: string): Promise<Buffer> {
  const bytes = await readFile(file).catch((err: unknown) => {
    throw new UserError(
      `could not read vault password file ${where}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  });
  return stripBytes(stripBytes(bytes, WHITESPACE), CRLF);
}

/** stderr is left to the terminal, as Ansible does, so a script may prompt; stdin is not shared with rig's. */
async function runScript(file: string, where: string): Promise<Buffer> {
  // execa loads only for executable password files: it costs ~90 ms of startup on every run otherwise.
  const { execa, ExecaError } = await import('execa');
  try {
    const result = await execa(file, [], {
      stdin: 'ignore',
      stderr: 'inherit',
      encoding: 'buffer',
      stripFinalNewline: false,
    });
    return Buffer.from(result.stdout);
  } catch (err) {
    // Only the exit code or errno: the error's full message would include the script's stdout, i.e. the password.
    if (err instanceof ExecaError) {
      const why =
        err.exitCode !== undefined ? `exited with code ${err.exitCode}` : `could not be run (${err.code ?? 'error'})`;
      throw new UserError(`vault password script ${where} ${why}`);
    }
    throw err;
  }
}

function stripBytes(bytes: Buffer, set: ReadonlySet<number>): Buffer {
  let start = 0;
  let end = bytes.length;
  while (start < end && set.has(bytes[start] ?? -1)) start++;
  while (end > start && set.has(bytes[end - 1] ?? -1)) end--;
  return bytes.subarray(start, end);
}
