// describeFileChange/formatFileChange: golden plan data and lines, and the guarantee that secrets never leak.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../src/core/redact/redactor.js';
import {
  describeFileChange,
  envKeyDiffSummary,
  type FileChange,
  type FileChangeInput,
  formatFileChange,
  isEnvFilePath,
} from '../../../src/diff/file-diff.js';
import { formatEnvFile } from '../../../src/template/env/env-file.js';

const SECRET = 'sk-live-0123456789';
const base = { sensitive: false, envFile: false, redactor: new Redactor([SECRET]) };
const numbered = (from: number, to: number, edit = -1): string =>
  Array.from({ length: to - from + 1 }, (_, i) => (from + i === edit ? `L${from + i}` : `l${from + i}`))
    .map((l) => `${l}\n`)
    .join('');

/** The change, checked to survive JSON unchanged, and its plan lines. */
function plan(input: FileChangeInput): { change: FileChange; lines: string[] } {
  const change = describeFileChange(input);
  expect(JSON.parse(JSON.stringify(change))).toEqual(change);
  return { change, lines: formatFileChange(change) };
}

describe('describeFileChange + formatFileChange (golden)', () => {
  it('create: a diff from /dev/null, digests as sha256sum prints them', () => {
    const input = { ...base, path: '/srv/app/compose.yml', before: undefined, after: 'a\nb\n', mode: 0o644 };
    const { change, lines } = plan(input);
    expect(change).toEqual({
      kind: 'create',
      path: '/srv/app/compose.yml',
      mode: 0o644,
      sensitive: false,
      sha256After: '911169ddaaf146aff539f58c26c489af3b892dff0fe283c1c264c65ae5aa59a2',
      diff: '--- /dev/null\n+++ /srv/app/compose.yml (rig)\n@@ -0,0 +1,2 @@\n+a\n+b\n',
    });
    expect(lines).toEqual([
      '+ /srv/app/compose.yml (mode 0644): new (sha256 911169dd…)',
      '    --- /dev/null',
      '    +++ /srv/app/compose.yml (rig)',
      '    @@ -0,0 +1,2 @@',
      '    +a',
      '    +b',
    ]);
  });

  it('update: three lines of context, remote/rig headers', () => {
    const { change, lines } = plan({ ...base, path: '/srv/c.yml', before: numbered(1, 10), after: numbered(1, 10, 5) });
    expect(change.kind).toBe('update');
    expect(lines).toEqual([
      '~ /srv/c.yml: changed (sha256 e24df29b… → 0a853fdc…)',
      '    --- /srv/c.yml (remote)',
      '    +++ /srv/c.yml (rig)',
      '    @@ -2,7 +2,7 @@',
      ...['l2', 'l3', 'l4'].map((l) => `     ${l}`),
      '    -l5',
      '    +L5',
      ...['l6', 'l7', 'l8'].map((l) => `     ${l}`),
    ]);
  });

  it('unchanged: digests only', () => {
    const { change, lines } = plan({ ...base, path: '/srv/x', before: 'x\n', after: 'x\n' });
    const sha = '73cb3858a687a8494ca3323053016282f3dad39d42cf62ca4e79dda2aac7d9ac';
    expect(change).toEqual({
      kind: 'unchanged',
      path: '/srv/x',
      sensitive: false,
      sha256Before: sha,
      sha256After: sha,
    });
    expect(lines).toEqual(['= /srv/x: unchanged (sha256 73cb3858…)']);
  });

  it('sensitive env file: digests and key names, never a value', () => {
    const before = 'LITELLM_MASTER_KEY=old\nOLD=1\nSAME=x\n';
    const after = `SAME='x'\nLITELLM_MASTER_KEY=${SECRET}\nOPENAI_API_KEY=sk-proj-9\n`;
    const input = { ...base, path: '/srv/app/app.env', before, after, sensitive: true, envFile: true, mode: 0o600 };
    const { change, lines } = plan(input);
    expect(change.diff).toBeUndefined();
    expect(change.envKeys).toEqual({ added: ['OPENAI_API_KEY'], removed: ['OLD'], changed: ['LITELLM_MASTER_KEY'] });
    expect(change.sha256Before).toBe('cb1e1b42fe0bf778dac9a39e00bb2033839fa195ac852090e34727f17655be32');
    expect(lines).toEqual([
      '~ /srv/app/app.env (mode 0600) sensitive: changed (sha256 cb1e1b42… → 2345b165…) ' +
        'keys +OPENAI_API_KEY ~LITELLM_MASTER_KEY -OLD',
    ]);
    expect(JSON.stringify(change)).not.toMatch(/old|sk-proj-9|sk-live/);
  });

  it('sensitive non-env file and sensitive create: digests only', () => {
    const update = plan({ ...base, path: '/etc/k.pem', before: 'A\n', after: 'B\n', sensitive: true });
    expect(update.change).not.toHaveProperty('diff');
    expect(update.change).not.toHaveProperty('envKeys');
    expect(update.lines).toEqual(['~ /etc/k.pem sensitive: changed (sha256 06f961b8… → c0cde77f…)']);
    const create = plan({ ...base, path: '/a.env', before: undefined, after: 'K=v\n', sensitive: true, envFile: true });
    expect(create.lines).toEqual(['+ /a.env sensitive: new (sha256 39db57bf…) keys +K']);
  });

  it.each([
    ['NUL byte in bytes', new Uint8Array([0x89, 0x50, 0, 1]), '0c2cb745…', 4],
    ['invalid UTF-8', new Uint8Array([0x61, 0xff, 0x0a]), 'ba35dc0a…', 3],
    ['NUL in a string', 'a\0b', '59b271ae…', 3],
  ])('binary (%s): no diff, digests and sizes', (_name, before, digest, size) => {
    const { change, lines } = plan({ ...base, path: '/srv/bin', before, after: new Uint8Array([1, 2, 3, 0]) });
    expect(change).toMatchObject({ kind: 'update', binary: true, bytesAfter: 4 });
    expect(change).not.toHaveProperty('diff');
    expect(lines).toEqual([`~ /srv/bin binary: changed (sha256 ${digest} → 1666d984…, ${size} → 4 bytes)`]);
  });

  it('a sensitive binary file shows no sizes', () => {
    const { lines } = plan({ ...base, path: '/k.p12', before: undefined, after: new Uint8Array([0]), sensitive: true });
    expect(lines).toEqual(['+ /k.p12 sensitive binary: new (sha256 6e340b9c…)']);
  });

  it('caps the diff at 400 lines, then says how many more', () => {
    const { change, lines } = plan({ ...base, path: '/big', before: undefined, after: numbered(1, 1000) });
    const diff = change.diff?.split('\n') ?? [];
    expect(diff).toHaveLength(402); // 400 kept, the note, the final newline
    expect(diff.at(-2)).toBe('… 603 more lines'); // 2 headers + 1 hunk header + 1000 lines, minus 400
    expect(lines).toHaveLength(402);
    const small = plan({ ...base, path: '/big', before: undefined, after: numbered(1, 10), maxDiffLines: 5 });
    expect(small.change.diff?.split('\n').at(-2)).toBe('… 8 more lines');
  });

  it('color wraps lines in basic SGR codes only when asked', () => {
    const change = describeFileChange({ ...base, path: '/p', before: 'a\n', after: 'b\n' });
    expect(formatFileChange(change).join('')).not.toContain('\u001b');
    expect(formatFileChange(change, { color: true })).toEqual([
      '\u001b[33m~ /p: changed (sha256 87428fc5… → 02638299…)\u001b[0m',
      '    \u001b[1m--- /p (remote)\u001b[0m',
      '    \u001b[1m+++ /p (rig)\u001b[0m',
      '    \u001b[36m@@ -1,1 +1,1 @@\u001b[0m',
      '    \u001b[31m-a\u001b[0m',
      '    \u001b[32m+b\u001b[0m',
    ]);
  });
});

