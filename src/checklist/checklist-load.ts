// Checks config and secrets: the project loads (inventory, vault, playbook, roles, every host's variables) and renders.
import path from 'node:path';
import type { Project } from '../config/project.js';
import { loadInventory } from '../config/inventory/inventory.js';
import { loadPlaybook } from '../config/playbook.js';
import { renderProject, type RoleOps } from '../config/roles/render-roles.js';
import type { SecretSource } from '../config/vars/secret-source.js';
import { Diagnostics, DiagnosticsError, formatDiagnostic, type Diagnostic } from '../core/errors/diagnostic.js';
import { UserError, VaultError } from '../core/errors/errors.js';
import type { Redactor } from '../core/redact/redactor.js';
import { envChecks } from '../lint/env-checks.js';
import { lintImages, lintImageValues, loadImageAllowList } from '../lint/lint-images.js';
import { envImages } from '../pin/env-images.js';
import { local, notRun, type CheckResult } from './checklist-check.js';

/** How the checklist reads the repository (the CLI's flags and workspace, as functions: no CLI import here). */
export interface LoadInput {
  readonly root: string;
  readonly env: string;
  readonly playbook: string | undefined;
  readonly secrets: SecretSource | undefined;
  readonly redactor: Redactor;
  readonly cwd: string;
  /** Loads the project with these `--var` overrides on top of the command line's. */
  readonly open: (extraVars: readonly string[]) => Promise<Project>;
}

/** The loaded and rendered project, when it loads and renders. */
export interface Loaded {
  readonly project: Project;
  readonly rendered: Map<string, RoleOps[]>;
}

/**
 * `config` fails for what stops the inventory, the vault or the playbook from loading and for lint findings (the
 * floating tags `rig lint --env E` reports); `secrets` for what stops the roles: a missing variable (a vault value
 * removed), a wrongly typed one, a template error, each at its `file:line:col`. The two are told apart by loading
 * the inventory and playbook alone, as loadProject does first: what fails there is configuration.
 */
export async function checkLoad(
  input: LoadInput,
): Promise<{ config: CheckResult; secrets: CheckResult; loaded?: Loaded }> {
  const started = performance.now();
  const elapsed = (): number => performance.now() - started;
  let project: Project;
  try {
    project = await input.open([]);
  } catch (err) {
    if (err instanceof VaultError || err instanceof UserError)
      return {
        config: local('config', 'fail', [err.message], elapsed()),
        secrets: notRun('secrets', 'the configuration does not load'),
      };
    if (!(err instanceof DiagnosticsError)) throw err;
    return classify(input, err.diagnostics, elapsed);
  }
  const files = lintImages({ root: input.root, env: input.env });
  let rendered: Map<string, RoleOps[]>;
  try {
    rendered = renderProject(project);
  } catch (err) {
    if (!(err instanceof DiagnosticsError)) throw err;
    return {
      config: lintResult(input, files.diagnostics, files.checked, elapsed()),
      secrets: local('secrets', 'fail', formatted(err.diagnostics, input.cwd, 'the roles do not render'), elapsed()),
    };
  }
  const allow = loadImageAllowList(input.root);
  const values = envImages(project, rendered).flatMap((i) => (i.loc ? [{ ref: i.ref, loc: i.loc }] : []));
  const findings = [
    ...files.diagnostics,
    ...allow.diagnostics,
    ...lintImageValues(values, allow.entries).filter((d) => !files.diagnostics.some((f) => sameFinding(f, d))),
    ...envChecks(project, rendered),
  ];
  return {
    config: lintResult(input, findings, files.checked, elapsed()),
    secrets: secretsPass(project, rendered, elapsed()),
    loaded: { project, rendered },
  };
}

function classify(
  input: LoadInput,
  all: readonly Diagnostic[],
  elapsed: () => number,
): { config: CheckResult; secrets: CheckResult } {
  const diagnostics = new Diagnostics();
  const ctx = { secrets: input.secrets, redactor: input.redactor, diagnostics };
  loadInventory(input.root, input.env, ctx);
  loadPlaybook(path.resolve(input.root, input.playbook ?? 'playbooks/site.yml'), ctx);
  const own = diagnostics.errors.map((d) => formatDiagnostic(d, input.cwd));
  const rest = all.filter((d) => d.severity === 'error' && !own.includes(formatDiagnostic(d, input.cwd)));
  if (own.length > 0) {
    const secrets =
      rest.length > 0
        ? local('secrets', 'fail', formatted(rest, input.cwd, 'the roles cannot be checked'), elapsed())
        : notRun('secrets', 'the inventory or the playbook does not load');
    return {
      config: local(
        'config',
        'fail',
        [
          `${own.length} configuration error${own.length === 1 ? '' : 's'}: the inventory, vault or playbook does not load`,
          ...own,
        ],
        elapsed(),
      ),
      secrets,
    };
  }
  const files = lintImages({ root: input.root, env: input.env });
  return {
    config: lintResult(input, files.diagnostics, files.checked, elapsed()),
    secrets: local('secrets', 'fail', formatted(rest, input.cwd, 'the roles cannot run'), elapsed()),
  };
}

function lintResult(input: LoadInput, findings: readonly Diagnostic[], checked: number, ms: number): CheckResult {
  const errors = findings.filter((d) => d.severity === 'error');
  if (errors.length === 0)
    return local(
      'config',
      'pass',
      [
        `inventory, vault and playbook load; rig lint clean (${checked} image references in files, and every rendered service's image)`,
      ],
      ms,
    );
  return local(
    'config',
    'fail',
    [
      `rig lint: ${errors.length} problem${errors.length === 1 ? '' : 's'}`,
      ...errors.map((d) => formatDiagnostic(d, input.cwd)),
    ],
    ms,
  );
}

function secretsPass(project: Project, rendered: ReadonlyMap<string, readonly RoleOps[]>, ms: number): CheckResult {
  const hosts = [...project.hosts.values()];
  const secrets = new Set(hosts.flatMap((h) => [...h.vars.values()].filter((v) => v.secret).map((v) => v.name)));
  const ops = [...rendered.values()].flat().flatMap((r) => r.ops);
  const files = ops.filter((o) => o.kind === 'file').length;
  const services = ops.filter((o) => o.kind === 'service').length;
  const roles = hosts.reduce((n, h) => n + h.roles.length, 0);
  return local(
    'secrets',
    'pass',
    [
      `every variable of ${roles} role${roles === 1 ? '' : 's'} on ${hosts.length} host${hosts.length === 1 ? '' : 's'} present (${secrets.size} from the vault); ${files} files and ${services} services render`,
    ],
    ms,
  );
}

/** The first error as the headline (its `file:line:col` first), then every error. */
function formatted(ds: readonly Diagnostic[], cwd: string, why: string): string[] {
  const errors = ds.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d, cwd));
  const [first = why] = errors;
  return [errors.length > 1 ? `${first} (+${errors.length - 1} more: ${why})` : first, ...errors];
}

function sameFinding(a: Diagnostic, b: Diagnostic): boolean {
  return (
    a.message === b.message && a.loc?.file === b.loc?.file && a.loc?.line === b.loc?.line && a.loc?.col === b.loc?.col
  );
}
