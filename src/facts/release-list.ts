// Fact `release-list`: the releases kept on the host and which one is current.
import { listReleasesCmd, parseReleaseList, type ReleaseList } from '../engine/release-store.js';
import { textFact, type Fact } from './fact.js';

/** The releases under `stateDir` (none on a host never deployed to). */
export function releaseListFact(stateDir: string): Fact<ReleaseList> {
  return textFact('release-list', listReleasesCmd(stateDir), parseReleaseList);
}
