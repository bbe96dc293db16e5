// Turns the common flags into a loaded project: root, workstation settings, vault passwords, variables.
import { loadProject, type Project } from '../config/project.js';
import { findRepoRoot } from '../config/repo-root.js';
import { loadSettings, type Settings } from '../config/settings.js';
import { VaultKeyring } from '../config/vault/keyring.js';
import { Redactor } from '../core/redact/redactor.js';
import { interpolateString } from '../config/vars/interpolate.js';
import type { CliIo } from './io.js';
import { readSecretVars } from './run/secret-vars.js';

export interface ProjectFlags {
  env?: string | undefined;
  root?: string | undefined;
  'vault-password-file'?: string | undefined;
  'vault-id'?: string[] | undefined;
  var?: string[] | undefined;
  'secret-var'?: string[] | undefined;
  'vars-file'?: string[] | undefined;
  playbook?: string | undefined;
}

/** Settings, vault keyring and redactor for a run, before any inventory is read. */
export async function openWorkspace(
  flags: ProjectFlags,
  io: CliIo,
): Promise<{ root: string; settings: Settings; keyring: VaultKeyring | undefined; redactor: Redactor }> {
  const root = findRepoRoot(io.cwd, flags.root);
  const settings = loadSettings(root, io.env);
  const keyring = await VaultKeyring.load({
    root,
    cwd: io.cwd,
    passwordFile: flags['vault-password-file'],
    vaultIds: flags['vault-id'],
    env: { ...io.env, RIG_VAULT_PASSWORD_FILE: settings.RIG_VAULT_PASSWORD_FILE },
  });
  return { root, settings, keyring, redactor: io.redactor ?? new Redactor() };
}

/** Loads the project for the env given by --env or RIG_ENV, narrowed as asked. */
export async function openProject(
  flags: ProjectFlags,
  io: CliIo,
  narrow: { limit?: string[] | undefined; roles?: string[] | undefined; allHosts?: boolean } = {},
): Promise<Project> {
  const ws = await openWorkspace(flags, io);
  const secretVars = await readSecretVars(flags['secret-var'] ?? [], io);
  return loadProject({
    root: ws.root,
    env: flags.env ?? ws.settings.RIG_ENV,
    settings: ws.settings,
    secrets: ws.keyring,
    redactor: ws.redactor,
    interpolate: interpolateString(ws.redactor),
    extraVars: flags.var ?? [],
    secretVars,
    varsFiles: flags['vars-file'] ?? [],
    ...(flags.playbook ? { playbook: flags.playbook } : {}),
    ...(narrow.limit ? { limit: narrow.limit } : {}),
    ...(narrow.roles ? { roles: narrow.roles } : {}),
    ...(narrow.allHosts ? { allHosts: true } : {}),
  });
}
