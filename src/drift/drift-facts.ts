// The facts drift compares a release with, read in ONE exec: file states, the project's containers and networks, reload
// records.
import { containerName } from '../core/desired/service.js';
import type { ReloadRecord } from '../compose/service-reload.js';
import type { Release } from '../release/release-schema.js';
import { dockerStateFact, type DockerState } from '../facts/containers/docker-state.js';
import { fileStateFact, type PathState } from '../facts/files/file-state.js';
import { gather, type FactHost } from '../facts/gather.js';
import { reloadRecordsFact } from '../facts/deploy-state/reload-records.js';
import { releasePaths } from './drift-files.js';
import { releaseNetworks } from './drift-services.js';

/** What the host has of a release. */
export interface DriftFacts {
  readonly files: ReadonlyMap<string, PathState>;
  /** Undefined when the release has no services and no networks (docker is not asked). */
  readonly docker: DockerState | undefined;
  /** Reload records of the release's containers, by container name. */
  readonly reloads: ReadonlyMap<string, ReloadRecord>;
}

/** The facts of `release` (only those it has something to compare with). */
export function driftFactSet(release: Release, stateDir: string) {
  const paths = releasePaths(release);
  const query = { project: release.project, images: [], networks: releaseNetworks(release) };
  const containers = release.services.map((s) => containerName(release.project, s.name));
  return {
    files: paths.length > 0 ? fileStateFact(paths) : undefined,
    docker: release.services.length > 0 || query.networks.length > 0 ? dockerStateFact(query) : undefined,
    reloads: containers.length > 0 ? reloadRecordsFact(stateDir, containers) : undefined,
  };
}

/** Reads what the host has of `release`, in one exec. */
export async function readDriftFacts(host: FactHost, release: Release, stateDir: string): Promise<DriftFacts> {
  const got = await gather(host, driftFactSet(release, stateDir));
  return {
    files: got.files ?? new Map<string, PathState>(),
    docker: got.docker,
    reloads: got.reloads ?? new Map<string, ReloadRecord>(),
  };
}
