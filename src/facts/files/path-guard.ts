// Who may act on a path: root only where no one else can swap what the path leads to, else that directory's owner.
/*
 * The one design rig applies to every file operation on a host (facts, content reads, the apply script, drift):
 * before touching a path, the script judges the directories its resolution traverses, and acts
 *   - as itself (root) when every one of them is owned by root and writable by no group or others: nobody else can
 *     rename, replace or swap an entry there, so path-based operations cannot be redirected;
 *   - as the directory's owner U (util-linux `setpriv --reuid=U --regid=G --clear-groups --nnp`, G the group of
 *     U's deepest directory) when some of them belong to one non-root uid U: a symlink U swaps in then reaches only
 *     what U could reach anyway;
 *   - not at all (refused, with the reason) otherwise: a directory writable by a group or others (a sticky one such
 *     as /tmp is accepted above the last existing directory, whose entries only their owners can rename), two
 *     non-root owners, U's directory with group root, or a non-root rig that is not U.
 * Traversed directories are: every existing prefix of the literal path (followed, so a symlinked prefix is judged
 * by what it leads to) and every prefix of its canonical path (`readlink -e`). Not covered: a root-made symlink
 * chain whose intermediate links sit in directories that appear in neither (SECURITY.md).
 * Why not operations that cannot be redirected, as root? POSIX sh and coreutils have no openat/O_NOFOLLOW for
 * chmod, cp or reads by path, and SFTP v3 has none either (OpenSSH's lsetstat@openssh.com spares the last component
 * only): see SECURITY.md.
 */

/**
 * Shell functions, prepended to the scripts that touch managed paths. `rig_guard DIR` sets `rig_id` to '' (act as
 * this shell's user), `U:G` (act as uid U, gid G) or `!reason` (refused); `rig_as CMD…` runs an external command
 * as `rig_id` (exit 125 when refused, 124 when setpriv is missing). A judged directory costs one `stat` in a command
 * substitution, judged by shell builtins (every planning exec judges its directories, and a process is what costs a
 * host: `stat` piped into an `awk` cost a host ~16 ms of CPU, the `stat` alone and the builtins ~5 ms): the canonical
 * path comes from `cd -P`, a builtin (`readlink -e` only where that fails), and `id -u` runs only when a non-root uid
 * owns one, once per shell.
 * `rig_guard_all FROM TO` judges the directories `$rig_gk_FROM` … `$rig_gk_TO` with ONE `stat` into `$rig_gv_N`;
 * with `rig_gn=TO` (FROM 1), `rig_guard` then looks them up. Each of stat's lines must be `uid gid mode NAME` with
 * NAME the very path asked for (decimal ids, an octal mode, checked before any arithmetic): when they cannot be
 * matched so (a name with a newline, a directory gone), it returns 1 and sets none: judge each alone then.
 * Per directory, over its entries in order (`/`, its literal prefixes, then its canonical ones): the first entry
 * writable by group or others (a sticky one only as the last literal or last entry) refuses it, as does a literal
 * symlink in a directory group or others can write; else the non-root owners decide (none: act as this shell's user;
 * one, U: act as U with the group of U's deepest entry, unless that is root's group; more: refused).
 */
