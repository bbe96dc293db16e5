// Pure: the release's services and networks against docker's state on the host: containers, images, fingerprints.
import { SHORT } from '../compose/service-inputs.js';
import type { ReloadRecord } from '../compose/service-reload.js';
import { takenInputs } from '../compose/taken-inputs.js';
import { containerName, networkName } from '../core/service.js';
import type { Release, ReleaseService } from '../release/release-schema.js';
import type { DockerState } from '../facts/docker-state.js';
import type { DriftItem } from './drift-types.js';

/** The networks rig creates for a release (external ones are the host's own business), by docker name. */
export function releaseNetworks(release: Release): string[] {
  return release.networks.filter((n) => !n.external).map((n) => networkName(release.project, n.name));
}

/** Drift of the release's services (in release order), then containers it does not know, then its networks. */
export function serviceDrift(release: Release, docker: DockerState, reloads: ReadonlyMap<string, ReloadRecord>): DriftItem[] {
  const services = release.services.flatMap((s) => oneService(release, s, docker, reloads));
  const known = new Set(release.services.map((s) => s.name));
  const extra = docker.containers
    .filter((c) => c.project === release.project && c.service !== undefined && !known.has(c.service))
    .map((c): DriftItem => ({ kind: 'service', subject: c.service ?? c.name, what: 'unexpected-container', container: c.name }));
  const networks = release.networks.filter((n) => !n.external).flatMap((n): DriftItem[] => {
    const name = networkName(release.project, n.name);
    const fact = docker.networks.get(name);
    if (fact === undefined) return [{ kind: 'network', subject: n.name, what: 'network-missing', network: name }];
    return fact.internal === n.internal ? [] : [{ kind: 'network', subject: n.name, what: 'network-internal', network: name, host: fact.internal, release: n.internal }];
  });
  return [...services, ...extra, ...networks];
}

function oneService(release: Release, s: ReleaseService, docker: DockerState, reloads: ReadonlyMap<string, ReloadRecord>): DriftItem[] {
  const name = containerName(release.project, s.name);
  const c = docker.containers.find((x) => x.name === name) ?? docker.containers.find((x) => x.project === release.project && x.service === s.name);
  const item = { kind: 'service' as const, subject: s.name };
  if (c === undefined) {
    const foreign = docker.nameHolders.some((x) => x.name === name);
    return [{ ...item, what: foreign ? 'foreign-container' : 'container-missing', container: name }];
  }
  const out: DriftItem[] = [];
  // An empty imageId or fingerprint: the release could not learn it (the container was gone when it was recorded).
  if (s.imageId !== '' && c.image !== s.imageId) out.push({ ...item, what: 'image', container: c.name, host: c.image, release: s.imageId });
  const taken = takenInputs(c, reloads.get(c.name));
  const label = taken.fingerprint ?? '';
  if (s.fingerprint !== '' && label !== s.fingerprint && !reloadedTo(release, taken.record)) {
    out.push({ ...item, what: 'fingerprint', container: c.name, host: label === '' ? 'none' : label, release: s.fingerprint });
  }
  const done = s.gate.oneShot && c.status === 'exited' && c.exitCode === 0;
  if (!c.running && !done) out.push({ ...item, what: 'stopped', container: c.name, status: c.status === 'exited' ? `exited ${c.exitCode}` : c.status });
  return out;
}

/**
 * A service reloaded in place keeps the labels of its creation while the release records the fingerprint it was
 * reloaded to. It is current when the container has its own reload record (takenInputs drops another container's) and
 * every file the record took in is the release's version of that file: anything else about the
 * service changes only by recreating it, which renews the labels.
 */
function reloadedTo(release: Release, record: ReloadRecord | undefined): boolean {
  if (record === undefined) return false;
  const files = Object.entries(record.inputs).filter(([k]) => k.startsWith('file:'));
  return files.length > 0 && files.every(([k, v]) => release.files.find((f) => f.path === k.slice(5))?.sha256.slice(0, SHORT) === v);
}
