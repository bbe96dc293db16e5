// Absolute paths of the shell scripts the testbed helpers drive, and the docker client they must use.
import { fileURLToPath } from 'node:url';

/** Debian's docker 20.10 client; `/usr/local/bin/docker` may be a newer client without compose v1 integration. */
export const DOCKER = '/usr/bin/docker';

/** `scripts/testbed.sh`: the one code path that starts, stops and describes test hosts. */
export const TESTBED_SCRIPT = fileURLToPath(new URL('../../../scripts/testbed.sh', import.meta.url));

/** `scripts/build-images.sh`: builds or confirms the cached local images (`rig/target:1`, `local/busybox:1`). */
export const BUILD_IMAGES_SCRIPT = fileURLToPath(new URL('../../../scripts/build-images.sh', import.meta.url));
