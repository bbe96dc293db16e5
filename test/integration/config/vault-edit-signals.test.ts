// `rig vault edit` interrupted: the plaintext never stays in $TMPDIR (Ctrl-C to the whole terminal group, SIGTERM to
// rig).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultKeyring } from '../../../src/config/vault/keyring.js';
import { waitFor } from '../../helpers/docker/wait-for.js';
import { REPO_ROOT } from '../../helpers/project.js';
import { buildCli } from '../../helpers/build-cli.js';

const BIN = path.join(REPO_ROOT, 'bin', 'rig.js');
const ring = VaultKeyring.fromPasswords([{ password: 'edit-pw' }]);
const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

beforeAll(async () => {
  // the built CLI runs as a process of its own (signals)
  await buildCli();
}, 120_000);

/** The editor's line that says it has the file (and, before it, set up what it must: a trap). */
const OPEN = 'printf "%s\\n" "$1" > "$OPENED"';

/**
 * A repository with one vault file, an empty $TMPDIR, and `rig vault edit` started in its own process group with an
 * editor running `script` (the file to edit is its `$1`; it writes that path to $OPENED, see OPEN, once ready).
 */
function start(script: string) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'rig-vault-edit-'));
  writeFileSync(path.join(root, 'editor.sh'), `${script}\n`);
  const editor = `/bin/sh ${path.join(root, 'editor.sh')}`;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'rig-vault-tmpdir-'));
  made.push(root, tmp);
  const file = path.join(root, 'secrets.yml');
  writeFileSync(file, ring.encrypt('token: plaintext-4c1d9e\n'));
  writeFileSync(path.join(root, '.vault_password'), 'edit-pw\n');
  const opened = path.join(root, 'opened');
  const env = { PATH: process.env['PATH'], HOME: root, TMPDIR: tmp, EDITOR: editor, OPENED: opened };
  const child = execa(process.execPath, [BIN, 'vault', 'edit', 'secrets.yml'], {
    cwd: root,
    env,
    extendEnv: false,
    reject: false,
    detached: true,
    stdin: 'ignore',
  });
  return { root, tmp, file, opened, child };
}

/** Polls until the editor has the plaintext open (it writes the path it got to $OPENED). */
function editing(s: { opened: string }): Promise<string> {
  const opened = (): Promise<string | undefined> =>
    Promise.resolve(existsSync(s.opened) ? readFileSync(s.opened, 'utf8').trim() || undefined : undefined);
  return waitFor('the editor to open the file', opened, 15_000, 20);
}

describe('vault edit interrupted', () => {
  it('Ctrl-C (SIGINT to the whole group) while the editor dies with it: nothing saved, no plaintext left', async () => {
    const s = start(`${OPEN}; exec sleep 30`);
    const temp = await editing(s);
    expect(readFileSync(temp, 'utf8')).toBe('token: plaintext-4c1d9e\n');
    process.kill(-s.child.pid!, 'SIGINT');
    const r = await s.child;
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('failed (SIGINT); nothing was saved');
    expect(readdirSync(s.tmp)).toEqual([]);
    expect(ring.decryptBytes(readFileSync(s.file, 'latin1'), 'f').plaintext.toString()).toBe(
      'token: plaintext-4c1d9e\n',
    );
  }, 30_000);

  it('Ctrl-C while an editor that keeps going (as vi does): rig waits, then saves what the editor wrote', async () => {
    const s = start(
      `trap "" INT; ${OPEN}; while [ ! -e "$OPENED.go" ]; do sleep 0.05; done; echo "token: edited" > "$1"; true`,
    );
    await editing(s);
    process.kill(-s.child.pid!, 'SIGINT');
    writeFileSync(`${s.opened}.go`, '');
    const r = await s.child;
    expect(r.exitCode, r.stderr).toBe(0);
    expect(ring.decryptBytes(readFileSync(s.file, 'latin1'), 'f').plaintext.toString()).toBe('token: edited\n');
    expect(readdirSync(s.tmp)).toEqual([]);
  }, 30_000);

  it('SIGTERM to rig: the editor is ended, the plaintext removed, nothing saved', async () => {
    const s = start(`${OPEN}; exec sleep 30`);
    await editing(s);
    process.kill(s.child.pid!, 'SIGTERM');
    const r = await s.child;
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('interrupted (SIGTERM); nothing was saved');
    expect(readdirSync(s.tmp)).toEqual([]);
  }, 30_000);
});
