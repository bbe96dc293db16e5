// Interrupting a real `rig deploy` at a deterministic point: a pause point holds it, then a signal, a SIGKILL or a cut
// connection (the host's sshd session processes killed) lands there.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pauseFiles, type PausePoint } from '../../src/engine/test-pause.js';
import { startComposeBed, type ComposeBed, type RigProcess } from './compose-bed.js';
import { docker, inspectContainer, waitFor } from './docker/index.js';
import { buildCli } from './build-cli.js';

/**
 * How a run is interrupted. `SIGINTx2`: Ctrl-C twice (rig exits at once); `cut`: its SSH connection is killed on the
 * host, rig itself lives on.
 */
export type Interrupt = 'SIGINT' | 'SIGINTx2' | 'SIGTERM' | 'SIGKILL' | 'cut';

/** The stages of a recreate deploy a test can interrupt (the pause points of a host's apply). */
export const STAGES = [
  'before-files',
  'after-files',
  'during-up',
  'during-gate',
] as const satisfies readonly PausePoint[];
export type Stage = (typeof STAGES)[number];

/** What the interrupted run did. */
export interface Interrupted {
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly out: string;
}

/** A `rig deploy` held at `stage` on host h1, before the interrupt. */
export interface HeldRun {
  readonly child: RigProcess;
  /** Lets the held run go on (its pause point returns). */
  release(): void;
  /** What it wrote to stderr so far. */
  stderr(): string;
}

/**
 * A compose bed with the stack deployed once from `vars`, and the CLI built (the interrupted runs are processes of
 * their own). Throws with rig's output when that first deploy fails.
 */
export async function deployedBed(
  id: string,
  vars: Record<string, unknown>,
  compose?: 'v1' | 'v2',
): Promise<ComposeBed> {
  const bed = await startComposeBed(id, compose ? { compose } : {});
  await buildCli();
  bed.setVars(vars);
  const first = await bed.rig(['deploy']);
  if (first.code !== 0) throw new Error(`the first deploy failed (exit ${first.code}):\n${first.out}\n${first.err}`);
  return bed;
}

/** Starts `rig deploy` held at `stage`; resolves once it is there. */
export async function holdDeployAt(
  bed: ComposeBed,
  stage: PausePoint,
  args: string[] = [],
  extraEnv: Record<string, string> = {},
): Promise<HeldRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rig-pause-'));
  const files = pauseFiles(dir, 'h1', stage);
  const child = bed.spawnRig(['deploy', ...args], { RIG_TEST_PAUSE: stage, RIG_TEST_PAUSE_DIR: dir, ...extraEnv });
  let ended: string | undefined;
  void child.then((r) => (ended = `exit ${r.exitCode}:\n${String(r.stdout)}\n${String(r.stderr)}`));
  const deadline = Date.now() + 120_000;
  while (!existsSync(files.reached)) {
    if (ended !== undefined) throw new Error(`rig deploy ended before reaching ${stage}: ${ended}`);
    if (Date.now() > deadline) throw new Error(`rig deploy did not reach ${stage} within 120 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return { child, release: () => writeFileSync(files.go, ''), stderr: () => err };
}

/** Interrupts a held run the way `how` says, lets it go on, and waits for it to end. */
export async function interrupt(bed: ComposeBed, run: HeldRun, how: Interrupt): Promise<Interrupted> {
  if (how === 'cut') await killSshSessions(bed);
  else if (how === 'SIGINTx2') {
    run.child.kill('SIGINT');
    // the second once rig has seen the first (it says so on stderr)
    await waitFor(
      'rig to take the first SIGINT',
      () => Promise.resolve(run.stderr().includes('SIGINT: stopping') ? true : undefined),
      30_000,
      20,
    );
    run.child.kill('SIGINT');
  } else run.child.kill(how);
  run.release();
  const r = await run.child;
  return { exitCode: r.exitCode, signal: r.signal, out: `${String(r.stdout)}\n${String(r.stderr)}` };
}

/** Kills every sshd session process on the bed's host (not the listener, PID 1): each SSH connection drops at once. */
export async function killSshSessions(bed: ComposeBed): Promise<void> {
  const script = `for d in /proc/[0-9]*; do p=\${d#/proc/}; [ "$p" = 1 ] && continue
  case "$(tr '\\0' ' ' < "$d/cmdline" 2>/dev/null)" in "sshd: "*) kill -9 "$p" 2>/dev/null ;; esac; done; true`;
  const r = await docker(['exec', bed.host.container, 'sh', '-c', script]);
  if (r.code !== 0) throw new Error(`killing the sshd sessions failed: ${r.stderr}`);
}

/** Resolves once every container of `services` runs (a one-off check per poll); throws after `timeoutMs`. */
export async function allRunning(
  bed: ComposeBed,
  services: readonly ('alpha' | 'beta' | 'gamma')[],
  timeoutMs: number,
): Promise<number> {
  const started = Date.now();
  await waitFor(
    `${services.join(', ')} running`,
    async () => {
      const states = await Promise.all(services.map((s) => inspectContainer(bed.container(s))));
      return states.every((c) => c?.running === true) ? true : undefined;
    },
    timeoutMs,
    200,
  );
  return Date.now() - started;
}
