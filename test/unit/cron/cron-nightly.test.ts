// A night on recorded check outputs: what failed where, the alert text, once per (check, host, UTC day) against the
// Telegram stand-in with a controlled clock, exit codes, and where the alert credentials come from.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramFake, type TelegramFake } from '../../../scripts/fakes/telegram-botapi.mjs';
import { VaultKeyring } from '../../../src/config/vault/keyring.js';
import { Redactor } from '../../../src/core/redact/redactor.js';
import { alertConfig } from '../../../src/cron/alert-config.js';
import { alertText } from '../../../src/cron/alert-send.js';
import { pendingAlerts, readAlertState, recordAlerts } from '../../../src/cron/alert-state.js';
import { failuresOf, type CheckRun } from '../../../src/cron/nightly-checks.js';
import { nightlyRun, type RigRunner } from '../../../src/cron/nightly-run.js';
import { cronPaths } from '../../../src/cron/nightly-script.js';
import { driftJson } from '../../../src/drift/drift-format.js';
import { smokeReport, type SmokeResult } from '../../../src/smoke/smoke-report.js';
import { load, makeProject, sampleFiles } from '../../helpers/project.js';

const base = { description: 'd', blocking: true, deadlineSec: 30, durationMs: 10 } as const;
const RESULTS: SmokeResult[] = [
  { ...base, check: 'services-healthy', host: 'web1', status: 'pass', evidence: ['2 services up'] },
  {
    ...base,
    check: 'services-healthy',
    host: 'web2',
    status: 'fail',
    evidence: ['1 of 2 services not healthy: p_db (exited with code 137)', 'p_db: exited with code 137'],
  },
  { ...base, check: 'disk-space', host: 'web2', blocking: false, status: 'fail', evidence: ['/ is 97% full'] },
];
const SMOKE_FAIL = `${JSON.stringify(smokeReport(RESULTS, { env: 'prod', runId: 'r1', startedAt: '2026-12-01T03:15:00.000Z', durationMs: 20, strict: false }))}\n`;
const SMOKE_PASS = `${JSON.stringify(smokeReport(RESULTS.slice(0, 1), { env: 'prod', runId: 'r2', startedAt: '2026-12-01T03:15:00.000Z', durationMs: 20, strict: false }))}\n`;
const release = { id: '20261201T031500Z-ab12', createdAt: '2026-12-01T03:15:00Z', user: 'alice' };
const checked = { files: 1, dirs: 0, services: 1, networks: 0 };
const DRIFT = JSON.stringify(
  driftJson('prod', [
    { host: 'web1', value: { host: 'web1', release, items: [], checked, execs: 2 } },
    {
      host: 'web2',
      value: {
        host: 'web2',
        release,
        items: [
          {
            kind: 'file',
            subject: '/opt/p/app.conf',
            what: 'content',
            sensitive: false,
            hostSha256: 'a'.repeat(64),
            releaseSha256: 'b'.repeat(64),
            diff: ['--- /opt/p/app.conf (release)', '+++ /opt/p/app.conf (host)', '@@ -1 +1 @@', '-x', '+y'],
          },
        ],
        checked,
        execs: 3,
      },
    },
    { host: 'web3', error: 'never deployed by rig: no release in /opt/p/.rig/releases' },
  ]),
);
const PIN_MOVED =
  '~ redis:7.4.1: moved upstream sha256:1111111111111… → sha256:2222222222222…\npin --check: 3 images, 1 moved or disappeared, 0 could not be checked\n';
const run = (check: CheckRun['check'], code: number, out: string, err = ''): CheckRun => ({
  check,
  code,
  out,
  err,
  durationMs: 5,
});

