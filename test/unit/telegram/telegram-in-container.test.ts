// The in-container getMe: the command it builds (token only on stdin) and the parser of the line its script prints.
import { describe, expect, it } from 'vitest';
import { display } from '../../../src/core/cmd/render.js';
import { inContainerGetMe, parseInContainerGetMe } from '../../../src/telegram/in-container-getme.js';
import { TelegramError } from '../../../src/telegram/telegram-error.js';

const TOKEN = '6000004:AAG-in_container_token_x';

describe('inContainerGetMe', () => {
  it('docker exec -i <container> node -e <script> -- <base> <ms>; the token is on stdin only', () => {
    const call = inContainerGetMe({
      container: 'p_openclaw',
      baseUrl: 'http://telegram:8081',
      token: TOKEN,
      timeoutMs: 5000,
    });
    expect(call.cmd.kind).toBe('exec');
    const argv = call.cmd.kind === 'exec' ? call.cmd.argv : [];
    expect([...argv.slice(0, 6), ...argv.slice(7)]).toEqual([
      'docker',
      'exec',
      '-i',
      'p_openclaw',
      'node',
      '-e',
      '--',
      'http://telegram:8081',
      '5000',
    ]);
    expect(call.stdin).toBe(`${TOKEN}\n`);
    expect(display(call.cmd)).not.toContain(TOKEN.split(':')[1]);
    expect(JSON.stringify(call.cmd)).not.toContain(TOKEN.split(':')[1]);
  });

  it.each([
    ['a malformed token', { container: 'c', baseUrl: 'https://api.telegram.org', token: ' x' }, 'config'],
    ['a base URL with credentials', { container: 'c', baseUrl: 'http://u:p@h', token: TOKEN }, 'config'],
  ])('refuses %s before building anything', (_name, req, kind) => {
    expect(() => inContainerGetMe(req)).toThrow(TelegramError);
    expect(() => inContainerGetMe(req)).toThrow(new RegExp(`: ${kind}: `));
  });

  it('refuses a container name docker would read as an option', () => {
    expect(() =>
      inContainerGetMe({ container: '--privileged', baseUrl: 'https://api.telegram.org', token: TOKEN }),
    ).toThrow('inContainerGetMe: "--privileged" is not a container name');
  });
});

describe('parseInContainerGetMe', () => {
  it.each([
    [
      'ok',
      '{"ok":true,"status":200,"username":"rig_bot","id":6000004}\n',
      { ok: true, status: 200, username: 'rig_bot', id: 6000004 },
    ],
    [
      '401',
      '{"ok":false,"status":401,"description":"Unauthorized"}\n',
      { ok: false, kind: 'unauthorized', status: 401, description: 'Unauthorized' },
    ],
    [
      '404',
      '{"ok":false,"status":404,"description":"Not Found"}',
      { ok: false, kind: 'not-found', status: 404, description: 'Not Found' },
    ],
    [
      '429',
      '{"ok":false,"status":429,"description":"Too Many Requests: retry after 5"}',
      { ok: false, kind: 'api-error', status: 429, description: 'Too Many Requests: retry after 5' },
    ],
    [
      'network',
      '{"ok":false,"status":null,"error":"network","description":"getaddrinfo ENOTFOUND telegram"}',
      { ok: false, kind: 'network', status: null, description: 'getaddrinfo ENOTFOUND telegram' },
    ],
    [
      'timeout',
      '{"ok":false,"status":null,"error":"timeout","description":"no answer within 5000 ms"}',
      { ok: false, kind: 'timeout', status: null, description: 'no answer within 5000 ms' },
    ],
    [
      'bad-response',
      '{"ok":false,"status":502,"error":"bad-response","description":"<html>"}',
      { ok: false, kind: 'bad-response', status: 502, description: '<html>' },
    ],
    [
      'after a warning line',
      '(node:1) Warning: something\n{"ok":true,"status":200,"username":"b"}\n',
      { ok: true, status: 200, username: 'b' },
    ],
  ])('%s', (_name, stdout, expected) => {
    expect(parseInContainerGetMe(stdout)).toEqual(expected);
  });

  it.each([
    ['nothing', ''],
    ['not JSON', 'OCI runtime exec failed: exec failed: unable to start container process'],
    ['ok without a username', '{"ok":true,"status":200}'],
    ['an unknown field', '{"ok":true,"status":200,"username":"b","token":"x"}'],
  ])('no result line: %s -> bad-response', (_name, stdout) => {
    expect(() => parseInContainerGetMe(stdout)).toThrow(/getMe \(in container\): bad-response: no result line/);
  });
});
