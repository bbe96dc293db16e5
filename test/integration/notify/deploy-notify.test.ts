// Deploy notifications and local hooks on a real host: the Telegram stand-in receives one message per deploy and
// rollback (a successful one, a failed one that rolled back), the hooks read the run's summary on stdin, and a failing
// pre_deploy hook stops the deploy before anything changes.
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramFake, type TelegramFake } from '../../../scripts/fakes/telegram-botapi.mjs';
import { VaultKeyring } from '../../../src/config/vault/keyring.js';
import { dockerOk, inspectContainer } from '../../helpers/docker/index.js';
import { startFleetBed, type FleetBed } from '../../helpers/fleet-bed.js';
import { requireDocker } from '../../helpers/testbed/index.js';

const skip = await requireDocker();
const TOKEN = '7200042:AAH-deploy_notify_test_token';
const CHAT = 4343;

interface Summary {
  event: string;
  command: string;
  result: string;
  user: string;
  hosts: {
    host: string;
    status: string;
    changes: number;
    services: { service: string; action: string; why: string }[];
    release?: string;
    rolledBackTo?: string;
  }[];
}

describe.skipIf(skip !== undefined)('deploy notifications and hooks', () => {
  let bed: FleetBed;
  let fake: TelegramFake;
  const sent = () => fake.calls.filter((c) => c.method.toLowerCase() === 'sendmessage' && c.status === 200);
  const file = (name: string) => path.join(bed.root, name);
  const summary = (name: string) => JSON.parse(readFileSync(file(name), 'utf8')) as Summary;
  const envYml = (hooks: string) => writeFileSync(file('inventory/test/env.yml'), `hooks:\n${hooks}`);
  const SAVE = (name: string) => `["sh", "-c", "cat > ${name}; echo \\"$RIG_HOOK saw $RIG_RESULT\\""]`;
  const tree = () =>
    dockerOk([
      'exec',
      bed.hosts[0]?.container ?? '',
      'sh',
      '-c',
      `find ${bed.hosts[0]?.dataDir}/proj -printf '%p %s %m %T@\\n' | sort`,
    ]);

  beforeAll(async () => {
    [bed, fake] = await Promise.all([
      startFleetBed(1),
      startTelegramFake({
        bots: { [TOKEN]: { username: 'rig_deploy_bot' } },
        chats: [{ id: CHAT, first_name: 'Ops' }],
      }),
    ]);
    const ring = VaultKeyring.fromPasswords([{ password: 'fleet-bed-pw' }]);
    writeFileSync(
      file('inventory/test/group_vars/all/alerts-token.yml'),
      ring.encrypt(`rig_alert_telegram_token: "${TOKEN}"\n`),
    );
    writeFileSync(file('inventory/test/group_vars/all/alerts.yml'), `rig_alert_telegram_chat_id: ${CHAT}\n`);
    writeFileSync(file('.env'), `RIG_TELEGRAM_API_BASE=${fake.url}\n`);
    envYml(`  pre_deploy: ${SAVE('pre.json')}\n  post_deploy: ${SAVE('post.json')}\n`);
  }, 180_000);
  afterAll(async () => {
    await fake?.close();
    await bed?.stop();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await bed.tb.dumpLogs();
  });

  it('a successful deploy: the hooks see the plan then the result, one message names who, each service and why', async () => {
    const r = await bed.rig(['deploy']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('pre_deploy: pre_deploy saw planned');
    expect(r.err).toContain('post_deploy: post_deploy saw changed');
    expect(r.err).toContain(`rig: deploy announced in Telegram chat ${CHAT}`);
    expect(r.out + r.err).not.toContain(TOKEN);
    const pre = summary('pre.json');
    expect(pre).toMatchObject({ event: 'pre_deploy', command: 'deploy', result: 'planned', user: 'tester' });
    expect(pre.hosts[0]?.services.map((s) => `${s.action} ${s.service}`).sort()).toEqual([
      'create quiet',
      'create ticker',
    ]);
    const post = summary('post.json');
    expect(post).toMatchObject({ event: 'post_deploy', result: 'changed', hosts: [{ host: 'h1', status: 'changed' }] });
    expect(post.hosts[0]?.release).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{4}$/);
    expect(JSON.stringify([pre, post])).not.toContain(bed.secret);
    const [message, ...more] = sent();
    expect(more).toEqual([]);
    expect(message?.chat_id).toBe(CHAT);
    const text = message?.text ?? '';
    expect(text).toMatch(
      /^rig deploy test: done\nby tester@.+; 1 host, \d+ changes\nh1: changed \(\d+ changes, \d+ other steps\), release \d{8}T\d{6}Z-[0-9a-f]{4}\n/,
    );
    expect(text).toMatch(/^ {2}\+ ticker: create \(.+\)$/m);
    expect(text).toMatch(/^ {2}\+ quiet: create \(.+\)$/m);
    expect(text).not.toContain(bed.secret);
  });

  it('a failed deploy (ticker unhealthy: the health gate fails, the host rolls back): exit 1 and a FAILED message saying so', async () => {
    bed.setVars('h1', { chatty_fail: true });
    const r = await bed.rig(['deploy']);
    expect(r.code).toBe(1);
    const text = sent().at(-1)?.text ?? '';
    expect(sent()).toHaveLength(2);
    expect(text).toMatch(/^rig deploy test: FAILED\n/);
    expect(text).toMatch(/^h1: failed\n/m);
    expect(text).toMatch(/^ {2}! h1: health gate failed: ticker unhealthy; rolled back to release /m);
    expect(text).toMatch(/^ {2}~ ticker: recreate \(.+\)$/m);
    expect(text).toMatch(/^ {2}rolled back to \d{8}T\d{6}Z-[0-9a-f]{4}$/m);
    expect(summary('post.json')).toMatchObject({ result: 'failed', hosts: [{ status: 'failed' }] });
    bed.setVars('h1', {});
  });

  it('a failing pre_deploy hook stops the deploy before anything changes on the host: no message', async () => {
    envYml('  pre_deploy: "echo refusing: change freeze >&2; exit 3"\n');
    bed.setVars('h1', { chatty_tag: 'changed-tag' });
    const before = {
      tree: await tree(),
      ticker: (await inspectContainer(bed.container('h1', 'ticker')))?.id,
      messages: sent().length,
    };
    const r = await bed.rig(['deploy']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('pre_deploy: refusing: change freeze');
    expect(r.err).toContain(
      'rig: pre_deploy hook `echo refusing: change freeze >&2; exit 3` exited with code 3: the deploy stops here; nothing was changed',
    );
    expect(await tree()).toBe(before.tree);
    expect((await inspectContainer(bed.container('h1', 'ticker')))?.id).toBe(before.ticker);
    expect(sent()).toHaveLength(before.messages);
    expect((await bed.rig(['plan'])).code).toBe(2);
    expect(existsSync(file('inventory/test/env.yml'))).toBe(true);
    unlinkSync(file('inventory/test/env.yml'));
    bed.setVars('h1', {});
  });

  it('a rollback is announced too; a failing post_deploy hook makes rig exit 1 after the rollback applied', async () => {
    bed.setVars('h1', { chatty_tag: 'v2' });
    expect((await bed.rig(['deploy'])).code).toBe(0);
    bed.setVars('h1', {});
    envYml('  post_deploy: "exit 5"\n');
    const r = await bed.rig(['rollback']);
    expect(r.err).toContain(
      'rig: post_deploy hook `exit 5` exited with code 5 (the rollback itself is as reported above)',
    );
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/h1: \d+ changes?/);
    expect(sent().at(-1)?.text).toMatch(/^rig rollback test: done\n/);
    unlinkSync(file('inventory/test/env.yml'));
  });

  it('env.yml notify: false turns the messages off; a Bot API that fails is a warning, not a failed deploy', async () => {
    writeFileSync(file('inventory/test/env.yml'), 'notify: false\n');
    const count = sent().length;
    expect((await bed.rig(['deploy'])).code).toBe(0);
    expect(sent()).toHaveLength(count);
    unlinkSync(file('inventory/test/env.yml'));
    writeFileSync(file('inventory/test/group_vars/all/alerts.yml'), 'rig_alert_telegram_chat_id: 999\n');
    const r = await bed.rig(['deploy']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('rig: warning: the deploy was not announced in Telegram: ');
    expect(r.err).toContain('chat not found');
    expect(r.err).not.toContain(TOKEN);
  });
});
