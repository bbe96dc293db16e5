// The remote half of a file apply as data: steps, their encoding as positional args, and the one sh script running
// them.
import { sh, type ExecNode } from '../core/cmd/cmd.js';
import type { PathAttrs } from '../core/desired/op.js';
import { assertCommandFits } from '../core/cmd/limit.js';
import { GUARD_SH } from '../facts/files/path-guard.js';
import { tempName } from './apply-temp-name.js';

/**
 * Where a commit takes its temp from: a path (a temp written by an earlier exec) or a `write` step of the same exec.
 */
export type TempRef = string | { readonly step: number };

/** One step of the remote script. Each reports one status line; the first failure stops the rest. */
export type ApplyStep =
  /** `mkdir -p`, then chmod/chown the leaf. */
  | { readonly kind: 'mkdir'; readonly path: string; readonly attrs: PathAttrs }
  /** chmod/chown of an existing path (no content change). */
  | { readonly kind: 'attrs'; readonly path: string; readonly attrs: PathAttrs }
  /** Removes `.*.rig-tmp-*` in `path` left by a killed run. Never fails the apply. */
  | { readonly kind: 'sweep'; readonly path: string }
  /**
   * Creates a temp named from `template` (its random part filled in as the command is built; created exclusively,
   * 0600, or in `mode` itself: see createUmask) and writes the next `size` bytes of stdin into it.
   * `mode`: the mode its commit sets, given by the `prepare` step at once to every temp written as rig itself (a
   * chmod only for a temp not created in it).
   */
  | {
      readonly kind: 'write';
      readonly path: string;
      readonly template: string;
      readonly size: number;
      readonly mode?: number;
    }
  /**
   * After the writes: every temp this exec wrote as rig itself gets its size checked (one `stat`), its asked mode (one
   * `chmod` per mode) and its fsync (one `sync`); their commits then only rename (an fsync again only after an attrs
   * change there). `path`: the directory of the first write (named when it fails).
   */
  | { readonly kind: 'prepare'; readonly path: string }
  /** Gives the temp its final attrs, fsyncs it and renames it over `path`. */
  | { readonly kind: 'commit'; readonly path: string; readonly temp: TempRef; readonly attrs: PathAttrs }
  /** fsyncs a directory, so renames in it survive a crash. */
  | { readonly kind: 'sync-dir'; readonly path: string }
  /** Removes a temp (after a failed check). */
  | { readonly kind: 'remove'; readonly path: string };

const OPCODE: Record<ApplyStep['kind'], string> = {
  mkdir: 'D',
  attrs: 'A',
  sweep: 'C',
  write: 'W',
  prepare: 'Y',
  commit: 'F',
  'sync-dir': 'S',
  remove: 'R',
};

/*
 * One step as a function, `rig_step <op> <path> <temp> <mode|size> <owner> <group>`: called in the outer shell when the
 * step acts as rig itself, or in a child `sh` started through setpriv when it acts as a directory's owner (see
 * path-guard). Return codes name what failed (the outer script's table). A write creates its temp (the name rig chose,
 * random) exclusively by the shell itself: `set -C` opens it O_CREAT|O_EXCL (an existing name, a symlink too, is
 * refused: exit 15, nothing removed), under umask 077 (0600), or as rig itself under the umask `rig_s_u` that gives the
 * file's final mode (createUmask), and `head` writes through that one descriptor (no mktemp process per file). It
 * leaves its temp in `rig_s_out` (and prints it when `rig_s_print` is set: a child cannot set the outer shell's
 * variables). A commit with no mode/owner asked keeps the replaced file's (`--reference`); a new file without a mode
 * gets 0644. `mv -T` refuses to move the temp *into* a directory that sits at the target path. As rig itself, a write
 * leaves its size check to the prepare step (`rig_s_later`), and a commit of a prepared temp (`rig_s_ready`: its mode
 * set and fsynced) only renames, unless it still sets attrs (then it fsyncs again).
 */
