// Role caddy on a real target host (sshd container on the shared engine): healthy with /health, a Caddyfile-only change
// reloads the same container, a broken Caddyfile is refused by `caddy validate` before it replaces the live file, and
// an image change recreates the container.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../../src/cli/main.js';
import {
  docker,
  dockerOk,
  execIn,
  imageId,
  inspectContainer,
  removeContainers,
  removeNetworks,
  retagVariant,
} from '../../helpers/docker/index.js';
import { makeProject } from '../../helpers/project.js';
import { testIo } from '../../helpers/test-io.js';
import { freePort, requireDocker, startHosts, type Testbed, type TestbedHost } from '../../helpers/testbed/index.js';

const skip = await requireDocker();
const IMAGE = 'local/caddy:2.6-rig';
const RELOAD = '(reload in place: caddy reload --config /etc/caddy/Caddyfile --adapter caddyfile)  [caddy]';

interface Vhost {
  host: string;
  upstream: string;
  vpn_only: boolean;
  directives?: { name: string; args: string[] }[];
}

const PUBLIC: Vhost = {
  host: 'www.rig.test',
  upstream: 'web:8080',
  vpn_only: false,
  directives: [{ name: 'respond', args: ['public site', '200'] }],
};
const GATED: Vhost = { host: 'admin.rig.test', upstream: 'admin:3000', vpn_only: true };
const NEW: Vhost = {
  host: 'new.rig.test',
  upstream: 'web:8080',
  vpn_only: false,
  directives: [{ name: 'respond', args: ['new route', '200'] }],
};

/** The bed: one host, a deploy repo with the caddy role linked in, and a test-owned image tag. */
interface Bed {
  tb: Testbed;
  host: TestbedHost;
  root: string;
  home: string;
  prefix: string;
  container: string;
  projectDir: string;
  httpPort: number;
  ownedTag: string;
}

async function startBed(): Promise<Bed> {
  const tb = await startHosts(1);
  const host = tb.host('h1');
  const ownedTag = `rigtest-caddy-${tb.runId}/caddy:2.6.2`;
  const root = makeProject(
    {
      'inventory/test/hosts.yml': `all:\n  hosts:\n    h1: { ansible_host: ${host.address}, ansible_port: ${host.port}, ansible_user: root, ansible_ssh_private_key_file: ${host.keyPath} }\n`,
      'inventory/test/known_hosts': readFileSync(tb.knownHostsPath, 'utf8'),
      'lint.yml': `images:\n  - image: local/caddy\n    reason: built locally by scripts/images/caddy.sh, no registry\n  - image: rigtest-caddy-${tb.runId}/caddy\n    reason: a variant built by the test\n`,
      'playbooks/site.yml': '- hosts: all\n  roles: [caddy]\n',
    },
    { roles: ['caddy'], asPackage: true },
  );
  const prefix = host.composeProject.replace(/-/g, '_');
  return {
    tb,
    host,
    root,
    home: mkdtempSync(path.join(os.tmpdir(), 'rig-home-')),
    prefix,
    container: `${prefix}_caddy`,
    projectDir: `${host.dataDir}/proj`,
    httpPort: await freePort(),
    ownedTag,
  };
}