describe('what a night failed on', () => {
  it('smoke: one failure per result that fails the run (an advisory failure does not), with its evidence', () => {
    expect(failuresOf(run('smoke', 1, SMOKE_FAIL))).toEqual([
      {
        check: 'smoke:services-healthy',
        host: 'web2',
        evidence: ['fail: 1 of 2 services not healthy: p_db (exited with code 137)', 'p_db: exited with code 137'],
      },
    ]);
    expect(failuresOf(run('smoke', 0, SMOKE_PASS))).toEqual([]);
  });

  it('drift: one failure per drifted or unreadable host, the item lines as evidence, never a diff (an alert leaves the machine)', () => {
    expect(failuresOf(run('drift', 1, DRIFT))).toEqual([
      {
        check: 'drift',
        host: 'web2',
        evidence: [
          `~ /opt/p/app.conf: content changed (hand edit?): sha256 ${'b'.repeat(12)}… in the release, ${'a'.repeat(12)}… on the host`,
        ],
      },
      { check: 'drift', host: 'web3', evidence: ['error: never deployed by rig: no release in /opt/p/.rig/releases'] },
    ]);
  });

  it('pin --check and runs that failed before reporting: one env-wide failure with the output', () => {
    expect(failuresOf(run('pin-check', 2, PIN_MOVED))).toEqual([
      {
        check: 'pin-check',
        host: '-',
        evidence: ['a pinned image moved or disappeared upstream', ...PIN_MOVED.trim().split('\n')],
      },
    ]);
    expect(
      failuresOf(
        run('smoke', 1, '', 'rig: inventory/prod/hosts.yml:3:5: unknown key\nrig: 1 error; nothing was changed\n'),
      ),
    ).toEqual([
      {
        check: 'smoke',
        host: '-',
        evidence: ['exit 1', 'rig: inventory/prod/hosts.yml:3:5: unknown key', 'rig: 1 error; nothing was changed'],
      },
    ]);
  });
});

describe('alert de-duplication', () => {
  const f = (check: string, host: string) => ({ check, host, evidence: ['x'] });

  it('once per (check, host, UTC day); the next day again; entries older than 8 days are dropped', () => {
    const day1 = new Date('2026-12-01T23:59:00Z');
    const s1 = recordAlerts(
      { version: 1, sent: [{ check: 'drift', host: 'old', date: '2026-11-20', at: 'x' }] },
      [f('drift', 'web2')],
      day1,
    );
    expect(s1.sent).toEqual([{ check: 'drift', host: 'web2', date: '2026-12-01', at: '2026-12-01T23:59:00.000Z' }]);
    expect(
      pendingAlerts(
        s1,
        [f('drift', 'web2'), f('drift', 'web3'), f('smoke:x', 'web2'), f('drift', 'web3')],
        '2026-12-01',
      ),
    ).toEqual([f('drift', 'web3'), f('smoke:x', 'web2')]);
    expect(pendingAlerts(s1, [f('drift', 'web2')], '2026-12-02')).toEqual([f('drift', 'web2')]);
  });

  it('a damaged state file is an error naming it', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'rig-alerts-')), 'prod.alerts.json');
    writeFileSync(file, '{"version": 2, "sent": []}');
    expect(() => readAlertState(file)).toThrow(`${file}:1:1: not an alert state file`);
    expect(readAlertState(`${file}.missing`)).toEqual({ version: 1, sent: [] });
  });
});

describe('alert text', () => {
  it('headline, evidence (capped), when and where the log is; known secrets masked', () => {
    const text = alertText(
      'prod',
      {
        check: 'drift',
        host: 'web2',
        evidence: ['~ a: has sk-secret-123 in it', ...Array.from({ length: 45 }, (_, i) => `line ${i}`)],
      },
      {
        now: new Date('2026-12-01T03:15:07.123Z'),
        log: '/srv/d/.rig/cron/prod.log',
        redactor: new Redactor(['sk-secret-123']),
      },
    );
    const lines = text.split('\n');
    expect(lines.slice(0, 3)).toEqual(['rig nightly: drift failed on web2 (env prod)', '', '~ a: has *** in it']);
    expect(lines).toContain('line 38');
    expect(lines).not.toContain('line 39');
    expect(lines.slice(-3)).toEqual([
      '… 6 more lines in the log',
      '',
      '2026-12-01T03:15:07Z · log: /srv/d/.rig/cron/prod.log · one alert per check and host per UTC day',
    ]);
    expect(
      alertText(
        'prod',
        { check: 'pin-check', host: '-', evidence: ['x'.repeat(5000)] },
        { now: new Date(), log: 'l', redactor: new Redactor() },
      ).length,
    ).toBeLessThan(4096);
  });
});

