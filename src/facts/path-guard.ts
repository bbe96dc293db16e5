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
 */
export const GUARD_SH = `rig_guard() {
  rig_gd=$1 rig_gp= rig_gm=l rig_gl=/ rig_gifs=$IFS
  set -- /
  IFS=/; set -f
  for rig_gc in $rig_gd; do
    [ -n "$rig_gc" ] || continue
    rig_gp=$rig_gp/$rig_gc
    if [ -L "$rig_gp" ]; then rig_gm="$rig_gm s"
    elif [ -e "$rig_gp" ]; then rig_gm="$rig_gm l"
    else break; fi
    set -- "$@" "$rig_gp"; rig_gl=$rig_gp
  done
  IFS=$rig_gifs; set +f
  rig_gs=$PWD
  if cd -P -- "$rig_gl" 2>/dev/null; then rig_gc=$PWD; cd -- "$rig_gs" 2>/dev/null || cd /
  else rig_gc=$(readlink -e -- "$rig_gl") || { rig_id="!cannot resolve $rig_gl"; return; }; fi
  rig_gp=
  IFS=/; set -f
  for rig_gx in $rig_gc; do
    [ -n "$rig_gx" ] || continue
    rig_gp=$rig_gp/$rig_gx; set -- "$@" "$rig_gp"; rig_gm="$rig_gm c"
  done
  IFS=$rig_gifs; set +f
  rig_id=$(stat -L -c '%u %g %a %n' -- "$@" 2>/dev/null | awk -v meta="$rig_gm" '
    function oct(s,  i, n) { n = 0; for (i = 1; i <= length(s); i++) n = n * 8 + substr(s, i, 1); return n }
    function bit(n, b) { return int(n / b) % 2 }
    BEGIN { k = split(meta, m, " "); n = 0; owner = ""; gid = ""; why = "" }
    {
      name = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", name)
      a = oct($3); t = m[NR]; last = (NR == k || (t != "c" && m[NR + 1] == "c"))
      if ($1 != 0) { if (!($1 in seen)) { seen[$1] = 1; n++; owner = $1 } if ($1 == owner) gid = $2 }
      w = bit(a, 16) || bit(a, 2)
      if (w && why == "" && (!bit(a, 512) || last)) why = name " is writable by " (bit(a, 2) ? "others" : "group " $2)
      if (t == "s" && pw && why == "") why = name " is a symlink in a directory others can write"
      pw = w
    }
    END {
      if (NR != k) why = "cannot stat the directories of its path"
      if (why == "" && n == 1) { "id -u" | getline me; close("id -u") }
      if (why != "") print "!" why
      else if (n == 0 || owner == me) print ""
      else if (n > 1) print "!its directories belong to more than one user"
      else if (me != 0) print "!its directories belong to uid " owner " and rig runs as uid " me
      else if (gid == 0) print "!its directory belongs to uid " owner " with group root"
      else print owner ":" gid
    }') || rig_id="!cannot judge its directories"
}
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