describe.skipIf(skip !== undefined)('role caddy on a real host', () => {
  let bed: Bed;
  const outputs: string[] = [];
  const setVars = (vars: { caddy_vhosts: Vhost[]; caddy_image?: string }): void => {
    const base = {
      project_name: bed.host.composeProject,
      project_dir: bed.projectDir,
      caddy_image: IMAGE,
      caddy_http_publish: `127.0.0.1:${bed.httpPort}`,
      caddy_https_publish: '',
    };
    mkdirSync(path.join(bed.root, 'inventory/test/host_vars'), { recursive: true });
    writeFileSync(path.join(bed.root, 'inventory/test/host_vars/h1.yml'), stringify({ ...base, ...vars }));
  };
  const rig = async (args: string[]): Promise<{ code: number; out: string }> => {
    const io = testIo({ cwd: bed.root, env: { HOME: bed.home, PATH: process.env['PATH'], USER: 'tester' } });
    const code = await main([...args, '--env', 'test'], io);
    outputs.push(io.outText(), io.errText());
    return { code, out: `${io.outText()}\n${io.errText()}` };
  };
  /** A request from inside the container (client 127.0.0.1: neither VPN nor frontend network). */
  const get = async (host: string, urlPath = '/') =>
    execIn(bed.container, ['wget', '-qO-', '--header', `Host: ${host}`, `http://127.0.0.1:80${urlPath}`]);
  const liveCaddyfile = async () =>
    dockerOk(['exec', bed.host.container, 'cat', `${bed.projectDir}/configs/caddy/Caddyfile`]);
  const snapshot = async () => {
    const c = await inspectContainer(bed.container);
    return c && { id: c.id, startedAt: c.startedAt };
  };

  beforeAll(async () => {
    bed = await startBed();
    if ((await imageId(IMAGE)) === undefined) throw new Error(`${IMAGE} is missing: run scripts/images/caddy.sh`);
  }, 120_000);
  afterAll(async () => {
    if (!bed) return;
    await removeContainers(bed.prefix);
    await removeNetworks(bed.prefix);
    await bed.tb.stop();
    await docker(['rmi', '-f', bed.ownedTag]);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') {
      console.error(outputs.slice(-4).join('\n'));
      console.error((await docker(['logs', '--tail', '40', bed.container])).stderr);
      await bed.tb.dumpLogs();
    }
  });

  it('first deploy: validated, healthy, /health answers ok (inside and on the published port), the ACL answers 403', async () => {
    setVars({ caddy_vhosts: [PUBLIC, GATED] });
    const r = await rig(['deploy']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('+ create caddy: new service  [caddy]');
    expect((await inspectContainer(bed.container))?.health).toBe('healthy');
    expect((await get('127.0.0.1', '/health')).stdout).toBe('ok');
    expect(await (await fetch(`http://127.0.0.1:${bed.httpPort}/health`)).text()).toBe('ok');
    expect((await get(PUBLIC.host)).stdout).toBe('public site');
    const denied = await get(GATED.host);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('403 Forbidden');
    // what the container runs is what is on the host
    expect(await dockerOk(['exec', bed.container, 'cat', '/etc/caddy/Caddyfile'])).toBe(await liveCaddyfile());
    expect((await rig(['plan'])).out).toContain('h1: nothing to do');
  });

  it('a Caddyfile-only change (a new vhost) reloads caddy in place: same container, the new route answers', async () => {
    const before = await snapshot();
    expect((await get(NEW.host)).stderr).toContain('404 Not Found');
    setVars({ caddy_vhosts: [PUBLIC, GATED, NEW] });
    expect((await rig(['plan'])).out).toContain(`↻ reload caddy: Caddyfile changed ${RELOAD}`);
    const r = await rig(['deploy']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`↻ reload caddy: Caddyfile changed ${RELOAD}`);
    expect(await snapshot()).toEqual(before);
    expect((await get(NEW.host)).stdout).toBe('new route');
    expect(await dockerOk(['exec', bed.container, 'cat', '/etc/caddy/Caddyfile'])).toContain('http://new.rig.test {');
    expect((await rig(['plan'])).out).toContain('h1: nothing to do');
  });

  it('a broken Caddyfile is refused by caddy validate on the uploaded copy: exit 1, live file and container unchanged', async () => {
    const before = await snapshot();
    const live = await liveCaddyfile();
    setVars({ caddy_vhosts: [PUBLIC, GATED, { ...NEW, directives: [{ name: 'bogus_directive', args: ['200'] }] }] });
    const r = await rig(['deploy']);
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      `the new ${bed.projectDir}/configs/caddy/Caddyfile failed its check, nothing was changed: docker run --rm --network none -v ${bed.projectDir}/configs/caddy/.Caddyfile.rig-tmp-`,
    );
    expect(r.out).toMatch(
      /Error: adapting config using caddyfile: \/etc\/caddy\/Caddyfile:\d+: unrecognized directive: bogus_directive/,
    );
    expect(await liveCaddyfile()).toBe(live);
    expect(await snapshot()).toEqual(before);
    expect((await get(NEW.host)).stdout).toBe('new route');
    const leftovers = await dockerOk(['exec', bed.host.container, 'ls', '-a', `${bed.projectDir}/configs/caddy`]);
    expect(leftovers.split('\n').filter((f) => f.includes('.rig-tmp-'))).toEqual([]);
  });

  it('an image change recreates caddy: a new tag (definition), then a new image under the same tag', async () => {
    const first = await snapshot();
    const variant = await retagVariant(IMAGE, bed.ownedTag, 'caddy-1');
    setVars({ caddy_vhosts: [PUBLIC, GATED, NEW], caddy_image: bed.ownedTag });
    const r = await rig(['deploy']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`~ recreate caddy: image ${IMAGE} → ${bed.ownedTag}  [caddy]`);
    const second = await inspectContainer(bed.container);
    expect(second?.id).not.toBe(first?.id);
    expect(second).toMatchObject({ image: variant, health: 'healthy' });
    expect((await get(NEW.host)).stdout).toBe('new route');

    const moved = await retagVariant(IMAGE, bed.ownedTag, 'caddy-2');
    const again = await rig(['deploy']);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(
      new RegExp(
        `~ recreate caddy: image changed: ${bed.ownedTag.replace(/[.]/g, '\\.')} is now sha256:[0-9a-f]{12}, the container runs sha256:[0-9a-f]{12}`,
      ),
    );
    const third = await inspectContainer(bed.container);
    expect(third?.id).not.toBe(second?.id);
    expect(third).toMatchObject({ image: moved, health: 'healthy' });
    expect((await get('127.0.0.1', '/health')).stdout).toBe('ok');
    expect((await rig(['plan'])).out).toContain('h1: nothing to do');
    await docker(['rmi', variant]);
  });
});
