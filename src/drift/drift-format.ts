// `rig drift` output: one line per drifted item (what the host has, what the release says), never a secret value.
import type { DriftItem, HostDrift } from './drift-types.js';
import { plural } from '../core/plural.js';

const DIFF_INDENT = '    ';

/** A host's answer: its drift, or why it could not be compared. */
export type DriftAnswer =
  { readonly host: string; readonly value: HostDrift } | { readonly host: string; readonly error: string };

/** Exit code: 1 when any host could not be compared, else 2 when any drifted, else 0. */
export function driftExitCode(answers: readonly DriftAnswer[]): 0 | 1 | 2 {
  if (answers.some((a) => 'error' in a)) return 1;
  return answers.some((a) => 'value' in a && a.value.items.length > 0) ? 2 : 0;
}

/** The human report: per host `in sync` or its items, then a summary line. */
export function driftText(env: string, answers: readonly DriftAnswer[]): string {
  const lines: string[] = [];
  for (const a of answers) {
    if ('error' in a) {
      lines.push(`${a.host}: error: ${a.error.split('\n').join('\n  ')}`);
      continue;
    }
    const d = a.value;
    const since = `release ${d.release.id} by ${d.release.user}`;
    if (d.items.length === 0) lines.push(`${d.host}: in sync with ${since} (${checkedText(d)})`);
    else
      lines.push(
        `${d.host}: ${d.items.length} drifted from ${since}:`,
        ...d.items.flatMap((i) => itemLines(i).map((l) => `  ${l}`)),
      );
  }
  const drifted = answers.filter((a) => 'value' in a && a.value.items.length > 0).length;
  const failed = answers.filter((a) => 'error' in a).length;
  lines.push(
    `drift: env ${env}: ${plural(answers.length, 'host')}, ${answers.length - drifted - failed} in sync, ${drifted} drifted, ${failed} not compared`,
  );
  return lines.join('\n');
}

/** `--json`: per host `in-sync` / `drift` / `error`, with the items as data. */
export function driftJson(env: string, answers: readonly DriftAnswer[]): unknown {
  return {
    version: 1,
    env,
    exitCode: driftExitCode(answers),
    hosts: answers.map((a) => ('error' in a ? { host: a.host, status: 'error', error: a.error } : hostJson(a.value))),
  };
}

function hostJson(d: HostDrift): unknown {
  const status = d.items.length === 0 ? 'in-sync' : 'drift';
  return {
    host: d.host,
    status,
    release: d.release,
    items: d.items.map((i) => ({ ...i, line: itemLines(i)[0] })),
    checked: d.checked,
    execs: d.execs,
  };
}

function checkedText(d: HostDrift): string {
  const c = d.checked;
  return [
    plural(c.files, 'file'),
    plural(c.dirs, 'dir'),
    plural(c.services, 'service'),
    plural(c.networks, 'network'),
  ].join(', ');
}

/** The item's line, then its diff indented (non-sensitive files only carry one). */
export function itemLines(i: DriftItem): string[] {
  const head = `${sigil(i)} ${i.kind === 'network' ? `network ${i.subject}` : i.subject}: ${describe(i)}`;
  return i.what === 'content' && i.diff !== undefined ? [head, ...i.diff.map((l) => DIFF_INDENT + l)] : [head];
}

function sigil(i: DriftItem): string {
  if (i.what === 'missing' || i.what === 'container-missing' || i.what === 'network-missing') return '-';
  if (i.what === 'unexpected-container') return '+';
  return i.what === 'stopped' ? '!' : '~';
}

function describe(i: DriftItem): string {
  switch (i.what) {
    case 'missing':
      return `missing (the release has ${i.kind === 'dir' ? 'a directory' : 'a file'} here)`;
    case 'type':
      return `is ${i.is}, the release has ${i.release}`;
    case 'content':
      return `content changed (hand edit?): sha256 ${short(i.releaseSha256)} in the release, ${short(i.hostSha256)} on the host${lineCounts(i.lines)}${i.sensitive ? '; sensitive, content not shown' : ''}`;
    case 'attrs':
      return i.differences.map((d) => `${d.attr} ${d.host}, release says ${d.release}`).join('; ');
    case 'container-missing':
      return `container missing (${i.container})`;
    case 'foreign-container':
      return `${i.container} is a container outside the compose project (made by hand?); the service's own is missing`;
    case 'image':
      return `container runs image ${imageId(i.host)}, release says ${imageId(i.release)}`;
    case 'fingerprint':
      return `container created from another definition: rig.fingerprint ${short(i.host)}, release says ${short(i.release)} (recreated outside rig?)`;
    case 'inputs':
      return `container runs other inputs than the release: ${i.reasons.join('; ')}`;
    case 'stopped':
      return `not running (${i.status})`;
    case 'unexpected-container':
      return `container ${i.container} of the project is not in the release`;
    case 'network-missing':
      return `missing (${i.network})`;
    case 'network-internal':
      return `${i.network} is ${i.host ? '' : 'not '}internal, release says ${i.release ? 'internal' : 'not internal'}`;
  }
}

function lineCounts(lines: { release: number; host: number } | undefined): string {
  return lines === undefined ? '' : ` (${plural(lines.release, 'line')} → ${plural(lines.host, 'line')})`;
}

function short(hex: string): string {
  return hex.length > 12 ? `${hex.slice(0, 12)}…` : hex;
}

/** `sha256:0123456789ab…`. */
function imageId(id: string): string {
  return id.startsWith('sha256:') ? `sha256:${short(id.slice(7))}` : id;
}
