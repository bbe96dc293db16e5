// The remote half of a file apply as data: steps, their encoding as positional args, and the one sh script running them.
import { sh, type ExecNode } from '../core/cmd.js';
import type { PathAttrs } from '../core/op.js';
import { assertCommandFits } from '../core/command-limit.js';

/** One step of the remote script. Each reports one status line; the first failure stops the rest. */
export type ApplyStep =
  /** `mkdir -p`, then chmod/chown the leaf. */
  | { readonly kind: 'mkdir'; readonly path: string; readonly attrs: PathAttrs }
  /** chmod/chown of an existing path (no content change). */
  | { readonly kind: 'attrs'; readonly path: string; readonly attrs: PathAttrs }
  /** Gives the uploaded temp its final attrs, fsyncs it and renames it over `path`. */
  | { readonly kind: 'commit'; readonly path: string; readonly temp: string; readonly attrs: PathAttrs }
  /** Removes `.*.rig-tmp-*` in `path` left by a killed run (not this run's). Never fails the apply. */
  | { readonly kind: 'sweep'; readonly path: string }
  /** fsyncs a directory, so renames in it survive a crash. */
  | { readonly kind: 'sync-dir'; readonly path: string }
  /** become: copies an upload staged by the login user (`path`) to its temp beside the target, as root. */
  | { readonly kind: 'place'; readonly path: string; readonly temp: string }
  /** become: removes the login user's staging directory; runs even after a failure. */
  | { readonly kind: 'unstage'; readonly path: string };

const OPCODE: Record<ApplyStep['kind'], string> = { mkdir: 'D', attrs: 'A', commit: 'F', sweep: 'C', 'sync-dir': 'S', place: 'P', unstage: 'U' };

/*
 * Arguments: the run id, then 6 per step: opcode, path, temp, mode (octal, '' = leave), owner, group ('' = leave).
 * Status lines on stdout, one per step in order: `<n> ok`, `<n> fail <what>`, `<n> skipped`. After a
 * failure the remaining steps are skipped and their temps removed; the script exits 3. A commit with no
 * mode/owner asked keeps the replaced file's (`--reference`); a new file without a mode gets 0644.
 * `mv -T` refuses to move the temp *into* a directory that sits at the target path.
 */
const SCRIPT = `run=$1; shift
n=0 failed=
attrs() {
  if [ -n "$2" ]; then chmod -- "$2" "$1" || { step=chmod; return; }; fi
  if [ -n "$3$4" ]; then chown -- "$3\${4:+:$4}" "$1" || step=chown; fi
}
commit() {
  if [ -e "$p" ]; then
    [ -n "$m" ] || chmod --reference="$p" -- "$t" || { step=chmod; return; }
    [ -n "$o" ] && [ -n "$g" ] || chown --reference="$p" -- "$t" || { step=chown; return; }
  else
    [ -n "$m" ] || chmod 0644 -- "$t" || { step=chmod; return; }
  fi
  attrs "$t" "$m" "$o" "$g"
  [ -z "$step" ] || return
  sync -- "$t" || { step=sync; return; }
  mv -f -T -- "$t" "$p" || step=rename
}
sweep() {
  for f in "$p"/.*.rig-tmp-*; do
    case $f in *.rig-tmp-"$run") continue ;; esac
    if [ -e "$f" ] || [ -L "$f" ]; then rm -f -- "$f" || :; fi
  done
}
while [ $# -ge 6 ]; do
  op=$1 p=$2 t=$3 m=$4 o=$5 g=$6 step=
  shift 6
  if [ -n "$failed" ]; then
    case $op in F|P) rm -f -- "$t" ;; U) rm -rf -- "$p" ;; esac
    echo "$n skipped"
  else
    case $op in
      D) mkdir -p -- "$p" || step=mkdir; [ -n "$step" ] || attrs "$p" "$m" "$o" "$g" ;;
      A) attrs "$p" "$m" "$o" "$g" ;;
      F) commit ;;
      C) sweep ;;
      S) sync -- "$p" || step=sync ;;
      P) { cp -- "$p" "$t" && chmod 0600 -- "$t"; } || step=copy ;;
      U) rm -rf -- "$p" || step=unstage ;;
    esac
    if [ -z "$step" ]; then echo "$n ok"; else echo "$n fail $step"; failed=1; case $op in F|P) rm -f -- "$t" ;; esac; fi
  fi
  n=$((n+1))
done
[ -z "$failed" ] || exit 3`;

/** Exit status of the script when a step failed (its status line says which). */
export const STEP_FAILED_EXIT = 3;

/** The one exec running `steps` in order; `runId` names this run's temps, which the sweeps spare. */
export function applyStepsCmd(runId: string, steps: readonly ApplyStep[]): ExecNode {
  const cmd = sh(SCRIPT, runId, ...steps.flatMap(encode));
  assertCommandFits(cmd, `apply of ${steps.length} steps`);
  return cmd;
}

function encode(s: ApplyStep): string[] {
  const temp = s.kind === 'commit' || s.kind === 'place' ? s.temp : '';
  const a = s.kind === 'mkdir' || s.kind === 'attrs' || s.kind === 'commit' ? s.attrs : {};
  return [OPCODE[s.kind], s.path, temp, a.mode === undefined ? '' : modeText(a.mode), a.owner ?? '', a.group ?? ''];
}

/** `0o640` → `0640`: what chmod expects. */
export function modeText(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}
