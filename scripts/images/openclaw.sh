#!/usr/bin/env bash
# Builds local/openclaw:$OPENCLAW_VERSION (Node 24 + the npm package openclaw, pinned) and the tiny sandbox image
# local/openclaw-sandbox:bookworm-slim, without a container registry and without network inside any build.
# Opt-in (minutes on a cold cache): scripts/build-images.sh runs it only with RIG_IMAGES_OPENCLAW=1.
#
# Stages, each cached:
#   base     local/debian:bookworm-minbase = `docker import` of $RIG_CACHE/bookworm-minbase.tar (target.sh makes it)
#   npm      `npm install openclaw@VER` ON THE HOST with Node 24 into $RIG_CACHE/openclaw/npm-VER-nodeNODEVER: the npm
#            registry answers only through a TLS-intercepting proxy whose CA containers lack. Reused while VER is unchanged.
#   payload  local/openclaw-payload:VER = minbase rootfs + node + /app, one `docker import`, keyed by its contents
#   openclaw a light `docker build FROM` the payload. Image contract:
#            /usr/local/bin/node (24), /app (npm prefix: package.json, node_modules; /app/openclaw.mjs links to the entry),
#            /usr/local/bin/openclaw (wrapper), /usr/local/bin/docker (the host's client: sandboxes are spawned with
#            it through the mounted socket), /usr/local/bin/openclaw-healthcheck (node, GET 127.0.0.1:$PORT/healthz),
#            /app/Dockerfile.sandbox (shipped file, else the inline one of the package's docs), user node 1000:1000,
#            HOME=/home/node, CMD openclaw gateway run, EXPOSE 18789, labels rig.openclaw.version and the inputs hash.
#   sandbox  local/openclaw-sandbox:bookworm-slim: the base + user sandbox (1000), `sleep infinity`; labelled with the
#            OpenClaw version it was made for (the incumbent never rebuilt it after an upgrade: incumbent.md §11.13).
#            No apt inside (containers cannot reliably reach a mirror), so it lacks the documented image's python3 etc.
# Usage: scripts/images/openclaw.sh [--force]
# Env:   OPENCLAW_VERSION=2026.9.6  NODE24_VERSION=24.21.0  RIG_CACHE=/var/cache/rig-testbed
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/image-cache.sh"
VER=${OPENCLAW_VERSION:-2026.9.6}
NODEVER=${NODE24_VERSION:-24.21.0}
TAG=local/openclaw:$VER
PAYLOAD_TAG=local/openclaw-payload:$VER
SANDBOX_TAG=local/openclaw-sandbox:bookworm-slim
BASE_TAG=local/debian:bookworm-minbase
BASE_TAR="$RIG_CACHE/bookworm-minbase.tar"
ENTRY=node_modules/openclaw/openclaw.mjs
FORCE=${1:-}
HASH=$(printf '%s\n' "openclaw=$VER node=$NODEVER" | cat - "$0" "$HERE/../lib/image-cache.sh" /usr/bin/docker |
  sha256sum | cut -c1-16)
log() { echo "openclaw: $*" >&2; }
label_of() { "$DOCKER" image inspect -f "{{index .Config.Labels \"$2\"}}" "$1" 2>/dev/null || true; }

