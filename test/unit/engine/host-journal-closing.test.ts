// The journal of a run that may conclude in its files' exec: the closing lines are rendered for that exec without
// being drained or mirrored; `commit` drains exactly them and mirrors them once, `withdraw` takes the closing event
// back so the run can close as failed instead.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Redactor } from '../../../src/core/redact/redactor.js';
import { HostJournal } from '../../../src/engine/host-journal.js';
import type { HostResult } from '../../../src/engine/host-result.js';
import { runContext } from '../../helpers/run-context.js';
import type { StackConfig } from '../../../src/config/vars/stack-vars.js';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

function journal(): { j: HostJournal; mirror: () => string[] } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'rig-closing-'));
  roots.push(root);
  const run = runContext({ root });
  const j = new HostJournal({
    host: 'web1',
    redactor: new Redactor(['s3cret-value']),
    run,
    stack: { stateDir: '/opt/app/.rig' } as StackConfig,
  });
  const file = path.join(root, '.rig', 'journal', 'prod', 'web1.jsonl');
  const mirror = (): string[] => {
    try {
      return readFileSync(file, 'utf8').trim().split('\n');
    } catch {
      return [];
    }
  };
  return { j, mirror };
}

const changed: HostResult = { host: 'web1', status: 'changed', changes: 2, release: 'R1' };
const events = (lines: readonly string[]): string[] => lines.map((l) => (JSON.parse(l) as { event: string }).event);
const stdinOf = (step: { stdin: string }): string[] => step.stdin.trim().split('\n');

describe('HostJournal.closing', () => {
  it('renders the buffered events and deploy.finished without draining or mirroring them', () => {
    const { j, mirror } = journal();
    j.add('deploy.started', { token: 's3cret-value' });
    j.add('files.changed', { paths: ['/a'] });
    const c = j.closing(changed);
    expect(events(stdinOf(c.step))).toEqual(['deploy.started', 'files.changed', 'deploy.finished']);
    expect(c.step.stdin).not.toContain('s3cret-value');
    expect(mirror()).toEqual([]);
    c.commit();
    expect(events(mirror())).toEqual(['deploy.started', 'files.changed', 'deploy.finished']);
    expect(mirror()).toEqual(stdinOf(c.step));
    // drained: nothing is left for a finish of its own
    expect(j.drainStep()).toBeUndefined();
    expect(mirror()).toHaveLength(3);
  });

  it('withdraw takes the closing event back: the run then closes as failed, once', () => {
    const { j, mirror } = journal();
    j.add('deploy.started');
    j.add('files.changed', { paths: ['/a'] });
    const c = j.closing(changed);
    c.withdraw();
    expect(mirror()).toEqual([]);
    j.finished({ host: 'web1', status: 'failed', changes: 0, error: 'rename failed' }, false);
    const step = j.drainStep();
    expect(events(stdinOf(step as { stdin: string }))).toEqual(['deploy.started', 'files.changed', 'deploy.failed']);
    expect(events(mirror())).toEqual(['deploy.started', 'files.changed', 'deploy.failed']);
  });
});
