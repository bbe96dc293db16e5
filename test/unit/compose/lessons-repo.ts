// The lessons' deploy repo (test/fixtures/lessons) as the tables of lessons.test.ts use it: the baseline, one edit
// applied to it, and what `rig plan` and `rig lint` say about the result.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { main } from '../../../src/cli/main.js';
import {
  composeDesired,
  LABELS,
  type ComposeDesired,
  type DesiredService,
} from '../../../src/compose/compose-desired.js';
import { planServices } from '../../../src/compose/plan-services.js';
import { inputsLabel } from '../../../src/compose/service-inputs.js';
import type { Project } from '../../../src/config/project.js';
import { renderProject, type RoleOps } from '../../../src/config/roles/render-roles.js';
import { VaultKeyring } from '../../../src/config/vault/keyring.js';
import {
  DiagnosticsError,
  formatDiagnostic,
  type Diagnostic,
  type Severity,
} from '../../../src/core/errors/diagnostic.js';
import type { FileOp, Op, ServiceOp } from '../../../src/core/desired/op.js';
import type { Step } from '../../../src/core/plan-data/plan-types.js';
import { resolveMerges } from '../../../src/plan/yaml-merge.js';
import type { ContainerState } from '../../../src/facts/containers/container-state.js';
import type { DockerState } from '../../../src/facts/containers/docker-state.js';
import { envChecks } from '../../../src/lint/env-checks.js';
import { lintImageValues, loadImageAllowList } from '../../../src/lint/lint-images.js';
import { applyPins } from '../../../src/pin/apply-pins.js';
import { envImages } from '../../../src/pin/env-images.js';
import { lockFilePath, readLockFile } from '../../../src/pin/lockfile.js';
import { resolveServiceImages } from '../../../src/pin/service-images.js';
import { load, makeProject, REPO_ROOT, replaceOnce } from '../../helpers/project.js';
import { testIo } from '../../helpers/test-io.js';
import { dockerState, image } from './compose-fixtures.js';

export const ROLES = ['docker-stack', 'caddy', 'litellm', 'headscale', 'openclaw'];
export const PASSWORD = 'lessons-vault-password';
/** The group of /var/run/docker.sock on the hosts (a fact of theirs). */
export const SOCKET_GID = 989;
export const APP = 'inventory/test/group_vars/app_servers.yml';
export const VPN = 'inventory/test/group_vars/vpn_servers.yml';
export const VERSIONS = 'inventory/test/versions.yml';
export const LOCK = 'inventory/test/images.lock.yml';
export const SECRETS_FILE = 'inventory/test/group_vars/all/secrets.yml';

/** The vault's values; none may show in a plan (lesson 21). */
export const SECRETS = {
  vault_postgres_password: 'pg-super-4c1d9e7a',
  vault_litellm_db_password: 'pg-litellm-83b0f2c6',
  vault_redis_password: 'redis-pass-5e2a71d4',
  vault_litellm_master_key: 'sk-master-9d04c3b1e7',
  vault_openrouter_api_key: 'sk-or-v1-6a3f8e20d5',
  vault_openclaw_gateway_token: 'gw-token-b7e1c94a02',
  vault_telegram_bot_token: '424242:tg-token-f08d3a6c',
};
/** The values of the deploy before (rotated since): they sit in the hosts' files and must not show either. */
export const OLD_SECRETS = Object.fromEntries(Object.entries(SECRETS).map(([k, v]) => [k, `${v}-old`]));

export function fixtureFiles(dir: string, rel = ''): Record<string, string> {
  return Object.assign(
    {},
    ...readdirSync(path.join(dir, rel), { withFileTypes: true }).map((e) => {
      const p = path.posix.join(rel, e.name);
      return e.isDirectory() ? fixtureFiles(dir, p) : { [p]: readFileSync(path.join(dir, p), 'utf8') };
    }),
  ) as Record<string, string>;
}

