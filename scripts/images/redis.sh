#!/usr/bin/env bash
# Builds local/redis:7-rig: Debian bookworm's redis-server 7.0 and redis-cli, with the shared objects ldd lists, on a
# busybox skeleton (~13 MB instead of ~130 MB on minbase); the packages are installed in a cached minbase chroot and
# only the binaries are copied out. Imported with `docker import`, no registry. Cached by the inputs-hash label.
#
# Contract of the image (ENTRYPOINT /usr/local/bin/rig-redis-entrypoint, CMD ["redis-server"], EXPOSE 6379):
#   redis-server in the foreground (PID 1) as uid/gid 999 (`redis`), on *:6379, protected mode off (as the official
#     image), data dir /data (a VOLUME, as in the official image; chowned to 999 at start), logs on stdout.
#   REDIS_PASSWORD   when set: requirepass (written to a 0600 config file under /tmp, not onto argv)
#   Arguments starting with `-` or after `redis-server` are appended (`redis-server --appendonly yes`); any other
#     command is exec'd as given (`redis-cli …`, `sh`).
#   SIGTERM (docker stop): redis saves per its save points and exits 0.
#   Healthcheck: redis-cli -h 127.0.0.1 ping  -> PONG. With a password, pass it by env, not argv:
#     ["CMD-SHELL", "REDISCLI_AUTH=\"$$REDIS_PASSWORD\" redis-cli -h 127.0.0.1 ping | grep -qx PONG"]
#     (a bare `redis-cli ping` answers NOAUTH there; check its output rather than trusting its exit code).
# Usage: scripts/images/redis.sh [--force]    Needs: debootstrap (first build), busybox-static, a running docker engine, root.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/image-cache.sh"
. "$HERE/../lib/rootfs.sh"
TAG=local/redis:7-rig
HASH=$(inputs_hash "$0" "$HERE/../lib/image-cache.sh" "$HERE/../lib/rootfs.sh" /bin/busybox)
skip_if_current redis "$TAG" "$HASH" "$@"
need_root redis
build_lock redis "$TAG" "$HASH" "$@"
t0=$(date +%s.%N)
scratch_dir redis-pkgs P
scratch_dir redis R

# 1) packages in a minbase chroot (~10 s once, then a cached tarball); redis-server's postinst cannot start it (policy-rc.d)
pkgs_rootfs redis '
apt-get -qq update
apt-get -qq install -y --no-install-recommends redis-server
apt-get clean
' "$P"
t1=$(date +%s.%N)

# 2) busybox skeleton + the binaries (util-linux's setpriv: busybox's cannot change uid, and busybox sh runs its own
# applets before searching PATH, hence the full path in the entrypoint)
stage_busybox "$R"
copy_with_libs "$P" "$R" /usr/bin/redis-server /usr/bin/redis-cli /usr/bin/setpriv
ln -s redis-server "$R/usr/bin/redis-check-aof"
ln -s redis-server "$R/usr/bin/redis-check-rdb"
printf 'redis:x:999:999:redis:/data:/bin/false\n' >>"$R/etc/passwd"
printf 'redis:x:999:\n' >>"$R/etc/group"
mkdir -p "$R/data"
chown 999:999 "$R/data"
cat >"$R/usr/local/bin/rig-redis-entrypoint" <<'ENTRY'
#!/bin/sh
# Entrypoint of local/redis:7-rig; the contract is in scripts/images/redis.sh.
set -eu
case "${1:-}" in '' | -*) set -- redis-server "$@" ;; esac
[ "$1" = redis-server ] || exec "$@"
if [ "$(id -u)" = 0 ]; then
  find /data \! -user 999 -exec chown 999:999 '{}' +
  exec /usr/bin/setpriv --reuid=999 --regid=999 --clear-groups "$0" "$@"
fi
shift
case "${1:-}" in -v | --version | -h | --help) exec redis-server "$1" ;; esac
conf=$(mktemp /tmp/redis-rig.conf.XXXXXX)
{
  printf 'bind * -::*\nprotected-mode no\nport 6379\ndir /data\ndaemonize no\nlogfile ""\n'
  # a double-quoted config string: backslash and quote escaped
  [ -z "${REDIS_PASSWORD:-}" ] || printf 'requirepass "%s"\n' "$(printf '%s' "$REDIS_PASSWORD" | sed 's/[\\"]/\\&/g')"
} >"$conf"
exec redis-server "$conf" "$@"
ENTRY
chmod 0755 "$R/usr/local/bin/rig-redis-entrypoint"

# 3) import
import_rootfs "$R" "$TAG" \
  "LABEL $INPUTS_LABEL=$HASH" \
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  'VOLUME /data' \
  'WORKDIR /data' \
  'EXPOSE 6379' \
  'ENTRYPOINT ["/usr/local/bin/rig-redis-entrypoint"]' \
  'CMD ["redis-server"]'
echo "redis: built $TAG ($HASH): packages=$(since "$t0" "$t1")s total=$(elapsed "$t0")s" >&2
