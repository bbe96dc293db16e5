// H1: root never follows a symlink that a less-privileged writer of a managed directory swaps in (real sshd, real uid
// 1000).
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyStepsCmd, type ApplyStep } from '../../../src/apply/apply-files-script.js';
import { parseStepStatus } from '../../../src/apply/apply-files-status.js';
import { fileContentCmd, parseFileContent } from '../../../src/facts/files/file-content.js';
import { fileStateCmd } from '../../../src/facts/files/file-state.js';
import type { SshTransport } from '../../../src/transport/ssh/ssh-transport.js';
import { sshdUnavailable } from '../../helpers/sshd/sshd-fleet.js';
import { useFleetTransport } from '../../helpers/sshd/use-fleet.js';
import {
  attacker,
  swapBedUnavailable,
  expectVictimsIntact,
  makeBed,
  SECRET,
  sha,
  swapDir,
  swapFile,
  U,
  type Bed,
} from '../../helpers/swap-bed.js';

const unavailable = await swapBedUnavailable(sshdUnavailable);
if (unavailable !== undefined) console.warn(`SKIP symlink-swap: ${unavailable}`);

describe.skipIf(unavailable !== undefined)(
  'the apply script under sh, a symlink planted before each of its steps',
  () => {
    let t: SshTransport;
    let root: string;
    const owner = { owner: String(U), group: String(U) };
    useFleetTransport(1, { firstOctet: 64 }, (_f, tr) => {
      t = tr;
    });
    beforeAll(() => {
      root = mkdtempSync(path.join(os.tmpdir(), 'rig-swap-'));
      chmodSync(root, 0o755);
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    async function run(steps: ApplyStep[], stdin = '') {
      const r = await t.exec(applyStepsCmd(steps), { stdin });
      return { ...r, status: parseStepStatus(r.stdout, steps).map((x) => x.outcome) };
    }

    it('attrs: chmod/chown of a file swapped for a symlink (or through a swapped directory) reaches only what uid 1000 may', async () => {
      for (const swap of [(b: Bed) => swapFile(b, b.victim), swapDir]) {
        const b = makeBed(root);
        await swap(b);
        const r = await run([{ kind: 'attrs', path: b.agents, attrs: { mode: 0o644, ...owner } }]);
        expect(r.code).toBe(3);
        expect(r.status[0]).toMatchObject({ status: 'fail', what: 'chmod', detail: 'as uid 1000' });
        expectVictimsIntact(b);
      }
    });

    it('mkdir: a directory planted as a symlink to a root-only one is not chmod-ed', async () => {
      const b = makeBed(root);
      await attacker('ln -s "$2" "$1"', path.join(b.ws, 'sub'), b.vdir);
      const r = await run([{ kind: 'mkdir', path: path.join(b.ws, 'sub'), attrs: { mode: 0o755, ...owner } }]);
      expect(r.status[0]).toMatchObject({ status: 'fail', what: 'chmod' });
      expectVictimsIntact(b);
    });

    it('sweep: planted temp-named symlinks are removed, never followed', async () => {
      const b = makeBed(root);
      await attacker(
        'ln -s "$2" "$1/.AGENTS.md.rig-tmp-aaaaaaaaaaaa" && ln -s "$3" "$1/.x.rig-tmp-bbbbbbbbbbbb"',
        b.ws,
        b.victim,
        b.vdir,
      );
      const r = await run([{ kind: 'sweep', path: b.ws }]);
      expect(r.status).toEqual([{ status: 'ok' }]);
      expect(readdirSync(b.ws)).toEqual(['AGENTS.md']);
      expectVictimsIntact(b);
    });

    it('write: through a swapped directory, the temp cannot be created in the root-only one', async () => {
      const b = makeBed(root);
      await swapDir(b);
      const r = await run(
        [{ kind: 'write', path: b.agents, template: `${b.ws}/.AGENTS.md.rig-tmp-XXXXXXXXXXXX`, size: 3 }],
        'v2\n',
      );
      expect(r.status[0]).toMatchObject({ status: 'fail', what: 'temp' });
      expectVictimsIntact(b);
    });

    it('write: a symlink at the temp name itself is refused (O_EXCL), neither followed nor removed, as U and as root', async () => {
      const b = makeBed(root);
      const rootDir = mkdtempSync(path.join(root, 'root-owned-'));
      chmodSync(rootDir, 0o755);
      for (const [dir, plant] of [
        [b.ws, attacker],
        [rootDir, null],
      ] as const) {
        const steps: ApplyStep[] = [
          { kind: 'write', path: `${dir}/AGENTS.md`, template: `${dir}/.AGENTS.md.rig-tmp-XXXXXXXXXXXX`, size: 3 },
        ];
        const cmd = applyStepsCmd(steps);
        const temp = cmd.argv.find((a) => a.startsWith(`${dir}/.AGENTS.md.rig-tmp-`)) as string;
        if (plant) await plant('ln -s "$2" "$1"', temp, b.victim);
        else symlinkSync(b.victim, temp);
        const r = await t.exec(cmd, { stdin: 'v2\n' });
        expect(parseStepStatus(r.stdout, steps).map((x) => x.outcome)[0]).toMatchObject({
          status: 'fail',
          what: 'temp',
        });
        expect(lstatSync(temp).isSymbolicLink()).toBe(true);
        expectVictimsIntact(b);
      }
    });

    it('commit: a temp or a target swapped for a symlink between write and commit changes no victim', async () => {
      for (const swapTarget of [false, true]) {
        const b = makeBed(root);
        const w = await run(
          [{ kind: 'write', path: b.agents, template: `${b.ws}/.AGENTS.md.rig-tmp-XXXXXXXXXXXX`, size: 3 }],
          'v2\n',
        );
        const [random, actedAs] = (w.status[0] as { detail: string }).detail.split(' ');
        expect(actedAs).toBe(String(U));
        const temp = `${b.ws}/.AGENTS.md.rig-tmp-${random}`;
        expect(statSync(temp).uid).toBe(U);
        if (swapTarget) await swapFile(b, b.victim);
        else await attacker('ln -s "$2" "$1.l" && mv -T "$1.l" "$1"', temp, b.victim);
        const r = await run([
          { kind: 'commit', path: b.agents, temp, attrs: swapTarget ? {} : { mode: 0o644, ...owner } },
        ]);
        if (swapTarget) {
          // the rename replaces the planted link itself; the attrs copied from "the old file" were read, never written
          expect(r.status[0]).toMatchObject({ status: 'fail', what: 'chown' });
        } else {
          expect(r.status[0]).toMatchObject({ status: 'fail', what: 'chmod' });
        }
        expectVictimsIntact(b);
      }
    });

    it('sync-dir and remove: a swapped directory or temp is neither opened as root nor followed', async () => {
      const b = makeBed(root);
      await attacker('ln -s "$2" "$1/.AGENTS.md.rig-tmp-cccccccccccc"', b.ws, b.victim);
      const rm = await run([{ kind: 'remove', path: `${b.ws}/.AGENTS.md.rig-tmp-cccccccccccc` }]);
      expect(rm.status).toEqual([{ status: 'ok' }]);
      expect(existsSync(b.victim)).toBe(true);
      await swapDir(b);
      await run([{ kind: 'sync-dir', path: b.ws }]);
      expectVictimsIntact(b);
    });

    it('reads: content and digests of a root-only file never come back through a swapped file or directory', async () => {
      for (const swap of [(b: Bed) => swapFile(b, b.victim), swapDir]) {
        const b = makeBed(root);
        await swap(b);
        const content = await t.exec(fileContentCmd([b.agents]));
        expect(content.stdout).not.toContain('root-only');
        expect(parseFileContent(content.stdoutBytes, [b.agents]).has(b.agents)).toBe(false);
        const state = await t.exec(fileStateCmd([b.agents]));
        expect(state.stdout).not.toContain(sha(SECRET));
        expectVictimsIntact(b);
      }
    });

    it('refuses directories others can write, and uid-owned ones with group root, naming the reason', async () => {
      const b = makeBed(root);
      const shared = path.join(b.base, 'shared');
      mkdirSync(shared);
      chmodSync(shared, 0o777);
      const rootGroup = path.join(b.base, 'rootgroup');
      mkdirSync(rootGroup);
      chownSync(rootGroup, U, 0);
      const r = await run(
        [{ kind: 'write', path: `${shared}/x`, template: `${shared}/.x.rig-tmp-XXXXXXXXXXXX`, size: 1 }],
        'x',
      );
      expect(r.status[0]).toEqual({ status: 'fail', what: 'unsafe', detail: `${shared} is writable by others` });
      expect(r.stderr).toContain(`rig: ${shared}/x: ${shared} is writable by others`);
      const g = await run([{ kind: 'attrs', path: `${rootGroup}/x`, attrs: { mode: 0o600 } }]);
      expect(g.status[0]).toEqual({
        status: 'fail',
        what: 'unsafe',
        detail: `its directory belongs to uid ${U} with group root`,
      });
      expect(readdirSync(shared)).toEqual([]);
    });

    it("acts as root where only root can write, as the owner in the owner's directory (files come out owned right)", async () => {
      const b = makeBed(root);
      const conf = path.join(b.base, 'conf');
      const r = await run(
        [
          { kind: 'mkdir', path: conf, attrs: { mode: 0o750 } },
          { kind: 'write', path: `${conf}/a`, template: `${conf}/.a.rig-tmp-XXXXXXXXXXXX`, size: 2 },
          { kind: 'write', path: b.agents, template: `${b.ws}/.AGENTS.md.rig-tmp-XXXXXXXXXXXX`, size: 3 },
          { kind: 'commit', path: `${conf}/a`, temp: { step: 1 }, attrs: { mode: 0o600 } },
          { kind: 'commit', path: b.agents, temp: { step: 2 }, attrs: { mode: 0o644, ...owner } },
        ],
        'A\nv2\n',
      );
      expect(r.status.map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
      expect((r.status[1] as { detail: string }).detail).toMatch(/^[A-Za-z0-9]{12} -$/);
      expect((r.status[2] as { detail: string }).detail).toMatch(/^[A-Za-z0-9]{12} 1000$/);
      expect([
        readFileSync(`${conf}/a`, 'utf8'),
        statSync(`${conf}/a`).uid,
        statSync(`${conf}/a`).mode & 0o777,
      ]).toEqual(['A\n', 0, 0o600]);
      expect([
        readFileSync(b.agents, 'utf8'),
        statSync(b.agents).uid,
        statSync(b.agents).gid,
        lstatSync(b.agents).isFile(),
      ]).toEqual(['v2\n', U, U, true]);
    });
  },
);
