// Escape sequences a host sends are printed, not obeyed: the filter, and main's stdout/stderr through it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { VaultKeyring } from '../../../src/config/vault/keyring.js';
import { terminalSafe } from '../../../src/core/terminal-safe.js';
import { testIo } from '../../helpers/test-io.js';

// a window title, a clipboard write (OSC 52), a cursor-up-and-erase that hides the line before, a C1 CSI, a bell
const HOSTILE = 'ok\u001b]0;pwned\u0007\u001b]52;c;ZWNobyBoaQ==\u0007\u001b[1A\u001b[2K\u009b2J\rdone\r\n';

describe('terminalSafe', () => {
  it('shows every control but tab and newline as \\u00XX, CRLF as LF', () => {
    expect(terminalSafe(HOSTILE)).toBe(
      'ok\\u001b]0;pwned\\u0007\\u001b]52;c;ZWNobyBoaQ==\\u0007\\u001b[1A\\u001b[2K\\u009b2J\\u000ddone\n',
    );
    expect(terminalSafe('a\tb\nc')).toBe('a\tb\nc');
  });

  it('keeps SGR colours (rig paints its diffs), nothing that moves, titles or links', () => {
    expect(terminalSafe('\u001b[32m+added\u001b[0m')).toBe('\u001b[32m+added\u001b[0m');
    expect(terminalSafe('\u001b]8;;http://x\u001b\\link')).toBe('\\u001b]8;;http://x\\u001b\\link');
  });
});

describe('main writes terminal-safe text', () => {
  it('stderr always: an error quoting hostile text', async () => {
    const io = testIo({ cwd: os.tmpdir() });
    expect(await main([`x${HOSTILE}`], io)).toBe(1);
    for (const c of ['\u001b', '\u0007', '\u009b', '\r']) expect(io.errText()).not.toContain(c);
    expect(io.errText()).toContain('ok\\u001b]0;pwned');
  });

  it('stdout on a terminal, and exact bytes into a pipe (vault view)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rig-term-'));
    writeFileSync(path.join(dir, 's.yml'), VaultKeyring.fromPasswords([{ password: 'pw' }]).encrypt(HOSTILE));
    writeFileSync(path.join(dir, '.vault_password'), 'pw\n');
    const env = { PATH: process.env['PATH'], RIG_VAULT_PASSWORD_FILE: path.join(dir, '.vault_password') };
    const tty = testIo({ cwd: dir, env, isTTY: true });
    expect(await main(['vault', 'view', 's.yml'], tty), tty.errText()).toBe(0);
    expect(tty.outText()).toBe(terminalSafe(HOSTILE));
    const pipe = testIo({ cwd: dir, env });
    expect(await main(['vault', 'view', 's.yml'], pipe)).toBe(0);
    expect(pipe.outText()).toBe(HOSTILE);
  });
});
