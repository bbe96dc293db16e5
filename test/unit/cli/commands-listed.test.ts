// Every rig command is in `rig --help`, in the README's command table and behind a target `make help` lists: one list
// each, compared, so that a new command cannot be left out of any of them.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { REPO_ROOT } from '../../helpers/project.js';
import { testIo } from '../../helpers/test-io.js';

/** The commands of `rig --help`: its `  name  summary` lines. */
async function helpCommands(): Promise<Set<string>> {
  const io = testIo({ cwd: REPO_ROOT });
  expect(await main(['--help'], io)).toBe(0);
  return new Set(
    io
      .outText()
      .split('\n')
      .flatMap((l) => /^ {2}([a-z-]+) {2,}\S/.exec(l)?.[1] ?? []),
  );
}

/** The first word after `rig` in each row of the README's "## Commands" table (a command may have several rows). */
function readmeCommands(): Set<string> {
  const text = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const start = text.indexOf('\n## Commands\n');
  expect(start, 'README.md has a "## Commands" section').toBeGreaterThan(0);
  const end = text.indexOf('\n## ', start + 5);
  const section = text.slice(start, end < 0 ? undefined : end);
  return new Set(section.split('\n').flatMap((l) => /^\| `rig ([a-z-]+)/.exec(l)?.[1] ?? []));
}

/** The targets `make help` prints (the real make, on the real Makefile). */
function makeHelpTargets(): Set<string> {
  const out = execFileSync('make', ['-s', '--no-print-directory', 'help'], { cwd: REPO_ROOT, encoding: 'utf8' });
  return new Set(out.split('\n').flatMap((l) => /^([a-z-]+)\s/.exec(l)?.[1] ?? []));
}

/** The rig command each Makefile target runs (`$(RIG) <command>` in its recipe), for the targets in `listed`. */
function makeCommands(listed: Set<string>): Set<string> {
  const commands = new Set<string>();
  let target: string | undefined;
  for (const line of readFileSync(path.join(REPO_ROOT, 'Makefile'), 'utf8').split('\n')) {
    if (!line.startsWith('\t')) target = /^([a-z-]+):/.exec(line)?.[1];
    const run = /\$\(RIG\) ([a-z-]+)/.exec(line);
    if (target !== undefined && listed.has(target) && run?.[1] !== undefined) commands.add(run[1]);
  }
  return commands;
}

/** What `of` lacks from `help` and what it has that help does not, empty when the two agree. */
function gaps(help: Set<string>, of: Set<string>): { missing: string[]; unknown: string[] } {
  return { missing: [...help].filter((c) => !of.has(c)).sort(), unknown: [...of].filter((c) => !help.has(c)).sort() };
}

describe('every command is listed everywhere', () => {
  it('rig --help, the README command table and make help name the same commands', async () => {
    const help = await helpCommands();
    // The day-2 commands of issue 20, and a floor against a parser that finds nothing and so compares empty lists.
    for (const c of ['status', 'logs', 'exec', 'ssh', 'deploy']) expect(help).toContain(c);
    expect(gaps(help, readmeCommands()), 'README.md "## Commands" table').toEqual({ missing: [], unknown: [] });
    expect(gaps(help, makeCommands(makeHelpTargets())), 'targets of make help').toEqual({ missing: [], unknown: [] });
  });
});
