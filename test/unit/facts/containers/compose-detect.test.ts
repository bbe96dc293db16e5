// Compose detection: the parser on what real compose binaries print, and the shell function under sh on fixtures.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPOSE_DETECT_SH, parseComposeDetection } from '../../../../src/facts/containers/compose-detect.js';

// First lines of `version` as printed by: docker-compose 1.29.2 (Debian 12; PyPI builds say `build 5becea4c`),
// Debian 13's plugin 2.26.1-4, Docker's release builds (a `v`), Docker Desktop's, and a v2 installed as docker-compose.
const V1 = 'docker-compose version 1.29.2, build unknown';
const V2_DEBIAN = 'Docker Compose version 2.26.1-4';
const V2_DOCKER = 'Docker Compose version v2.29.7';
const V2_DESKTOP = 'Docker Compose version v2.29.1-desktop.1';

describe('parseComposeDetection', () => {
  const parse = (...lines: string[]) => parseComposeDetection(lines, 't');

  it.each([
    [`plugin ${V2_DEBIAN}`, { flavor: 'v2', version: '2.26.1-4', cli: 'plugin' }],
    [`plugin ${V2_DOCKER}`, { flavor: 'v2', version: '2.29.7', cli: 'plugin' }],
    [`plugin ${V2_DESKTOP}`, { flavor: 'v2', version: '2.29.1-desktop.1', cli: 'plugin' }],
    [`standalone ${V1}`, { flavor: 'v1', version: '1.29.2', cli: 'standalone' }],
    [`standalone ${V2_DOCKER}`, { flavor: 'v2', version: '2.29.7', cli: 'standalone' }],
  ])('%s: the flavor is read from the version, the invocation from who answered', (line, compose) => {
    expect(parse(line)).toEqual({ compose });
  });

  it('none, the engine and a user-only plugin', () => {
    expect(parse('none')).toEqual({ compose: undefined });
    expect(
      parse(
        `plugin ${V2_DEBIAN}`,
        'engine 29.0.1 1.44',
        'user-plugin deploy /home/deploy/.docker/cli-plugins/docker-compose',
      ),
    ).toEqual({
      compose: { flavor: 'v2', version: '2.26.1-4', cli: 'plugin' },
      engine: { version: '29.0.1', minApi: '1.44' },
      userPlugin: { user: 'deploy', path: '/home/deploy/.docker/cli-plugins/docker-compose' },
    });
  });

  it('a compose whose version cannot be read is reported as such, not guessed', () => {
    expect(parse('plugin Compose something else')).toEqual({
      compose: undefined,
      unrecognised: { cli: 'plugin', line: 'Compose something else' },
    });
  });

  it('refuses what the script cannot print', () => {
    expect(() => parse('v1 1.29.2')).toThrow('t: malformed --compose section "v1 1.29.2"');
    expect(() => parse()).toThrow('malformed --compose section');
    expect(() => parse('none', 'engine x')).toThrow('t: malformed --compose line "engine x"');
  });
});

describe('the compose function under sh', () => {
  /** Runs `compose` with PATH holding only `programs` (name → sh body) and the system's basic tools. */
  function detect(programs: Record<string, string>): string[] {
    const bin = mkdtempSync(path.join(os.tmpdir(), 'rig-detect-'));
    for (const [name, body] of Object.entries(programs)) {
      writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(path.join(bin, name), 0o755);
    }
    for (const tool of ['id', 'cut', 'getent'])
      execFileSync('ln', [
        '-s',
        execFileSync('sh', ['-c', `command -v ${tool}`])
          .toString()
          .trim(),
        path.join(bin, tool),
      ]);
    const out = execFileSync('/bin/sh', ['-c', `${COMPOSE_DETECT_SH}\ncompose`], { env: { PATH: bin, SUDO_USER: '' } });
    return out.toString().split('\n').slice(0, -1);
  }
  const docker = (compose: string) =>
    `case "$1" in compose) ${compose} ;; version) echo '20.10.24+dfsg1 1.12' ;; *) exit 1 ;; esac`;
  const v1 = `printf '%s\\n' '${V1}' 'docker-py version: 5.0.3' 'CPython version: 3.11.2'`;

  it('prefers the plugin, keeps only the first line, and adds the engine', () => {
    expect(detect({ docker: docker(`echo '${V2_DEBIAN}'`), 'docker-compose': v1 })).toEqual([
      `plugin ${V2_DEBIAN}`,
      'engine 20.10.24+dfsg1 1.12',
    ]);
  });

  it('falls back to docker-compose when docker has no compose plugin (multi-line v1 output: the first line)', () => {
    const r = detect({
      docker: docker('echo "docker: \'compose\' is not a docker command." >&2; exit 1'),
      'docker-compose': v1,
    });
    expect(r).toEqual([`standalone ${V1}`, 'engine 20.10.24+dfsg1 1.12']);
    expect(parseComposeDetection(r, 't').compose).toEqual({ flavor: 'v1', version: '1.29.2', cli: 'standalone' });
  });

  it('none when neither answers; no engine line when docker cannot reach it', () => {
    expect(detect({ docker: 'exit 1' })).toEqual(['none']);
  });
});
