#!/usr/bin/env bash
# The demo's image registry: Debian's docker-registry (distribution 2.8) on 127.0.0.1:5000, no auth, storage in the
# build cache, so `rig pin` resolves real digests and the demo hosts pull by digest. Docker treats 127.0.0.0/8
# registries as insecure (plain HTTP) without any daemon configuration.
# Usage: scripts/demo-registry.sh start | stop | push LOCAL_IMAGE REPO:TAG ... (pairs; prints nothing when up to date)
# Needs: docker-registry (apt), node.
# Env:   RIG_DEMO_REGISTRY=127.0.0.1:5000  RIG_CACHE=/var/cache/rig-testbed
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/image-cache.sh"
REG=${RIG_DEMO_REGISTRY:-127.0.0.1:5000}
DIR="$RIG_CACHE/demo-registry"
die() { echo "demo-registry: $*" >&2; exit 1; }
# http_ok URL [ACCEPT]: 2xx? (node, which rig needs anyway, instead of curl, which a fresh machine may lack)
http_ok() { node -e 'fetch(process.argv[1],{method:process.argv[2]?"HEAD":"GET",headers:process.argv[2]?{accept:process.argv[2]}:{},signal:AbortSignal.timeout(3000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$@"; }
serving() { http_ok "http://$REG/v2/"; }
ours() { [ -f "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null; }

case "${1:-}" in
  start)
    if ours && serving; then echo "registry already running on $REG (pid $(cat "$DIR/pid"))"; exit 0; fi
    serving && die "something else already serves http://$REG/v2/ (set RIG_DEMO_REGISTRY to another address)"
    command -v docker-registry >/dev/null || die "docker-registry is not installed (scripts/ensure-deps.sh)"
    mkdir -p "$DIR/data"
    cat >"$DIR/config.yml" <<CFG
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $DIR/data}
  delete: {enabled: true}
http: {addr: $REG}
CFG
    # setsid + nohup: the registry outlives `make demo`, like the demo hosts do
    setsid nohup docker-registry serve "$DIR/config.yml" >"$DIR/log" 2>&1 < /dev/null &
    echo $! >"$DIR/pid"
    for _ in $(seq 1 100); do serving && break; sleep 0.1; done
    serving || { cat "$DIR/log" >&2; die "the registry did not answer on $REG"; }
    echo "registry started on $REG (pid $(cat "$DIR/pid"), storage $DIR/data)" ;;
  stop)
    if ours; then kill "$(cat "$DIR/pid")"; rm -f "$DIR/pid"; echo "registry stopped"; else echo "registry not running"; fi ;;
  push)
    shift
    [ $(( $# % 2 )) -eq 0 ] && [ $# -gt 0 ] || die "push takes pairs: LOCAL_IMAGE REPO:TAG ..."
    while [ $# -gt 0 ]; do
      src=$1 repo=$2 dst="$REG/$2"; shift 2
      "$DOCKER" image inspect "$src" >/dev/null 2>&1 || die "$src is not built (scripts/build-images.sh)"
      # pushed before and unchanged: the tag already points at this image and the registry has its digest
      if [ "$("$DOCKER" image inspect -f '{{.Id}}' "$dst" 2>/dev/null)" = "$("$DOCKER" image inspect -f '{{.Id}}' "$src")" ] &&
         "$DOCKER" image inspect -f '{{join .RepoDigests " "}}' "$dst" | grep -q "${dst%:*}@" &&
         http_ok "http://$REG/v2/${repo%:*}/manifests/${repo##*:}" application/vnd.docker.distribution.manifest.v2+json; then
        continue
      fi
      "$DOCKER" tag "$src" "$dst"
      t0=$(date +%s.%N)
      "$DOCKER" push "$dst" >/dev/null
      echo "pushed $src -> $dst ($(elapsed "$t0") s)"
    done ;;
  *) echo "usage: $0 start | stop | push LOCAL_IMAGE REPO:TAG ..." >&2; exit 2 ;;
esac
