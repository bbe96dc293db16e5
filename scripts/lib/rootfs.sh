# Rootfs pieces for the stack images: build lock, scratch dirs, the cached bookworm minbase, cached chroot package
# installs, a busybox skeleton, and copying binaries with the shared objects ldd lists.
# Sourced after scripts/lib/image-cache.sh by scripts/images/*.sh; expects `set -euo pipefail` and bash.
MIRROR=${MIRROR:-http://deb.debian.org/debian}
MINBASE_TAR="$RIG_CACHE/bookworm-minbase.tar"   # the same tarball scripts/images/target.sh keeps
PKGS_FORMAT=1                                   # bump when pkgs_rootfs changes what it leaves in its tarballs
SCRATCH_DIRS=()

# skip_if_current NAME TAG HASH ARGS... -> exits 0 with a message when TAG carries HASH and ARGS has no --force
skip_if_current() {
  local name=$1 tag=$2 hash=$3; shift 3
  case " $* " in *" --force "*) return 0 ;; esac
  image_current "$tag" "$hash" || return 0
  echo "$name: $tag is current ($hash)" >&2
  exit 0
}

# build_lock NAME TAG HASH ARGS... -> holds $RIG_CACHE/build.lock on fd 9, then re-checks TAG (another builder may have
# made it current while we waited). Under build-images.sh fd 9 is that lock's open file already, and flock(2) on the
# same open file description succeeds at once: re-entrant, no deadlock.
build_lock() {
  local lock="$RIG_CACHE/build.lock"
  mkdir -p "$RIG_CACHE"
  if [ "$(readlink /proc/self/fd/9 2>/dev/null)" != "$(readlink -f "$lock")" ]; then exec 9>>"$lock"; fi
  flock 9
  skip_if_current "$@"
}

# scratch_dir NAME VAR -> sets VAR to a new /tmp dir, removed (after unmounting its proc) when the script exits
scratch_dir() {
  local d
  d=$(mktemp -d "/tmp/rig-$1.XXXXXX")
  SCRATCH_DIRS+=("$d")
  printf -v "$2" %s "$d"
}
remove_scratch_dirs() {
  local d
  for d in "${SCRATCH_DIRS[@]}"; do
    umount "$d/proc" 2>/dev/null || true
    if mountpoint -q "$d/proc" 2>/dev/null; then echo "rootfs: $d/proc still mounted, leaving $d" >&2; continue; fi
    rm -rf "$d"
  done
}
trap remove_scratch_dirs EXIT

# ensure_minbase -> $MINBASE_TAR exists (debootstrap --variant=minbase bookworm, ~40 s once)
ensure_minbase() {
  [ -f "$MINBASE_TAR" ] && return 0
  command -v debootstrap >/dev/null || { echo "rootfs: debootstrap missing; run scripts/ensure-deps.sh" >&2; exit 1; }
  local r
  scratch_dir minbase r
  debootstrap --variant=minbase bookworm "$r" "$MIRROR" >"$RIG_CACHE/debootstrap.log" 2>&1 ||
    { tail -n 20 "$RIG_CACHE/debootstrap.log" >&2; exit 1; }
  tar -C "$r" -cf "$MINBASE_TAR.tmp.$$" . && mv "$MINBASE_TAR.tmp.$$" "$MINBASE_TAR"
}

