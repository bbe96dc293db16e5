// The crontab block (build, replace in place, remove, malformed markers), the time flag, the script and crontab's
// classifier.
import { describe, expect, it } from 'vitest';
import { findBlocks, nightlyBlock, parseCronTime, removeBlock, upsertBlock } from '../../../src/cron/crontab-block.js';
import { crontabCmd, crontabFailure } from '../../../src/cron/crontab-io.js';
import { cronPaths, nightlyScript, scriptCommand } from '../../../src/cron/nightly-script.js';
import { display } from '../../../src/core/cmd/render.js';

const OTHERS = 'MAILTO=""\n# mine\n0 4 * * * /bin/true\n';
const block = (env: string, at = '03:15') =>
  nightlyBlock(env, parseCronTime(at), scriptCommand(cronPaths('/srv/deploy', env)));

describe('crontab block', () => {
  it('is four lines: markers, how to change it, the schedule', () => {
    expect(block('prod')).toEqual([
      '# rig:nightly:prod begin',
      "# rig's nightly checks of env prod at 03:15: change with rig cron install --env prod --at HH:MM, stop with rig cron remove --env prod",
      '15 3 * * * /bin/sh /srv/deploy/.rig/cron/nightly-prod.sh',
      '# rig:nightly:prod end',
    ]);
    expect(nightlyBlock('e', { hour: 0, minute: 5 }, "/bin/sh '/a b/x.sh'")[2]).toBe("5 0 * * * /bin/sh '/a b/x.sh'");
  });

  it('installing twice leaves one block; another time replaces it in place; other lines and other envs stay byte for byte', () => {
    const once = upsertBlock(OTHERS, 'prod', block('prod'));
    expect(once).toBe(`${OTHERS}${block('prod').join('\n')}\n`);
    expect(upsertBlock(once, 'prod', block('prod'))).toBe(once);
    const withMore = upsertBlock(`${once}# after\n`, 'preprod', block('preprod'));
    const moved = upsertBlock(withMore, 'prod', block('prod', '23:59'));
    expect(moved).toBe(`${OTHERS}${block('prod', '23:59').join('\n')}\n# after\n${block('preprod').join('\n')}\n`);
    expect(findBlocks(moved).map((b) => [b.env, b.line])).toEqual([
      ['prod', 4],
      ['preprod', 9],
    ]);
  });

  it('a crontab without a final newline gets one (cron ignores an unterminated last line)', () => {
    expect(upsertBlock('0 4 * * * /bin/true', 'x', block('x'))).toBe(`0 4 * * * /bin/true\n${block('x').join('\n')}\n`);
    expect(upsertBlock('', 'x', block('x'))).toBe(`${block('x').join('\n')}\n`);
  });

  it("remove deletes only its env's block", () => {
    const both = upsertBlock(upsertBlock(OTHERS, 'prod', block('prod')), 'preprod', block('preprod'));
    expect(removeBlock(both, 'prod')).toEqual({ removed: true, text: `${OTHERS}${block('preprod').join('\n')}\n` });
    expect(removeBlock(removeBlock(both, 'prod').text, 'preprod')).toEqual({ removed: true, text: OTHERS });
    expect(removeBlock(OTHERS, 'prod')).toEqual({ removed: false, text: OTHERS });
    expect(removeBlock(block('prod').join('\n'), 'prod')).toEqual({ removed: true, text: '' });
  });

  it('a begin without its end, or an end without its begin, is refused with the line', () => {
    expect(() => findBlocks('a\n# rig:nightly:prod begin\nx\n')).toThrow(
      'crontab line 2: "# rig:nightly:prod begin" has no matching rig:nightly marker; fix the crontab by hand (crontab -e) first',
    );
    expect(() => upsertBlock('# rig:nightly:prod end\n', 'prod', block('prod'))).toThrow(
      'crontab line 1: "# rig:nightly:prod end" has no matching',
    );
    expect(() => findBlocks('# rig:nightly:a begin\n# rig:nightly:b end\n')).toThrow('crontab line 2:');
  });

  it('refuses a command cron would split at % and an env that is not a name', () => {
    expect(() => nightlyBlock('prod', { hour: 1, minute: 0 }, '/bin/sh /x%y.sh')).toThrow(
      'must not contain %, CR or LF',
    );
    expect(() => nightlyBlock('a b', { hour: 1, minute: 0 }, '/bin/sh /x.sh')).toThrow('"a b" is not an env name');
  });

  it('--at takes HH:MM from 00:00 to 23:59 only', () => {
    expect(parseCronTime('3:05')).toEqual({ hour: 3, minute: 5 });
    expect(parseCronTime('23:59')).toEqual({ hour: 23, minute: 59 });
    for (const bad of ['24:00', '12:60', '3', '03:5', 'noon', ''])
      expect(() => parseCronTime(bad)).toThrow(`"${bad}" is not a time of day HH:MM`);
  });
});

describe('the generated script', () => {
  it('cds to the repository, bounds the log, and execs rig with absolute paths, stdin /dev/null, output to the log', () => {
    const paths = cronPaths("/srv/it's deploy", 'prod');
    const text = nightlyScript({
      env: 'prod',
      root: "/srv/it's deploy",
      paths,
      node: '/usr/bin/node',
      rigBin: '/opt/rig/bin/rig.js',
      args: ['--chat', '-100123'],
    });
    expect(text.split('\n').filter((l) => !l.startsWith('#'))).toEqual([
      'umask 077',
      "cd '/srv/it'\\''s deploy' || exit 1",
      "log='/srv/it'\\''s deploy/.rig/cron/prod.log'",
      'if [ -f "$log" ] && [ "$(wc -c < "$log")" -gt 1048576 ]; then mv -f -- "$log" "$log.1"; fi',
      'exec /usr/bin/node /opt/rig/bin/rig.js cron run --env prod --chat -100123 </dev/null >>"$log" 2>&1',
      '',
    ]);
    expect(text.startsWith('#!/bin/sh\n')).toBe(true);
    expect(scriptCommand(paths)).toBe("/bin/sh '/srv/it'\\''s deploy/.rig/cron/nightly-prod.sh'");
  });
});

describe('crontab commands', () => {
  it('are argv data; -u only when another account is named', () => {
    expect(display(crontabCmd({}, '-l'))).toBe('crontab -l');
    expect(display(crontabCmd({ user: 'deploy' }, '-'))).toBe('crontab -u deploy -');
  });

  it('classifies "no crontab" (an empty one to rig) apart from real failures, by exit code first', () => {
    expect(crontabFailure({ code: 0, stderr: '' })).toBe('ok');
    expect(crontabFailure({ code: 1, stderr: 'no crontab for deploy\n' })).toBe('none');
    expect(crontabFailure({ code: 1, stderr: "crontab: user `nobody2' unknown\n" })).toBe('failed');
    expect(crontabFailure({ code: 1, stderr: 'no crontab for deploy\nand then something else\n' })).toBe('failed');
    expect(crontabFailure({ code: 127, stderr: 'sh: 1: crontab: not found\n' })).toBe('not-installed');
  });
});
