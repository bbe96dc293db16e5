// OpenSSH `Match` lines, evaluated as ssh does but without side effects: criteria that would run a command or look at
// the network (exec, localnetwork, …) are refused with the line's location when they would decide, never run.
import { matchPatternList } from './ssh-pattern.js';

/** What `Match` criteria are tested against at one point of the resolution. */
export interface MatchSubject {
  /** The host as the user typed it (`originalhost`). */
  readonly alias: string;
  /** The HostName obtained so far (`%h` expanded), else the alias; in the final pass, the resolved HostName. */
  readonly host: string;
  /** The User obtained so far, else the local user (ssh's remote user default). */
  readonly user: string;
  readonly localUser: string;
  /** True in the final pass (`Match final` / `canonical` match only there). */
  readonly final: boolean;
}

/** A `Match` line: its criteria as tokens, and where it is. */
export interface MatchLine {
  readonly criteria: readonly string[];
  readonly file: string;
  readonly line: number;
}

/** Criteria rig cannot evaluate without running something or knowing more than ssh_config says. */
const REFUSED = new Set(['exec', 'localnetwork', 'tagged', 'command', 'sessiontype', 'version']);
const SUPPORTED = 'rig reads all, host, originalhost, user, localuser, final, canonical';
/** Criteria with a pattern-list argument, and what they test. */
const TESTED = new Map<string, (s: MatchSubject) => { text: string; ignoreCase: boolean }>([
  ['host', (s) => ({ text: s.host, ignoreCase: true })],
  ['originalhost', (s) => ({ text: s.alias, ignoreCase: true })],
  ['user', (s) => ({ text: s.user, ignoreCase: false })],
  ['localuser', (s) => ({ text: s.localUser, ignoreCase: false })],
]);

/**
 * Whether `m` matches `subject`, and whether it asks for a final pass (`Match final`, not negated). Every criterion
 * must hold (`!criterion` negates one). A criterion rig refuses (exec…) is an error only when the others all hold
 * (it would decide); otherwise the line cannot match anyway. ssh too skips an exec after a criterion that failed.
 */
export function evaluateMatch(m: MatchLine, subject: MatchSubject): { matched: boolean; wantsFinal: boolean } {
  const at = `${m.file}:${m.line}`;
  if (m.criteria.length === 0) throw new Error(`${at}: Match needs criteria (e.g. Match host web-*, or Match all)`);
  let matched = true;
  let wantsFinal = false;
  let refused: string | undefined;
  for (let i = 0; i < m.criteria.length; i++) {
    const raw = m.criteria[i] as string;
    const negated = raw.startsWith('!');
    const name = (negated ? raw.slice(1) : raw).toLowerCase();
    let result: boolean;
    if (name === 'all') result = true;
    else if (name === 'final' || name === 'canonical') {
      wantsFinal ||= name === 'final' && !negated;
      result = subject.final;
    } else {
      const arg = m.criteria[++i];
      if (arg === undefined) throw new Error(`${at}: Match ${raw} needs an argument`);
      const tested = TESTED.get(name);
      if (tested === undefined) {
        if (!REFUSED.has(name)) throw new Error(`${at}: Match ${raw}: unknown criterion (${SUPPORTED})`);
        refused ??= `${raw} ${arg}`;
        continue;
      }
      const { text, ignoreCase } = tested(subject);
      result = matchPatternList(arg.split(','), text, ignoreCase);
    }
    if (result === negated) matched = false;
  }
  if (matched && refused !== undefined) {
    throw new Error(
      `${at}: Match ${refused}: rig does not evaluate this criterion (it never runs commands from ssh_config), ` +
        `and it decides for ${subject.alias} (the line's other criteria hold): narrow the line with Match ` +
        `host/user, or set the host's options in the inventory`,
    );
  }
  return { matched, wantsFinal };
}
