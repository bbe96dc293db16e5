#!/usr/bin/env bash
# Builds local/postgres:15-rig: Debian bookworm's postgresql-15 on the debootstrap minbase rootfs, imported with
# `docker import` (no registry), with an entrypoint modelled on the official image's. Cached by the inputs-hash label.
#
# Contract of the image (ENTRYPOINT /usr/local/bin/rig-postgres-entrypoint, CMD ["postgres"], EXPOSE 5432):
#   First start (no $PGDATA/PG_VERSION): initdb (UTF8, C.UTF-8) as user postgres (uid/gid 999), then, through a
#     socket-only temporary server: CREATE ROLE $POSTGRES_USER LOGIN PASSWORD <the password> (when set, not postgres),
#     CREATE DATABASE $POSTGRES_DB OWNER <that role, else postgres> (when set, not postgres), then
#     /docker-entrypoint-initdb.d/*.sql (psql) and *.sh (sh), in name order.
#     Unlike the official image, POSTGRES_USER does not rename the superuser: `postgres` always exists.
#   PGDATA             data dir (default /var/lib/postgresql/data, a VOLUME as in the official image)
#   POSTGRES_PASSWORD  password of `postgres` (and of POSTGRES_USER), set at first start only, like the official image;
#   POSTGRES_PASSWORD_FILE  the same read from a file, which must be readable by uid 999 (setting both is an error)
#   POSTGRES_HOST_AUTH_METHOD=trust  allows starting without a password (every connection is trusted)
#   POSTGRES_INITDB_ARGS  extra initdb arguments (word-split)
#   Neither password nor trust on first start: `rig-postgres: error: …` on stderr, exit 1.
#   Runs `postgres` as uid 999 in the foreground (PID 1), listening on *:5432; pg_hba: local trust, TCP scram-sha-256.
#   Arguments starting with `-` go to postgres (`-c shared_buffers=64MB`); any other command is exec'd as given.
#   STOPSIGNAL SIGINT (fast shutdown, as the official image: `docker stop` never waits for clients); SIGTERM is the
#   "smart" shutdown, clean once clients are gone. Both exit 0.
#   Healthcheck: pg_isready -h 127.0.0.1 -U postgres     (PATH has /usr/lib/postgresql/15/bin: psql, pg_isready, …)
# Usage: scripts/images/postgres.sh [--force]    Needs: debootstrap (first build), a running docker engine, root.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/image-cache.sh"
. "$HERE/../lib/rootfs.sh"
TAG=local/postgres:15-rig
HASH=$(inputs_hash "$0" "$HERE/../lib/image-cache.sh" "$HERE/../lib/rootfs.sh")
skip_if_current postgres "$TAG" "$HASH" "$@"
need_root postgres
build_lock postgres "$TAG" "$HASH" "$@"
t0=$(date +%s.%N)
scratch_dir postgres R

# 1) packages (~30 s once, then a cached tarball). The postgres user gets uid 999 first, as in the official image; no
# cluster is created by the package; the LLVM JIT provider is dropped (~120 MB): without it postgres just does not JIT.
pkgs_rootfs postgres '
groupadd -r -g 999 postgres
useradd -r -u 999 -g postgres -d /var/lib/postgresql -s /bin/sh postgres
apt-get -qq update
apt-get -qq install -y --no-install-recommends postgresql-common
sed -ri "s/^#? *create_main_cluster *=.*/create_main_cluster = false/" /etc/postgresql-common/createcluster.conf
apt-get -qq install -y --no-install-recommends postgresql-15
apt-get clean
rm -rf /usr/lib/postgresql/15/lib/llvmjit* /usr/lib/postgresql/15/lib/bitcode /usr/lib/x86_64-linux-gnu/libLLVM-*.so* \
  /usr/lib/x86_64-linux-gnu/libz3.so* /usr/share/i18n
' "$R"
t1=$(date +%s.%N)

# 2) the entrypoint
# $R/run, not $R/var/run: that is an absolute symlink, it would point at this machine's /run
mkdir -p "$R/var/lib/postgresql/data" "$R/run/postgresql" "$R/docker-entrypoint-initdb.d"
chroot "$R" chown postgres:postgres /var/lib/postgresql/data /run/postgresql
chmod 700 "$R/var/lib/postgresql/data"
cat >"$R/usr/local/bin/rig-postgres-entrypoint" <<'ENTRY'
#!/bin/sh
# Entrypoint of local/postgres:15-rig; the contract is in scripts/images/postgres.sh.
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA
die() { echo "rig-postgres: error: $*" >&2; exit 1; }

