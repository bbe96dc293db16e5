// Fact `release-list`: the releases kept on the host and which one is current.
import { currentReleaseCmd, listReleasesCmd, parseReleaseList, type ReleaseList } from '../../release/release-store.js';
import { textFact, type Fact } from '../fact.js';

/** The releases under `stateDir` (none on a host never deployed to). */
export function releaseListFact(stateDir: string): Fact<ReleaseList> {
  return textFact('release-list', listReleasesCmd(stateDir), parseReleaseList);
}

/**
 * The current release only (its id and record, one `cat`; `idOnly`: the id alone, no process): what a plan needs; the
 * list is for status and rollback.
 */
export function currentReleaseFact(stateDir: string, idOnly = false): Fact<ReleaseList> {
  return textFact('current-release', currentReleaseCmd(stateDir, idOnly), parseReleaseList);
}