const STEP = `rig_step() {
  rig_s_op=$1 rig_s_p=$2 rig_s_t=$3 rig_s_m=$4 rig_s_o=$5 rig_s_g=$6
  case $rig_s_op in
    D) mkdir -p -- "$rig_s_p" || return 10; rig_attrs "$rig_s_p" ;;
    A) rig_attrs "$rig_s_p" ;;
    C) for rig_s_f in "$rig_s_p"/.*.rig-tmp-*; do
         if [ -e "$rig_s_f" ] || [ -L "$rig_s_f" ]; then rm -f -- "$rig_s_f" || :; fi
       done ;;
    W) [ -n "$rig_um" ] || rig_um=$(umask)
       umask "\${rig_s_u:-077}"; set -C; rig_s_x=
       { rig_s_x=1; head -c "$rig_s_m" >&3; } 3>"$rig_s_t"
       rig_s_rc=$?; set +C; umask "$rig_um"
       [ -n "$rig_s_x" ] || return 15
       if [ "$rig_s_rc" = 0 ] && { [ -n "$rig_s_later" ] || [ "$(stat -c %s -- "$rig_s_t")" = "$rig_s_m" ]; }; then
         rig_s_out=$rig_s_t; [ -z "$rig_s_print" ] || printf '%s\\n' "$rig_s_t"
       else rm -f -- "$rig_s_t"; return 16; fi ;;
    F) rig_s_x=
       if [ -e "$rig_s_p" ]; then
         [ -n "$rig_s_m" ] || { chmod --reference="$rig_s_p" -- "$rig_s_t" || return 11; rig_s_x=1; }
         [ -n "$rig_s_o" ] && [ -n "$rig_s_g" ] || { chown --reference="$rig_s_p" -- "$rig_s_t" || return 12; rig_s_x=1; }
       else
         [ -n "$rig_s_m" ] || { chmod 0644 -- "$rig_s_t" || return 11; rig_s_x=1; }
       fi
       [ -z "$rig_s_ready" ] || rig_s_m=
       [ -z "$rig_s_m$rig_s_o$rig_s_g" ] || rig_s_x=1
       rig_attrs "$rig_s_t" || return
       [ -n "$rig_s_ready" ] && [ -z "$rig_s_x" ] || sync -- "$rig_s_t" || return 13
       mv -f -T -- "$rig_s_t" "$rig_s_p" || return 14 ;;
    S) sync -- "$rig_s_p" || return 13 ;;
    R) rm -f -- "$rig_s_p" || return 17 ;;
  esac
}
rig_attrs() {
  [ -z "$rig_s_m" ] || chmod -- "$rig_s_m" "$1" || return 11
  [ -z "$rig_s_o$rig_s_g" ] || chown -- "$rig_s_o\${rig_s_g:+:$rig_s_g}" "$1" || return 12
}`;

/*
 * The prepare step (`rig_prep`, in the outer shell): the temps written as rig itself (`rig_a_<n>` is `-`): one `stat`
 * compares their sizes with what each write took (`rig_z_<n>`) and reads their modes, one `chmod` per asked mode
 * (`rig_md_<n>`) for the temps not already in it (`rig_pk_<n>`: not created in it, see createUmask, or a default ACL
 * gave another), one `sync`; each is then marked ready (`rig_y_<n>`). A process costs ~5 ms of a host's CPU: per file
 * only head and mv remain. Written without braces: the indirect names go through eval.
 */
