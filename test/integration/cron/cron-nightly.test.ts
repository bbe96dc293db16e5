// `rig cron` with a real crontab (a throwaway account's) and the generated script run exactly as cron runs it
// (`env -i PATH=/usr/bin:/bin`, no stdin): a passing night exits 0, a failing one non-zero, and each failing check
// alerts the Telegram stand-in once per day however often the night runs. Real host, registry, sshd and docker.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramFake, type TelegramFake } from '../../../scripts/fakes/telegram-botapi.mjs';
import { VaultKeyring } from '../../../src/config/vault/keyring.js';
import { startComposeBed, type ComposeBed } from '../../helpers/compose-bed.js';
import { dockerOk } from '../../helpers/docker/index.js';
import { REPO_ROOT } from '../../helpers/project.js';
import { pushImage } from '../../helpers/registry/index.js';
import { requireDocker, startRegistry, type Registry } from '../../helpers/testbed/index.js';
import { buildCli } from '../../helpers/build-cli.js';

const skip =
  (await requireDocker()) ??
  (existsSync('/usr/bin/crontab') ? undefined : '/usr/bin/crontab missing (scripts/ensure-deps.sh installs cron)') ??
  (process.getuid?.() === 0 ? undefined : 'needs root (crontab -u of a throwaway account)');
if (skip) console.warn(`SKIP cron nightly: ${skip}`);

const TOKEN = '7100042:AAH-cron_nightly_test_token';
const CHAT = 4242;
const OTHER_LINES = 'MAILTO=""\n# keep me: not rig\'s\n0 4 * * * /bin/true\n';

