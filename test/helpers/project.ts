// Builds throwaway rig repositories in temp dirs (inventory, playbooks, vault password) using the repo's roles.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Where role `name` lives in this repository: a test fixture role (test/fixtures/roles/, e.g. `sample`) or a real one
 * (roles/).
 */
export function roleDir(name: string): string {
  const fixture = path.join(REPO_ROOT, 'test', 'fixtures', 'roles', name);
  return existsSync(fixture) ? fixture : path.join(REPO_ROOT, 'roles', name);
}

/** Writes `files` (path → content) under a new temp root and links the role `name` (see roleDir) into it. */
export function makeProject(
  files: Record<string, string>,
  opts: { roles?: string[]; asPackage?: boolean } = {},
): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'rig-project-'));
  for (const [rel, text] of Object.entries(files)) {
    const full = path.join(root, rel);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  mkdirSync(path.join(root, 'roles'), { recursive: true });
  for (const role of opts.roles ?? ['sample']) symlinkSync(roleDir(role), path.join(root, 'roles', role));
  if (opts.asPackage) {
    // A deploy repo of its own with rig installed as a dependency: roles import `rig` from node_modules.
    writeFileSync(path.join(root, 'package.json'), '{ "name": "deploy-repo", "private": true, "type": "module" }\n');
    mkdirSync(path.join(root, 'node_modules'));
    symlinkSync(REPO_ROOT, path.join(root, 'node_modules', 'rig'));
  }
  return root;
}

/** Every file under `root` with its content, to assert that a failed command wrote nothing. */
export function snapshotTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      const full = path.join(dir, e);
      const st = statSync(full);
      if (st.isDirectory()) walk(full);
      else out.set(path.relative(root, full), `${st.mode}:${readFileSync(full, 'base64')}`);
    }
  };
  walk(root);
  return out;
}

/** A minimal valid project for env `test`: one host in group `app`, running the sample role. */
export function sampleFiles(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'inventory/test/hosts.yml':
      'all:\n  children:\n    app:\n      hosts:\n        web1:\n          ansible_host: 127.0.0.1\n',
    'inventory/test/group_vars/all.yml': 'sample_dir: /srv/app\nsample_api_key: not-a-real-key-123\n',
    'playbooks/site.yml': '- hosts: app\n  roles: [sample]\n',
    ...extra,
  };
}

import { loadProject, type Project, type ProjectOptions } from '../../src/config/project.js';
import { loadSettings } from '../../src/config/settings.js';
import { interpolateString } from '../../src/config/vars/interpolate.js';
import { VaultKeyring } from '../../src/config/vault/keyring.js';
import { Redactor } from '../../src/core/redact/redactor.js';
import { DiagnosticsError, formatDiagnostic } from '../../src/core/errors/diagnostic.js';
import { renderProject } from '../../src/config/roles/render-roles.js';

/**
 * Loads a temp project as the CLI would (real settings, vault keyring from `vaultPassword`, template interpolation).
 */
export async function load(
  root: string,
  opts: Partial<ProjectOptions> & { vaultPassword?: string } = {},
): Promise<Project> {
  const redactor = opts.redactor ?? new Redactor();
  const { vaultPassword, ...rest } = opts;
  return loadProject({
    root,
    env: 'test',
    settings: loadSettings(root, {}),
    secrets: vaultPassword === undefined ? undefined : VaultKeyring.fromPasswords([{ password: vaultPassword }]),
    redactor,
    interpolate: interpolateString(redactor),
    ...rest,
  });
}

/** The diagnostics of a failing render (`renderProject`), formatted relative to `root`; throws when it renders. */
export function renderErrors(project: Project, root: string): string[] {
  try {
    renderProject(project);
  } catch (err) {
    if (err instanceof DiagnosticsError) return err.diagnostics.map((d) => formatDiagnostic(d, root));
    throw err;
  }
  throw new Error('expected the project to fail to render');
}

/** The diagnostics of a failing load, formatted relative to `root` (exact text, for assertions). */
export async function loadErrors(root: string, opts: Parameters<typeof load>[1] = {}): Promise<string[]> {
  try {
    await load(root, opts);
  } catch (err) {
    if (err instanceof DiagnosticsError) return err.diagnostics.map((d) => formatDiagnostic(d, root));
    throw err;
  }
  throw new Error('expected the project to fail to load');
}

/** `text` with each `[from, to]` applied in turn; every `from` must occur exactly once (a typo fails loudly). */
export function replaceOnce(text: string, ...pairs: [string, string][]): string {
  return pairs.reduce((t, [from, to]) => {
    if (t.split(from).length !== 2) throw new Error(`"${from}" must occur once`);
    return t.replace(from, to);
  }, text);
}
