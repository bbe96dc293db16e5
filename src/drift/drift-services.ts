// Pure: the release's services and networks against docker's state on the host: containers, images, what each
// container has taken in (decideService judges it, as for a plan), running state.
import { decideService, type WantedService } from '../compose/decide-service.js';
import { serviceInputs } from '../compose/service-inputs.js';
import type { ReloadRecord } from '../compose/service-reload.js';
import { takenInputs } from '../compose/taken-inputs.js';
import type { ContainerState } from '../facts/containers/container-state.js';
import { containerName, networkName } from '../core/desired/service.js';
import type { Release, ReleaseService } from '../release/release-schema.js';
import type { DockerState } from '../facts/containers/docker-state.js';
import type { DriftItem } from './drift-types.js';
import { LABELS } from '../compose/compose-desired.js';

/** The networks rig creates for a release (external ones are the host's own business), by docker name. */
export function releaseNetworks(release: Release): string[] {
  return release.networks.filter((n) => !n.external).map((n) => networkName(release.project, n.name));
}

/** Drift of the release's services (in release order), then containers it does not know, then its networks. */
export function serviceDrift(
  release: Release,
  docker: DockerState,
  reloads: ReadonlyMap<string, ReloadRecord>,
  edited?: ComposeEdits,
): DriftItem[] {
  const services = release.services.flatMap((s) => oneService(release, s, docker, reloads, edited));
  const known = new Set(release.services.map((s) => s.name));
  const extra = docker.containers
    .filter((c) => c.project === release.project && c.service !== undefined && !known.has(c.service))
    .map((c): DriftItem => ({
      kind: 'service',
      subject: c.service ?? c.name,
      what: 'unexpected-container',
      container: c.name,
    }));
  const networks = release.networks
    .filter((n) => !n.external)
    .flatMap((n): DriftItem[] => {
      const name = networkName(release.project, n.name);
      const fact = docker.networks.get(name);
      if (fact === undefined) return [{ kind: 'network', subject: n.name, what: 'network-missing', network: name }];
      return fact.internal === n.internal
        ? []
        : [
            {
              kind: 'network',
              subject: n.name,
              what: 'network-internal',
              network: name,
              host: fact.internal,
              release: n.internal,
            },
          ];
    });
  return [...services, ...extra, ...networks];
}

/**
 * The services whose entry in a compose file on the host is not the release's (name → file), and the host copies'
 * times: a container started at or after such an edit may run it (decideService's repair).
 */
export interface ComposeEdits {
  readonly entries: ReadonlyMap<string, string>;
  readonly modifiedAt: (path: string) => number | undefined;
}

function oneService(
  release: Release,
  s: ReleaseService,
  docker: DockerState,
  reloads: ReadonlyMap<string, ReloadRecord>,
  edited: ComposeEdits | undefined,
): DriftItem[] {
  const name = containerName(release.project, s.name);
  const c =
    docker.containers.find((x) => x.name === name) ??
    docker.containers.find((x) => x.project === release.project && x.service === s.name);
  const item = { kind: 'service' as const, subject: s.name };
  if (c === undefined) {
    const foreign = docker.nameHolders.some((x) => x.name === name);
    return [{ ...item, what: foreign ? 'foreign-container' : 'container-missing', container: name }];
  }
  const out: DriftItem[] = [];
  // An empty imageId or fingerprint: the release could not learn it (the container was gone when it was recorded).
  if (s.imageId !== '' && c.image !== s.imageId)
    out.push({ ...item, what: 'image', container: c.name, host: c.image, release: s.imageId });
  const record = reloads.get(c.name);
  // what it took in is judged as for a running container: that it is paused is the `stopped` item below
  const current = {
    container: c.status === 'paused' ? { ...c, status: 'running' as const } : c,
    ...(record ? { record } : {}),
  };
  const entry = edited?.entries.get(s.name);
  const wanted = {
    ...wantedOf(release, s, c, name, record),
    ...(entry !== undefined && edited ? { editedEntry: entry, modifiedAt: edited.modifiedAt } : {}),
  };
  const decision = s.fingerprint === '' ? undefined : decideService(wanted, current);
  if (decision?.action === 'recreate' || decision?.action === 'reload') {
    const label = c.labels[LABELS.fingerprint] ?? '';
    const [host, container] = [label === '' ? 'none' : label, c.name];
    if (label !== s.fingerprint) out.push({ ...item, what: 'fingerprint', container, host, release: s.fingerprint });
    else out.push({ ...item, what: 'inputs', container, reasons: decision.reasons });
  }
  const done = s.gate.oneShot && c.status === 'exited' && c.exitCode === 0;
  // (docker reports a paused container as running)
  if ((!c.running || c.status === 'paused') && !done)
    out.push({
      ...item,
      what: 'stopped',
      container: c.name,
      status: c.status === 'exited' ? `exited ${c.exitCode}` : c.status,
    });
  return out;
}

/**
 * The release's service as decideService wants it. The release keeps the fingerprint (the labels it ran with), not
 * the inputs: its managed files give the file and env inputs, the container's creation labels the rest (the definition
 * and image behind that same fingerprint; an env file rig does not manage is not the release's to judge). A release
 * of a rig before `reload` was recorded says nothing of reloads: a reload record can only have taken in files under
 * the service's bind mounts, so those stand for its reload paths.
 */
function wantedOf(
  release: Release,
  s: ReleaseService,
  c: ContainerState,
  name: string,
  record: ReloadRecord | undefined,
): WantedService {
  const managed = new Map(release.files.map((f) => [f.path, f.sha256]));
  const fromRelease = Object.entries(serviceInputs(s.spec, { managed, onHost: () => undefined })).filter(
    ([k]) => k.startsWith('file:') || (k.startsWith('env:') && managed.has(k.slice(4))),
  );
  const inputs = { ...takenInputs(c, undefined).created, ...Object.fromEntries(fromRelease) };
  const mounts = s.spec.mounts.flatMap((m) => (m.type === 'bind' ? [m.source] : []));
  const reload = s.reload ?? (record === undefined ? undefined : { paths: mounts, command: [] });
  const op = { kind: 'service' as const, name: s.name, phase: s.phase, spec: s.spec, gate: s.gate, origin: undefined };
  // the container's own name, which a container found by its labels under another may not have (docker rename)
  const service = { role: s.role, selected: true, op: reload ? { ...op, reload } : op, container: name, inputs };
  return { service: { ...service, fingerprint: s.fingerprint }, project: release.project, fileSteps: [] };
}