describe('a diff only when both sides are non-sensitive', () => {
  it('a known secret on either side (even spanning lines, even JSON-escaped) makes it sensitive: digests only', () => {
    const pem = '-----BEGIN KEY-----\nMIIEabc\nMIIEdef\n-----END KEY-----';
    const redactor = new Redactor([SECRET, pem, 'q"uoted-secret']);
    const pairs: [string, string][] = [
      ['note: old\n', `note: ${SECRET}\n${pem}\n`],
      [`note: ${SECRET}\n`, 'note: new\n'],
      ['{"a":"q\\"uoted-secret"}\n', '{}\n'],
    ];
    for (const [before, after] of pairs) {
      const { change, lines } = plan({ ...base, redactor, path: '/c', before, after });
      expect(change).toMatchObject({ kind: 'update', sensitive: true });
      expect(change).not.toHaveProperty('diff');
      expect(lines.join('\n')).not.toMatch(/sk-live|MIIE|uoted/);
    }
  });

  it.each([
    ['oidc:\n  client_secret: hand-written-1234\n'],
    ['DB_PASSWORD=hunter2\n'],
    ['{ "apiToken": "x" }\n'],
    ['export AWS_SECRET_ACCESS_KEY=abc\n'],
    ['  - master_key: abc\n'],
    ['url: postgres://app:pw123@db/app\n'],
    ['-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n'],
  ])('the host side looks like a credential rig does not know (%j): no diff of either side', (hostSide) => {
    const { change } = plan({ ...base, path: '/c', before: hostSide, after: 'plain: new\n' });
    expect(change).toMatchObject({ sensitive: true });
    expect(change).not.toHaveProperty('diff');
  });

  it.each([
    ['private_key_path: /var/lib/headscale/private.key\n'],
    ['password_file: /run/secrets/pw\n'],
    ['keyring: x\nmonkey: y\n'],
    ['author: me\n'],
  ])('a key that names a place or merely contains the letters is not a credential (%j)', (text) => {
    expect(plan({ ...base, path: '/c', before: text, after: 'plain: new\n' }).change.diff).toBeDefined();
  });
});