describe('a night against the Telegram stand-in', () => {
  const TOKEN = '7200001:AAH-nightly_unit_token';
  let fake: TelegramFake;
  const root = mkdtempSync(path.join(os.tmpdir(), 'rig-night-'));
  const paths = cronPaths(root, 'prod');
  const target = { token: TOKEN, chatId: 4242, tokenAt: 'x:1:1', chatAt: 'x:2:1', tokenFromVault: true };
  beforeAll(async () => {
    fake = await startTelegramFake({ bots: { [TOKEN]: { username: 'rig_night_bot' } }, chats: [{ id: 4242 }] });
  });
  afterAll(() => fake.close());

  async function night(outputs: Record<string, { code: number; out: string }>, now: string, chatTarget = target) {
    const seen: string[][] = [];
    const rig: RigRunner = (argv) => {
      seen.push([...argv]);
      return Promise.resolve({ ...(outputs[argv[0] ?? ''] ?? { code: 0, out: '' }), err: '' });
    };
    const log: string[] = [];
    const code = await nightlyRun({
      env: 'prod',
      paths,
      flags: { project: ['--env', 'prod'], ssh: ['--known-hosts', '/k'] },
      rig,
      alerts: { on: true, target: chatTarget },
      telegramBase: fake.url,
      redactor: new Redactor([TOKEN]),
      now: () => new Date(now),
      log: (l) => void log.push(l),
    });
    return { code, log, seen };
  }
  const messages = () =>
    fake.calls
      .filter((c) => c.method.toLowerCase() === 'sendmessage')
      .map((c) => `${c.status} ${c.text?.split('\n')[0]}`);

  it('runs smoke, pin --check, drift in turn with the right flags; all passing: exit 0, no alert', async () => {
    const r = await night({ smoke: { code: 0, out: SMOKE_PASS } }, '2026-12-01T03:15:00Z');
    expect(r.seen).toEqual([
      ['smoke', '--env', 'prod', '--known-hosts', '/k', '--json'],
      ['pin', '--env', 'prod', '--check'],
      ['drift', '--env', 'prod', '--known-hosts', '/k', '--json'],
    ]);
    expect(r.code).toBe(0);
    expect(r.log.at(-1)).toBe('nightly prod: smoke=pass pin-check=pass drift=pass; 0 failing; no alert; exit 0');
    expect(messages()).toEqual([]);
  });

  it('only drift and a moved pin: exit 2; smoke failing: exit 1; each failure alerted once a day, again the next day', async () => {
    const changes = await night(
      { smoke: { code: 0, out: SMOKE_PASS }, pin: { code: 2, out: PIN_MOVED } },
      '2026-12-01T03:15:00Z',
    );
    expect(changes.code).toBe(2);
    const bad = {
      smoke: { code: 1, out: SMOKE_FAIL },
      pin: { code: 2, out: PIN_MOVED },
      drift: { code: 1, out: DRIFT },
    };
    const first = await night(bad, '2026-12-01T04:00:00Z');
    expect(first.code).toBe(1);
    expect(first.log.at(-1)).toBe(
      'nightly prod: smoke=fail pin-check=changed drift=fail; 4 failing; 3 alerts sent, 1 already sent today, 0 not sent; exit 1',
    );
    expect((await night(bad, '2026-12-01T23:59:59Z')).log.at(-1)).toContain('0 alerts sent, 4 already sent today');
    expect(messages()).toEqual([
      '200 rig nightly: pin-check failed on env prod',
      '200 rig nightly: smoke:services-healthy failed on web2 (env prod)',
      '200 rig nightly: drift failed on web2 (env prod)',
      '200 rig nightly: drift failed on web3 (env prod)',
    ]);
    await night(bad, '2026-12-02T00:00:01Z');
    expect(messages()).toHaveLength(8);
    const state = JSON.parse(readFileSync(paths.alerts, 'utf8')) as { sent: unknown[] };
    expect(state.sent).toHaveLength(8);
  });

  it('an alert that cannot be sent is logged without the token, not recorded (tried again next run), and fails the night', async () => {
    const r = await night({ smoke: { code: 1, out: SMOKE_FAIL } }, '2026-12-03T03:15:00Z', { ...target, chatId: 999 });
    expect(r.code).toBe(1);
    expect(r.log).toContain(
      `-- alert NOT sent: smoke:services-healthy on web2: Telegram sendMessage (${fake.url}/bot***/sendMessage): bad-request: 400 Bad Request: chat not found`,
    );
    expect(r.log.join('\n')).not.toContain(TOKEN.split(':')[1]);
    const again = await night({ smoke: { code: 1, out: SMOKE_FAIL } }, '2026-12-03T04:00:00Z');
    expect(again.log).toContain('-- alert sent: smoke:services-healthy on web2 (chat 4242)');
  });
});

