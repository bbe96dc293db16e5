// Fact `running-jobs`: the host jobs (compose up, removals) still running, detached from any SSH session.
import { parseRunningJobs, runningJobsCmd, type RunningJob } from '../../jobs/host-job-script.js';
import { textFact, type Fact } from '../fact.js';

/** The jobs under `stateDir` whose runner is alive on this boot. */
export function runningJobsFact(stateDir: string): Fact<RunningJob[]> {
  return textFact('running-jobs', runningJobsCmd(stateDir), parseRunningJobs);
}