password() {
  if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
    [ -z "${POSTGRES_PASSWORD:-}" ] || die "both POSTGRES_PASSWORD and POSTGRES_PASSWORD_FILE are set; use one"
    [ -r "$POSTGRES_PASSWORD_FILE" ] || die "POSTGRES_PASSWORD_FILE=$POSTGRES_PASSWORD_FILE is not readable by uid $(id -u)"
    cat "$POSTGRES_PASSWORD_FILE"
  else
    printf '%s' "${POSTGRES_PASSWORD:-}"
  fi
}

# SQL for the optional role and database; values travel by environment (psql \getenv), never through argv.
setup_sql() {
  printf '\\getenv pw RIG_PG_PASSWORD\n\\getenv user POSTGRES_USER\n\\getenv db POSTGRES_DB\n'
  owner=postgres
  if [ -n "${POSTGRES_USER:-}" ] && [ "$POSTGRES_USER" != postgres ]; then
    if [ -n "$1" ]; then printf 'CREATE ROLE :"user" LOGIN PASSWORD :%s;\n' "'pw'"; else printf 'CREATE ROLE :"user" LOGIN;\n'; fi
    owner=user
  fi
  if [ -n "${POSTGRES_DB:-}" ] && [ "$POSTGRES_DB" != postgres ]; then
    if [ "$owner" = user ]; then printf 'CREATE DATABASE :"db" OWNER :"user";\n'; else printf 'CREATE DATABASE :"db";\n'; fi
  fi
}

init_cluster() {
  pw=$(password)
  auth=scram-sha-256
  if [ -z "$pw" ]; then
    [ "${POSTGRES_HOST_AUTH_METHOD:-}" = trust ] ||
      die "no password for the new cluster: set POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE (or POSTGRES_HOST_AUTH_METHOD=trust)"
    auth=trust
  fi
  pwfile=$(mktemp)
  printf '%s\n' "$pw" >"$pwfile"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a word list
  initdb --username=postgres --pwfile="$pwfile" --auth-local=trust --auth-host="$auth" \
    --encoding=UTF8 --locale=C.UTF-8 ${POSTGRES_INITDB_ARGS:-}
  rm -f "$pwfile"
  printf 'host all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
  printf "listen_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
  # the socket-only temporary server (~0.3 s) only when there is something to create or run
  if [ -n "${POSTGRES_USER:-}${POSTGRES_DB:-}" ] || [ -n "$(ls -A /docker-entrypoint-initdb.d)" ]; then
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w -s start
    setup_sql "$pw" | RIG_PG_PASSWORD=$pw psql -v ON_ERROR_STOP=1 -q -U postgres -d postgres
    run_init_scripts
    pg_ctl -D "$PGDATA" -m fast -w -s stop
  fi
  echo "rig-postgres: initialised $PGDATA"
}

run_init_scripts() {
  for f in /docker-entrypoint-initdb.d/*; do
    case $f in
      *.sql) echo "rig-postgres: running $f"; psql -v ON_ERROR_STOP=1 -q -U postgres -d "${POSTGRES_DB:-postgres}" -f "$f" ;;
      *.sh) echo "rig-postgres: running $f"; sh "$f" ;;
      */\*) ;;
      *) echo "rig-postgres: ignoring $f (neither .sql nor .sh)" ;;
    esac
  done
}

case "${1:-}" in '' | -*) set -- postgres "$@" ;; esac
[ "$1" = postgres ] || exec "$@"
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
[ -s "$PGDATA/PG_VERSION" ] || init_cluster
shift
exec postgres "$@"
ENTRY
chmod 0755 "$R/usr/local/bin/rig-postgres-entrypoint"

# 3) import
import_rootfs "$R" "$TAG" \
  "LABEL $INPUTS_LABEL=$HASH" \
  'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  'ENV PGDATA=/var/lib/postgresql/data' \
  'ENV LANG=C.UTF-8' \
  'VOLUME /var/lib/postgresql/data' \
  'EXPOSE 5432' \
  'STOPSIGNAL SIGINT' \
  'ENTRYPOINT ["/usr/local/bin/rig-postgres-entrypoint"]' \
  'CMD ["postgres"]'
echo "postgres: built $TAG ($HASH): packages=$(since "$t0" "$t1")s total=$(elapsed "$t0")s" >&2
