// Entry point of the registry helpers: registries with auth and an access log, a token server, pushes through docker
// and the API.
export {
  startTestRegistry,
  REGISTRY_BINARY,
  type TestRegistry,
  type TestRegistryAuth,
  type TestRegistryOptions,
} from '../../bed/registry.js';
export { parseAccessLog, manifestRequests, type AccessEntry, type ManifestRequest } from './access-log.js';
export { createTokenSigner, type TokenSigner } from './token-signer.js';
export { startTokenServer, type TokenServer, type TokenServerOptions, type TokenRequest } from './token-server.js';
export { writeHtpasswd, HTPASSWD } from './htpasswd.js';
export { pushImage } from './push-image.js';
export {
  putBlob,
  putManifest,
  deleteManifest,
  pushMultiArchIndex,
  type Descriptor,
  type MultiArch,
  OCI_INDEX,
  OCI_MANIFEST,
} from './oci-push.js';
export { startRegistryBed, registryBedProblem, BED_USER, type RegistryBed } from './registry-bed.js';
