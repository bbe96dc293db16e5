// Entry point of the docker engine helpers for integration tests: inspect, exec, HTTP from inside, images, waiting,
// cleanup.
export { docker, dockerOk, type DockerResult } from './docker-cli.js';
export { inspectContainer, type ContainerInfo } from './inspect-container.js';
export { execIn } from './exec-in.js';
export { httpGetInContainer } from './http-get-in-container.js';
export { imageId } from './image-id.js';
export { retagVariant, VARIANT_LABEL } from './retag-variant.js';
export { waitFor } from './wait-for.js';
export { removeContainers, removeNetworks } from './remove-by-prefix.js';
export { containerLogs } from './container-logs.js';
