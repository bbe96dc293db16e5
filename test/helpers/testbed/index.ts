// Entry point of the real-host test helpers: target hosts over SSH, the docker check, a local registry.
export { requireDocker } from './require-docker.js';
export { requireImages } from './require-images.js';
export { startHosts, type StartHostsOptions, type Testbed } from './start-hosts.js';
export { hostVerifier } from './host-verifier.js';
export { startRegistry, type Registry } from './start-registry.js';
export { freePort } from './free-port.js';
export { DOCKER } from './testbed-paths.js';
export type { TestbedHost, TestbedDescription } from './testbed-description.js';