const PREP = String.raw`rig_self() {
  for rig_i in $rig_w; do
    eval "rig_pa=\$rig_a_$rig_i rig_pt=\$rig_t_$rig_i rig_px=\$rig_md_$rig_i rig_pc=\$rig_pk_$rig_i"
    [ "$rig_pa" = - ] && [ -n "$rig_pt" ] || continue
    [ -z "$1" ] || { [ "$rig_px" = "$1" ] && [ -n "$rig_pc" ]; } || continue
    rig_sl="$rig_sl$rig_i "
  done
}
rig_prep() {
  rig_sl=; rig_self ''; rig_all=$rig_sl
  [ -n "$rig_all" ] || return 0
  set --
  for rig_i in $rig_all; do eval "set -- \"\$@\" \"\$rig_t_$rig_i\""; done
  rig_pz=$(stat -c '%s %a' -- "$@") || return 16
  set -f; set -- $rig_pz; set +f
  rig_ms=
  for rig_i in $rig_all; do
    [ $# -ge 2 ] || return 16
    eval "rig_pe=\$rig_z_$rig_i rig_pm=\$rig_md_$rig_i"
    [ "$1" = "$rig_pe" ] || return 16
    case $2 in ''|*[!0-7]*) return 16 ;; esac
    if [ -n "$rig_pm" ] && [ "$((0$2))" != "$((0$rig_pm))" ]; then
      eval "rig_pk_$rig_i=1"
      case " $rig_ms " in *" $rig_pm "*) ;; *) rig_ms="$rig_ms $rig_pm" ;; esac
    else eval "rig_pk_$rig_i="; fi
    shift 2
  done
  [ $# = 0 ] || return 16
  for rig_pm in $rig_ms; do
    rig_sl=; rig_self "$rig_pm"; set --
    for rig_i in $rig_sl; do eval "set -- \"\$@\" \"\$rig_t_$rig_i\""; done
    chmod -- "$rig_pm" "$@" || return 11
  done
  set --
  for rig_i in $rig_all; do eval "set -- \"\$@\" \"\$rig_t_$rig_i\""; done
  sync -- "$@" || return 13
  for rig_i in $rig_all; do eval "rig_y_$rig_i=1"; done
}`;

/*
 * Arguments: STEP, then 6 per step: opcode, path, temp (a path, or `@<n>`: the temp step n wrote), mode (octal, or the
 * byte count of a write), owner (a write: the mode its commit sets), group ('' = leave; a write: the umask it creates
 * its temp under when rig itself writes it, '' = 077). Stdin: the bytes of the write steps, in order. Status lines on
 * stdout, one per step in order: `<n> ok` (a write: `<n> ok <temp suffix> <uid acted as, - = self>`), `<n> fail <what>[
 * <reason> | as uid <U>]`, `<n> skipped`. After a failure the remaining steps are skipped, every temp of this exec not
 * yet renamed is removed, and the script exits 3. Each step's directory is judged by rig_guard first: once per
 * directory (a judgement costs a stat), the verdicts kept until a mkdir/attrs step may have changed ownership. The
 * first step after the start or after such a step judges, in one stat (rig_pre, path-guard's rig_guard_all), every
 * directory the steps up to the next mkdir/attrs step act in (rig_dir names a step's directory for both): the same
 * verdicts, judged a few steps earlier, by steps that change no directory (when the one stat cannot be matched, each is
 * judged alone, as before). The script's own cache (rig_ad_N, rig_av_N, rig_an) must not share a name with path-guard's
 * (rig_gk_N, rig_gv_N, rig_gn; rig_pre sets rig_gn back to 0 once it has copied the verdicts): when it did, a judgement
 * overwrote a kept verdict and a step in root's directory ran as its neighbour's uid (symlink-swap.test.ts, 'acts as
 * root where only root can write'). Consecutive directory fsyncs that rig does as itself run as one `sync` (rig_flush),
 * their status lines printed once it returns; when it fails they are fsynced one by one, so that the failing
 * directory's step fails and the later ones are skipped.
 */
