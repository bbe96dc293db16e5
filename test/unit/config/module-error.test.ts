// Why a role or smoke-check module did not load, at file:line:col: the parsers of what Node 24 prints (recorded from
// real runs of `import()` on type-stripped files) and the message for each kind of failure.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { arrowLocation, firstProjectFrame, moduleLoadDiagnostic } from '../../../src/config/module-error.js';
import { isProjectSource, ModuleImportError } from '../../../src/config/module-hooks.js';
import { REPO_ROOT } from '../../helpers/project.js';

const ENUM_STACK = `/tmp/r/roles/a.ts:4

enum Color { Red, Blue }
^^^^^^^^^^^^^^^^^^^^^^^^

SyntaxError [ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX]: TypeScript enum is not supported in strip-only mode
    at parseTypeScript (node:internal/modules/typescript:68:40)`;

// the line before and after the offending one come with it, and the file is a path
const NAMESPACE_STACK = `/tmp/r/roles/e.ts:2
const a = 1;
namespace N { export const x = 1; }
^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
class X { constructor(private a: number) {} }

SyntaxError [ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX]: TypeScript namespace declaration is not supported in strip-only mode`;

// a link error: the file is a URL
const EXPORT_STACK = `file:///tmp/r/roles/g.ts:1
import { nope } from './helper.ts';
         ^^^^
SyntaxError: The requested module './helper.ts' does not provide an export named 'nope'
    at #asyncInstantiate (node:internal/modules/esm/module_job:455:21)`;

const THROW_STACK = `TypeError: bad thing
    at boom (file:///tmp/r/roles/h.ts:2:32)
    at file:///tmp/r/roles/h.ts:3:1
    at ModuleJob.run (node:internal/modules/esm/module_job:561:25)
    at async file:///work/rig/dist/src/config/module-loader.js:20:13`;

function syntaxError(message: string, stack: string, code?: string): SyntaxError {
  return Object.assign(new SyntaxError(message), { stack, ...(code === undefined ? {} : { code }) });
}

const at = (file: string, line: number, col: number) => ({ file, line, col });
const NO_RIG_EXPORT = "The requested module 'rig' does not provide an export named 'defineRol'";

describe('module load errors', () => {
  it('reads the location atop a SyntaxError: the header line, the column of the first caret', () => {
    expect(arrowLocation(ENUM_STACK)).toEqual(at('/tmp/r/roles/a.ts', 4, 1));
    expect(arrowLocation(NAMESPACE_STACK)).toEqual(at('/tmp/r/roles/e.ts', 2, 1));
    expect(arrowLocation(EXPORT_STACK)).toEqual(at('/tmp/r/roles/g.ts', 1, 10));
    expect(arrowLocation('SyntaxError: Unexpected token\n    at x (node:internal/y:1:1)')).toBeUndefined();
  });

  it('finds where a module threw: the innermost frame in a TypeScript file of the repository', () => {
    expect(firstProjectFrame(THROW_STACK)).toEqual(at('/tmp/r/roles/h.ts', 2, 32));
    const dependency = 'Error: x\n    at f (file:///p/node_modules/dep/index.ts:1:1)\n    at g (node:internal/z:1:1)';
    expect(firstProjectFrame(dependency)).toBeUndefined();
    // vite's module runner (tests) prints paths
    const vite = 'Error: x\n    at /tmp/r/smoke-tests/throws.ts:1:7';
    expect(firstProjectFrame(vite)).toEqual(at('/tmp/r/smoke-tests/throws.ts', 1, 7));
    // rig's own frames are skipped: a role that calls rig wrongly at load time is located at its call
    const rigFrame = `    at defineRole (${path.join(REPO_ROOT, 'src/core/desired/role.ts')}:40:11)`;
    const viaRig = `Error: x\n${rigFrame}\n    at /tmp/r/roles/a/role.ts:3:16`;
    expect(firstProjectFrame(viaRig)).toEqual(at('/tmp/r/roles/a/role.ts', 3, 16));
  });

  it('says what role code may not use when Node refuses syntax it cannot strip', () => {
    const message = 'TypeScript enum is not supported in strip-only mode';
    const err = syntaxError(message, ENUM_STACK, 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX');
    expect(moduleLoadDiagnostic(err, '/tmp/r/roles/a.ts')).toEqual({
      severity: 'error',
      loc: at('/tmp/r/roles/a.ts', 4, 1),
      message:
        "TypeScript enum is not supported in strip-only mode: roles and smoke checks load through Node's type " +
        'stripping, which erases types only (no enum, namespace, parameter property or import x = require(); for an ' +
        'enum use a union of literals or an `as const` object)',
    });
  });

  it('suggests the export of rig a misspelt import meant', () => {
    const stack = EXPORT_STACK.replace("'./helper.ts'", "'rig'").replace("'nope'", "'defineRol'");
    const d = moduleLoadDiagnostic(syntaxError(NO_RIG_EXPORT, stack), '/tmp/r/roles/g.ts', ['defineRole', 'z']);
    expect(d.message).toBe(`${NO_RIG_EXPORT} (did you mean "defineRole"?)`);
  });

  it('locates an import that resolves nowhere at the specifier in the importing file, and says why', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rig-module-error-'));
    const file = path.join(dir, 'role.ts');
    const imports = [
      "import { defineRole } from 'rig';",
      "import { a } from './helpr.ts';",
      'import pad from "left-pad";',
    ];
    writeFileSync(file, ['// imports', ...imports, ''].join('\n'));
    const failed = (spec: string, code: string) => moduleLoadDiagnostic(new ModuleImportError(spec, file, code), file);
    expect(failed('./helpr.ts', 'ERR_MODULE_NOT_FOUND')).toEqual({
      severity: 'error',
      loc: at(file, 3, 19),
      message: `cannot import "./helpr.ts": no such file (${dir}/helpr.ts)`,
    });
    expect(failed('left-pad', 'ERR_MODULE_NOT_FOUND')).toEqual({
      severity: 'error',
      loc: at(file, 4, 17),
      message:
        'cannot import "left-pad": no package of that name is installed for this repository (roles and smoke checks ' +
        'may import "rig", node: built-ins, the repository\'s own files, and packages installed in the repository ' +
        'with npm)',
    });
    expect(failed('./helpr.ts', 'ERR_UNSUPPORTED_DIR_IMPORT').message).toBe(
      'cannot import "./helpr.ts": it is a directory; name the file (e.g. ./helpr.ts/index.ts)',
    );
    expect(failed('node:nope', 'ERR_UNKNOWN_BUILTIN_MODULE').message).toBe(
      'cannot import "node:nope": Node has no built-in module of that name',
    );
  });

  it('anything else still names the module', () => {
    expect(moduleLoadDiagnostic('odd', '/tmp/r/roles/x.ts')).toEqual({
      severity: 'error',
      loc: at('/tmp/r/roles/x.ts', 1, 1),
      message: 'cannot load this module: odd',
    });
  });

  it('repository sources are .ts files outside node_modules', () => {
    expect(isProjectSource('file:///srv/deploy/roles/a/role.ts')).toBe(true);
    expect(isProjectSource('file:///srv/deploy/roles/a/types.d.ts')).toBe(false);
    expect(isProjectSource('file:///srv/deploy/node_modules/x/index.ts')).toBe(false);
    expect(isProjectSource('file:///srv/rig/dist/src/index.js')).toBe(false);
    expect(isProjectSource('node:fs')).toBe(false);
  });
});
