// Golden command lines of the compose (v1 and v2) and docker CLI builders, hostile values included.
import { describe, expect, it } from 'vitest';
import {
  composeConfigCheck,
  composeUp,
  type ComposeCli,
  type ComposeFileTarget,
} from '../../../src/compose/compose-cmd.js';
import {
  dockerExec,
  dockerLogsTail,
  dockerNetworkCreate,
  dockerPull,
  dockerRemoveContainers,
} from '../../../src/compose/docker-cmd.js';
import { render } from '../../../src/core/cmd/render.js';

// The program follows how compose is invoked, not its flavor: a standalone v2 is `docker-compose` too.
const plain = (cli: ComposeCli): ComposeFileTarget => ({
  flavor: 'v2',
  cli,
  project: 'shop',
  projectDir: '/srv/shop',
  file: '/srv/shop/compose.apps.yml',
});
const hostile = (cli: ComposeCli): ComposeFileTarget => ({
  flavor: 'v1',
  cli,
  project: 'my-app_2',
  projectDir: "/srv/my app/it's",
  file: '/srv/$(reboot)/-f "x".yml',
});
const PREFIX = {
  standalone: 'COMPOSE_IGNORE_ORPHANS=1 docker-compose',
  plugin: 'COMPOSE_IGNORE_ORPHANS=1 docker compose',
} as const;

describe.each(['standalone', 'plugin'] as const)('compose as %s', (flavor) => {
  const p = PREFIX[flavor];

  it('composeUp: global flags before the subcommand, `--` before the services', () => {
    expect(render(composeUp(plain(flavor), ['web', 'worker'], { forceRecreate: false }))).toBe(
      `${p} -p shop --project-directory /srv/shop -f /srv/shop/compose.apps.yml up -d --no-deps -- web worker`,
    );
    expect(render(composeUp(plain(flavor), ['web'], { forceRecreate: true }))).toBe(
      `${p} -p shop --project-directory /srv/shop -f /srv/shop/compose.apps.yml up -d --no-deps --force-recreate -- web`,
    );
  });

  it('composeUp quotes every hostile value as one word', () => {
    expect(render(composeUp(hostile(flavor), ['-x', "we'b", '$(x)', 'a b'], { forceRecreate: false }))).toBe(
      `${p} -p my-app_2 --project-directory '/srv/my app/it'\\''s' -f '/srv/$(reboot)/-f "x".yml' up -d --no-deps -- -x 'we'\\''b' '$(x)' 'a b'`,
    );
  });

  it('composeConfigCheck', () => {
    expect(render(composeConfigCheck(plain(flavor)))).toBe(
      `${p} -p shop --project-directory /srv/shop -f /srv/shop/compose.apps.yml config -q`,
    );
    expect(render(composeConfigCheck(hostile(flavor)))).toBe(
      `${p} -p my-app_2 --project-directory '/srv/my app/it'\\''s' -f '/srv/$(reboot)/-f "x".yml' config -q`,
    );
  });

  it('refuses project names compose would rewrite, relative paths and an empty service list', () => {
    for (const project of ['My App', 'Shop', '-x', '_a', '', 'a.b', '$(x)']) {
      expect(() => composeConfigCheck({ ...plain(flavor), project })).toThrow(
        `compose: project name ${JSON.stringify(project)} must be lowercase`,
      );
    }
    expect(() => composeConfigCheck({ ...plain(flavor), file: '-' })).toThrow('compose: path must be absolute: "-"');
    expect(() => composeConfigCheck({ ...plain(flavor), projectDir: 'srv' })).toThrow(
      'compose: path must be absolute: "srv"',
    );
    expect(() => composeUp(plain(flavor), [], { forceRecreate: false })).toThrow('composeUp: no services given');
  });
});

describe('docker CLI builders', () => {
  it('dockerPull', () => {
    expect(render(dockerPull('registry.example:5000/shop/web@sha256:abc'))).toBe(
      'docker pull -- registry.example:5000/shop/web@sha256:abc',
    );
    expect(render(dockerPull("-q $(x) 'y'"))).toBe(`docker pull -- '-q $(x) '\\''y'\\'''`);
  });

  it('dockerNetworkCreate: labels in key order, --internal only when asked', () => {
    expect(render(dockerNetworkCreate('shop_back', { internal: true, labels: { 'z.b': '2', 'a.a': '1' } }))).toBe(
      'docker network create --internal --label a.a=1 --label z.b=2 -- shop_back',
    );
    expect(render(dockerNetworkCreate('front', { internal: false, labels: {} }))).toBe(
      'docker network create -- front',
    );
    expect(render(dockerNetworkCreate('-n $(x)', { internal: false, labels: { "it's": 'a=b c', k: '' } }))).toBe(
      `docker network create --label 'it'\\''s=a=b c' --label k= -- '-n $(x)'`,
    );
    expect(() => dockerNetworkCreate('n', { internal: false, labels: { 'a=b': 'c' } })).toThrow(
      'invalid label key "a=b"',
    );
    expect(() => dockerNetworkCreate('n', { internal: false, labels: { '': 'c' } })).toThrow('invalid label key ""');
  });

  it('dockerRemoveContainers', () => {
    expect(render(dockerRemoveContainers(['shop_web_1', 'shop_worker_1']))).toBe(
      'docker rm -f -- shop_web_1 shop_worker_1',
    );
    expect(render(dockerRemoveContainers(['-v', 'a b', '$(x)']))).toBe(`docker rm -f -- -v 'a b' '$(x)'`);
    expect(() => dockerRemoveContainers([])).toThrow('no containers given');
  });

  it('dockerLogsTail merges stderr into stdout', () => {
    expect(render(dockerLogsTail('shop_web_1', 50))).toBe('docker logs --tail 50 -- shop_web_1 2>&1');
    expect(render(dockerLogsTail("-f 'x'", 0))).toBe(`docker logs --tail 0 -- '-f '\\''x'\\''' 2>&1`);
    expect(() => dockerLogsTail('c', -1)).toThrow('non-negative integer, got -1');
    expect(() => dockerLogsTail('c', 1.5)).toThrow('non-negative integer, got 1.5');
  });

  it('dockerExec passes argv as words, no shell', () => {
    expect(render(dockerExec('shop_web_1', ['wget', '-qO-', 'http://127.0.0.1:8080/health']))).toBe(
      'docker exec -- shop_web_1 wget -qO- http://127.0.0.1:8080/health',
    );
    expect(render(dockerExec('-c', ['sh', '-c', 'echo "$HOME" && exit 3']))).toBe(
      `docker exec -- -c sh -c 'echo "$HOME" && exit 3'`,
    );
    expect(() => dockerExec('c', [])).toThrow('argv must not be empty');
  });
});
