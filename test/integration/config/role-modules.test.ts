// Role and smoke-check modules as the built CLI loads them (Node's type stripping + rig's resolve hook) from a deploy
// repository outside the checkout with no package.json or node_modules of its own: `rig` is the running rig, relative
// imports work with either extension, and every module that does not load is one located error, never a stack trace.
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, roleDir, sampleFiles } from '../../helpers/project.js';
import { buildCli } from '../../helpers/build-cli.js';

const BIN = path.join(REPO_ROOT, 'bin', 'rig.js');

beforeAll(async () => {
  await buildCli();
}, 120_000);

/** A deploy repository in a temp dir: the sample role copied (not linked) from the checkout, plus `files`. */
function deployRepo(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'rig-elsewhere-'));
  cpSync(roleDir('sample'), path.join(root, 'roles', 'sample'), { recursive: true });
  for (const [rel, text] of Object.entries({ ...sampleFiles(), ...files })) {
    const full = path.join(root, rel);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return root;
}

function rig(args: string[], cwd: string) {
  return execa(process.execPath, [BIN, ...args], { cwd, reject: false, env: { RIG_ENV: undefined }, extendEnv: true });
}

/** A role `extra` (group app) whose module is `role`, next to the sample role. */
function withRole(role: string, more: Record<string, string> = {}): Record<string, string> {
  return { 'playbooks/site.yml': '- hosts: app\n  roles: [sample, extra]\n', 'roles/extra/role.ts': role, ...more };
}

const EXTRA = (imports: string, body = '') => `${imports}
import { defineRole, z } from 'rig';
${body}
export default defineRole({ name: 'extra', description: 'an extra role', vars: z.object({}), tasks: () => [] });
`;

/** What rig says about a package the repository does not have. */
const NO_PACKAGE =
  'no package of that name is installed for this repository (roles and smoke checks may import "rig", node: ' +
  "built-ins, the repository's own files, and packages installed in the repository with npm)";
const STRIP_ONLY =
  "roles and smoke checks load through Node's type stripping, which erases types only (no enum, namespace, " +
  'parameter property or import x = require(); for an enum use a union of literals or an `as const` object)';

const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('role modules loaded by the built CLI', () => {
  it('a repository elsewhere: `rig` is the running rig, ./x.ts and ./x.js import x.ts, nothing written', async () => {
    const role = EXTRA(
      lines(
        "import { PORTS } from './lib/ports.ts';",
        "import { label } from './lib/label.js';",
        "import { createHash } from 'node:crypto';",
      ),
      "export const tag: string = label(createHash('sha256').update(String(PORTS.http)).digest('hex'));",
    );
    const root = deployRepo(
      withRole(role, {
        'roles/extra/lib/ports.ts': 'export const PORTS = { http: 80 } as const;\n',
        'roles/extra/lib/label.ts': lines(
          "import { closest } from 'rig';",
          "export const label = (s: string): string => `${s.slice(0, 8)}${closest('x', []) ?? ''}`;",
        ),
        // a package.json saying commonjs does not turn the roles into CommonJS: they are ES modules, always
        'package.json': '{ "type": "commonjs" }\n',
      }),
    );
    const r = await rig(['inventory', '--root', root, '--env', 'test', '--json'], os.tmpdir());
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const inventory = JSON.parse(r.stdout) as { hosts: Record<string, { roles: string[] }> };
    expect(inventory.hosts['web1']?.roles).toEqual(['sample', 'extra']);
    expect(existsSync(path.join(root, '.rig'))).toBe(false);
    expect(existsSync(path.join(root, 'node_modules'))).toBe(false);
  });

  it('every module that does not load is an error at its file:line:col, all of them in one run', async () => {
    const PARAM = lines('class Port {', '  constructor(private readonly n: number) {}', '}');
    const THROWS = lines('const port = (): number => {', "  throw new RangeError('no port');", '};', 'port();');
    const root = deployRepo({
      'playbooks/site.yml': '- hosts: app\n  roles: [sample, pkg, file, enum, param, typo, throws, syntax]\n',
      'roles/pkg/role.ts': EXTRA("import leftPad from 'left-pad';", 'export const x = leftPad;'),
      'roles/file/role.ts': EXTRA("import { checks } from './chekcs.ts';", 'export const x = checks;'),
      'roles/enum/role.ts': EXTRA("import { Mode } from './mode.ts';", 'export const x = Mode.A;'),
      'roles/enum/mode.ts': lines('// modes', 'export enum Mode { A, B }'),
      'roles/param/role.ts': EXTRA('', PARAM),
      'roles/typo/role.ts': lines("import { defineRol, z } from 'rig';", "export default defineRol({ name: 'typo' });"),
      'roles/throws/role.ts': EXTRA('', THROWS),
      'roles/syntax/role.ts': EXTRA('', 'export const x: number = ;'),
    });
    const r = await rig(['inventory', '--env', 'test'], root);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toEqual([
      `roles/enum/mode.ts:2:8: TypeScript enum is not supported in strip-only mode: ${STRIP_ONLY}`,
      `roles/file/role.ts:1:24: cannot import "./chekcs.ts": no such file (${root}/roles/file/chekcs.ts)`,
      // Node points at the parameter the property declares
      `roles/param/role.ts:4:32: TypeScript parameter property is not supported in strip-only mode: ${STRIP_ONLY}`,
      `roles/pkg/role.ts:1:21: cannot import "left-pad": ${NO_PACKAGE}`,
      'roles/syntax/role.ts:3:26: Expression expected',
      'roles/throws/role.ts:4:9: RangeError: no port (thrown while loading the module)',
      "roles/typo/role.ts:1:10: The requested module 'rig' does not provide an export named 'defineRol'" +
        ' (did you mean "defineRole"?)',
      'rig: 7 errors; nothing was changed',
    ]);
  });

  it('a smoke check importing what the repository does not have: located, before any host is contacted', async () => {
    const check = lines(
      "import { parse } from 'dotenv';",
      "import { defineSmoke } from 'rig';",
      "export default defineSmoke({ id: 'env-check', description: 'd', target: { groups: ['all'] }, deadlineSec: 5,",
      "  blocking: true, run: async () => ({ status: 'pass', evidence: [String(parse)] }) });",
    );
    const r = await rig(['smoke', '--env', 'test'], deployRepo({ 'smoke-tests/env-check.ts': check }));
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(`smoke-tests/env-check.ts:1:23: cannot import "dotenv": ${NO_PACKAGE}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
