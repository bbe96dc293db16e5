// One SSH login attempt against a test host: key auth, the host key checked against the one expected, `true` run.
import { Client } from 'ssh2';
import { hostVerifier } from './host-verifier.ts';

/** Where and as whom to log in, and the only host key to accept (`ssh-ed25519 AAAA…`). */
export interface LoginTarget {
  readonly port: number;
  readonly privateKey: Buffer;
  readonly hostKey: string;
  /** Handshake deadline of this one attempt. */
  readonly timeoutMs: number;
}

/**
 * Resolves `true` once a key login as root on 127.0.0.1:`port` ran `true` with exit 0, `false` on any failure
 * (refused, reset, banner not yet there, wrong key, timeout): the caller polls.
 */
export function canLogIn(target: LoginTarget): Promise<boolean> {
  return new Promise((resolve) => {
    const client = new Client();
    const done = (ok: boolean): void => {
      client.end();
      resolve(ok);
    };
    client.on('error', () => done(false));
    client.once('close', () => done(false));
    client.once('ready', () => {
      client.exec('true', (err, channel) => {
        if (err !== undefined) return done(false);
        channel.once('close', (code: number | null) => done(code === 0));
        channel.resume();
        channel.stderr.resume();
      });
    });
    client.connect({
      host: '127.0.0.1',
      port: target.port,
      username: 'root',
      privateKey: target.privateKey,
      algorithms: { serverHostKey: ['ssh-ed25519'] },
      hostVerifier: hostVerifier(target),
      readyTimeout: target.timeoutMs,
    });
  });
}
