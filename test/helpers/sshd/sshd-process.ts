// One real sshd on a loopback address and free port: writes its config, starts `sshd -D`, waits for the banner.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { waitFor } from '../docker/wait-for.js';

export const SSHD = '/usr/sbin/sshd';
const READY_DEADLINE_MS = 5000;

/** A running sshd (see `startSshd`). */
export interface SshdProcess {
  readonly address: string;
  readonly port: number;
  readonly logFile: string;
  readonly child: ChildProcess;
}

/** Settings of one sshd. */
export interface SshdSpec {
  readonly name: string;
  readonly dir: string;
  readonly address: string;
  readonly port: number;
  /** Host key files, offered in this order (one per key type). */
  readonly hostKeys: readonly string[];
  readonly authorizedKeys: string;
  /** sshd's MaxStartups (default 100:30:200: a test's burst of handshakes is never dropped). */
  readonly maxStartups?: string;
}

/** Asks the kernel for a free TCP port on `address`. */
export function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, address, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Key auth only, no PAM, SHLVL=1 so root's bash skips the machine's .bashrc (pyenv) on every command. */
function sshdConfig(s: SshdSpec): string {
  return [
    `ListenAddress ${s.address}:${s.port}`,
    ...s.hostKeys.map((k) => `HostKey ${k}`),
    `PidFile none`,
    `AuthorizedKeysFile ${s.authorizedKeys}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'UseDNS no',
    'StrictModes no',
    'LogLevel VERBOSE',
    `MaxStartups ${s.maxStartups ?? '100:30:200'}`,
    'MaxSessions 100',
    'AllowTcpForwarding yes',
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    `SetEnv RIG_TEST_HOST=${s.name} SHLVL=1`,
    '',
  ].join('\n');
}

/** Starts `sshd -D` for `spec` and resolves once it answers with an SSH banner (deadline 5 s). */
export async function startSshd(spec: SshdSpec): Promise<SshdProcess> {
  await mkdir('/run/sshd', { recursive: true });
  const cfg = path.join(spec.dir, 'sshd_config');
  const logFile = path.join(spec.dir, 'sshd.log');
  await writeFile(cfg, sshdConfig(spec));
  const child = spawn(SSHD, ['-D', '-f', cfg, '-E', logFile], { stdio: 'ignore' });
  try {
    await waitForBanner(spec.address, spec.port, child);
  } catch (err) {
    child.kill('SIGKILL');
    const log = await readFile(logFile, 'utf8').catch(() => '(no log)');
    throw new Error(`sshd ${spec.name} on ${spec.address}:${spec.port} did not start: ${String(err)}\n${log}`, {
      cause: err,
    });
  }
  return { address: spec.address, port: spec.port, logFile, child };
}

async function waitForBanner(address: string, port: number, child: ChildProcess): Promise<void> {
  const outcome = await waitFor(
    `an SSH banner on ${address}:${port}`,
    async () =>
      child.exitCode !== null
        ? `sshd exited with code ${child.exitCode}`
        : (await hasBanner(address, port)) || undefined,
    READY_DEADLINE_MS,
    20,
  );
  if (outcome !== true) throw new Error(outcome);
}

function hasBanner(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: address, port });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.once('data', (d: Buffer) => done(d.toString('latin1').startsWith('SSH-')));
    sock.once('error', () => done(false));
    sock.setTimeout(1000, () => done(false));
  });
}

/** Stops an sshd started here (by its own pid) and waits for it to exit. */
export async function stopSshd(p: SshdProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.child.once('exit', () => resolve()));
  p.child.kill('SIGTERM');
  await exited;
}