describe('alert credentials from the inventory', () => {
  const ring = VaultKeyring.fromPasswords([{ password: 'pw' }]);
  const project = (extra: Record<string, string>) => load(makeProject(sampleFiles(extra)), { vaultPassword: 'pw' });

  it('the token from the vault, the chat id beside it; --chat overrides the chat', async () => {
    const p = await project({
      'inventory/test/group_vars/all/alerts.yml': ring.encrypt('rig_alert_telegram_token: "1:abc"\n'),
      'inventory/test/group_vars/all/chat.yml': 'rig_alert_telegram_chat_id: -1001\n',
    });
    const a = alertConfig(p, undefined, p.root);
    expect(a).toEqual({
      on: true,
      target: {
        token: '1:abc',
        chatId: -1001,
        tokenAt: 'inventory/test/group_vars/all/alerts.yml:1:1',
        chatAt: 'inventory/test/group_vars/all/chat.yml:1:1',
        tokenFromVault: true,
      },
    });
    expect(alertConfig(p, '@ops', p.root)).toMatchObject({ on: true, target: { chatId: '@ops', chatAt: '--chat' } });
    expect(() => alertConfig(p, 'not a chat', p.root)).toThrow(
      '--chat: rig_alert_telegram_chat_id must be a chat id (a number) or @channelname',
    );
  });

  it('off without a token or a chat (the night still fails by its exit code); one value per env', async () => {
    expect(alertConfig(await project({}), undefined, '/')).toEqual({
      on: false,
      reason: 'no rig_alert_telegram_token in inventory/test (set it in group_vars/all, from the vault)',
    });
    const noChat = await project({ 'inventory/test/group_vars/all/alerts.yml': 'rig_alert_telegram_token: "1:abc"\n' });
    expect(alertConfig(noChat, undefined, noChat.root)).toMatchObject({
      on: false,
      reason: 'no admin chat: set rig_alert_telegram_chat_id in inventory/test/group_vars/all or give --chat ID',
    });
    expect(alertConfig(noChat, '5', noChat.root)).toMatchObject({ on: true, target: { tokenFromVault: false } });
    const two = await project({
      'inventory/test/hosts.yml':
        'all:\n  children:\n    app:\n      hosts:\n        web1: { ansible_host: 127.0.0.1 }\n        web2: { ansible_host: 127.0.0.1 }\n',
      'inventory/test/group_vars/all/alerts.yml': 'rig_alert_telegram_token: "1:abc"\n',
      'inventory/test/host_vars/web2.yml': 'rig_alert_telegram_token: "2:def"\n',
    });
    expect(() => alertConfig(two, '5', two.root)).toThrow(
      'inventory/test/host_vars/web2.yml:1:1: rig_alert_telegram_token differs between hosts web1 (inventory/test/group_vars/all/alerts.yml:1:1) and web2: alerts are per env, set it once in group_vars/all',
    );
  });
});
