// The repository's own inventory/prod and inventory/preprod, as shipped, in a temp copy with what an operator adds
// before the first deploy: the vault file the README asks for (dummy values here) and a lock (sha256 of each ref, no
// registry reached). Used to prove that the shipped envs lint, render and plan offline without a complaint.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderProject, type RoleOps } from '../../src/config/roles/render-roles.js';
import type { Project } from '../../src/config/project.js';
import { VaultKeyring } from '../../src/config/vault/keyring.js';
import type { Diagnostic } from '../../src/core/errors/diagnostic.js';
import { envChecks } from '../../src/lint/env-checks.js';
import { applyPins } from '../../src/pin/apply-pins.js';
import { envImages } from '../../src/pin/env-images.js';
import { lockFilePath, readLockFile, renderLockFile } from '../../src/pin/lockfile.js';
import { resolveServiceImages } from '../../src/pin/service-images.js';
import { load, makeProject, REPO_ROOT } from './project.js';

export const SHIPPED_ENVS = ['prod', 'preprod'] as const;
export type ShippedEnv = (typeof SHIPPED_ENVS)[number];

const PASSWORD = 'shipped-env-dummy-vault';

/** Every vault value the shipped envs refer to (inventory/<env>/group_vars/all/main.yml lists them), dummy. */
export const DUMMY_VAULT: Readonly<Record<string, string>> = {
  vault_postgres_password: 'dummy-postgres-0b7e41',
  vault_litellm_db_password: 'dummy-litellm-db-9c2d05',
  vault_redis_password: 'dummy-redis-5a18fe',
  vault_litellm_master_key: 'sk-dummy-master-3e9a27',
  vault_openrouter_api_key: 'sk-or-v1-dummy-61c0d8',
  vault_openclaw_gateway_token: 'dummy-gateway-token-f4b2',
  vault_telegram_bot_token: '123456:dummy-bot-token-8d3c',
};

const ROLES = ['docker-stack', 'telegram-standin', 'headscale', 'caddy', 'litellm', 'openclaw'];

function filesUnder(rel: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(path.join(REPO_ROOT, rel), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const p = path.relative(REPO_ROOT, path.join(e.parentPath, e.name));
        return [p, readFileSync(path.join(REPO_ROOT, p), 'utf8')];
      }),
  );
}

/**
 * A temp repository: the shipped envs, playbooks and lint.yml, the repository's roles, a vault file and its password.
 */
export function shippedRepo(files: Record<string, string> = {}): string {
  const ring = VaultKeyring.fromPasswords([{ password: PASSWORD }]);
  const vault = ring.encrypt(
    Object.entries(DUMMY_VAULT)
      .map(([k, v]) => `${k}: ${v}\n`)
      .join(''),
  );
  return makeProject(
    {
      ...(Object.assign({}, ...SHIPPED_ENVS.map((e) => filesUnder(`inventory/${e}`))) as Record<string, string>),
      ...filesUnder('playbooks'),
      'lint.yml': readFileSync(path.join(REPO_ROOT, 'lint.yml'), 'utf8'),
      ...Object.fromEntries(SHIPPED_ENVS.map((e) => [`inventory/${e}/group_vars/all/secrets.yml`, vault])),
      '.vault_password': `${PASSWORD}\n`,
      ...files,
    },
    { roles: ROLES },
  );
}

/** The env loaded as `rig plan` loads it, with every diagnostic said on the way (load, role warnings, env checks). */
export async function loadShipped(
  root: string,
  env: ShippedEnv,
): Promise<{ project: Project; rendered: Map<string, RoleOps[]>; said: Diagnostic[] }> {
  const project = await load(root, { env, vaultPassword: PASSWORD });
  const said: Diagnostic[] = [...project.warnings];
  const rendered = renderProject(project, said);
  said.push(...envChecks(project, rendered));
  return { project, rendered, said };
}

/** Writes the env's lock as `rig pin` would (digest = sha256 of the ref: no registry is reached), then pins the ops. */
export function pinOffline(root: string, project: Project, rendered: Map<string, RoleOps[]>): Map<string, RoleOps[]> {
  const images = envImages(project, rendered);
  const file = lockFilePath(root, project.env);
  writeFileSync(
    file,
    renderLockFile(
      project.env,
      images.map((i) => ({
        ref: i.ref,
        registry: 'offline',
        repository: i.ref.replace(/:[^:/]*$/, ''),
        tag: /:([^:/]*)$/.exec(i.ref)?.[1] ?? '',
        digest: `sha256:${createHash('sha256').update(i.ref).digest('hex')}`,
        resolvedAt: '2026-12-01T00:00:00.000Z',
      })),
    ),
  );
  const pinned = applyPins(rendered, images, readLockFile(file), {
    env: project.env,
    pinned: project.inventory.settings.pinned,
    lockFile: path.relative(root, file),
  });
  return resolveServiceImages(pinned);
}
