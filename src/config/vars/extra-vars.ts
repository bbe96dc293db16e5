// Variables that do not come from inventory files: `--var k=v` on the command line and rig's built-ins.
import { parse } from 'yaml';
import type { Diagnostics } from '../../core/errors/diagnostic.js';
import { stackBuiltins } from './stack-vars.js';
import { VAR_NAME, type VarEntry } from './var-entry.js';

/**
 * `--var k=v`: the value is read as a YAML scalar (`--var port=8080` is a number, `--var x="8080"` a string),
 * unlike Ansible's key=value form which gives strings; typed role variables need real types. `secrets` (from
 * `--secret-var`, read from stdin) come after them, as strings, secret.
 */
export function parseExtraVars(
  args: readonly string[],
  diagnostics: Diagnostics,
  secrets: readonly { name: string; value: string }[] = [],
): VarEntry[] {
  const secretEntries = secrets.flatMap(({ name, value }, i): VarEntry[] => {
    const loc = { file: '<stdin>', line: i + 1, col: 1 };
    if (!VAR_NAME.test(name)) {
      diagnostics.error(`--secret-var expects a valid variable name, got "${name}"`, loc);
      return [];
    }
    return [{ name, value, layer: 'extra var', loc, secret: true, locate: () => loc }];
  });
  return [...plainExtraVars(args, diagnostics), ...secretEntries];
}

function plainExtraVars(args: readonly string[], diagnostics: Diagnostics): VarEntry[] {
  return args.flatMap((arg, i): VarEntry[] => {
    const loc = { file: '<command line>', line: 1, col: i + 1 };
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (eq < 0 || !VAR_NAME.test(name)) {
      diagnostics.error(`--var expects name=value with a valid variable name, got "${eq < 0 ? arg : name}"`, loc);
      return [];
    }
    let value: unknown;
    try {
      value = parse(arg.slice(eq + 1)) ?? '';
    } catch {
      value = arg.slice(eq + 1);
    }
    return [{ name, value, layer: 'extra var', loc, secret: false, locate: () => loc }];
  });
}

/**
 * Ansible's magic variables that roles and templates commonly need, and rig's stack variables, at the lowest
 * precedence.
 */
export function builtinVars(host: string, groups: readonly string[], env: string, root: string): VarEntry[] {
  const loc = { file: '<built-in>', line: 1, col: 1 };
  const entry = (name: string, value: unknown): VarEntry => ({
    name,
    value,
    layer: 'built-in',
    loc,
    secret: false,
    locate: () => loc,
  });
  return [
    entry('inventory_hostname', host),
    entry(
      'group_names',
      groups.filter((g) => g !== 'all'),
    ),
    entry('rig_env', env),
    entry('rig_root', root),
    ...stackBuiltins(entry),
  ];
}
