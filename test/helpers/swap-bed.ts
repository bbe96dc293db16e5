// A planted-symlink bed: a directory tree where uid 1000 (OpenClaw's sandbox) controls a managed directory, beside
// root-only victims.
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';

export const SECRET = 'root-only secret\n';
export const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The sandbox's uid: what an agent in OpenClaw's sandbox runs as. */
export const U = 1000;

/** Runs a shell script as uid 1000 on this machine, which is the sshd host: the attacker's moves, for real. */
export async function attacker(script: string, ...args: string[]): Promise<void> {
  await execa('setpriv', [`--reuid=${U}`, `--regid=${U}`, '--clear-groups', '--', 'sh', '-c', script, 'sh', ...args]);
}

/** A case's tree: base (root 0755) / state (uid 1000, 0700) / ws (uid 1000) / AGENTS.md, beside root-only victims. */
export interface Bed {
  readonly base: string;
  readonly ws: string;
  readonly agents: string;
  /** A root-only file (0600 root:root). */
  readonly victim: string;
  /** A root-only directory (0700) holding a root-only AGENTS.md. */
  readonly vdir: string;
}

let cases = 0;

/** A fresh bed under `root` (which must be traversable by uid 1000). */
export function makeBed(root: string, name = `case-${++cases}`): Bed {
  const base = path.join(root, name);
  const state = path.join(base, 'state');
  const ws = path.join(state, 'ws');
  mkdirSync(ws, { recursive: true });
  chmodSync(base, 0o755);
  for (const [d, mode] of [
    [state, 0o700],
    [ws, 0o755],
  ] as const) {
    chownSync(d, U, U);
    chmodSync(d, mode);
  }
  const agents = path.join(ws, 'AGENTS.md');
  writeFileSync(agents, 'v1\n', { mode: 0o644 });
  chownSync(agents, U, U);
  const victim = path.join(base, 'victim');
  writeFileSync(victim, SECRET, { mode: 0o600 });
  const vdir = path.join(base, 'vdir');
  mkdirSync(vdir, { mode: 0o700 });
  writeFileSync(path.join(vdir, 'AGENTS.md'), SECRET, { mode: 0o600 });
  return { base, ws, agents, victim, vdir };
}

/** The victims are exactly as made: modes, owners, contents, and nothing added to the victim directory. */
export function expectVictimsIntact(b: Bed): void {
  const v = statSync(b.victim);
  expect([v.mode & 0o7777, v.uid, v.gid, readFileSync(b.victim, 'utf8')]).toEqual([0o600, 0, 0, SECRET]);
  const d = statSync(b.vdir);
  expect([d.mode & 0o7777, d.uid, readdirSync(b.vdir)]).toEqual([0o700, 0, ['AGENTS.md']]);
  const f = statSync(path.join(b.vdir, 'AGENTS.md'));
  expect([f.mode & 0o7777, f.uid, readFileSync(path.join(b.vdir, 'AGENTS.md'), 'utf8')]).toEqual([0o600, 0, SECRET]);
}

/** The attacker's two moves: the managed file becomes a symlink to a victim, or its whole directory does. */
export const swapFile = (b: Bed, to: string): Promise<void> =>
  attacker('ln -s "$2" "$1.l" && mv -T "$1.l" "$1"', b.agents, to);
export const swapDir = (b: Bed): Promise<void> => attacker('mv "$1" "$1.old" && ln -s "$2" "$1"', b.ws, b.vdir);

/** Why the swap tests cannot run here (no sshd, or no setpriv to act as the attacker), or undefined. */
export async function swapBedUnavailable(
  sshdUnavailable: () => Promise<string | undefined>,
): Promise<string | undefined> {
  return (
    (await sshdUnavailable()) ??
    ((await execa('setpriv', ['--version'], { reject: false })).exitCode === 0
      ? undefined
      : 'no setpriv on this machine')
  );
}