# stage_sandbox_dockerfile APPDIR -> writes APPDIR/Dockerfile.sandbox, prints where it came from (nothing: nowhere).
# The incumbent read /app/Dockerfile.sandbox from the image. The npm package ships none (only a source checkout has
# scripts/sandbox-setup.sh); its docs carry the same Dockerfile inline, so take it from the docs of this very version.
stage_sandbox_dockerfile() {
  local app=$1 doc=node_modules/openclaw/docs/gateway/sandboxing/images-and-setup.md shipped
  shipped=$(cd "$app" && find node_modules/openclaw -name Dockerfile.sandbox -not -path '*/node_modules/*/node_modules/*' | head -n 1)
  if [ -n "$shipped" ]; then cp "$app/$shipped" "$app/Dockerfile.sandbox"; echo "$shipped"; return; fi
  [ -f "$app/$doc" ] || return 0
  { echo "# openclaw $VER: the inline Dockerfile of $doc (the npm package ships no Dockerfile.sandbox)"
    awk '/docker build -t openclaw-sandbox:bookworm-slim - <<.DOCKERFILE./ { on = 1; next }
         on && /^[[:space:]]*DOCKERFILE[[:space:]]*$/ { exit }
         on { sub(/^    /, ""); print }' "$app/$doc"; } >"$app/Dockerfile.sandbox"
  if grep -q '^FROM ' "$app/Dockerfile.sandbox"; then echo "docs:$doc"; else rm "$app/Dockerfile.sandbox"; fi
}

if [ "$FORCE" != --force ] && image_current "$TAG" "$HASH" && image_current "$SANDBOX_TAG" "$HASH"; then
  log "$TAG and $SANDBOX_TAG are current ($HASH)"; exit 0
fi
need_root openclaw
# one builder at a time; under build-images.sh fd 9 already is this lock's open file and flock on it is re-entrant
mkdir -p "$RIG_CACHE"
if [ "$(readlink /proc/self/fd/9 2>/dev/null)" != "$(readlink -f "$RIG_CACHE/build.lock")" ]; then exec 9>>"$RIG_CACHE/build.lock"; fi
flock 9
if [ "$FORCE" != --force ] && image_current "$TAG" "$HASH" && image_current "$SANDBOX_TAG" "$HASH"; then
  log "$TAG and $SANDBOX_TAG became current while waiting for the build lock"; exit 0
fi
[ -f "$BASE_TAR" ] || { log "$BASE_TAR missing: run scripts/images/target.sh first (it debootstraps it)"; exit 1; }
W=$(mktemp -d /tmp/rig-openclaw.XXXXXX)
trap 'rm -rf "$W"' EXIT
t0=$(date +%s.%N)

# 1) base image from the cached minbase tarball, keyed by the tarball's size and mtime (hashing 200 MB every run is waste)
BASE_HASH=$(stat -c '%s %Y' "$BASE_TAR" | sha256sum | cut -c1-16)
if [ "$FORCE" = --force ] || ! image_current "$BASE_TAG" "$BASE_HASH"; then
  "$DOCKER" import --change "LABEL $INPUTS_LABEL=$BASE_HASH" --change 'CMD ["/bin/bash"]' "$BASE_TAR" "$BASE_TAG" >/dev/null
fi
t1=$(date +%s.%N)

# 2) node 24 and the npm install on the host; a stamp marks a complete install (an interrupted one is redone)
NODE=$(NODE24_VERSION=$NODEVER "$HERE/../ensure-node24.sh")
NPM_DIR="$RIG_CACHE/openclaw/npm-$VER-node$NODEVER"
npm_state=cached
if [ "$FORCE" = --force ] || [ ! -f "$NPM_DIR/.complete" ]; then
  rm -rf "$NPM_DIR" && mkdir -p "$NPM_DIR"
  printf '{"name":"openclaw-app","private":true}\n' >"$NPM_DIR/package.json"
  (cd "$NPM_DIR" && PATH="$(dirname "$NODE"):$PATH" npm install --no-audit --no-fund --omit=dev --save-exact \
    "openclaw@$VER" >"$NPM_DIR.log" 2>&1) || { tail -n 20 "$NPM_DIR.log" >&2; exit 1; }
  touch "$NPM_DIR/.complete"
  npm_state=fresh
fi
[ -f "$NPM_DIR/$ENTRY" ] || { log "$NPM_DIR/$ENTRY missing: the package layout changed"; exit 1; }
t2=$(date +%s.%N)

# 3) payload: minbase rootfs + node + /app in ONE `docker import` (about 32 s for 41k files; a classic `docker build`
#    COPY of the same tree took 65-105 s). Keyed by what it holds, not by this script, so editing the light layer
#    below does not redo it: bump PAYLOAD_FORMAT when the payload's layout changes.
PAYLOAD_FORMAT=1
PAYLOAD_HASH=$(printf '%s\n' "format=$PAYLOAD_FORMAT openclaw=$VER node=$NODEVER base=$BASE_HASH" |
  cat - "$NPM_DIR/package-lock.json" | sha256sum | cut -c1-16)
payload_state=cached
if [ "$FORCE" = --force ] || ! image_current "$PAYLOAD_TAG" "$PAYLOAD_HASH"; then
  R="$W/rootfs" && mkdir "$R"
  tar -C "$R" -xf "$BASE_TAR"
  cp -al "$NPM_DIR" "$R/app" && rm -f "$R/app/.complete"      # hard links: same filesystem, no 650 MB copy
  install -m 0755 "$NODE" "$R/usr/local/bin/node"
  ln -s "$ENTRY" "$R/app/openclaw.mjs"        # the incumbent's `node /app/openclaw.mjs …` keeps working
  sandbox_df=$(stage_sandbox_dockerfile "$R/app")
  tar -C "$R" -c . | "$DOCKER" import --change "LABEL $INPUTS_LABEL=$PAYLOAD_HASH" \
    --change "LABEL rig.openclaw.sandbox-dockerfile=${sandbox_df:-none}" - "$PAYLOAD_TAG" >/dev/null
  rm -rf "$R"
  payload_state=fresh
fi
t3=$(date +%s.%N)

# 4) the light layer on top (seconds): user, CLI wrapper, docker client, healthcheck, runtime settings, labels
C="$W/ctx" && mkdir -p "$C/bin"
install -m 0755 /usr/bin/docker "$C/bin/docker"
printf '#!/bin/sh\n# openclaw CLI of this image\nexec /usr/local/bin/node /app/%s "$@"\n' "$ENTRY" >"$C/bin/openclaw"
cat >"$C/bin/openclaw-healthcheck" <<'HC'
#!/usr/local/bin/node
// Container healthcheck: exit 0 iff GET http://127.0.0.1:${OPENCLAW_GATEWAY_PORT:-18789}/healthz answers 2xx within 3 s.
const port = process.env.OPENCLAW_GATEWAY_PORT || '18789';
fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(3000) })
  .then((res) => process.exit(res.ok ? 0 : 1), () => process.exit(1));
