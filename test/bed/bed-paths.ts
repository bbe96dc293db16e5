// Where the bed keeps its runs, which images and client it uses, and the names and labels it gives containers.
import { fileURLToPath } from 'node:url';

/** Debian's docker 20.10 client; `/usr/local/bin/docker` may be a newer client without compose v1 integration. */
export const DOCKER = '/usr/bin/docker';

/** The target-host image, built locally by scripts/images/target.sh (no registry to pull from here). */
export const TARGET_IMAGE = 'rig/target:1';

/** `scripts/build-images.sh`: builds or confirms the cached local images (`rig/target:1`, `local/busybox:1`). */
export const BUILD_IMAGES_SCRIPT = fileURLToPath(new URL('../../scripts/build-images.sh', import.meta.url));

/** `test/bed/cli.ts`: the bed's command line (make testbed, the demo, the bench, the exit sweep). */
export const BED_CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

/** Root of every run's files (keys, ssh config, host data dirs): `$RIG_TB_ROOT`, default /tmp/rig-tb. */
export function bedRoot(): string {
  return process.env['RIG_TB_ROOT'] ?? '/tmp/rig-tb';
}

/** Labels on every host container: the run, the host name, and (test runs only) the owning process. */
export const LABEL = {
  run: 'rig.testbed.run',
  host: 'rig.testbed.host',
  /** pid of the process that must stop the run; absent for runs started by hand (make testbed, the demo). */
  ownerPid: 'rig.testbed.pid',
} as const;

/** A run id: lowercase letters and digits (it goes into container, compose project and file names). */
export const RUN_ID = /^[a-z0-9]+$/;

/** `rig-tb-<run>-`: prefix of the run's container names and of the compose projects its hosts suggest. */
export function runPrefix(runId: string): string {
  return `rig-tb-${runId}-`;
}
