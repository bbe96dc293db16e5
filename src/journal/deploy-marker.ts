// The in-flight record of a deploy on its host (`<stateDir>/deploy.json`): written in the exec that takes the lock (a
// rollback: before it changes the host), advanced at each step, removed when it concludes. One left behind is an
// interrupted deploy: `rig plan` shows it and the next deploy finishes its work (gates what it started, records the
// release).
import { z } from 'zod';
import { sh, type ExecNode } from '../core/cmd/cmd.js';

/** The step a deploy was in: writing files, running `compose up`, or in the health gate after a successful `up`. */
export const MARKER_STEPS = ['files', 'up', 'gate'] as const;
export type MarkerStep = (typeof MARKER_STEPS)[number];

export const deployMarkerSchema = z.looseObject({
  deployId: z.string().min(1),
  user: z.string(),
  workstation: z.string(),
  command: z.string(),
  startedAt: z.string(),
  step: z.enum(MARKER_STEPS),
  /** The services the deploy (re)created or was about to (`up` and `gate`). */
  services: z.array(z.string()).optional(),
  /**
   * The containers (by id) it was to recreate or reload. A deploy cut short after writing files back under a container
   * whose labels are current (drift repaired) leaves no other trace that the container must still be recreated: the
   * next deploy does it while the container is the same one.
   */
  pending: z.array(z.strictObject({ id: z.string(), action: z.enum(['recreate', 'reload']) })).optional(),
  /** The release current when it started (what its automatic rollback would have gone back to). */
  previous: z.string().optional(),
});

export type DeployMarker = z.output<typeof deployMarkerSchema>;

/** The marker file's name in the state dir. */
export const MARKER_FILE = 'deploy.json';

/** The marker as the one line the scripts write (the host job's follower writes one as given). */
export function markerLine(m: DeployMarker): string {
  const line = JSON.stringify(m);
  if (line.includes('\n')) throw new Error('deploy marker: one line');
  return line;
}

/** Args: stateDir. Stdin: the marker line. Writes it atomically (0600). */
const WRITE = `umask 077
[ -d "$1" ] || mkdir -p -m 0700 -- "$1" || exit 1
IFS= read -r m || exit 1
printf '%s\\n' "$m" > "$1/.${MARKER_FILE}.tmp" && mv -f -- "$1/.${MARKER_FILE}.tmp" "$1/${MARKER_FILE}"`;

/**
 * Args: stateDir, then the `"deployId":"…"` needles of the markers to remove. Any other marker stays. The marker is
 * one line, read by the shell (no grep: this runs in every deploy's last exec).
 */
const CLEAR = `f=$1/${MARKER_FILE} c=; shift
[ -e "$f" ] || exit 0
{ IFS= read -r c || :; } 2>/dev/null <"$f" || exit 0
for n do case $c in *"$n"*) rm -f -- "$f"; exit ;; esac; done
exit 0`;

/** The write as an exec part: its command and its stdin share. */
export function markerWriteStep(stateDir: string, m: DeployMarker): { cmd: ExecNode; stdin: string } {
  return { cmd: sh(WRITE, stateDir), stdin: `${markerLine(m)}\n` };
}

/** Removes the marker when it belongs to one of `deployIds`. */
export function markerClearCmd(stateDir: string, deployIds: readonly string[]): ExecNode {
  return sh(CLEAR, stateDir, ...deployIds.map((id) => `"deployId":${JSON.stringify(id)}`));
}

/** Prints the marker (nothing when there is none): a part of the planning fact batch. */
export function markerReadCmd(stateDir: string): ExecNode {
  // no cat when there is no marker (every deploy that concluded): a process less in every planning exec
  return sh(`[ ! -e "$1/${MARKER_FILE}" ] || cat -- "$1/${MARKER_FILE}" 2>/dev/null; exit 0`, stateDir);
}

/** Parses `markerReadCmd` output: undefined when absent or not a marker rig wrote. */
export function parseMarker(stdout: string): DeployMarker | undefined {
  if (stdout.trim() === '') return undefined;
  try {
    const r = deployMarkerSchema.safeParse(JSON.parse(stdout));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
