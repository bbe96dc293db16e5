// The facts drift compares a release with, read in ONE exec: file states, the project's containers and networks, reload records.
import type { Cmd } from '../core/cmd.js';
import { containerName } from '../core/service.js';
import { parseReloadRecord, reloadRecordPath, type ReloadRecord } from '../compose/service-reload.js';
import type { Release } from '../engine/release-schema.js';
import { dockerStateCmd, parseDockerState, type DockerState } from '../facts/docker-state.js';
import { fileContentCmd, parseFileContent } from '../facts/file-content.js';
import { fileStateCmd, parseFileState, type PathState } from '../facts/file-state.js';
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

/** The fact commands for `release` (one batch, in this order) and the parser of their outputs. */
export function driftFactQuery(release: Release, stateDir: string): { parts: Cmd[]; parse: (outs: readonly Buffer[]) => DriftFacts } {
  const paths = releasePaths(release);
  const query = { project: release.project, images: [], networks: releaseNetworks(release) };
  const docker = release.services.length > 0 || query.networks.length > 0;
  const containers = release.services.map((s) => containerName(release.project, s.name));
  const records = containers.map((c) => reloadRecordPath(stateDir, c));
  const parts = [...(paths.length > 0 ? [fileStateCmd(paths)] : []), ...(docker ? [dockerStateCmd(query)] : []), ...(records.length > 0 ? [fileContentCmd(records)] : [])];
  const parse = (outs: readonly Buffer[]): DriftFacts => {
    const queue = [...outs];
    const next = (): Buffer => queue.shift() ?? Buffer.alloc(0);
    const files = paths.length > 0 ? parseFileState(next().toString('utf8'), paths) : new Map<string, PathState>();
    const state = docker ? parseDockerState(next().toString('utf8'), query) : undefined;
    const bytes = records.length > 0 ? parseFileContent(next(), records) : new Map<string, Buffer>();
    const reloads = new Map(containers.flatMap((c, i) => {
      const r = parseReloadRecord(bytes.get(records[i] as string));
      return r ? [[c, r] as const] : [];
    }));
    return { files, docker: state, reloads };
  };
  return { parts, parse };
}