export const ring = VaultKeyring.fromPasswords([{ password: PASSWORD }]);
/**
 * A vars file of `!vault` values, all under one random salt: the keyring derives a salt's keys once (PBKDF2, 10000
 * rounds), so each load of the repository pays one derivation instead of seven (most rows load it twice: plan, lint).
 */
export function vaultFile(values: Record<string, string>): string {
  const salt = randomBytes(32);
  const block = (v: string): string =>
    ring
      .encrypt(v, { salt })
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n');
  return Object.entries(values)
    .map(([k, v]) => `${k}: !vault |\n${block(v)}\n`)
    .join('');
}

/** The baseline: the fixture (inventory, playbook of the five roles), the vault file and its password. */
export const BASELINE: Readonly<Record<string, string>> = {
  ...fixtureFiles(path.join(REPO_ROOT, 'test/fixtures/lessons')),
  [SECRETS_FILE]: vaultFile(SECRETS),
  '.vault_password': `${PASSWORD}\n`,
};

/** One file of the repository and the replacements (each `from` occurring once) that break it. */
export type Edit = readonly [file: string, ...pairs: [string, string][]];

export function repo(edit?: Edit, files: Record<string, string> = {}): string {
  const all = { ...BASELINE, ...files };
  if (edit) {
    const [file, ...pairs] = edit;
    const text = all[file];
    if (text === undefined) throw new Error(`no file ${file} in the baseline`);
    all[file] = replaceOnce(text, ...pairs);
  }
  return makeProject(all, { roles: ROLES });
}

/** What rig says, as printed: `file:line:col: [warning: ]message [host h]`. */
export interface Said {
  readonly severity: Severity;
  readonly text: string;
}

export interface Planned {
  readonly project: Project | undefined;
  readonly said: Said[];
  /** Per host: its ops (merges resolved) and its compose desired state. */
  readonly hosts: Map<string, { roleOps: RoleOps[]; desired: ComposeDesired }>;
}

/**
 * What `rig plan` does before it contacts a host (load, render, pin, floating-tag warnings, serviceImage), then each
 * host's compose desired state as the planner builds it from the host's facts (no config.yaml yet, a docker socket).
 */
export async function plan(
  root: string,
  opts: { roles?: string[]; socketGid?: number | undefined } = {},
): Promise<Planned> {
  const said: Diagnostic[] = [];
  const hosts: Planned['hosts'] = new Map();
  let project: Project | undefined;
  try {
    project = await load(root, { vaultPassword: PASSWORD, ...(opts.roles ? { roles: opts.roles } : {}) });
    said.push(...project.warnings);
    const rendered = renderProject(project, said);
    said.push(...envChecks(project, rendered));
    const images = envImages(project, rendered);
    const lock = lockFilePath(root, project.env);
    const pinned = applyPins(rendered, images, readLockFile(lock), {
      env: project.env,
      pinned: project.inventory.settings.pinned,
      lockFile: path.relative(root, lock),
    });
    const values = images.flatMap((i) => (i.loc ? [{ ref: i.ref, loc: i.loc }] : []));
    said.push(
      ...lintImageValues(values, loadImageAllowList(root).entries).map((d) => ({ ...d, severity: 'warning' as const })),
    );
    for (const [host, ops] of resolveServiceImages(pinned)) {
      const merged = resolveMerges(ops, new Map(), host);
      const stack = project.hosts.get(host)?.stack;
      if (!stack) throw new Error(`host ${host} has no stack`);
      const desired = composeDesired(
        host,
        stack,
        merged.roleOps,
        () => undefined,
        project.redactor,
        'socketGid' in opts ? opts.socketGid : SOCKET_GID,
      );
      said.push(...merged.problems, ...desired.problems);
      hosts.set(host, { roleOps: merged.roleOps, desired });
    }
  } catch (err) {
    if (!(err instanceof DiagnosticsError)) throw err;
    said.push(...err.diagnostics);
  }
  return { project, said: said.map((d) => ({ severity: d.severity, text: formatDiagnostic(d, root) })), hosts };
}

