# Shared helpers for the image build scripts: cache dir, input hashing and the "image is current" check.
# Sourced (not executed) by scripts/images/*.sh; expects `set -euo pipefail` in the caller.
DOCKER=/usr/bin/docker            # Debian's 20.10 client; /usr/local/bin/docker lacks compose v1 integration
RIG_CACHE=${RIG_CACHE:-/var/cache/rig-testbed}
INPUTS_LABEL=rig.testbed.inputs

# inputs_hash FILE...  -> sha256 over the listed files' contents (scripts, copied binaries)
inputs_hash() { cat "$@" | sha256sum | cut -c1-16; }

# image_current TAG HASH  -> true when TAG exists and carries the label INPUTS_LABEL=HASH
image_current() {
  [ "$("$DOCKER" image inspect -f "{{index .Config.Labels \"$INPUTS_LABEL\"}}" "$1" 2>/dev/null)" = "$2" ]
}

# need_root WHAT -> exits with a message unless root (debootstrap, chroot and mount need it)
need_root() {
  [ "$(id -u)" -eq 0 ] || { echo "$1: building the image needs root (run scripts/build-images.sh as root once)" >&2; exit 1; }
}

# elapsed START -> seconds since START (from `date +%s.%N`), one decimal
elapsed() { since "$1" "$(date +%s.%N)"; }

# since START END -> END-START in seconds, one decimal (awk: bc is not installed everywhere)
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
