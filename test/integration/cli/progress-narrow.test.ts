// The live progress view on a pseudo-terminal that reports 0 columns (some CI runners, `script` without a size):
// readable lines, not one character per line; on a sized terminal the live view as before.
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rendererFor } from '../../../src/cli/output/progress.js';
import { buildCli } from '../../helpers/build-cli.js';
import { startFleetBed, type FleetBed } from '../../helpers/fleet-bed.js';
import { requireDocker } from '../../helpers/testbed/index.js';

// Terminal control sequences (cursor moves, colours) between the lines of the live view.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');
const skip = (await requireDocker()) ?? (existsSync('/usr/bin/script') ? undefined : 'util-linux script missing');

describe.skipIf(skip !== undefined)('progress view on a pseudo-terminal', () => {
  let bed: FleetBed;
  /** The compiled CLI on a pty of `cols` columns (CI unset: the progress view is on); its output as lines. */
  const onPty = async (cols: number, args: string[]) => {
    const c = bed.cli(args);
    const line = [c.file, ...c.args].map((a) => `'${a}'`).join(' ');
    const r = await execa('script', ['-q', '-e', '-c', `stty rows 0 cols ${cols}; exec ${line}`, '/dev/null'], {
      cwd: bed.root,
      env: c.env,
      extendEnv: false,
      reject: false,
      timeout: 120_000,
    });
    return { code: r.exitCode, lines: r.stdout.replace(ANSI, '').split(/\r?\n/) };
  };

  beforeAll(async () => {
    [bed] = await Promise.all([startFleetBed(1), buildCli()]);
  }, 300_000);
  afterAll(async () => {
    await bed?.stop();
  });

  it('0 columns: the plain renderer, whole lines per host', async () => {
    expect([rendererFor(0), rendererFor(undefined), rendererFor(19), rendererFor(80)]).toEqual([
      'simple',
      'simple',
      'simple',
      'default',
    ]);
    const r = await onPty(0, ['deploy']);
    expect(r.code, r.lines.join('\n')).toBe(0);
    const tiny = r.lines.filter((l) => l.trim().length === 1).length;
    expect(tiny).toBeLessThan(3);
    expect(r.lines.some((l) => /h1: changed, \d+ changes/.test(l))).toBe(true);
    expect(
      r.lines.some((l) => /^deploy: 1 host, \d+ changes made; ok=0 changed=1 failed=0 unreachable=0/.test(l)),
    ).toBe(true);
  });

  it('a sized terminal keeps the live view', async () => {
    const r = await onPty(100, ['plan']);
    expect(r.code, r.lines.join('\n')).toBe(0);
    expect(r.lines.some((l) => /✔ h1: ok/.test(l))).toBe(true);
  });
});