/** `rig lint --env test` in the repository: its exit code and the lines it prints. */
export async function lint(root: string): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await main(['lint', '--env', 'test'], { ...testIo({ cwd: root }), out: (t) => void lines.push(t) });
  return { code, lines };
}

export const baseline = (() => {
  let memo: Promise<[Planned, { code: number; lines: string[] }]> | undefined;
  return () => (memo ??= Promise.all([plan(repo()), lint(repo())]));
})();

export const IMAGE_ID = `sha256:${'1'.repeat(64)}`;

/** The container rig left for `s` (its compose labels, running; a one-shot exited 0). */
export function deployed(project: string, s: DesiredService): ContainerState {
  const oneShot = s.op.gate.oneShot;
  const labels = {
    [LABELS.managed]: 'true',
    [LABELS.role]: s.role,
    [LABELS.phase]: s.op.phase,
    [LABELS.image]: s.op.spec.image,
    [LABELS.fingerprint]: s.fingerprint,
    [LABELS.inputs]: inputsLabel(s.inputs),
  };
  return {
    id: createHash('sha256').update(s.container).digest('hex'),
    name: s.container,
    image: IMAGE_ID,
    project,
    service: s.op.name,
    labels: { 'com.docker.compose.project': project, 'com.docker.compose.service': s.op.name, ...labels },
    status: oneShot ? 'exited' : 'running',
    running: !oneShot,
    exitCode: 0,
    startedAt: '2026-12-01T10:00:00Z',
    restartCount: 0,
  };
}

/** Docker on a host: compose v2, `running` (containers); with containers, every image and network of `desired` too. */
export function dockerOf(desired: ComposeDesired, running: readonly ContainerState[]): DockerState {
  const there = running.length > 0;
  return dockerState({
    containers: [...running],
    images: Object.fromEntries(desired.services.map((s) => [s.op.spec.image, there ? image(IMAGE_ID) : undefined])),
    networks: Object.fromEntries(
      desired.networks.map((n) => [n.name, there ? { name: n.name, internal: n.op.internal, labels: {} } : undefined]),
    ),
  });
}

/** The steps of the compose plan, as `host: action service: why`, on hosts that run the baseline (or nothing). */
export async function servicePlan(
  edit: Edit | undefined,
  opts: { roles?: string[]; fresh?: boolean } = {},
): Promise<{ lines: string[]; steps: Map<string, Step[]> }> {
  const [before] = await baseline();
  const after = await plan(repo(edit), opts);
  expect(after.said).toEqual([]);
  const steps = new Map(
    [...after.hosts].map(([host, p]) => {
      const running = opts.fresh
        ? []
        : (before.hosts.get(host)?.desired.services ?? []).map((s) => deployed(p.desired.project, s));
      return [
        host,
        planServices({
          host,
          desired: p.desired,
          docker: dockerOf(p.desired, running),
          fileSteps: [],
          removeUndeclared: opts.roles === undefined,
        }).steps,
      ];
    }),
  );
  const lines = [...steps].flatMap(([host, ss]) =>
    ss.flatMap((s) => (s.kind === 'service' ? [`${host}: ${s.action} ${s.service}: ${s.why}`] : [])),
  );
  return { lines, steps };
}

export const opsOf = (p: Planned, host: string): Op[] => (p.hosts.get(host)?.roleOps ?? []).flatMap((r) => [...r.ops]);
export const fileAt = (ops: readonly Op[], p: string): FileOp | undefined =>
  ops.find((o): o is FileOp => o.kind === 'file' && o.path === p);
export const serviceOf = (ops: readonly Op[], name: string): ServiceOp | undefined =>
  ops.find((o): o is ServiceOp => o.kind === 'service' && o.name === name);
export const lockDigest = (ref: string): string => `sha256:${createHash('sha256').update(ref).digest('hex')}`;
