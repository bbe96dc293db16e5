// `--upgrade <service-or-role>=<tag>` on a loaded project (the stack fixture role on two hosts), and the image
// verdicts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { judgeImage } from '../../../src/checklist/checklist-images.js';
import { judgeSmoke } from '../../../src/checklist/host/checklist-smoke.js';
import { parseUpgradeArg, planUpgrades, upgradeVars, withTag } from '../../../src/checklist/checklist-upgrade.js';
import { renderProject } from '../../../src/config/roles/render-roles.js';
import { UsageError } from '../../../src/core/errors/errors.js';
import { RegistryError } from '../../../src/registry/registry-client.js';
import type { EnvImage } from '../../../src/pin/env-images.js';
import { load, makeProject, REPO_ROOT } from '../../helpers/project.js';

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'roles', 'stack');
const base = (alpha: string) => ({
  project_name: 'p',
  project_dir: '/opt/p',
  stack_dir: '/opt/p/cfg',
  stack_alpha_image: alpha,
  stack_beta_image: 'reg.example:5000/app/beta:2.0.1',
  stack_alpha_env: {},
  stack_beta_env: {},
  stack_alpha_conf: 'x\n',
});

async function project(alpha1: string, alpha2: string) {
  const root = makeProject(
    {
      'inventory/test/hosts.yml':
        'all:\n  hosts:\n    h1: { ansible_host: 127.0.0.1 }\n    h2: { ansible_host: 127.0.0.2 }\n',
      'inventory/test/host_vars/h1.yml': stringify(base(alpha1)),
      'inventory/test/host_vars/h2.yml': stringify(base(alpha2)),
      'playbooks/site.yml': '- hosts: all\n  roles: [stack]\n',
      'roles/stack/role.ts': readFileSync(path.join(FIXTURE, 'role.ts'), 'utf8'),
      'roles/stack/templates/env.hbs': readFileSync(path.join(FIXTURE, 'templates', 'env.hbs'), 'utf8'),
    },
    { roles: [] },
  );
  const p = await load(root);
  return { p, rendered: renderProject(p) };
}

describe('--upgrade arguments', () => {
  it('name=tag, both needed', () => {
    expect(parseUpgradeArg('openclaw=2026.9.6')).toEqual({ name: 'openclaw', tag: '2026.9.6' });
    for (const bad of ['openclaw', '=1', 'openclaw=', '']) expect(() => parseUpgradeArg(bad)).toThrow(UsageError);
  });

  it.each([
    ['ghcr.io/openclaw/openclaw:2026.8.1', 'ghcr.io/openclaw/openclaw:2026.9.6'],
    ['127.0.0.1:5000/rigdemo/openclaw:2026.8.1', '127.0.0.1:5000/rigdemo/openclaw:2026.9.6'],
    ['127.0.0.1:5000/rigdemo/openclaw', '127.0.0.1:5000/rigdemo/openclaw:2026.9.6'],
    [`redis:7.4.1@sha256:${'a'.repeat(64)}`, 'redis:2026.9.6'],
  ])('the tag of %s is replaced (a digest dropped: the new tag is resolved)', (ref, next) => {
    expect(withTag(ref, '2026.9.6')).toBe(next);
  });

  it('an invalid tag names the reference', () => {
    expect(() => withTag('ghcr.io/o/n:1', 'bad tag')).toThrow(
      'invalid image reference "ghcr.io/o/n:bad tag": invalid tag "bad tag"',
    );
  });
});

describe('planUpgrades', () => {
  it('a service name: its image variable on every host, one override, the values it replaces', async () => {
    const { p, rendered } = await project('reg.example:5000/app/alpha:1.2.3', 'reg.example:5000/app/alpha:1.2.4');
    const upgrades = planUpgrades([{ name: 'alpha', tag: '1.3.0' }], p, rendered);
    expect(upgrades).toEqual([
      {
        name: 'alpha',
        kind: 'service',
        variable: 'stack_alpha_image',
        from: ['reg.example:5000/app/alpha:1.2.3', 'reg.example:5000/app/alpha:1.2.4'],
        to: 'reg.example:5000/app/alpha:1.3.0',
        hosts: ['h1', 'h2'],
        services: ['alpha'],
      },
    ]);
    expect(upgradeVars(upgrades)).toEqual(['stack_alpha_image="reg.example:5000/app/alpha:1.3.0"']);
  });

  it('a role name: every service of the role', async () => {
    const { p, rendered } = await project('reg.example:5000/app/alpha:1.2.3', 'reg.example:5000/app/alpha:1.2.3');
    expect(
      planUpgrades([{ name: 'stack', tag: '3.0.0' }], p, rendered).map((u) => [u.kind, u.variable, u.to, u.services]),
    ).toEqual([
      ['role', 'stack_alpha_image', 'reg.example:5000/app/alpha:3.0.0', ['alpha']],
      ['role', 'stack_beta_image', 'reg.example:5000/app/beta:3.0.0', ['beta']],
    ]);
  });

  it('an unknown name lists what can be upgraded; one variable cannot take two repositories', async () => {
    const { p, rendered } = await project('reg.example:5000/app/alpha:1.2.3', 'other.example/alpha:1.2.3');
    expect(() => planUpgrades([{ name: 'alhpa', tag: '1' }], p, rendered)).toThrow(
      'rig checklist --upgrade alhpa: no service or role of environment test is called "alhpa" (did you mean "alpha"?) (services: alpha, beta; roles: stack)',
    );
    expect(() => planUpgrades([{ name: 'alpha', tag: '1.3.0' }], p, rendered)).toThrow(
      'rig checklist --upgrade: stack_alpha_image would become both reg.example:5000/app/alpha:1.3.0 and other.example/alpha:1.3.0 (hosts set different repositories: upgrade them one at a time with --host)',
    );
  });
});

