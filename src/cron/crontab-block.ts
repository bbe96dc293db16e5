// Pure: rig's marked block in a crontab (`# rig:nightly:<env> begin` … `end`): build it, replace it, remove it, list
// them.
import { UsageError, UserError } from '../core/errors/errors.js';

const MARKER = /^# rig:nightly:([A-Za-z0-9_.-]+) (begin|end)$/;

/** `--at HH:MM` (the cron daemon's local time). */
export interface CronTime {
  readonly hour: number;
  readonly minute: number;
}

/** One rig block found in a crontab. */
export interface CrontabBlock {
  readonly env: string;
  /** The lines between the markers. */
  readonly lines: readonly string[];
  /** 1-based line of the begin marker. */
  readonly line: number;
}

/** Parses `03:15`; anything else is a usage error. */
export function parseCronTime(at: string): CronTime {
  const m = /^(\d{1,2}):(\d{2})$/.exec(at);
  const hour = Number(m?.[1]);
  const minute = Number(m?.[2]);
  if (!m || hour > 23 || minute > 59)
    throw new UsageError(`rig cron install --at: "${at}" is not a time of day HH:MM (00:00 to 23:59)`);
  return { hour, minute };
}

/** The block's lines: markers, a comment saying how to change or stop it, and the schedule line. */
export function nightlyBlock(env: string, at: CronTime, command: string): string[] {
  if (!/^[A-Za-z0-9_.-]+$/.test(env))
    throw new UsageError(`cron: "${env}" is not an env name (letters, digits, ".", "_" and "-")`);
  if (/[%\n\r]/.test(command))
    throw new UserError(
      `cron: the command must not contain %, CR or LF (cron reads % as a newline): ${JSON.stringify(command)}`,
    );
  const hhmm = `${String(at.hour).padStart(2, '0')}:${String(at.minute).padStart(2, '0')}`;
  return [
    `# rig:nightly:${env} begin`,
    `# rig's nightly checks of env ${env} at ${hhmm}: change with rig cron install --env ${env} --at HH:MM, stop with rig cron remove --env ${env}`,
    `${at.minute} ${at.hour} * * * ${command}`,
    `# rig:nightly:${env} end`,
  ];
}

/** Every rig block of a crontab; a begin without its end (or an end without its begin) is an error. */
export function findBlocks(crontab: string): CrontabBlock[] {
  const lines = crontab.split('\n');
  const out: CrontabBlock[] = [];
  let open: { env: string; line: number } | undefined;
  lines.forEach((text, i) => {
    const m = MARKER.exec(text);
    if (!m) return;
    const [, env = '', edge] = m;
    if (edge === 'begin' && open === undefined) open = { env, line: i + 1 };
    else if (edge === 'end' && open?.env === env) {
      out.push({ env, line: open.line, lines: lines.slice(open.line, i) });
      open = undefined;
    } else throw malformed(i + 1, text);
  });
  if (open !== undefined) throw malformed(open.line, `# rig:nightly:${open.env} begin`);
  return out;
}

/** The crontab with the env's block replaced in place, or appended when it has none; every other line untouched. */
export function upsertBlock(crontab: string, env: string, block: readonly string[]): string {
  const existing = findBlocks(crontab).find((b) => b.env === env);
  const lines = body(crontab);
  if (existing === undefined) return text([...lines, ...block]);
  return text([
    ...lines.slice(0, existing.line - 1),
    ...block,
    ...lines.slice(existing.line + existing.lines.length + 1),
  ]);
}

/** The crontab without the env's block (`removed: false` and the text unchanged when it has none). */
export function removeBlock(crontab: string, env: string): { text: string; removed: boolean } {
  const existing = findBlocks(crontab).find((b) => b.env === env);
  if (existing === undefined) return { text: crontab, removed: false };
  const lines = body(crontab);
  return {
    text: text([...lines.slice(0, existing.line - 1), ...lines.slice(existing.line + existing.lines.length + 1)]),
    removed: true,
  };
}

/** The lines of a crontab without the empty string a final newline leaves. */
function body(crontab: string): string[] {
  const lines = crontab.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** cron ignores a last line without a newline: every line ends with one. */
function text(lines: readonly string[]): string {
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function malformed(line: number, text: string): UserError {
  return new UserError(
    `crontab line ${line}: "${text}" has no matching rig:nightly marker; fix the crontab by hand (crontab -e) first`,
  );
}