export const GUARD_SH = `rig_guard() {
  rig_k=1
  while [ "$rig_k" -le "\${rig_gn:-0}" ]; do
    if eval "[ \\"\\$rig_gk_$rig_k\\" = \\"\\$1\\" ] && [ -n \\"\\\${rig_gv_$rig_k+x}\\" ]"; then
      eval "rig_id=\\$rig_gv_$rig_k"; return
    fi
    rig_k=$((rig_k+1))
  done
  rig_gk_0=$1
  rig_guard_all 0 0; rig_id=$rig_gv_0
}
rig_guard_all() {
  rig_gm= rig_gifs=$IFS rig_ga=$1 rig_gz=$2 rig_k=$1
  set --
  while [ "$rig_k" -le "$rig_gz" ]; do
    eval "rig_gd=\\$rig_gk_$rig_k"; unset rig_gv_$rig_k rig_gr_$rig_k
    rig_gp= rig_gl=/ ; set -- "$@" /; rig_gm="$rig_gm $rig_k:l"
    IFS=/; set -f
    for rig_gc in $rig_gd; do
      [ -n "$rig_gc" ] || continue
      rig_gp=$rig_gp/$rig_gc
      if [ -L "$rig_gp" ]; then rig_gm="$rig_gm $rig_k:s"
      elif [ -e "$rig_gp" ]; then rig_gm="$rig_gm $rig_k:l"
      else break; fi
      set -- "$@" "$rig_gp"; rig_gl=$rig_gp
    done
    IFS=$rig_gifs; set +f
    rig_gs=$PWD
    if cd -P -- "$rig_gl" 2>/dev/null; then rig_gc=$PWD; cd -- "$rig_gs" 2>/dev/null || cd /
    else rig_gc=$(readlink -e -- "$rig_gl") || { eval "rig_gv_$rig_k=\\"!cannot resolve \\$rig_gl\\""; rig_gc=; }; fi
    rig_gp=
    IFS=/; set -f
    for rig_gx in $rig_gc; do
      [ -n "$rig_gx" ] || continue
      rig_gp=$rig_gp/$rig_gx; set -- "$@" "$rig_gp"; rig_gm="$rig_gm $rig_k:c"
    done
    IFS=$rig_gifs; set +f
    rig_k=$((rig_k+1))
  done
  rig_gall=$(stat -L -c '%u %g %a %n' -- "$@" 2>/dev/null) || rig_gall=
  rig_gok=1 rig_gm=\${rig_gm# } rig_go= rig_gg= rig_gwhy= rig_gpw=0 rig_gmany=0
  for rig_gp do
    rig_gt=\${rig_gm%% *}; rig_gm=\${rig_gm#"$rig_gt"}; rig_gm=\${rig_gm# }; rig_gnx=\${rig_gm%% *}
    rig_gi=\${rig_gt%%:*}; rig_gty=\${rig_gt#*:}
    rig_gx=\${rig_gall%%"$RIG_NL"*}; rig_gall=\${rig_gall#"$rig_gx"}; rig_gall=\${rig_gall#"$RIG_NL"}
    rig_gu=\${rig_gx%% *}; rig_gx=\${rig_gx#"$rig_gu "}; rig_gg1=\${rig_gx%% *}; rig_gx=\${rig_gx#"$rig_gg1 "}
    rig_ga1=\${rig_gx%% *}; rig_gx=\${rig_gx#"$rig_ga1 "}
    case $rig_gu in ''|*[!0-9]*) rig_gok=0; break ;; esac
    case $rig_gg1 in ''|*[!0-9]*) rig_gok=0; break ;; esac
    case $rig_ga1 in ''|*[!0-7]*) rig_gok=0; break ;; esac
    [ "$rig_gx" = "$rig_gp" ] || { rig_gok=0; break; }
    if [ "$rig_gu" != 0 ]; then
      if [ -z "$rig_go" ]; then rig_go=$rig_gu; elif [ "$rig_gu" != "$rig_go" ]; then rig_gmany=1; fi
      [ "$rig_gu" != "$rig_go" ] || rig_gg=$rig_gg1
    fi
    rig_gmode=$((0$rig_ga1)) rig_gend=0
    [ "\${rig_gnx%%:*}" = "$rig_gi" ] || rig_gend=1
    rig_gw=$(( (rig_gmode & 18) != 0 ))
    if [ "$rig_gw" = 1 ] && [ -z "$rig_gwhy" ] && { [ $((rig_gmode & 512)) = 0 ] || [ "$rig_gend" = 1 ] ||
        { [ "$rig_gty" != c ] && [ "\${rig_gnx#*:}" = c ]; }; }; then
      if [ $((rig_gmode & 2)) != 0 ]; then rig_gwhy="$rig_gp is writable by others"
      else rig_gwhy="$rig_gp is writable by group $rig_gg1"; fi
    fi
    if [ "$rig_gty" = s ] && [ "$rig_gpw" = 1 ] && [ -z "$rig_gwhy" ]; then
      rig_gwhy="$rig_gp is a symlink in a directory others can write"
    fi
    rig_gpw=$rig_gw
    [ "$rig_gend" = 1 ] || continue
    if [ -n "$rig_gwhy" ]; then rig_gx="!$rig_gwhy"
    elif [ -z "$rig_go" ]; then rig_gx=
    elif [ "$rig_gmany" = 1 ]; then rig_gx='!its directories belong to more than one user'
    else
      [ -n "$rig_gme" ] || rig_gme=$(id -u) || rig_gme=
      if [ "$rig_go" = "$rig_gme" ]; then rig_gx=
      elif [ "$rig_gme" != 0 ]; then rig_gx="!its directories belong to uid $rig_go and rig runs as uid $rig_gme"
      elif [ "$rig_gg" = 0 ]; then rig_gx="!its directory belongs to uid $rig_go with group root"
      else rig_gx=$rig_go:$rig_gg; fi
    fi
    eval "rig_gr_$rig_gi=\\$rig_gx"
    rig_go= rig_gg= rig_gwhy= rig_gpw=0 rig_gmany=0
  done
  [ -z "$rig_gall" ] || rig_gok=0
  [ "$rig_gok" = 1 ] || [ "$rig_ga" = "$rig_gz" ] || return 1
  rig_k=$rig_ga
  while [ "$rig_k" -le "$rig_gz" ]; do
    if [ "$rig_gok" = 1 ]; then eval "rig_gx=\\\${rig_gr_$rig_k-'!cannot judge its directories'}"
    else rig_gx='!cannot stat the directories of its path'; fi
    eval "rig_gv_$rig_k=\\\${rig_gv_$rig_k-\\$rig_gx}"
    rig_k=$((rig_k+1))
  done
}
RIG_NL='
'
rig_as() {
  case $rig_id in
    '') "$@" ;;
    '!'*) return 125 ;;
    *) command -v setpriv >/dev/null 2>&1 || {
         echo "rig: setpriv (util-linux) is missing on this host: needed to act as uid \${rig_id%%:*}" >&2; return 124; }
       setpriv --reuid="\${rig_id%%:*}" --regid="\${rig_id#*:}" --clear-groups --nnp -- "$@" ;;
  esac
}`;

/** Exit status of `rig_as` for a refused directory. */
export const GUARD_REFUSED_EXIT = 125;
/** Exit status of `rig_as` when the host has no setpriv. */
export const GUARD_NO_SETPRIV_EXIT = 124;
