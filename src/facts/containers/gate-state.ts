// Fact `gate-state`: what the health gate polls, in one exec: each container's state, when its first passing
// healthcheck ended, and the host's clock, so how long the gate took after that check is measured on one clock.
import { z } from 'zod';
import { sh, type ExecNode } from '../../core/cmd/cmd.js';
import { assertCommandFits } from '../../core/cmd/limit.js';
import {
  MISSING,
  parseContainerLine,
  parseJsonLine,
  SHELL_PRELUDE,
  splitSections,
  type ContainerState,
} from './container-state.js';

/** A container's state, with the end of the first passing check docker still logs (host clock, epoch seconds). */
export interface GateContainer {
  readonly state: ContainerState;
  readonly firstPassAt?: number;
}

/** One poll: the host's clock when it was read (epoch seconds) and the containers asked for, absent ones skipped. */
export interface GateState {
  readonly now: number;
  readonly containers: readonly GateContainer[];
}

// Docker keeps the last 5 checks (`State.Health.Log`): exit code and end of each; their output is left on the host.
// One inspect per poll: the container record, a tab (JSON escapes tabs inside strings), the checks record.
const CHECKS_FORMAT =
  '{"checks":{{with index .State "Health"}}"{{range .Log}}{{.ExitCode}}@{{.End}};{{end}}"{{else}}null{{end}}}';

const SCRIPT = `${SHELL_PRELUDE}
HF='${CHECKS_FORMAT}'
echo --now
date +%s.%N
echo --containers
each container "$CF\t$HF" "$@"
echo --end`;

/** The gate's poll of `names` (one exec): see GateState. */
export function gateStateCmd(names: readonly string[]): ExecNode {
  for (const n of names) if (n === '') throw new Error('gate-state: a container name must not be empty');
  const cmd = sh(SCRIPT, ...names);
  assertCommandFits(cmd, `gate-state of ${names.length} containers`);
  return cmd;
}

const ChecksRecord = z.strictObject({ checks: z.string().nullable() });

/** Parses `gateStateCmd(names)` output; a record whose name is not the one asked is dropped (an ID prefix match). */
export function parseGateState(stdout: string, names: readonly string[]): GateState {
  const [clock = [], lines = []] = splitSections(stdout, ['--now', '--containers'], 'gate-state');
  const now = clock.length === 1 && /^\d+(\.\d+)?$/.test(clock[0] ?? '') ? Number(clock[0]) : NaN;
  if (Number.isNaN(now)) throw new Error(`gate-state: malformed --now section ${JSON.stringify(clock.join('\n'))}`);
  if (lines.length !== names.length)
    throw new Error(`gate-state: expected ${names.length} records, got ${lines.length}`);
  const containers = lines.flatMap((line, i): GateContainer[] => {
    if (line === MISSING) return [];
    const tab = line.lastIndexOf('\t');
    if (tab < 0)
      throw new Error(`gate-state: record ${i + 1} has no checks part: ${JSON.stringify(line.slice(0, 200))}`);
    const state = parseContainerLine(line.slice(0, tab), 'gate-state', i);
    const { checks } = parseJsonLine(line.slice(tab + 1), ChecksRecord, `gate-state: checks record ${i + 1}`);
    const firstPassAt = checks === null ? undefined : firstPass(checks);
    return names[i] === state.name ? [{ state, ...(firstPassAt === undefined ? {} : { firstPassAt }) }] : [];
  });
  return { now, containers };
}

/** How many checks docker keeps in `State.Health.Log`. */
const DOCKER_KEPT_CHECKS = 5;

/** `0@2026-12-05T22:26:20.517214868Z;1@…;` → the end of the first check that exited 0, as epoch seconds. */
function firstPass(checks: string): number | undefined {
  const entries = checks.split(';').filter((e) => e !== '');
  // a full log may have dropped the checks since the start: its first pass is then not the first one
  if (entries.length >= DOCKER_KEPT_CHECKS) return undefined;
  for (const entry of entries) {
    const at = entry.indexOf('@');
    if (at < 0 || entry.slice(0, at) !== '0') continue;
    const text = entry.slice(at + 1);
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) return undefined;
    // Date.parse keeps milliseconds; docker writes nanoseconds
    const frac = /\.(\d+)Z$/.exec(text)?.[1];
    return frac === undefined ? ms / 1000 : Math.floor(ms / 1000) + Number(`0.${frac}`);
  }
  return undefined;
}
