// Decides whether the real-host tests can run here, and why not when they cannot.
import { access, constants } from 'node:fs/promises';
import { execa } from 'execa';
import { DOCKER } from './bed-paths.ts';

/**
 * Returns `undefined` when a docker engine answers and the testbed can start, else a reason to skip
 * (also printed, so a skipped suite is never silent). With `RIG_TESTBED_REQUIRED=1` (CI) it throws instead.
 */
export async function requireDocker(): Promise<string | undefined> {
  const reason = await findProblem();
  if (reason === undefined) return undefined;
  if (process.env['RIG_TESTBED_REQUIRED'] === '1') {
    throw new Error(`testbed required (RIG_TESTBED_REQUIRED=1) but unavailable: ${reason}`);
  }
  console.warn(`[testbed] skipping: ${reason}`);
  return reason;
}

/** testcontainers 12's `engines.node`: older Nodes fail inside it with an unrelated-looking TypeError. */
const MIN_NODE = [22, 22] as const;

async function findProblem(): Promise<string | undefined> {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
    return `the test bed (testcontainers 12) needs Node >= ${MIN_NODE.join('.')}, this is ${process.version}`;
  }
  for (const tool of [DOCKER, '/usr/bin/ssh-keygen']) {
    if (!(await isExecutable(tool))) return `${tool} not found (run scripts/ensure-deps.sh)`;
  }
  const version = ['version', '--format', '{{.Server.Version}}'];
  const engine = await execa(DOCKER, version, { reject: false, timeout: 15_000 });
  if (engine.exitCode !== 0) {
    const why = engine.stderr.split('\n').find((line) => line.trim() !== '') ?? `exit ${engine.exitCode}`;
    return `docker engine does not answer (${why}); run scripts/ensure-dockerd.sh`;
  }
  const image = await execa(DOCKER, ['image', 'inspect', 'rig/target:1'], { reject: false });
  if (image.exitCode !== 0 && process.getuid?.() !== 0) {
    return 'image rig/target:1 missing and only root can build it (scripts/build-images.sh)';
  }
  return undefined;
}

async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}
