// `rig status` output: a table per host (service, state, uptime, restarts, image, digest, lock), a summary, --json,
// exit code.
import { formatDuration } from '../lock/lock.js';
import type { HostStatus, ServiceStatus, StatusAnswer } from './status-types.js';
import { plural } from '../core/plural.js';

/**
 * 1 when a host could not be read (unreachable, docker down); else 2 when a service is not healthy, a host has no
 * release (nothing deployed by rig) or a deploy lock is stale (a run died holding it); else 0. A live lock is a
 * deploy in progress: shown, not a failure.
 */
export function statusExitCode(answers: readonly StatusAnswer[]): 0 | 1 | 2 {
  if (answers.some((a) => 'error' in a)) return 1;
  const hosts = answers.flatMap((a) => ('value' in a ? [a.value] : []));
  return hosts.some((h) => h.release === undefined || h.lock?.stale === true || h.services.some((s) => !s.healthy))
    ? 2
    : 0;
}

/** The human report: per host its release, a service table and the lock, then one summary line. */
export function statusText(env: string, answers: readonly StatusAnswer[]): string {
  const lines: string[] = [];
  for (const a of answers) {
    if ('error' in a) lines.push(`${a.host}: error: ${a.error.split('\n').join('\n  ')}`);
    else lines.push(...hostLines(a.value));
  }
  lines.push(summary(env, answers));
  return lines.join('\n');
}

function hostLines(h: HostStatus): string[] {
  const r = h.release;
  const git = r?.git ? `, git ${r.git.commit.slice(0, 12)}${r.git.dirty ? '+dirty' : ''}` : '';
  const kind = r?.kind === 'rollback' ? `rollback to ${r.from ?? '?'}` : 'deploy';
  const head =
    r === undefined
      ? `${h.host}: no release: never deployed by rig`
      : `${h.host}: release ${r.id} (${kind} by ${r.user}@${r.workstation}, ${r.createdAt}${git})`;
  const rows = h.services.map(row);
  const table =
    rows.length === 0
      ? ['  no containers of the project']
      : align([['SERVICE', 'STATE', 'UPTIME', 'RESTARTS', 'IMAGE', 'DIGEST', 'LOCK'], ...rows]).map((l) => `  ${l}`);
  const lock = h.lock === undefined ? [] : [`  ${h.lock.stale ? '!' : '~'} ${h.lock.message}`];
  return [head, ...table, ...lock];
}

function row(s: ServiceStatus): string[] {
  const name = s.inRelease ? s.service : `${s.service} (not in the release)`;
  const uptime = s.uptimeSec === undefined ? '-' : formatDuration(s.uptimeSec);
  const lock =
    s.image.lock === 'match'
      ? '= lock'
      : s.image.lock === 'differs'
        ? `≠ lock ${short(s.image.lockDigest)}`
        : 'unpinned';
  return [
    name,
    stateText(s),
    uptime,
    String(s.restarts),
    s.image.ref ?? short(s.image.id) ?? '-',
    short(s.image.digest) ?? '-',
    s.container === undefined ? '-' : lock,
  ];
}

/** `healthy`, `exited 3`, `done (exit 0)`, `missing`. */
export function stateText(s: ServiceStatus): string {
  if (s.state === 'done') return 'done (exit 0)';
  if (s.state === 'exited' || s.state === 'dead') return `${s.state} ${s.exitCode ?? '?'}`;
  return s.state;
}

function short(digest: string | undefined): string | undefined {
  if (digest === undefined) return undefined;
  return digest.startsWith('sha256:') ? `sha256:${digest.slice(7, 19)}` : digest;
}

/** Left-aligned columns, two spaces apart; the last column is not padded. */
function align(rows: readonly string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + cell.length - [...cell].length)))
      .join('  '),
  );
}

function summary(env: string, answers: readonly StatusAnswer[]): string {
  const hosts = answers.flatMap((a) => ('value' in a ? [a.value] : []));
  const services = hosts.flatMap((h) => h.services.map((s) => ({ host: h.host, s })));
  const bad = services.filter((x) => !x.s.healthy);
  const failed = answers.length - hosts.length;
  const parts = [
    `${plural(answers.length, 'host')}, ${plural(services.length, 'service')}: ${services.length - bad.length} healthy, ${bad.length} not${bad.length > 0 ? ` (${bad.map((x) => `${x.s.service} on ${x.host}`).join(', ')})` : ''}`,
    ...(hosts.some((h) => h.release === undefined)
      ? [
          `never deployed: ${hosts
            .filter((h) => h.release === undefined)
            .map((h) => h.host)
            .join(', ')}`,
        ]
      : []),
    ...(hosts.some((h) => h.lock)
      ? [
          `locked: ${hosts
            .filter((h) => h.lock)
            .map((h) => `${h.host}${h.lock?.stale ? ' (stale)' : ''}`)
            .join(', ')}`,
        ]
      : []),
    ...(failed > 0 ? [`${failed} not read`] : []),
  ];
  return `status: env ${env}: ${parts.join('; ')}`;
}

/** `--json`: the same facts as data (no lock token, no secret: none is read). */
export function statusJson(env: string, answers: readonly StatusAnswer[]): unknown {
  return {
    version: 1,
    env,
    exitCode: statusExitCode(answers),
    hosts: answers.map((a) =>
      'error' in a ? { host: a.host, status: 'error', error: a.error } : { status: hostVerdict(a.value), ...a.value },
    ),
  };
}

function hostVerdict(h: HostStatus): 'healthy' | 'unhealthy' | 'never-deployed' {
  if (h.release === undefined) return 'never-deployed';
  return h.services.every((s) => s.healthy) && h.lock?.stale !== true ? 'healthy' : 'unhealthy';
}