const SCRIPT = `${GUARD_SH}
${PREP}
step=$1; shift
eval "$step"
n=0 failed= rig_w= rig_an=0 rig_pd=
rig_need() {
  rig_ai=0
  while [ "$rig_ai" -lt "$rig_an" ]; do
    eval "rig_ak=\\$rig_ad_$rig_ai"
    [ "$rig_ak" != "$1" ] || { eval "rig_id=\\$rig_av_$rig_ai"; return 0; }
    rig_ai=$((rig_ai+1))
  done
  rig_guard "$1"; eval "rig_ad_$rig_an=\\$1 rig_av_$rig_an=\\$rig_id"; rig_an=$((rig_an+1))
}
rig_drop() { d=\${1%/*}; rig_need "\${d:-/}"; rig_as rm -f -- "$1" </dev/null || :; }
rig_dir() { case $1 in C|S) rig_qd=$2 ;; *) rig_qd=\${2%/*}; rig_qd=\${rig_qd:-/} ;; esac; }
rig_pre() {
  rig_pd=1 rig_gn=0
  while [ $# -ge 6 ]; do
    if [ "$1" != Y ]; then
      rig_dir "$1" "$2"
      rig_qk=1 rig_qh=
      while [ "$rig_qk" -le "$rig_gn" ]; do
        eval "[ \\"\\$rig_gk_$rig_qk\\" != \\"\\$rig_qd\\" ]" || { rig_qh=1; break; }
        rig_qk=$((rig_qk+1))
      done
      [ -n "$rig_qh" ] || { rig_gn=$((rig_gn+1)); eval "rig_gk_$rig_gn=\\$rig_qd"; }
    fi
    shift 6
    case \${1-} in D|A) break ;; esac
  done
  if [ "$rig_gn" -gt 1 ] && rig_guard_all 1 "$rig_gn"; then
    rig_qk=1
    while [ "$rig_qk" -le "$rig_gn" ]; do
      eval "rig_ad_$rig_an=\\$rig_gk_$rig_qk rig_av_$rig_an=\\$rig_gv_$rig_qk"
      rig_an=$((rig_an+1)) rig_qk=$((rig_qk+1))
    done
  fi
  rig_gn=0
}
rig_sq=
rig_flush() {
  set --
  for rig_j in $rig_sq; do eval "set -- \\"\\$@\\" \\"\\$rig_sd_$rig_j\\""; done
  if sync -- "$@"; then for rig_j in $rig_sq; do echo "$rig_j ok"; done
  else
    for rig_j in $rig_sq; do
      if [ -n "$failed" ]; then echo "$rig_j skipped"
      elif eval "sync -- \\"\\$rig_sd_$rig_j\\""; then echo "$rig_j ok"
      else echo "$rig_j fail sync"; failed=1; fi
    done
  fi
  rig_sq=
}
while [ $# -ge 6 ]; do
  op=$1 p=$2 t=$3 m=$4 o=$5 g=$6 k=
  shift 6
  rig_dir "$op" "$p"; d=$rig_qd
  case $op$t in F@*) k=\${t#@}; eval "t=\\\${rig_t_$k-}" ;; esac
  [ "$op" = S ] || [ -z "$rig_sq" ] || rig_flush
  if [ -n "$failed" ]; then
    if [ "$op" = F ] && [ -n "$t" ]; then rig_drop "$t"; [ -z "$k" ] || eval "rig_t_$k="; fi
    echo "$n skipped"
  else
    rc=0
    case $op in Y|D|A) ;; *) [ -n "$rig_pd" ] || rig_pre "$op" "$p" "$t" "$m" "$o" "$g" "$@" ;; esac
    [ "$op" = Y ] || rig_need "$d"
    if [ "$op" = S ] && [ -z "$rig_id" ]; then
      rig_sq="$rig_sq$n "; eval "rig_sd_$n=\\$p"; n=$((n+1)); continue
    fi
    [ -z "$rig_sq" ] || rig_flush
    if [ -n "$failed" ]; then echo "$n skipped"; n=$((n+1)); continue; fi
    if [ "$op" = Y ]; then rig_prep || rc=$?
    elif [ -z "$rig_id" ]; then
      rig_s_later=1 rig_s_ready= rig_s_u=
      [ -z "$k" ] || eval "rig_s_ready=\\\${rig_y_$k-}"
      case $op in W) rig_s_u=$g; rig_step W "$p" "$t" "$m" "" "" ;; *) rig_step "$op" "$p" "$t" "$m" "$o" "$g" ;; esac || rc=$?
      rig_s_later= rig_s_ready= rig_s_u=; out=$rig_s_out
    elif [ "$op" = W ]; then out=$(rig_as sh -c "$step
rig_s_print=1; rig_step \\"\\$@\\"" sh W "$p" "$t" "$m" "" "") || rc=$?
    else rig_as sh -c "$step
rig_step \\"\\$@\\"" sh "$op" "$p" "$t" "$m" "$o" "$g" </dev/null || rc=$?; fi
    case $op in D|A) rig_an=0 rig_pd= ;; esac
    case $rc in
      0) case $op in
           W) eval "rig_t_$n=\\$out"; rig_w="$rig_w $n"; a=\${rig_id%%:*}; echo "$n ok \${out##*.rig-tmp-} \${a:--}"
              eval "rig_a_$n=\${a:--} rig_z_$n=\\$m rig_md_$n=\\$o" ;;
           F) [ -z "$k" ] || eval "rig_t_$k="; echo "$n ok" ;;
           *) echo "$n ok" ;;
         esac ;;
      *) case $rc in
           10) what=mkdir ;; 11) what=chmod ;; 12) what=chown ;; 13) what=sync ;; 14) what=rename ;;
           15) what=temp ;; 16) what=write ;; 17) what=remove ;; 124) what=setpriv ;;
           125) what="unsafe \${rig_id#!}"; echo "rig: $p: \${rig_id#!}" >&2 ;; *) what=failed ;;
         esac
         case $rig_id in ''|'!'*) ;; *) what="$what as uid \${rig_id%%:*}" ;; esac
         echo "$n fail $what"; failed=1
         if [ "$op" = F ] && [ -n "$t" ]; then rig_drop "$t"; [ -z "$k" ] || eval "rig_t_$k="; fi ;;
    esac
  fi
  n=$((n+1))
done
[ -z "$rig_sq" ] || rig_flush
[ -n "$failed" ] || exit 0
for i in $rig_w; do eval "t=\\\${rig_t_$i-}"; [ -z "$t" ] || rig_drop "$t"; done
exit 3`;