HC
chmod 0755 "$C/bin/openclaw" "$C/bin/openclaw-healthcheck"
cat >"$C/Dockerfile" <<EOF
FROM $PAYLOAD_TAG
RUN groupadd -g 1000 node && useradd -u 1000 -g 1000 -m -d /home/node -s /bin/bash node
COPY bin/ /usr/local/bin/
ENV HOME=/home/node PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin NODE_ENV=production
USER node
WORKDIR /home/node
EXPOSE 18789
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s CMD ["/usr/local/bin/openclaw-healthcheck"]
CMD ["openclaw", "gateway", "run"]
LABEL rig.openclaw.version=$VER rig.node.version=$NODEVER $INPUTS_LABEL=$HASH
EOF
DOCKER_BUILDKIT=0 "$DOCKER" build -q -t "$TAG" "$C" >/dev/null
t4=$(date +%s.%N)

# 5) the sandbox image (no network needed)
rm -rf "$C" && mkdir "$C"
cat >"$C/Dockerfile" <<EOF
FROM $BASE_TAG
RUN groupadd -g 1000 sandbox && useradd -u 1000 -g 1000 -m -d /home/sandbox -s /bin/bash sandbox
USER sandbox
WORKDIR /home/sandbox
CMD ["sleep", "infinity"]
LABEL rig.openclaw.version=$VER $INPUTS_LABEL=$HASH
EOF
DOCKER_BUILDKIT=0 "$DOCKER" build -q -t "$SANDBOX_TAG" "$C" >/dev/null
t5=$(date +%s.%N)
log "built $TAG and $SANDBOX_TAG ($HASH): base=$(since "$t0" "$t1")s npm($npm_state)=$(since "$t1" "$t2")s" \
  "payload($payload_state)=$(since "$t2" "$t3")s openclaw-layer=$(since "$t3" "$t4")s sandbox=$(since "$t4" "$t5")s" \
  "total=$(elapsed "$t0")s sandbox-dockerfile=$(label_of "$PAYLOAD_TAG" rig.openclaw.sandbox-dockerfile)"