describe('env keys', () => {
  it('envKeyDiffSummary: added, changed, removed, sorted within each group', () => {
    const keys = { added: ['OPENAI_API_KEY', 'ANTHROPIC_KEY'], removed: ['OLD'], changed: ['LITELLM_MASTER_KEY'] };
    expect(envKeyDiffSummary(keys)).toBe('+ANTHROPIC_KEY +OPENAI_API_KEY ~LITELLM_MASTER_KEY -OLD');
    expect(envKeyDiffSummary({ added: [], removed: [], changed: [] })).toBe('');
  });

  it('compares parsed values: re-quoting is not a key change', () => {
    const input = { ...base, path: '/a.env', before: 'A=1\n', after: "A='1'\n", envFile: true, sensitive: true };
    const { change } = plan(input);
    expect(change.kind).toBe('update');
    expect(change).not.toHaveProperty('envKeys');
  });

  it('a known secret on a line of its own parses as a key (base64 padding as `=`): that name is masked', () => {
    const token = 'dGhpc2lzYXNlY3JldHRva2Vu==';
    const redactor = new Redactor([token]);
    const input = { ...base, redactor, path: '/a.env', before: 'A=1\n', after: `A=1\n${token}\n`, envFile: true };
    const { change, lines } = plan({ ...input, sensitive: true });
    expect(change.envKeys).toEqual({ added: ['***'], removed: [], changed: [] });
    expect(JSON.stringify([change, lines])).not.toContain('dGhpc2lz');
    // not the secret's start: a name holding a piece of it (seen as a fast-check counterexample: `-S3CR3T-=a`)
    const shifted = plan({ ...input, sensitive: true, after: `A=1\n-${token}\n` });
    expect(shifted.change.envKeys?.added).toEqual(['***']);
    // an ordinary name that merely occurs in no secret is shown
    expect(plan({ ...input, sensitive: true, after: 'A=1\nB=2\n' }).change.envKeys?.added).toEqual(['B']);
  });

  it.each([
    ['/srv/app/app.env', true],
    ['.env', true],
    ['/srv/.env', true],
    ['/srv/env', false],
    ['/srv/app.env.bak', false],
    ['/srv/app.envrc', false],
  ])('isEnvFilePath(%j) is %j', (path, expected) => {
    expect(isEnvFilePath(path)).toBe(expected);
  });
});

