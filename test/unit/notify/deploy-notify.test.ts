// Deploy notifications, pure parts: the run summary (before and after apply) and the Telegram text from it.
import { describe, expect, it } from 'vitest';
import type { HostResult } from '../../../src/engine/host-run.js';
import type { Step } from '../../../src/core/plan-data/plan-types.js';
import type { RunContext } from '../../../src/engine/run-context.js';
import { deployMessage } from '../../../src/notify/deploy-message.js';
import { runSummary } from '../../../src/notify/run-summary.js';

const run = {
  mode: 'deploy',
  env: 'prod',
  root: '/r',
  runId: 'abc123',
  user: 'alice',
  workstation: 'laptop',
  git: { commit: '0123456789abcdef', dirty: false },
  breakLock: false,
  autoRollback: true,
  removeUndeclared: true,
  log: () => undefined,
} as RunContext;
const svc = (service: string, action: 'create' | 'recreate' | 'remove', why: string) =>
  ({ kind: 'service', service, action, why, role: 'r' }) as unknown as Step;
const write = { kind: 'write', path: '/x', role: 'r', why: 'content changed' } as unknown as Step;
const plan = (host: string, steps: Step[]) => ({ host, steps }) as unknown as NonNullable<HostResult['plan']>;

const planned: HostResult[] = [
  {
    host: 'app',
    status: 'ok',
    changes: 3,
    plan: plan('app', [
      write,
      svc('litellm', 'recreate', 'env file litellm.env changed (keys: MASTER_KEY)'),
      svc('old', 'remove', 'no role declares it'),
    ]),
  },
  { host: 'vpn', status: 'ok', changes: 0, plan: plan('vpn', []) },
];

describe('runSummary and deployMessage', () => {
  it('before apply: every host planned with its service steps and why', () => {
    const s = runSummary('pre_deploy', run, planned, false);
    expect(s).toMatchObject({
      version: 1,
      event: 'pre_deploy',
      command: 'deploy',
      env: 'prod',
      result: 'planned',
      user: 'alice',
    });
    expect(s.hosts[0]).toEqual({
      host: 'app',
      status: 'planned',
      changes: 3,
      otherSteps: 1,
      services: [
        { service: 'litellm', action: 'recreate', why: 'env file litellm.env changed (keys: MASTER_KEY)' },
        { service: 'old', action: 'remove', why: 'no role declares it' },
      ],
    });
  });

  it('after apply: the result and a message with one line per service, the failure and the rollback', () => {
    const done: HostResult[] = [
      {
        ...(planned[0] as HostResult),
        status: 'failed',
        changes: 0,
        error: 'app: health gate failed: litellm unhealthy; rolled back to release 20261201T000000Z-aaaa\nmore',
        rolledBackTo: '20261201T000000Z-aaaa',
      },
      { host: 'vpn', status: 'ok', changes: 0, plan: plan('vpn', []) },
    ];
    const s = runSummary('post_deploy', run, done, false);
    expect(s.result).toBe('failed');
    expect(deployMessage(s)).toBe(
      [
        'rig deploy prod: FAILED',
        'by alice@laptop, git 0123456789ab; 2 hosts, 0 changes',
        'app: failed',
        '  ~ litellm: recreate (env file litellm.env changed (keys: MASTER_KEY))',
        '  - old: remove (no role declares it)',
        '  rolled back to 20261201T000000Z-aaaa',
        '  ! app: health gate failed: litellm unhealthy; rolled back to release 20261201T000000Z-aaaa',
        '    more',
        'vpn: ok',
        'run abc123',
      ].join('\n'),
    );
    expect(
      runSummary('post_deploy', { ...run, mode: 'rollback' }, [{ host: 'vpn', status: 'ok', changes: 0 }], false),
    ).toMatchObject({ command: 'rollback', result: 'ok' });
    expect(runSummary('post_deploy', run, done, true).result).toBe('interrupted');
    // a long error keeps its first 6 lines and says how many more rig history has
    const long = [
      {
        ...(done[0] as HostResult),
        error: ['pre-checks failed:', ...Array.from({ length: 9 }, (_, i) => `  why ${i}`)].join('\n'),
      },
    ];
    expect(deployMessage(runSummary('post_deploy', run, long, false))).toContain(
      '  ! pre-checks failed:\n    why 0\n    why 1\n    why 2\n    why 3\n    why 4\n    … (4 more lines)\n',
    );
  });

  it('stays under the Bot API limit', () => {
    const many = Array.from({ length: 400 }, (_, i) => svc(`service-${i}`, 'create', 'new service'));
    const text = deployMessage(
      runSummary(
        'post_deploy',
        run,
        [{ host: 'app', status: 'changed', changes: 400, plan: plan('app', many) }],
        false,
      ),
    );
    expect(text.length).toBeLessThan(4096);
    expect(text).toMatch(/\n… \(cut; rig history --env prod has it all\)$/);
  });
});
