// One Compose flavor on this machine, alone: Debian's docker-compose 1.29.2, or the Compose v2 plugin of rig/target:1
// (as `docker compose`, or installed as a standalone `docker-compose`) in a private PATH and DOCKER_CONFIG.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sh, withEnv, type Cmd, type ExecNode } from '../../../src/core/cmd/cmd.js';
import { render } from '../../../src/core/cmd/render.js';

/** v1; v2 as the CLI plugin; v2's binary installed as `docker-compose` (what a standalone v2 install is). */
export type LocalComposeKind = 'v1' | 'v2' | 'v2-standalone';

export interface LocalCompose {
  readonly kind: LocalComposeKind;
  /** `c` under /bin/sh with the docker 20.10 client and that compose only (`PATH`, `DOCKER_CONFIG`). */
  wrap(c: Cmd, opts?: { newerDocker?: boolean }): ExecNode;
  remove(): void;
}

/** Where rig/target:1 parks the v2 plugin (scripts/images/target.sh). */
const IMAGE = 'rig/target:1';
const PARKED = '/usr/local/lib/rig-testbed/docker-compose-v2';
// what the fact scripts run besides docker
const TOOLS = ['sort', 'tr', 'stat', 'id', 'cut', 'getent', 'cat', 'sleep'];

/** Sets `kind` up; v2 needs rig/target:1 built (scripts/build-images.sh). */
export function localCompose(kind: LocalComposeKind): LocalCompose {
  if (kind === 'v1') {
    return {
      kind,
      wrap: (c, o) => withEnv(sh(render(c)), { PATH: `${o?.newerDocker ? '/usr/local/bin:' : ''}/usr/bin:/bin` }),
      remove: () => {},
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'rig-compose-v2-'));
  const bin = path.join(dir, 'bin');
  const newer = path.join(dir, 'newer');
  for (const d of [bin, newer, path.join(dir, 'cli-plugins')]) mkdirSync(d);
  for (const tool of TOOLS) symlinkSync(`/usr/bin/${tool}`, path.join(bin, tool));
  symlinkSync('/usr/bin/docker', path.join(bin, 'docker'));
  symlinkSync('/usr/local/bin/docker', path.join(newer, 'docker'));
  const dest = kind === 'v2' ? path.join(dir, 'cli-plugins', 'docker-compose') : path.join(bin, 'docker-compose');
  const id = execFileSync('docker', ['create', IMAGE]).toString().trim();
  try {
    execFileSync('docker', ['cp', `${id}:${PARKED}`, dest]);
  } finally {
    execFileSync('docker', ['rm', id]);
  }
  return {
    kind,
    wrap: (c, o) => withEnv(sh(render(c)), { PATH: o?.newerDocker ? `${newer}:${bin}` : bin, DOCKER_CONFIG: dir }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
