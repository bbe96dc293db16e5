// One host's status in ONE exec: its releases, the project's containers and images, the deploy lock (read, never
// taken), the compose it runs.
import type { StackConfig } from '../config/stack-vars.js';
import { plainGather } from '../engine/gather.js';
import { lockStateStep, parseLockState } from '../engine/lock.js';
import { listReleasesCmd, parseReleaseList } from '../engine/release-store.js';
import { composeDetectCmd, parseComposeDetection } from '../facts/compose-detect.js';
import { parseProjectContainers, projectContainersCmd } from '../facts/project-containers.js';
import type { Transport } from '../transport/transport.js';
import type { StatusFacts } from './status-model.js';

/** What status needs to know about a host. */
export interface StatusHostInput {
  readonly host: string;
  readonly stack: StackConfig;
  readonly become: boolean;
}

/** Reads the host's status facts. Read-only: no lock taken, no journal line, nothing written. */
export async function statusFactsOf(t: Transport, input: StatusHostInput): Promise<StatusFacts> {
  const { stateDir, project } = input.stack;
  const parts = [listReleasesCmd(stateDir), projectContainersCmd(project), lockStateStep(stateDir), composeDetectCmd()];
  const [releases, docker, lock, compose] = await plainGather(t, input.become)(parts);
  const text = (b: Buffer | undefined): string => (b ?? Buffer.alloc(0)).toString('utf8');
  return {
    host: input.host,
    project,
    releases: parseReleaseList(text(releases)),
    docker: parseProjectContainers(text(docker)),
    lock: parseLockState(text(lock)),
    compose: parseComposeDetection(text(compose).split('\n').filter((l) => l !== ''), 'status'),
    lockPath: `${stateDir.replace(/\/+$/, '')}/lock`,
    execs: t.counters.execChannels,
  };
}
