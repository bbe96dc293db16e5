#!/usr/bin/env bash
# Builds local/headscale-distroless-standin:1, a STAND-IN for Headscale laid out like the real image
# (ghcr.io/juanfont/headscale, built by ko on gcr.io/distroless/base-debian12): NO shell, NO busybox, NO wget; the one
# program is /ko-app/headscale, a static C binary (scripts/images/headscale-distroless/headscale.c). What it proves: a
# healthcheck that needs a shell or wget cannot run in the real image (rig's healthcheck-program pre-check refuses it),
# and the role's default probe (Headscale's own CLI asking the running server) can. `docker import`; cached by the
# inputs-hash label. Not a Headscale: it never reads more of the config than below, and speaks no Tailscale protocol.
#
# Contract of the image (ENTRYPOINT ["/ko-app/headscale"], no CMD; runs as root, as the real image does):
#   Env as ko writes it: PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/ko-app, KO_DATA_PATH=/var/run/ko
#   Files: /ko-app/headscale (0555), /etc/passwd (root, nonroot 65532), /etc/group, /etc/ssl/certs/ca-certificates.crt,
#          /tmp (1777), /var/run/ko, /etc/headscale, /var/lib/headscale; nothing else.
#   headscale [-c|--config FILE] serve | users list | version          FILE defaults to /etc/headscale/config.yaml
#     serve/users list: the config must be readable and have a top-level server_url (else exit 1, message on stderr);
#       listen_addr's port (default 8080) and unix_socket (default /var/run/headscale/headscale.sock) are read.
#     serve: prints `headscale-standin: listening and serving HTTP on: 0.0.0.0:PORT, the CLI on SOCKET`; serves
#       GET /health 200 {"status":"pass"} (other paths 404) and answers `[]` on the unix socket; SIGTERM/SIGINT: exit 0.
#     users list: connects to the unix socket (as Headscale's CLI does over gRPC), prints the server's answer, exit 0;
#       no server: `headscale-standin: Could not connect: <errno text>`, exit 1.
#   Healthcheck: none in the image (the real one has none either); roles/headscale's default runs `headscale users list`.
# Usage: scripts/images/headscale-distroless-standin.sh [--force]    Needs: gcc and libc6-dev (static libc), docker, root.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/image-cache.sh"
. "$HERE/../lib/rootfs.sh"
TAG=local/headscale-distroless-standin:1
SRC="$HERE/headscale-distroless/headscale.c"
HASH=$(inputs_hash "$0" "$HERE/../lib/image-cache.sh" "$HERE/../lib/rootfs.sh" "$SRC")
skip_if_current headscale-distroless-standin "$TAG" "$HASH" "$@"
need_root headscale-distroless-standin
command -v gcc >/dev/null || { echo "headscale-distroless-standin: gcc missing; run scripts/ensure-deps.sh" >&2; exit 1; }
build_lock headscale-distroless-standin "$TAG" "$HASH" "$@"
t0=$(date +%s.%N)
scratch_dir headscale-distroless-standin R
mkdir -p "$R"/{ko-app,etc/ssl/certs,etc/headscale,tmp,var/run/ko,var/lib/headscale,root,home/nonroot}
chmod 1777 "$R/tmp"
gcc -static -Os -Wall -Wextra -Werror -o "$R/ko-app/headscale" "$SRC"
strip "$R/ko-app/headscale"
chmod 0555 "$R/ko-app/headscale"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$R/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$R/etc/group"
cp /etc/ssl/certs/ca-certificates.crt "$R/etc/ssl/certs/ca-certificates.crt"
[ ! -e "$R/bin/sh" ] && [ ! -e "$R/usr/bin/wget" ] || { echo "headscale-distroless-standin: a shell or wget got in" >&2; exit 1; }
import_rootfs "$R" "$TAG" \
  "LABEL $INPUTS_LABEL=$HASH" \
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/ko-app' \
  'ENV KO_DATA_PATH=/var/run/ko' \
  'ENTRYPOINT ["/ko-app/headscale"]'
echo "headscale-distroless-standin: built $TAG ($HASH) in $(elapsed "$t0")s" >&2
