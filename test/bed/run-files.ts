// Reading a run back from its directory: the description (testbed.json) and the client key, for controls from
// another process (the CLI), and the "current" run started by hand.
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bedRoot, RUN_ID } from './bed-paths.ts';
import { attach, type Testbed } from './testbed-control.ts';
import { testbedDescriptionSchema } from './testbed-description.ts';

const CURRENT = 'current';

/** The controls of run `runId` as written by its start; throws naming the file when it is absent or malformed. */
export async function openRun(runId: string, readyTimeoutMs = 60_000): Promise<Testbed> {
  const file = path.join(bedRoot(), runId, 'testbed.json');
  const text = await readFile(file, 'utf8').catch(() => {
    throw new Error(`testbed: no run ${runId} (${file} is missing)`);
  });
  const run = testbedDescriptionSchema.parse(JSON.parse(text));
  return attach(run, await readFile(run.keyPath), readyTimeoutMs);
}

/** `runId` when given, else the last run started by hand; validated either way. */
export async function resolveRunId(runId: string | undefined): Promise<string> {
  const id = runId ?? (await readFile(path.join(bedRoot(), CURRENT), 'utf8').catch(() => '')).trim();
  if (id === '') throw new Error(`testbed: no run id given and no ${path.join(bedRoot(), CURRENT)}`);
  if (!RUN_ID.test(id)) throw new Error(`testbed: run id must be lowercase letters and digits: ${id}`);
  return id;
}

/** Records `runId` as the current run (the default of the other commands). */
export async function setCurrentRun(runId: string): Promise<void> {
  await writeFile(path.join(bedRoot(), CURRENT), `${runId}\n`);
}

/** Forgets the current run when it is `runId`. */
export async function clearCurrentRun(runId: string): Promise<void> {
  const file = path.join(bedRoot(), CURRENT);
  const current = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (current === runId) await rm(file, { force: true });
}
