// Check openclaw-target on one host: the target image, the rendered openclaw.json and its env, the probe, the verdict.
import path from 'node:path';
import { importProjectModule } from '../../config/module-loader.js';
import type { HostConfig, Project } from '../../config/project.js';
import type { RoleOps } from '../../config/roles/render-roles.js';
import type { FileOp, ServiceOp } from '../../core/desired/op.js';
import { describeError } from '../../core/errors/describe-error.js';
import type { Transport } from '../../transport/transport.js';
import type { CheckStatus } from '../checklist-check.js';
import { worst } from '../checklist-check.js';
import { dockerEnvFile, probeFailure, judgePlugins, judgeValidate, openclawProbe } from './openclaw-target-cmd.js';

/** The role whose hosts get the check. */
export const OPENCLAW_ROLE = 'openclaw';

/** Pulling a new OpenClaw image (about 1 GB) is part of the probe on a host that lacks it. */
const PROBE_TIMEOUT_MS = 600_000;

/** What the probe needs for one host, from the target project (upgrade applied, images pinned). */
export interface OpenclawTarget {
  readonly image: string;
  readonly config: string;
  readonly env: Readonly<Record<string, string>>;
  /** Channels the config enables: their plugins must load. */
  readonly channels: readonly string[];
}

type OpenclawEnv = (vars: Record<string, unknown>) => Record<string, string>;

/**
 * The target of a host running the openclaw role: its service's (pinned) image, the openclaw.json the role renders (at
 * the OPENCLAW_CONFIG_PATH of its env) and that env, from the role module's `openclawEnv` (the same function the
 * role writes openclaw.env with). Undefined for a host without the role; an error message when the role lacks them.
 */
export async function openclawTarget(
  project: Project,
  host: HostConfig,
  roleOps: readonly RoleOps[],
): Promise<OpenclawTarget | { error: string } | undefined> {
  const role = host.roles.find((r) => r.name === OPENCLAW_ROLE);
  const loaded = project.roles.get(OPENCLAW_ROLE);
  if (role === undefined || loaded === undefined) return undefined;
  const mod = (await importProjectModule(project.root, path.relative(project.root, loaded.file))) as {
    openclawEnv?: unknown;
  };
  if (typeof mod.openclawEnv !== 'function')
    return {
      error: `${path.relative(project.root, loaded.file)} exports no openclawEnv(vars): the target's env cannot be built`,
    };
  const env = (mod.openclawEnv as OpenclawEnv)(role.vars);
  const ops = roleOps.find((r) => r.role === OPENCLAW_ROLE)?.ops ?? [];
  const service = ops.find((o): o is ServiceOp => o.kind === 'service');
  const configPath = env['OPENCLAW_CONFIG_PATH'];
  const file = ops.find((o): o is FileOp => o.kind === 'file' && o.path === configPath);
  if (service === undefined || file === undefined)
    return {
      error: `the openclaw role declares no ${service === undefined ? 'service' : `file at OPENCLAW_CONFIG_PATH (${configPath ?? 'unset'})`}`,
    };
  const config = typeof file.content === 'string' ? file.content : Buffer.from(file.content).toString('utf8');
  return { image: service.spec.image, config, env, channels: enabledChannels(config) };
}

/** `channels.<id>` entries not switched off; the plugin of a channel has the channel's id. */
export function enabledChannels(config: string): string[] {
  try {
    const channels = (JSON.parse(config) as { channels?: Record<string, { enabled?: unknown }> }).channels ?? {};
    return Object.entries(channels)
      .filter(([, c]) => c.enabled !== false)
      .map(([id]) => id)
      .sort();
  } catch {
    return [];
  }
}

/** Runs the probe on the host (one exec) and judges both answers. */
export async function probeOpenclaw(
  t: Transport,
  host: HostConfig,
  target: OpenclawTarget,
): Promise<{ status: CheckStatus; evidence: string[] }> {
  let probe;
  try {
    probe = openclawProbe(
      target.image,
      host.stack.stateDir,
      target.config,
      dockerEnvFile(target.env, ['OPENCLAW_CONFIG_PATH', 'OPENCLAW_STATE_DIR']),
    );
  } catch (err) {
    return { status: 'fail', evidence: [describeError(err)] };
  }
  const r = await t.exec(probe.cmd, {
    stdin: probe.stdin,
    become: host.connection.become,
    timeoutMs: PROBE_TIMEOUT_MS,
  });
  if (r.code !== 0) return probeFailure(r.code, target.image, r.stderr);
  const [validate, plugins] = probe.split(r.stdoutBytes);
  const v = judgeValidate(validate);
  const p = judgePlugins(plugins, target.channels, r.stderr);
  const status = worst([v.status, p.status]);
  const headline = `${target.image}: ${v.evidence[0] ?? ''}; ${p.evidence[0] ?? ''}`;
  return { status, evidence: [headline, ...v.evidence.slice(1), ...p.evidence.slice(1)] };
}
