// Entry point of the one integration bed: target hosts on testcontainers, the registry, the role bed, skip checks.
// Whatever loads testcontainers is imported on first use: it needs Node >= 22.22, and on an older Node a suite
// must still import this file to skip (or, with RIG_TESTBED_REQUIRED=1, fail) with that reason from requireDocker.
import type { RoleBed, RoleBedOptions } from './role-bed.ts';
import type { StartHostsOptions } from './start-hosts.ts';
import type { Testbed } from './testbed-control.ts';

export { requireDocker } from './require-docker.ts';
export { requireImages } from './require-images.ts';
export { hostVerifier } from './host-verifier.ts';
export { connectHost } from './connect.ts';
export { startRegistry, startTestRegistry, REGISTRY_BINARY, type Registry, type TestRegistry } from './registry.ts';
export type { TestRegistryAuth, TestRegistryOptions } from './registry.ts';
export { freePort } from './free-port.ts';
export { useRoleBed } from './use-role-bed.ts';
export { DOCKER, BUILD_IMAGES_SCRIPT } from './bed-paths.ts';
export type { TestbedHost, TestbedDescription } from './testbed-description.ts';
export type { ComposeFlavor } from './target-host.ts';
export { composeFromEnv } from './compose-flavor.ts';
export type { InlineRole } from './role-project.ts';
export type { PushedImage } from './role-images.ts';
export type { RoleBed, RoleBedOptions, StartHostsOptions, Testbed };
export type { RigRun, RigRunOptions } from './rig-runner.ts';
export type { BedHost } from './role-project.ts';

/** Starts `n` target hosts (`h1`..`hN`) and resolves once each accepts a key login over SSH (see start-hosts.ts). */
export async function startHosts(n: number, opts: StartHostsOptions = {}): Promise<Testbed> {
  return (await import('./start-hosts.ts')).startHosts(n, opts);
}

/** Starts a role bed (see role-bed.ts); prefer {@link useRoleBed}, which also removes it and dumps logs on failure. */
export async function startRoleBed(opts: RoleBedOptions): Promise<RoleBed> {
  return (await import('./role-bed.ts')).startRoleBed(opts);
}