describe.skipIf(skip !== undefined)('rig cron: the nightly as cron runs it', () => {
  let bed: ComposeBed;
  let reg: Registry;
  let fake: TelegramFake;
  const user = `rigcron${randomBytes(3).toString('hex')}`;
  const crontab = async () =>
    (await execa('crontab', ['-u', user, '-l'], { reject: false, stripFinalNewline: false })).stdout;
  const log = () => path.join(bed.root, '.rig/cron/test.log');
  /** The messages since the set-up's deploy, whose own "rig deploy test: done" notification goes to the same chat. */
  let fromCall = 0;
  const sent = () =>
    fake.calls.slice(fromCall).filter((c) => c.method.toLowerCase() === 'sendmessage' && c.status === 200);
  /** The crontab line's command, run as cron runs it: empty environment but cron's PATH, stdin /dev/null. */
  async function night(): Promise<{ code: number; log: string }> {
    const line = (await crontab()).split('\n').find((l) => l.startsWith('15 3 * * * ') || l.startsWith('30 2 * * * '));
    const command = line?.split(' ').slice(5).join(' ') ?? '';
    expect(command).not.toBe('');
    const before = existsSync(log()) ? readFileSync(log(), 'utf8').length : 0;
    const r = await execa('env', ['-i', 'PATH=/usr/bin:/bin', '/bin/sh', '-c', command], {
      stdin: 'ignore',
      reject: false,
      cwd: '/',
    });
    const text = readFileSync(log(), 'utf8');
    return { code: r.exitCode ?? -1, log: text.length >= before ? text.slice(before) : text };
  }

  beforeAll(async () => {
    // A throwaway account, so that root's own crontab is never touched (crontab -u).
    await execa('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', user]);
    [bed, reg, fake] = await Promise.all([
      startComposeBed('cron'),
      startRegistry(),
      startTelegramFake({
        bots: { [TOKEN]: { username: 'rig_cron_bot' } },
        chats: [{ id: CHAT, first_name: 'Admin' }],
      }),
    ]);
    await pushImage('local/rig-svc:1', reg.host, 'rigtest/alpha:1');
    await pushImage('local/rig-svc:1', reg.host, 'rigtest/beta:1');
    bed.setVars({ stack_alpha_image: `${reg.host}/rigtest/alpha:1`, stack_beta_image: `${reg.host}/rigtest/beta:1` });
    const ring = VaultKeyring.fromPasswords([{ password: 'compose-bed-pw' }]);
    // The token from the vault; the chat id in plain text (a value out of the vault is masked wherever it shows).
    writeFileSync(
      path.join(bed.root, 'inventory/test/group_vars/all/alerts-token.yml'),
      ring.encrypt(`rig_alert_telegram_token: "${TOKEN}"\n`),
    );
    writeFileSync(
      path.join(bed.root, 'inventory/test/group_vars/all/alerts.yml'),
      `rig_alert_telegram_chat_id: ${CHAT}\n`,
    );
    writeFileSync(
      path.join(bed.root, 'lint.yml'),
      `images:\n  - image: ${reg.host}/rigtest/alpha\n    reason: test registry\n  - image: ${reg.host}/rigtest/beta\n    reason: test registry\n`,
    );
    writeFileSync(path.join(bed.root, '.env'), `RIG_TELEGRAM_API_BASE=${fake.url}\n`);
    mkdirSync(path.join(bed.root, 'smoke-tests'));
    copyFileSync(
      path.join(REPO_ROOT, 'smoke-tests/services-healthy.ts'),
      path.join(bed.root, 'smoke-tests/services-healthy.ts'),
    );
    // The crontab entry runs bin/rig.js, i.e. the compiled CLI.
    await buildCli();
    for (const step of [['pin'], ['deploy']]) {
      const r = await bed.rig(step);
      if (r.code !== 0) console.error(r.out, r.err);
      expect(r.code).toBe(0);
    }
    fromCall = fake.calls.length;
  }, 300_000);
  afterAll(async () => {
    await execa('crontab', ['-u', user, '-r'], { reject: false });
    await execa('userdel', [user], { reject: false });
    await fake?.close();
    await reg?.stop();
    await bed?.stop();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') {
      await bed.tb.dumpLogs();
      if (existsSync(log())) process.stderr.write(`[cron log]\n${readFileSync(log(), 'utf8')}\n`);
    }
  });

  it('install twice leaves one block, after the lines that were there; --at again replaces it in place', async () => {
    // An account without a crontab (crontab -l exits 1) reads as an empty one.
    expect((await bed.rig(['cron', 'show', '--user', user])).out).toBe(
      `cron: no rig nightly in the crontab of ${user} for env test`,
    );
    await execa('crontab', ['-u', user, '-'], { input: OTHER_LINES });
    const first = await bed.rig(['cron', 'install', '--at', '02:30', '--user', user]);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain(`cron: installed in the crontab of ${user}:`);
    expect(first.out).toContain(
      `alerts: Telegram chat ${CHAT} (inventory/test/group_vars/all/alerts.yml:1:1), bot token from inventory/test/group_vars/all/alerts-token.yml:1:1: one per failing check and host per UTC day`,
    );
    expect(first.out).not.toContain(TOKEN);
    const again = await bed.rig(['cron', 'install', '--at', '02:30', '--user', user]);
    expect(again.out).toContain('cron: already installed (unchanged)');
    const script = path.join(bed.root, '.rig/cron/nightly-test.sh');
    expect(await crontab()).toBe(
      `${OTHER_LINES}# rig:nightly:test begin\n# rig's nightly checks of env test at 02:30: change with rig cron install --env test --at HH:MM, stop with rig cron remove --env test\n30 2 * * * /bin/sh ${script}\n# rig:nightly:test end\n`,
    );
    await execa('crontab', ['-u', user, '-'], { input: `${await crontab()}# added after rig's block\n` });
    expect((await bed.rig(['cron', 'install', '--at', '03:15', '--user', user])).code).toBe(0);
    const text = await crontab();
    expect(text.match(/# rig:nightly:test begin/g)).toHaveLength(1);
    expect(text).toContain(`\n15 3 * * * /bin/sh ${script}\n# rig:nightly:test end\n# added after rig's block\n`);
    expect(text.startsWith(OTHER_LINES)).toBe(true);
    const body = readFileSync(script, 'utf8');
    expect(body).toContain(`cd ${bed.root} || exit 1\n`);
    expect(body).toContain(
      `exec ${process.execPath} ${path.join(REPO_ROOT, 'bin/rig.js')} cron run --env test </dev/null >>"$log" 2>&1\n`,
    );
    expect(statSync(script).mode & 0o777).toBe(0o700);
    // The job runs as that account: the script and .rig/cron are its own.
    expect(statSync(script).uid).toBe(Number((await execa('id', ['-u', user])).stdout));
  });

  it('--host is refused with the reason, and the crontab is left alone', async () => {
    const before = await crontab();
    const r = await bed.rig(['cron', 'install', '--at', '03:15', '--host', 'h1', '--user', user]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('rig cron --host h1: the nightly is not installed on inventory hosts: rig is agentless');
    expect(await crontab()).toBe(before);
  });

  it('a passing night exits 0 and alerts nobody', async () => {
    const r = await night();
    expect(r.log).toMatch(/^-- smoke: exit 0 in /m);
    expect(r.log).toContain('PASS  services-healthy  h1');
    expect(r.log).toMatch(/^-- pin-check: exit 0 in /m);
    expect(r.log).toMatch(/^h1: in-sync$/m);
    expect(r.log).toContain('nightly test: smoke=pass pin-check=pass drift=pass; 0 failing; no alert; exit 0');
    expect(r.code).toBe(0);
    expect(sent()).toHaveLength(0);
  });

  it('a failing night exits non-zero and sends one alert per failing check, with the evidence; run again the same day: none', async () => {
    await dockerOk(['stop', '-t', '1', bed.container('beta')]);
    const r = await night();
    expect(r.code).toBe(1);
    expect(r.log).toContain(
      'nightly test: smoke=fail pin-check=pass drift=changed; 2 failing; 2 alerts sent, 0 already sent today, 0 not sent; exit 1',
    );
    const texts = sent().map((c) => c.text ?? '');
    expect(texts).toHaveLength(2);
    expect(texts[0]).toMatch(/^rig nightly: smoke:services-healthy failed on h1 \(env test\)\n\nfail: .*beta/);
    expect(texts[1]).toMatch(/^rig nightly: drift failed on h1 \(env test\)\n\n! beta: not running \(exited \d+\)/);
    for (const t of texts) expect(t).toContain(`log: ${log()}`);
    expect(sent().every((c) => c.chat_id === CHAT || c.chat_id === String(CHAT))).toBe(true);
    // A bloated log is moved aside before the next night appends to it.
    writeFileSync(log(), 'x'.repeat(1024 * 1024 + 1));
    const again = await night();
    expect(again.code).toBe(1);
    expect(again.log).toContain('-- alert already sent today');
    expect(again.log).toContain('0 alerts sent, 2 already sent today, 0 not sent; exit 1');
    expect(sent()).toHaveLength(2);
    expect(statSync(`${log()}.1`).size).toBe(1024 * 1024 + 1);
    expect(statSync(log()).size).toBeLessThan(64 * 1024);
    const state = JSON.parse(readFileSync(path.join(bed.root, '.rig/cron/test.alerts.json'), 'utf8')) as {
      sent: { check: string; host: string; date: string }[];
    };
    const today = new Date().toISOString().slice(0, 10);
    expect(state.sent.map((s) => `${s.check} ${s.host} ${s.date}`)).toEqual([
      `smoke:services-healthy h1 ${today}`,
      `drift h1 ${today}`,
    ]);
    for (const text of [readFileSync(log(), 'utf8'), JSON.stringify(state)]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(TOKEN.split(':')[1]);
      expect(text).not.toContain(bed.secret);
    }
  });

  it('show lists the block and the last verdict; remove deletes only the block (and the script)', async () => {
    const shown = await bed.rig(['cron', 'show', '--user', user]);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('env test (crontab line 4):');
    expect(shown.out).toContain(
      'last: nightly test: smoke=fail pin-check=pass drift=changed; 2 failing; 0 alerts sent, 2 already sent today, 0 not sent; exit 1',
    );
    const r = await bed.rig(['cron', 'remove', '--user', user]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('cron: removed the rig:nightly:test block (other lines untouched); deleted ');
    expect(await crontab()).toBe(`${OTHER_LINES}# added after rig's block\n`);
    expect(existsSync(path.join(bed.root, '.rig/cron/nightly-test.sh'))).toBe(false);
    expect((await bed.rig(['cron', 'remove', '--user', user])).out).toContain(
      'no rig:nightly:test block in the crontab: nothing to remove',
    );
  });
});