/** Secrets carry a marker no path, key, digest or fixed text here contains, so a hit can only be a leak. */
const secretArb = fc
  .string({ unit: fc.constantFrom(...'aZ9 _-=#\'"$\\\n\t漢😀'), minLength: 1, maxLength: 16 })
  .map((s) => `S3CR3T-${s}`);
const keyArb = fc.stringMatching(/^[A-Z][A-Z_]{0,7}$/);
const textAround = fc.string({ maxLength: 30 });

function leaks(change: FileChange, secrets: readonly string[]): boolean {
  const outputs = [JSON.stringify(change), ...formatFileChange(change), formatFileChange(change).join('\n')];
  return secrets.some((s) => outputs.some((o) => o.includes(s)));
}

describe('property: no output contains a secret', () => {
  it('sensitive env files, secrets on both sides, known to the redactor or not', () => {
    const entries = fc.dictionary(keyArb, secretArb, { minKeys: 1, maxKeys: 5 });
    fc.assert(
      fc.property(fc.option(entries), entries, fc.boolean(), (old, now, known) => {
        const secrets = [...Object.values(old ?? {}), ...Object.values(now)];
        let before: string | undefined, after: string;
        try {
          before = old === null ? undefined : formatEnvFile(old);
          after = formatEnvFile(now);
        } catch {
          fc.pre(false); // a value no env quoting can carry: rig refuses to write it
          return;
        }
        const redactor = new Redactor(known ? secrets : []);
        const path = '/srv/app/app.env';
        const change = describeFileChange({ path, before, after, sensitive: true, envFile: true, redactor });
        expect(leaks(change, secrets)).toBe(false);
      }),
    );
  });

  it('sensitive files of any text or bytes, secrets anywhere, env parsing on or off', () => {
    const side = fc.tuple(textAround, secretArb, textAround).map(([a, s, b]) => ({ text: a + s + b, secret: s }));
    fc.assert(
      fc.property(
        fc.option(side),
        side,
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (old, now, envFile, bytes, known) => {
          const secrets = old === null ? [now.secret] : [old.secret, now.secret];
          const enc = (t: string): string | Uint8Array => (bytes ? new TextEncoder().encode(t) : t);
          // Env key names are shown as names; in a garbled file a secret could parse as one, and only a known
          // secret is masked there. Without env parsing, nothing depends on the redactor.
          fc.pre(!envFile || known);
          const redactor = new Redactor(known ? secrets : []);
          const input = { path: '/etc/app/secret.conf', sensitive: true, envFile, redactor };
          const before = old === null ? undefined : enc(old.text);
          const change = describeFileChange({ ...input, before, after: enc(now.text) });
          expect(leaks(change, secrets)).toBe(false);
        },
      ),
    );
  });

  it('non-sensitive files holding a known secret by accident', () => {
    fc.assert(
      fc.property(textAround, secretArb, textAround, fc.option(textAround), (a, secret, b, old) => {
        const redactor = new Redactor([secret]);
        const input = {
          ...base,
          path: '/srv/app/config.yml',
          redactor,
          before: old ?? undefined,
          after: a + secret + b,
        };
        const change = describeFileChange(input);
        expect(leaks(change, [secret])).toBe(false);
      }),
    );
  });
});