/** Exit status of the script when a step failed (its status line says which). */
export const STEP_FAILED_EXIT = 3;

/** The one exec running `steps` in order; the bytes of its write steps go on its stdin (see writeStdin). */
export function applyStepsCmd(steps: readonly ApplyStep[]): ExecNode {
  const cmd = sh(SCRIPT, STEP, ...steps.flatMap(encode));
  assertCommandFits(cmd, `apply of ${steps.length} steps`);
  return cmd;
}

function encode(s: ApplyStep): string[] {
  if (s.kind === 'write')
    return [
      OPCODE.write,
      s.path,
      tempName(s.template),
      String(s.size),
      s.mode === undefined ? '' : modeText(s.mode),
      s.mode === undefined ? '' : (createUmask(s.mode) ?? ''),
    ];
  const a = s.kind === 'mkdir' || s.kind === 'attrs' || s.kind === 'commit' ? s.attrs : {};
  const mode = a.mode === undefined ? '' : modeText(a.mode);
  const temp = s.kind === 'commit' ? (typeof s.temp === 'string' ? s.temp : `@${s.temp.step}`) : '';
  return [OPCODE[s.kind], s.path, temp, mode, a.owner ?? '', a.group ?? ''];
}

/**
 * The umask under which the shell creates a file (0666 masked) in exactly `mode`, when `mode` lets nobody but its owner
 * write and nobody execute, has no special bit and gives its group what it gives others (0644, 0600, 0444, 0400);
 * undefined otherwise (the temp is then created 0600 and chmod'ed). A temp created in its final mode is readable by
 * whom the file will be readable after its rename, whichever group the commit gives it (a temp's group is rig's, a
 * commit may set another: asked, or the replaced file's), and writable only by its owner (rig): a chmod process less
 * per mode per exec. The prepare step still reads every temp's mode and chmods one that is not in it (a default ACL of
 * the directory decides the mode at creation, not the umask).
 */
export function createUmask(mode: number): string | undefined {
  if ((mode & ~0o644) !== 0 || ((mode >> 3) & 7) !== (mode & 7)) return undefined;
  return modeText(0o777 & ~mode);
}

/** `0o640` → `0640`: what chmod expects. */
export function modeText(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}
