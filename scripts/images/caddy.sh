#!/usr/bin/env bash
# Builds local/caddy:2.6-rig (testbed.md §4): this machine's Debian /usr/bin/caddy (2.6.2, a cgo build, so not static)
# plus the shared objects ldd lists and the loader, on a busybox skeleton; `docker import`, no registry, no Dockerfile.
# Cached by the inputs-hash label (this script, the libs, caddy and its shared objects).
#
# Contract of the image (no ENTRYPOINT, as the official image; EXPOSE 80 443 2019):
#   CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]  in the foreground, as root.
#   /etc/caddy/Caddyfile   a default site: `:80`, `/health` -> `ok`, auto_https off; mount your own file or directory.
#   XDG_CONFIG_HOME=/config, XDG_DATA_HOME=/data (autosave.json, certificates); not volumes: no ACME here.
#   In the container:  caddy validate --config /etc/caddy/Caddyfile --adapter caddyfile   exit 0 `Valid configuration`,
#     exit 1 `Error: adapting config using caddyfile: /etc/caddy/Caddyfile:<line>: unrecognized directive: <name>`;
#     caddy reload --config /etc/caddy/Caddyfile --adapter caddyfile   swaps the config in the running process through
#     the admin API, which listens on localhost:2019 by default. A Caddyfile that says `admin off` makes every later
#     reload fail (`dial tcp 127.0.0.1:2019: connect: connection refused`, exit 1), even one whose new file drops the
#     line: only a restart recovers. So test Caddyfiles keep the admin API on; use `auto_https off` (no ACME access).
#   busybox's wget for probes: wget -qO- http://127.0.0.1:<port>/health   (`timeout 5 wget …`: `wget -T` segfaults).
#   SIGTERM (docker stop): graceful shutdown.
# Usage: scripts/images/caddy.sh [--force]    Needs: Debian's caddy (installed if missing), busybox-static, docker, root.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/image-cache.sh"
. "$HERE/../lib/rootfs.sh"
TAG=local/caddy:2.6-rig
if [ ! -x /usr/bin/caddy ]; then
  need_root caddy
  echo "caddy: installing Debian's caddy on this machine (its service is not needed here)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends caddy </dev/null >&2
fi
# shellcheck disable=SC2046 # one word per shared object
HASH=$(inputs_hash "$0" "$HERE/../lib/image-cache.sh" "$HERE/../lib/rootfs.sh" /bin/busybox /usr/bin/caddy \
  $(ldd /usr/bin/caddy | awk '/=>/ { print $3; next } $1 ~ /^\// { print $1 }'))
skip_if_current caddy "$TAG" "$HASH" "$@"
need_root caddy
build_lock caddy "$TAG" "$HASH" "$@"
t0=$(date +%s.%N)
scratch_dir caddy R
stage_busybox "$R"
copy_with_libs / "$R" /usr/bin/caddy
mkdir -p "$R/etc/caddy" "$R/config" "$R/data" "$R/srv"
cat >"$R/etc/caddy/Caddyfile" <<'CADDY'
# Default config of local/caddy:2.6-rig; mount your own. Keep the admin API on (no `admin off`): `caddy reload` needs it.
{
	auto_https off
}
:80 {
	respond /health "ok" 200
	respond "local/caddy:2.6-rig" 200
}
CADDY

import_rootfs "$R" "$TAG" \
  "LABEL $INPUTS_LABEL=$HASH" \
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  'ENV XDG_CONFIG_HOME=/config' \
  'ENV XDG_DATA_HOME=/data' \
  'WORKDIR /srv' \
  'EXPOSE 80 443 2019' \
  'CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]'
echo "caddy: built $TAG ($HASH) in $(elapsed "$t0")s" >&2