describe('image verdicts (pin --check semantics)', () => {
  const image: EnvImage = { ref: 'r.example/app:2', loc: undefined, hosts: ['h1'], services: ['app'] };
  const A = `sha256:${'a'.repeat(64)}`;
  const B = `sha256:${'b'.repeat(64)}`;
  const resolved = (digest: string) => ({
    image,
    resolved: {
      ref: image.ref,
      registry: 'r.example',
      repository: 'app',
      tag: '2',
      digest,
      mediaType: 'application/vnd.oci.image.index.v1+json',
    },
  });
  const failed = (kind: 'not-found' | 'unreachable') => ({
    image,
    error: new RegistryError(
      kind,
      'r.example',
      image.ref,
      kind === 'not-found' ? 'manifest unknown (404)' : 'connection refused',
    ),
  });

  it.each([
    [
      'a target tag resolves (what rig pin would write)',
      'target',
      resolved(A),
      undefined,
      'pass',
      `r.example/app:2: resolves to ${A.slice(0, 19)}… (what rig pin would write)`,
    ],
    [
      'a pinned tag still serves its digest',
      'both',
      resolved(A),
      A,
      'pass',
      `r.example/app:2: pinned ${A.slice(0, 19)}…, still what the tag serves`,
    ],
    [
      'a pinned tag moved upstream: advisory',
      'current',
      resolved(B),
      A,
      'warn',
      `r.example/app:2: the tag moved upstream since it was pinned (${A.slice(0, 19)}… → ${B.slice(0, 19)}…); deploys keep the pinned digest until rig pin`,
    ],
    [
      'a pinned tag vanished: blocking',
      'current',
      failed('not-found'),
      A,
      'fail',
      `r.example: r.example/app:2: manifest unknown (404) (pinned ${A.slice(0, 19)}…: gone upstream, a host without it could not pull it)`,
    ],
    [
      'a target tag that does not exist: blocking',
      'target',
      failed('not-found'),
      undefined,
      'fail',
      'r.example: r.example/app:2: manifest unknown (404) (the upgrade could not pull it)',
    ],
    [
      'a registry down: blocking',
      'target',
      failed('unreachable'),
      undefined,
      'fail',
      'r.example: r.example/app:2: connection refused',
    ],
  ] as const)('%s', (_name, role, r, pinned, status, line) => {
    const j = judgeImage(image.ref, role, r, pinned);
    expect(j.line).toBe(line);
    expect(j.detail).toMatchObject({ ref: image.ref, role, status, pinned: pinned ?? null });
  });

  it('a reference pinned by digest in its variable is not asked again', () => {
    expect(judgeImage(`r.example/app:2@${A}`, 'both', undefined, undefined).detail).toMatchObject({
      status: 'pass',
      digest: A,
    });
  });
});

describe('smoke results as a finding', () => {
  const r = (check: string, status: 'pass' | 'warn' | 'fail' | 'skip', blocking = true) => ({
    check,
    host: 'h1',
    description: '',
    blocking,
    deadlineSec: 10,
    status,
    evidence: [`${check} said ${status}`, 'more'],
    durationMs: 120,
  });

  it('a blocking failure blocks, a warning or a non-blocking failure is advisory, skips are fine', () => {
    expect(judgeSmoke([r('a', 'pass'), r('b', 'skip')])).toEqual({
      status: 'pass',
      evidence: ['1 smoke checks pass (1 skipped)', 'PASS a 0.12s: a said pass', 'SKIP b 0.12s: b said skip'],
    });
    expect(judgeSmoke([r('a', 'pass'), r('b', 'warn'), r('c', 'fail', false)])).toMatchObject({
      status: 'warn',
      evidence: [
        'smoke passed with advisory findings: b, c',
        'PASS a 0.12s: a said pass',
        'WARN b 0.12s: b said warn',
        '  more',
        'FAIL c 0.12s (non-blocking): c said fail',
        '  more',
      ],
    });
    expect(judgeSmoke([r('a', 'fail'), r('b', 'warn')]).status).toBe('fail');
    expect(judgeSmoke([r('a', 'fail'), r('b', 'warn')]).evidence[0]).toBe('smoke failed: a');
  });
});
