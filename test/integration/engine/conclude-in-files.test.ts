// A deploy that changes files only ends in the exec that writes them: the release record, the journal, the marker's
// removal and the unlock ride that exec, gated on every file step succeeding; when one fails, nothing of the finish
// runs there and the run finishes on its own, as before (no release, the lock released, deploy.failed journaled).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useRoleBed, type RoleBed } from '../../bed/index.js';
import { sshdUnavailable } from '../../helpers/sshd/sshd-fleet.js';
import { atPause, pauseEnv } from '../../helpers/test-pause.js';

const unavailable = await sshdUnavailable();
if (unavailable !== undefined) console.warn(`SKIP conclude-in-files: ${unavailable}`);

const FILES_ROLE = `import { defineRole, z } from 'rig';
export default defineRole({
  name: 'files',
  description: 'files and a directory, nothing else',
  vars: z.object({ files_dir: z.string(), files_value: z.string() }),
  tasks: ({ vars, dir, content }) => [
    dir(vars.files_dir, { mode: 0o755 }),
    content(\`\${vars.files_dir}/a.conf\`, \`a = \${vars.files_value}\\n\`),
    content(\`\${vars.files_dir}/b.env\`, \`B=\${vars.files_value}\\n\`, { mode: 0o600 }),
  ],
});
`;

interface Result {
  host: string;
  status: string;
  release?: string;
  roundTrips: { connections: number; execChannels: number };
}
interface Line {
  event: string;
  deployId: string;
  release?: string;
}

describe.skipIf(unavailable !== undefined)('a files-only deploy concludes in its files exec', () => {
  let bed!: RoleBed;
  useRoleBed(
    {
      roles: [{ name: 'files', source: FILES_ROLE }],
      hosts: 2,
      sshd: { firstOctet: 72 },
      hostVars: (h) => ({ files_dir: `${h.dataDir}/app`, files_value: 'one' }),
    },
    (b) => (bed = b),
  );
  const state = (h: string): string => path.join(bed.host(h).dataDir, 'state');
  const hostLines = (h: string): Line[] =>
    readFileSync(path.join(state(h), 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
  const mirrorLines = (h: string): Line[] =>
    readFileSync(path.join(bed.root, '.rig', 'journal', 'test', `${h}.jsonl`), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
  const deploy = async (value: string): Promise<{ code: number; results: Result[]; err: string }> => {
    const r = await bed.rig(['deploy', '--var', `files_value=${value}`, '--json', 'result.json']);
    const json = JSON.parse(readFileSync(path.join(bed.root, 'result.json'), 'utf8')) as { results: Result[] };
    return { code: r.code, results: json.results, err: r.err };
  };
  const immutable: string[] = [];
  afterAll(() => {
    for (const f of immutable) execFileSync('chattr', ['-i', f]);
  });

  it('records the release, journals, clears the marker and unlocks in the third and last exec', async () => {
    const r = await deploy('one');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    for (const res of r.results) {
      expect(res).toMatchObject({ status: 'changed', roundTrips: { connections: 1, execChannels: 3 } });
      const st = state(res.host);
      expect(readFileSync(path.join(st, 'releases', 'current'), 'utf8').trim()).toBe(res.release);
      expect(existsSync(path.join(st, 'releases', res.release as string, 'release.json'))).toBe(true);
      expect(existsSync(path.join(st, 'lock'))).toBe(false);
      expect(existsSync(path.join(st, 'deploy.json'))).toBe(false);
      const mine = hostLines(res.host).filter((l) => l.deployId === hostLines(res.host).at(-1)?.deployId);
      expect(mine.map((l) => l.event)).toEqual(['deploy.started', 'files.changed', 'deploy.finished']);
      expect(mine.at(-1)?.release).toBe(res.release);
      // the workstation's copy holds the same lines, once
      expect(mirrorLines(res.host).slice(-3)).toEqual(mine);
      expect(readFileSync(path.join(bed.host(res.host).dataDir, 'app', 'a.conf'), 'utf8')).toBe('a = one\n');
    }
    expect((await bed.rig(['plan', '--var', 'files_value=one'])).code).toBe(0);
  });

  it("the marker a deploy writes as it takes the lock names the release current when it began (a plan of files alone reads that release's id only)", async () => {
    const before = readFileSync(path.join(state('h1'), 'releases', 'current'), 'utf8').trim();
    const pauses = mkdtempSync(path.join(os.tmpdir(), 'rig-pause-'));
    let marker: unknown;
    const r = await atPause(
      pauses,
      'before-files',
      'h1',
      () =>
        bed.rig(['deploy', '--var', 'files_value=marker', '--limit', 'h1'], { env: pauseEnv(pauses, 'before-files') }),
      () => {
        marker = JSON.parse(readFileSync(path.join(state('h1'), 'deploy.json'), 'utf8'));
        return Promise.resolve();
      },
    );
    expect(r.code).toBe(0);
    expect(marker).toMatchObject({ step: 'files', previous: before });
    expect(existsSync(path.join(state('h1'), 'deploy.json'))).toBe(false);
    expect((await bed.rig(['deploy', '--var', 'files_value=one', '--limit', 'h1'])).code).toBe(0);
  });

  it('a failing file step keeps the finish out of that exec: no release, the lock released, deploy.failed', async () => {
    const conf = path.join(bed.host('h1').dataDir, 'app', 'a.conf');
    const before = readFileSync(path.join(state('h1'), 'releases', 'current'), 'utf8').trim();
    // an immutable file cannot be renamed over: h1's rename fails in the files exec
    execFileSync('chattr', ['+i', conf]);
    immutable.push(conf);
    const r = await deploy('two');
    expect(r.code).toBe(1);
    const [h1, h2] = [r.results.find((x) => x.host === 'h1'), r.results.find((x) => x.host === 'h2')];
    expect(h1).toMatchObject({ status: 'failed' });
    expect(h1?.release).toBeUndefined();
    expect(h2).toMatchObject({ status: 'changed' });
    // the same work on both hosts (a replaced file's old bytes are read too), and h1's finish in an exec of its own
    expect(h1?.roundTrips.execChannels).toBe((h2?.roundTrips.execChannels ?? 0) + 1);
    expect(readFileSync(path.join(state('h1'), 'releases', 'current'), 'utf8').trim()).toBe(before);
    expect(existsSync(path.join(state('h1'), 'lock'))).toBe(false);
    const last = hostLines('h1').at(-1);
    const mine = hostLines('h1').filter((l) => l.deployId === last?.deployId);
    expect(mine.map((l) => l.event)).toEqual(['deploy.started', 'files.changed', 'files.failed', 'deploy.failed']);
    const env = path.join(path.dirname(conf), 'b.env');
    // where the files stopped; rig's own release blobs, written before them in the same exec, are not listed
    expect(mine[2]).toMatchObject({ path: conf, what: 'rename', applied: [], unchanged: [conf, env] });
    expect(mirrorLines('h1').slice(-4)).toEqual(mine);
    expect(readFileSync(conf, 'utf8')).toBe('a = one\n');

    execFileSync('chattr', ['-i', conf]);
    immutable.pop();
    const again = await deploy('two');
    expect(again.code).toBe(0);
    expect(again.results.find((x) => x.host === 'h1')).toMatchObject({ status: 'changed' });
    expect(readFileSync(conf, 'utf8')).toBe('a = two\n');
  });
});
