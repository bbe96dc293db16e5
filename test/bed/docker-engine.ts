// The bed's one docker API client: testcontainers' runtime client, set up for this machine before its first use.
import { getContainerRuntimeClient, type ContainerRuntimeClient } from 'testcontainers';

// No reaper: its image (testcontainers/ryuk) cannot be pulled here, so the bed removes what it starts itself
// (stop(), the exit sweep, `cli.ts sweep`). The host override skips testcontainers' gateway probe, which pulls
// alpine:3.14 when it runs inside a container (it does here), and keeps every address on 127.0.0.1.
process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
process.env['TESTCONTAINERS_HOST_OVERRIDE'] ??= '127.0.0.1';

/** The docker engine client (cached by testcontainers after the first call). */
export function dockerEngine(): Promise<ContainerRuntimeClient> {
  return getContainerRuntimeClient();
}

/** `true` when the engine knows the error's object no longer exists (HTTP 404), e.g. a container removed meanwhile. */
export function isGone(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'statusCode' in error && error.statusCode === 404;
}
