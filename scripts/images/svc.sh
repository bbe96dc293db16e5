#!/usr/bin/env bash
# Builds local/rig-svc:1, the tiny service the compose tests deploy: the busybox-static rootfs (as busybox.sh stages it)
# plus a POSIX sh entrypoint, imported with `docker import`, no registry. Cached by the inputs-hash label.
#
# Contract of the image (ENTRYPOINT /usr/local/bin/svc, CMD ["serve"]):
#   serve (default)   `httpd -f` on ${SVC_PORT:-8080}, docroot /srv/www; prints `svc: listening on :PORT` first.
#                     SIGTERM/SIGINT stop it at once with exit 0 (PID 1 ignores signals it has no handler for,
#                     and busybox httpd installs none, hence the trap rather than `exec httpd`).
#     GET /                 `rig-svc`
#     GET /env              `env | sort` of the container, written at start (the env cannot change afterwards)
#     GET /files/<path>     /config/<path>, read live (symlink to /config: works for a directory bind mount and
#                           for single-file mounts such as /config/app.conf); 404 when absent
#     GET /cgi-bin/health   200 `ok`, or 503 `unhealthy` while /config/unhealthy exists or SVC_UNHEALTHY=1 (live)
#   oneshot <code>    prints `svc: oneshot exiting with <code>` and exits with <code> (init-service tests)
#   anything else     exec'd as given (`docker run local/rig-svc:1 cat /etc/passwd`)
#   SVC_FAIL_START=1  serve and oneshot refuse to start: message on stderr, exit 2
#   /usr/local/bin/healthcheck.sh   exit 0 iff /cgi-bin/health answers `ok` (compose: test: ["CMD", "/usr/local/bin/healthcheck.sh"])
# Usage: scripts/images/svc.sh [--force]    Needs: busybox-static, a running docker engine, root (chroot).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/image-cache.sh"
TAG=local/rig-svc:1
HASH=$(inputs_hash "$0" "$HERE/../lib/image-cache.sh" /bin/busybox)
if [ "${1:-}" != --force ] && image_current "$TAG" "$HASH"; then
  echo "svc: $TAG is current ($HASH)" >&2; exit 0
fi
need_root svc
t0=$(date +%s.%N)
R=$(mktemp -d /tmp/rig-svc.XXXXXX)
trap 'rm -rf "$R"' EXIT
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,tmp,root,proc,sys,dev,var/run,config,srv/www/cgi-bin}
chmod 1777 "$R/tmp"
install -m 0755 /bin/busybox "$R/bin/busybox"
chroot "$R" /bin/busybox --install -s      # in a chroot so the links point at /bin/busybox, not at the staging path
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$R/etc/group"

printf 'rig-svc\n' >"$R/srv/www/index.html"
ln -s /config "$R/srv/www/files"
ln -s /tmp/svc-env "$R/srv/www/env"
cat >"$R/srv/www/cgi-bin/health" <<'CGI'
#!/bin/sh
# Health of the service, evaluated per request: 503 while /config/unhealthy exists or SVC_UNHEALTHY=1.
if [ -e /config/unhealthy ] || [ "${SVC_UNHEALTHY:-}" = 1 ]; then
  printf 'Status: 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\nunhealthy\n'
else
  printf 'Content-Type: text/plain\r\n\r\nok\n'
fi
CGI
cat >"$R/usr/local/bin/healthcheck.sh" <<'HC'
#!/bin/sh
# Docker healthcheck: exit 0 iff the service's health URL answers `ok`. `timeout`, not `wget -T`: the latter
# segfaults in Debian 12's busybox-static 1.35.
[ "$(timeout 3 wget -q -O- "http://127.0.0.1:${SVC_PORT:-8080}/cgi-bin/health" 2>/dev/null)" = ok ]
HC
cat >"$R/usr/local/bin/svc" <<'SVC'
#!/bin/sh
# Entrypoint of local/rig-svc:1; the contract is in scripts/images/svc.sh.
refuse_when_asked() {
  if [ "${SVC_FAIL_START:-}" = 1 ]; then echo "svc: refusing to start (SVC_FAIL_START=1)" >&2; exit 2; fi
}
case "${1:-serve}" in
  serve)
    refuse_when_asked
    port=${SVC_PORT:-8080}
    env | sort >/tmp/svc-env
    trap 'kill "${pid:-}" 2>/dev/null; exit 0' TERM INT
    echo "svc: listening on :$port"
    httpd -f -p "$port" -h /srv/www &
    pid=$!
    wait "$pid"
    ;;
  oneshot)
    refuse_when_asked
    case "${2:-}" in
      '' | *[!0-9]*) echo "svc: usage: oneshot <exit code 0-255>" >&2; exit 64 ;;
    esac
    echo "svc: oneshot exiting with $2"
    exit "$2"
    ;;
  *) exec "$@" ;;
esac
SVC
chmod 0755 "$R/srv/www/cgi-bin/health" "$R/usr/local/bin/healthcheck.sh" "$R/usr/local/bin/svc"

tar -C "$R" -c . | "$DOCKER" import \
  --change "LABEL $INPUTS_LABEL=$HASH" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'EXPOSE 8080' \
  --change 'ENTRYPOINT ["/usr/local/bin/svc"]' \
  --change 'CMD ["serve"]' \
  - "$TAG" >/dev/null
echo "svc: built $TAG ($HASH) in $(elapsed "$t0")s" >&2
