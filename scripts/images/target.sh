#!/usr/bin/env bash
# Builds rig/target:1, the test "target host": Debian bookworm minbase + openssh-server + the host's docker client + Compose:
# v1 1.29.2 (apt) and v2 2.26.1 (the CLI plugin, scripts/lib/compose-v2.sh); each container exposes exactly ONE of them,
# chosen at start by RIG_TB_COMPOSE=v1|v2 (default v2, what production hosts run).
# No registry: debootstrap -> chroot apt-get -> tar | docker import. The container runs sshd in the foreground with the host's
# /var/run/docker.sock mounted (docker-outside-of-docker); root's authorized key comes from $RIG_AUTHORIZED_KEY at start.
# Two cached stages under $RIG_CACHE: the debootstrap base tarball, and the rootfs with packages installed (keyed by PKGS).
# Usage: scripts/images/target.sh [--force]    Env: MIRROR=http://deb.debian.org/debian  RIG_CACHE=/var/cache/rig-testbed
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/image-cache.sh"
. "$HERE/../lib/compose-v2.sh"
TAG=rig/target:1
MIRROR=${MIRROR:-http://deb.debian.org/debian}
PKGS="openssh-server docker-compose ca-certificates"
HASH=$(inputs_hash "$0" "$HERE/../lib/image-cache.sh" "$HERE/../lib/compose-v2.sh" /usr/bin/docker)
if [ "${1:-}" != --force ] && image_current "$TAG" "$HASH"; then
  echo "target: $TAG is current ($HASH)" >&2; exit 0
fi
need_root target
for tool in debootstrap chroot; do
  command -v "$tool" >/dev/null || { echo "target: $tool missing; run scripts/ensure-deps.sh" >&2; exit 1; }
done
mkdir -p "$RIG_CACHE"
BASE_TAR="$RIG_CACHE/bookworm-minbase.tar"
PKGS_TAR="$RIG_CACHE/target-pkgs-$(echo "$PKGS" | sha256sum | cut -c1-12).tar"
R=$(mktemp -d /tmp/rig-target.XXXXXX)
cleanup() { umount "$R/proc" 2>/dev/null || true; rm -rf "$R"; }
trap cleanup EXIT
t0=$(date +%s.%N)

# 1) base rootfs (debootstrap, ~40 s), kept as a tarball
if [ ! -f "$BASE_TAR" ]; then
  debootstrap --variant=minbase bookworm "$R" "$MIRROR" >"$RIG_CACHE/debootstrap.log" 2>&1 ||
    { tail -n 20 "$RIG_CACHE/debootstrap.log" >&2; exit 1; }
  tar -C "$R" -cf "$BASE_TAR.tmp" . && mv "$BASE_TAR.tmp" "$BASE_TAR"
  rm -rf "$R" && mkdir -p "$R"
fi
t1=$(date +%s.%N)

# 2) packages in a chroot (~20 s), kept as a tarball keyed by the package list
if [ ! -f "$PKGS_TAR" ]; then
  tar -C "$R" -xf "$BASE_TAR"
  cp /etc/resolv.conf "$R/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"; chmod +x "$R/usr/sbin/policy-rc.d"   # no service starts
  printf 'path-exclude /usr/share/%s/*\n' doc man locale info >"$R/etc/dpkg/dpkg.cfg.d/01-nodoc"
  mount -t proc proc "$R/proc"     # apt and postinst scripts need /proc
  # shellcheck disable=SC2086 # PKGS is a word list
  chroot "$R" env DEBIAN_FRONTEND=noninteractive sh -c \
    "apt-get -qq update && apt-get -qq install -y --no-install-recommends $PKGS && apt-get clean" \
    >"$RIG_CACHE/apt-chroot.log" 2>&1 || { tail -n 20 "$RIG_CACHE/apt-chroot.log" >&2; exit 1; }
  umount "$R/proc"
  rm -f "$R/usr/sbin/policy-rc.d" "$R"/etc/ssh/ssh_host_*
  rm -rf "$R"/var/lib/apt/lists/* "$R"/var/cache/apt/* "$R"/usr/share/doc/* "$R"/usr/share/man/* "$R"/usr/share/locale/*
  : >"$R/etc/resolv.conf"
  tar -C "$R" -cf "$PKGS_TAR.tmp" . && mv "$PKGS_TAR.tmp" "$PKGS_TAR"
else
  tar -C "$R" -xf "$PKGS_TAR"
fi
t2=$(date +%s.%N)

# 3) cheap final layer: docker client, Compose v2 (parked), sshd config, clean root dotfiles, entrypoint
COMPOSE_V2=$(compose_v2_binary)   # cached; the first fetch ~15 s
install -m 0755 /usr/bin/docker "$R/usr/bin/docker"   # links only against libc; same version as the daemon
# both flavors parked under /usr/local/lib/rig-testbed; the entrypoint puts the chosen one in place
mkdir -p "$R/usr/local/lib/rig-testbed"
install -m 0755 "$COMPOSE_V2" "$R/usr/local/lib/rig-testbed/docker-compose-v2"
mv "$R/usr/bin/docker-compose" "$R/usr/local/lib/rig-testbed/docker-compose-v1"
mkdir -p "$R/run/sshd" "$R/root/.ssh"; chmod 700 "$R/root/.ssh"
cat >"$R/etc/ssh/sshd_config.d/10-rig-testbed.conf" <<'CONF'
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
MaxStartups 100:30:200
MaxSessions 100
CONF
printf '# root shell setup for rig test hosts: deliberately empty (no pyenv or other init)\n' >"$R/root/.bashrc"
printf '# login profile for rig test hosts\n[ -f ~/.bashrc ] && . ~/.bashrc\n' >"$R/root/.profile"
cat >"$R/usr/local/sbin/rig-target-start" <<'ENTRY'
#!/bin/sh
# Container entrypoint: the Compose flavor, host key on first start only (it survives docker stop/start), root's key,
# sshd in the foreground.
set -e
# exactly one flavor: rig (like any tool) prefers `docker compose` when both answer
p=/usr/local/lib/rig-testbed plugin=/usr/libexec/docker/cli-plugins/docker-compose
case ${RIG_TB_COMPOSE:-v2} in
  v1) rm -f "$plugin"; ln -sf "$p/docker-compose-v1" /usr/bin/docker-compose ;;
  v2) rm -f /usr/bin/docker-compose; mkdir -p "${plugin%/*}"; ln -sf "$p/docker-compose-v2" "$plugin" ;;
  *) echo "rig-target-start: RIG_TB_COMPOSE must be v1 or v2, not ${RIG_TB_COMPOSE}" >&2; exit 2 ;;
esac
[ -f /etc/ssh/ssh_host_ed25519_key ] || ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key
if [ -n "${RIG_AUTHORIZED_KEY:-}" ]; then
  printf '%s\n' "$RIG_AUTHORIZED_KEY" >/root/.ssh/authorized_keys
  chmod 600 /root/.ssh/authorized_keys
fi
exec /usr/sbin/sshd -D -e
ENTRY
chmod 0755 "$R/usr/local/sbin/rig-target-start"

# 4) import: no Dockerfile, no registry
tar -C "$R" -c . | "$DOCKER" import \
  --change "LABEL $INPUTS_LABEL=$HASH" \
  --change 'CMD ["/usr/local/sbin/rig-target-start"]' \
  --change 'EXPOSE 22' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  - "$TAG" >/dev/null
echo "target: built $TAG ($HASH): base=$(since "$t0" "$t1")s packages=$(since "$t1" "$t2")s total=$(elapsed "$t0")s" >&2
