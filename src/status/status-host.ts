// One host's status in ONE exec: its releases, the project's containers and images, the deploy lock (read, never
// taken), the compose it runs.
import type { StackConfig } from '../config/vars/stack-vars.js';
import { composeDetectFact } from '../facts/containers/compose-detect.js';
import { execHost, gather } from '../facts/gather.js';
import { lockStateFact } from '../facts/deploy-state/lock-state.js';
import { projectContainersFact } from '../facts/containers/project-containers.js';
import { releaseListFact } from '../facts/deploy-state/release-list.js';
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
  const facts = {
    releases: releaseListFact(stateDir),
    docker: projectContainersFact(project),
    lock: lockStateFact(stateDir),
    compose: composeDetectFact(),
  };
  const { releases, docker, lock, compose } = await gather(execHost(t, input.become), facts);
  return {
    host: input.host,
    project,
    releases,
    docker,
    lock,
    compose,
    lockPath: `${stateDir.replace(/\/+$/, '')}/lock`,
    execs: t.counters.execChannels,
  };
}
