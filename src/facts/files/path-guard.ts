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
 * as `rig_id` (exit 125 when refused, 124 when setpriv is missing). A judged directory costs one `stat` and one `awk`
 * (a process costs ~10 ms on a busy host, and every planning exec judges its directories): the canonical path comes
 * from `cd -P`, a builtin (`readlink -e` only where that fails), and `id -u` runs only when a non-root uid owns one.
 * `rig_guard_all FROM TO` judges the directories `$rig_gk_FROM` … `$rig_gk_TO` with ONE `stat` and ONE `awk` into
 * `$rig_gv_N`; with `rig_gn=TO` (FROM 1), `rig_guard` then looks them up. When stat's lines cannot be matched to
 * the directories (a name with a newline, a directory gone), it returns 1 and sets none: judge each alone then.
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
    eval "rig_gd=\\$rig_gk_$rig_k"; unset rig_gv_$rig_k
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
  rig_gall=$(stat -L -c '%u %g %a %n' -- "$@" 2>/dev/null | awk -v meta="$rig_gm" "$RIG_GUARD_AWK") || rig_gall=
  rig_k=$rig_ga
  while [ "$rig_k" -le "$rig_gz" ]; do
    case $rig_gall in
      '?'*) [ "$rig_ga" = "$rig_gz" ] || return 1; rig_gx='=!cannot stat the directories of its path' ;;
      =*) rig_gx=\${rig_gall%%"$RIG_NL"*}; rig_gall=\${rig_gall#"$rig_gx"}; rig_gall=\${rig_gall#"$RIG_NL"} ;;
      *) rig_gx='=!cannot judge its directories' ;;
    esac
    eval "rig_gv_$rig_k=\\\${rig_gv_$rig_k-\\\${rig_gx#=}}"
    rig_k=$((rig_k+1))
  done
}
RIG_NL='
'
RIG_GUARD_AWK='
  function oct(s,  i, n) { n = 0; for (i = 1; i <= length(s); i++) n = n * 8 + substr(s, i, 1); return n }
  function bit(n, b) { return int(n / b) % 2 }
  function judge(d) {
    if (why == "" && n == 1 && me == "") { "id -u" | getline me; close("id -u") }
    if (why != "") v[d] = "!" why
    else if (n == 0 || owner == me) v[d] = ""
    else if (n > 1) v[d] = "!its directories belong to more than one user"
    else if (me != 0) v[d] = "!its directories belong to uid " owner " and rig runs as uid " me
    else if (gid == 0) v[d] = "!its directory belongs to uid " owner " with group root"
    else v[d] = owner ":" gid
    ord[++nd] = d; split("", seen); n = 0; owner = ""; gid = ""; why = ""; pw = 0
  }
  BEGIN { k = split(meta, m, " "); n = 0; nd = 0; owner = ""; gid = ""; why = ""; me = "" }
  {
    name = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", name)
    split(m[NR], tk, ":"); d = tk[1] ""; t = tk[2]; split(m[NR + 1], nx, ":"); nd1 = nx[1] ""
    a = oct($3); last = (nd1 != d || (t != "c" && nx[2] == "c"))
    if ($1 != 0) { if (!($1 in seen)) { seen[$1] = 1; n++; owner = $1 } if ($1 == owner) gid = $2 }
    w = bit(a, 16) || bit(a, 2)
    if (w && why == "" && (!bit(a, 512) || last)) why = name " is writable by " (bit(a, 2) ? "others" : "group " $2)
    if (t == "s" && pw && why == "") why = name " is a symlink in a directory others can write"
    pw = w
    if (nd1 != d) judge(d)
  }
  END {
    if (NR != k) { print "?"; exit }
    for (i = 1; i <= nd; i++) print "=" v[ord[i]]
  }'
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
