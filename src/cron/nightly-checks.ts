// Pure: the checks a night runs (rig smoke, pin --check, drift) and, from each one's output, what failed where.
import { z } from 'zod';
import { formatSmokeText } from '../smoke/report-text.js';
import { SmokeReportSchema } from '../smoke/smoke-report.js';

/** The checks, in the order they run and are reported. */
export const NIGHTLY_CHECKS = ['smoke', 'pin-check', 'drift'] as const;
export type NightlyCheck = (typeof NIGHTLY_CHECKS)[number];

/** The flags every check gets (`--env E`, vault, playbook) and those only the SSH checks take (`--known-hosts F`). */
export interface CheckFlags {
  readonly project: readonly string[];
  readonly ssh: readonly string[];
}

/** One check's argv for rig. */
export function checkArgv(check: NightlyCheck, flags: CheckFlags): string[] {
  switch (check) {
    case 'smoke':
      return ['smoke', ...flags.project, ...flags.ssh, '--json'];
    case 'pin-check':
      return ['pin', ...flags.project, '--check'];
    case 'drift':
      return ['drift', ...flags.project, ...flags.ssh, '--json'];
  }
}

/** What a check printed and how it exited. */
export interface CheckRun {
  readonly check: NightlyCheck;
  readonly code: number;
  readonly out: string;
  readonly err: string;
  readonly durationMs: number;
}

/** One failing thing of a night: the alert key is (check, host, UTC date). `host` is `-` for env-wide checks. */
export interface NightlyFailure {
  /** `smoke:<check id>`, `pin-check` or `drift`. */
  readonly check: string;
  readonly host: string;
  /** What was seen, first line the headline. Secrets were masked by rig's output redactor. */
  readonly evidence: readonly string[];
}

const DriftReport = z.object({
  hosts: z.array(
    z.object({
      host: z.string(),
      status: z.enum(['in-sync', 'drift', 'error']),
      error: z.string().optional(),
      items: z.array(z.object({ line: z.string(), diff: z.array(z.string()).optional() })).optional(),
    }),
  ),
});

/** The failures of one check run (none when it passed). */
export function failuresOf(run: CheckRun): NightlyFailure[] {
  if (run.code === 0) return [];
  switch (run.check) {
    case 'smoke': {
      const report = parsed(run.out, SmokeReportSchema);
      const failing = report?.results.filter((r) => r.failsRun) ?? [];
      if (failing.length === 0) return [whole(run, 'smoke', report === undefined)];
      return failing.map((r) => ({
        check: `smoke:${r.check}`,
        host: r.host,
        evidence: [`${r.status}: ${r.evidence[0] ?? '(no evidence)'}`, ...r.evidence.slice(1)],
      }));
    }
    case 'drift': {
      const report = parsed(run.out, DriftReport);
      const bad = report?.hosts.filter((h) => h.status !== 'in-sync') ?? [];
      if (bad.length === 0) return [whole(run, 'drift', report === undefined)];
      // item lines only (digests, line counts): an alert leaves the machine, so it never carries a file's body
      return bad.map((h) => ({
        check: 'drift',
        host: h.host,
        evidence: h.status === 'error' ? [`error: ${h.error ?? '?'}`] : (h.items ?? []).map((i) => i.line),
      }));
    }
    case 'pin-check':
      return [whole(run, 'pin-check', true)];
  }
}

/**
 * The check failed as a whole (pin --check, or a run that failed before reporting per host): its text output and
 * stderr.
 */
function whole(run: CheckRun, check: string, withOut: boolean): NightlyFailure {
  const lines = [...(withOut ? run.out.split('\n') : []), ...run.err.split('\n')].filter((l) => l.trim() !== '');
  const headline =
    run.check === 'pin-check' && run.code === 2 ? 'a pinned image moved or disappeared upstream' : `exit ${run.code}`;
  return { check, host: '-', evidence: [headline, ...lines.slice(-30)] };
}

function parsed<T>(out: string, schema: z.ZodType<T>): T | undefined {
  try {
    const r = schema.safeParse(JSON.parse(out));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** The log lines of a check run: its human report (smoke's text form, drift's lines), then its stderr. */
export function checkLogLines(run: CheckRun): string[] {
  const head = `-- ${run.check}: exit ${run.code} in ${(run.durationMs / 1000).toFixed(1)}s`;
  const err = run.err.split('\n').filter((l) => l.trim() !== '');
  return [head, ...reportLines(run), ...err];
}

function reportLines(run: CheckRun): string[] {
  if (run.check === 'smoke') {
    const report = parsed(run.out, SmokeReportSchema);
    if (report) return formatSmokeText(report, { verbose: true }).split('\n');
  }
  if (run.check === 'drift') {
    const report = parsed(run.out, DriftReport);
    if (report)
      return report.hosts.flatMap((h) => [
        `${h.host}: ${h.status}${h.error === undefined ? '' : `: ${h.error}`}`,
        ...(h.items ?? []).flatMap((i) => [`  ${i.line}`, ...(i.diff ?? []).map((l) => `      ${l}`)]),
      ]);
  }
  return run.out.split('\n').filter((l) => l.trim() !== '');
}
