#!/usr/bin/env bash
# Builds local/busybox:1 without a registry: a busybox-static rootfs (applet symlinks) turned into an image by `docker import`.
# Usage: scripts/images/busybox.sh [--force]    Needs: busybox-static, a running docker engine, root (chroot).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/image-cache.sh"
TAG=local/busybox:1
HASH=$(inputs_hash "$0" "$HERE/../lib/image-cache.sh" /bin/busybox)
if [ "${1:-}" != --force ] && image_current "$TAG" "$HASH"; then
  echo "busybox: $TAG is current ($HASH)" >&2; exit 0
fi
need_root busybox
t0=$(date +%s.%N)
R=$(mktemp -d /tmp/rig-busybox.XXXXXX)
trap 'rm -rf "$R"' EXIT
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,proc,sys,dev,var/run}
chmod 1777 "$R/tmp"
install -m 0755 /bin/busybox "$R/bin/busybox"
# inside a chroot so the symlinks point at /bin/busybox, not at the staging path
chroot "$R" /bin/busybox --install -s
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$R/etc/group"
tar -C "$R" -c . | "$DOCKER" import --change "LABEL $INPUTS_LABEL=$HASH" --change 'CMD ["/bin/sh"]' - "$TAG" >/dev/null
echo "busybox: built $TAG ($HASH) in $(elapsed "$t0")s" >&2