# pkgs_rootfs NAME SCRIPT DEST -> DEST holds minbase after `sh -c SCRIPT` ran in it as a chroot (apt-get etc.), without
# apt lists, caches or docs. The result is cached as $RIG_CACHE/NAME-pkgs-<hash of SCRIPT and PKGS_FORMAT>.tar.
pkgs_rootfs() {
  local name=$1 script=$2 dest=$3 tarball log
  tarball="$RIG_CACHE/$name-pkgs-$(printf '%s\n%s' "$PKGS_FORMAT" "$script" | sha256sum | cut -c1-12).tar"
  if [ -f "$tarball" ]; then tar -C "$dest" -xf "$tarball"; return 0; fi
  ensure_minbase
  log="$RIG_CACHE/$name-apt.log"
  tar -C "$dest" -xf "$MINBASE_TAR"
  cp /etc/resolv.conf "$dest/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' >"$dest/usr/sbin/policy-rc.d"; chmod +x "$dest/usr/sbin/policy-rc.d"   # no service starts
  printf 'path-exclude /usr/share/%s/*\n' doc man locale info >"$dest/etc/dpkg/dpkg.cfg.d/01-nodoc"
  mount -t proc proc "$dest/proc"     # apt and postinst scripts need /proc
  chroot "$dest" env DEBIAN_FRONTEND=noninteractive sh -ec "$script" >"$log" 2>&1 ||
    { umount "$dest/proc"; tail -n 20 "$log" >&2; exit 1; }
  umount "$dest/proc"
  rm -f "$dest/usr/sbin/policy-rc.d"
  rm -rf "$dest"/var/lib/apt/lists/* "$dest"/var/cache/apt/* "$dest"/var/cache/debconf/*-old "$dest"/var/log/apt/* \
    "$dest"/usr/share/doc/* "$dest"/usr/share/man/* "$dest"/usr/share/locale/* "$dest"/usr/share/info/*
  : >"$dest/etc/resolv.conf"
  tar -C "$dest" -cf "$tarball.tmp.$$" . && mv "$tarball.tmp.$$" "$tarball"
}

# stage_busybox DEST -> a busybox-static skeleton (applet symlinks, root/nobody, `hosts: files dns`), as busybox.sh does
stage_busybox() {
  local r=$1
  mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,tmp,root,proc,sys,dev,run,var}
  ln -s ../run "$r/var/run"
  chmod 1777 "$r/tmp"
  install -m 0755 /bin/busybox "$r/bin/busybox"
  chroot "$r" /bin/busybox --install -s      # in a chroot so the links point at /bin/busybox, not at the staging path
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$r/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
  printf 'hosts: files dns\n' >"$r/etc/nsswitch.conf"   # glibc binaries (caddy) would ask DNS before /etc/hosts
}

# copy_with_libs FROM DEST BIN... -> copies each BIN and every shared object `ldd` lists for it (the loader included)
# from the root FROM (`/` = this machine, else a chroot) to the same paths under DEST, symlinks resolved inside FROM
copy_with_libs() {
  local from=$1 dest=$2 bin so; shift 2
  for bin in "$@"; do
    for so in "$bin" $(in_root "$from" ldd "$bin" | awk '/not found/ { print "MISSING:" $1; next }
        /=>/ { print $3; next } $1 ~ /^\// { print $1 }'); do
      case $so in MISSING:*) echo "rootfs: $bin needs ${so#MISSING:}, not found in $from" >&2; exit 1 ;; esac
      mkdir -p "$dest$(dirname "$so")"
      rm -f "$dest$so"   # may be a busybox applet link to /bin/busybox: cp would write through it onto this machine
      cp "${from%/}$(in_root "$from" readlink -f "$so")" "$dest$so"
    done
  done
}
in_root() { local from=$1; shift; if [ "$from" = / ]; then "$@"; else chroot "$from" "$@"; fi; }

# stage_sh_http DEST -> DEST/usr/local/lib/rig-http.sh: HTTP/1.1 for sh handlers run per connection by busybox
# `nc -ll -p PORT -e HANDLER` (busybox httpd only runs CGI under /cgi-bin/ and has no proxy here, so it cannot route
# /health or /v1/models to a script). One request per connection, then close; the handler logs one line to stderr.
stage_sh_http() {
  mkdir -p "$1/usr/local/lib"
  cat >"$1/usr/local/lib/rig-http.sh" <<'HTTP'
# Sourced by the stand-ins' per-connection handlers (written by scripts/lib/rootfs.sh stage_sh_http).
# http_read_request -> METHOD, REQ_PATH (no query), QUERY, AUTHORIZATION; status 1 when malformed or slower than 5 s
http_read_request() {
  cr=$(printf '\r')
  IFS=' ' read -r -t 5 METHOD target _proto || return 1
  target=${target%"$cr"}
  REQ_PATH=${target%%\?*}
  case $target in *\?*) QUERY=${target#*\?} ;; *) QUERY= ;; esac
  AUTHORIZATION=
  # every header is read before replying: closing with unread input makes the kernel reset the connection
  while IFS= read -r -t 5 line; do
    line=${line%"$cr"}
    [ -n "$line" ] || return 0
    case $line in [Aa]uthorization:*) AUTHORIZATION=${line#*:}; AUTHORIZATION=${AUTHORIZATION# } ;; esac
  done
  return 1
}
# http_reply STATUS CONTENT_TYPE BODY -> the whole response (Content-Length in bytes, not characters)
http_reply() {
  printf 'HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
    "$1" "$2" "$(printf '%s' "$3" | wc -c)" "$3"
  echo "INFO:     \"$METHOD $REQ_PATH HTTP/1.1\" $1" >&2
}
HTTP
}

# import_rootfs DIR TAG CHANGE... -> `tar | docker import` with each CHANGE as a --change (no Dockerfile, no registry).
# `docker import` refuses STOPSIGNAL, so such changes go into a classic `docker build` FROM the imported image (~0.2 s).
# The image TAG pointed at before is removed when nothing else uses it, so --force rebuilds leave no dangling copies.
import_rootfs() {
  local dir=$1 tag=$2 change args=() later='' old id; shift 2
  for change in "$@"; do
    case $change in STOPSIGNAL\ *) later+="$change"$'\n' ;; *) args+=(--change "$change") ;; esac
  done
  old=$("$DOCKER" image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
  if [ -z "$later" ]; then
    tar -C "$dir" -c . | "$DOCKER" import "${args[@]}" - "$tag" >/dev/null
  else
    id=$(tar -C "$dir" -c . | "$DOCKER" import "${args[@]}" -)
    printf 'FROM %s\n%s' "$id" "$later" | DOCKER_BUILDKIT=0 "$DOCKER" build -q -t "$tag" - >/dev/null
  fi
  if [ -n "$old" ] && [ "$old" != "$("$DOCKER" image inspect -f '{{.Id}}' "$tag")" ]; then
    "$DOCKER" rmi "$old" >/dev/null 2>&1 || true
  fi
}
