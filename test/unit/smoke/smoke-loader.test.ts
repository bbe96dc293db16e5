// Loading smoke-tests/ modules: valid checks, every definition problem at its file:line:col, and which hosts each
// targets.
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/core/errors/diagnostic.js';
import { DiagnosticsError } from '../../../src/core/errors/diagnostic.js';
import { renderProject } from '../../../src/config/roles/render-roles.js';
import { listSmokeChecks, loadSmokeChecks } from '../../../src/smoke/smoke-loader.js';
import { checksByHost, smokeHost } from '../../../src/smoke/smoke-host.js';
import { load, makeProject, sampleFiles } from '../../helpers/project.js';

const check = (id: string, target: string, extra = '') => `import { defineSmoke } from 'rig';

export default defineSmoke({
  id: '${id}',
  description: 'checks ${id}',
  target: ${target},
  deadlineSec: 5,
  blocking: true,${extra}
  run: async (ctx) => ({ status: 'pass', evidence: [ctx.host] }),
});
`;

async function loadErrors(root: string, roles: string[]): Promise<string[]> {
  try {
    await loadSmokeChecks(root, listSmokeChecks(root), roles);
  } catch (err) {
    if (err instanceof DiagnosticsError) return err.diagnostics.map((d) => formatDiagnostic(d, root));
    throw err;
  }
  throw new Error('expected the checks to fail to load');
}

describe('smoke loader', () => {
  it('lists smoke-tests/<id>.ts (not helpers in subdirectories nor .d.ts) and loads them in id order', async () => {
    const root = makeProject({
      'smoke-tests/b-check.ts': check('b-check', "{ groups: ['all'] }"),
      'smoke-tests/a-check.ts': check('a-check', "{ roles: ['sample'], services: 'any' }"),
      'smoke-tests/lib/helper.ts': 'export const x = 1;\n',
      'smoke-tests/types.d.ts': 'export {};\n',
    });
    expect(listSmokeChecks(root)).toEqual(['a-check', 'b-check']);
    const checks = await loadSmokeChecks(root, ['a-check', 'b-check'], ['sample']);
    expect(checks.map((c) => [c.id, c.target])).toEqual([
      ['a-check', { roles: ['sample'], services: 'any' }],
      ['b-check', { groups: ['all'] }],
    ]);
    expect(listSmokeChecks(makeProject({}))).toEqual([]);
  });

  it('reports every problem of every module at once, each at its file:line:col', async () => {
    const root = makeProject({
      'smoke-tests/bad-deadline.ts': check('bad-deadline', "{ groups: ['all'] }").replace(
        'deadlineSec: 5',
        "deadlineSec: '5'",
      ),
      'smoke-tests/typo-role.ts': check('typo-role', "{ roles: ['sampel'] }"),
      'smoke-tests/no-target.ts': check('no-target', '{}'),
      'smoke-tests/unknown-key.ts': check('unknown-key', "{ groups: ['all'], hosts: ['x'] }", '\n  blockign: false,'),
      'smoke-tests/wrong-id.ts': check('other-id', "{ groups: ['all'] }"),
      'smoke-tests/no-default.ts': 'export const check = 1;\n',
      'smoke-tests/throws.ts': "throw new Error('boom at import');\n",
    });
    expect(await loadErrors(root, ['sample'])).toEqual([
      'smoke-tests/bad-deadline.ts:7:3: deadlineSec: expected number, got string "5"',
      'smoke-tests/no-default.ts:1:1: a smoke test module must `export default defineSmoke({ id, description, target, deadlineSec, blocking, run })`',
      'smoke-tests/no-target.ts:6:3: target: name roles, services or groups to run on (groups: ["all"] for every host)',
      'smoke-tests/throws.ts:1:7: Error: boom at import (thrown while loading the module)',
      'smoke-tests/typo-role.ts:6:21: unknown role "sampel" (did you mean "sample"?) in the target of smoke check typo-role (roles: sample)',
      'smoke-tests/unknown-key.ts:6:30: unknown key "hosts"',
      'smoke-tests/unknown-key.ts:9:3: unknown key "blockign" (did you mean "blocking"?)',
      'smoke-tests/wrong-id.ts:4:7: smoke check id "other-id" does not match its file name "wrong-id.ts"',
    ]);
  });

  it('targets: roles, declared services and groups must all match; a host with no targeted check is left out', async () => {
    const root = makeProject(
      sampleFiles({
        'inventory/test/hosts.yml':
          'all:\n  children:\n    app:\n      hosts:\n        web1: { ansible_host: 127.0.0.1 }\n    db:\n      hosts:\n        db1: { ansible_host: 127.0.0.2 }\n',
        'playbooks/site.yml': '- hosts: app\n  roles: [sample]\n- hosts: db\n  roles: [tiny]\n',
        'roles/tiny/role.ts':
          "import { defineRole, z } from 'rig';\nexport default defineRole({ name: 'tiny', description: 't', vars: z.object({}), tasks: ({ service }) => [service('web-app', { image: 'local/x:1', networks: [] }, { gate: { oneShot: true } })] });\n",
      }),
    );
    const project = await load(root);
    const rendered = renderProject(project);
    const hosts = [...project.hosts.values()].map((h) => smokeHost('test', h, rendered.get(h.name) ?? []));
    expect(hosts.map((h) => [h.host, h.groups, h.roles, h.services.length, h.vars['sample_port']])).toEqual([
      ['web1', ['all', 'app'], ['sample'], 0, 8080],
      ['db1', ['all', 'db'], ['tiny'], 1, undefined],
    ]);
    expect(hosts[1]?.services).toEqual([
      {
        name: 'web-app',
        role: 'tiny',
        container: 'rig_web_app',
        phase: 'apps',
        oneShot: true,
        healthcheck: false,
        image: 'local/x:1',
        networks: [],
      },
    ]);
    const c = (id: string, target: object) => ({
      id,
      description: id,
      target,
      deadlineSec: 1,
      blocking: true,
      run: () => Promise.resolve({ status: 'pass' as const, evidence: [] }),
    });
    const plan = checksByHost(hosts, [
      c('every', { groups: ['all'] }),
      c('sample', { roles: ['sample'] }),
      c('sample-db', { roles: ['sample'], groups: ['db'] }),
      c('svc', { services: 'any' }),
      c('db', { groups: ['db', 'x'] }),
    ]);
    expect(plan.map((p) => [p.host.host, p.checks.map((x) => x.id)])).toEqual([
      ['web1', ['every', 'sample']],
      ['db1', ['every', 'svc', 'db']],
    ]);
  });
});
