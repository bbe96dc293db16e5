#!/usr/bin/env bash
# `make demo`: the whole stack on two local test hosts. Test hosts `app` and `vpn` (containers with sshd on 127.0.0.1,
# run id "demo", sharing this machine's docker engine), the stack images pushed to the local registry, `rig pin`, plan,
# deploy, the smoke tests (once `rig smoke` exists), a second plan that must be empty, and a summary whose last line is
# machine-readable:  demo: env=local hosts=2 services=N healthy=N changed=M smoke=pass|fail|absent compose=v2 2.26.1-4
# (compose: the flavor and version the hosts report, from rig status). The hosts run Compose v2 like production;
# `RIG_TB_COMPOSE=v1 make demo` runs Debian's v1 1.29.2 instead. Rerunning reuses the hosts (when they run the
# flavor asked for), the registry and the images, and reports changed=0. Stop everything with `make demo-down`
# (= scripts/demo.sh down).
set -euo pipefail
cd "$(dirname "$0")/.."
RIG=bin/rig.js   # by its shebang, with rig's Node flags
DOCKER=/usr/bin/docker
TB_ROOT=${RIG_TB_ROOT:-/tmp/rig-tb}
RUN=demo
OUT="$TB_ROOT/$RUN"
step() { printf '\n== %s\n' "$*"; }
t_start=$(date +%s)
PROJECTS=(rigdemo rigvpn)
COMPOSE=${RIG_TB_COMPOSE:-v2}
case $COMPOSE in v1|v2) ;; *) echo "demo: RIG_TB_COMPOSE must be v1 or v2, not $COMPOSE" >&2; exit 2 ;; esac
# The demo's containers and networks live on this machine's engine, beside the test hosts: they go with the hosts
# (a container left running over a removed data dir would see none of its files again).
remove_stack() {
  for p in "${PROJECTS[@]}"; do
    ids=$($DOCKER ps -aq -f "label=com.docker.compose.project=$p")
    [ -z "$ids" ] || $DOCKER rm -f $ids >/dev/null
    nets=$($DOCKER network ls -q -f "name=^${p}_")
    [ -z "$nets" ] || $DOCKER network rm $nets >/dev/null
  done
}
if [ "${1:-}" = down ]; then
  remove_stack
  scripts/testbed.sh stop "$RUN" >/dev/null 2>&1 || true
  scripts/demo-registry.sh stop
  echo "demo stopped (hosts, stack, registry; images and the registry's storage stay cached)"
  exit 0
fi

step "test hosts"
running=$($DOCKER ps -q -f "label=rig.testbed.run=$RUN" | wc -l)
# hosts of a run started before the bed said its flavor ran the image's default, v1
have=
if [ -f "$OUT/testbed.json" ]; then
  have=$(node -e 'console.log(require(process.argv[1]).compose ?? "v1")' "$(realpath "$OUT/testbed.json")")
fi
if [ "$running" -ge 2 ] && [ "$have" = "$COMPOSE" ]; then
  echo "reusing the demo hosts (run $RUN, Compose $COMPOSE)"
else
  # none, or another flavor (a host's flavor is set when it starts): new hosts, and the stack goes with the old ones
  [ -z "$have" ] || [ "$have" = "$COMPOSE" ] || echo "the demo hosts run Compose $have; starting them again with $COMPOSE"
  scripts/testbed.sh stop "$RUN" >/dev/null 2>&1 || true
  remove_stack
  scripts/testbed.sh start 2 --run-id "$RUN" --compose "$COMPOSE" --json >/dev/null
fi
node scripts/demo-hosts.mjs "$OUT/testbed.json" app=h1 vpn=h2

step "registry and images"
scripts/demo-registry.sh start
# each pushed only when the local build changed since the last push
scripts/demo-registry.sh push \
  local/postgres:15-rig rigdemo/postgres:15-rig  local/redis:7-rig rigdemo/redis:7-rig \
  local/caddy:2.6-rig rigdemo/caddy:2.6-rig  local/litellm-standin:2 rigdemo/litellm-standin:2 \
  local/headscale-standin:2 rigdemo/headscale-standin:2  local/openclaw:2026.9.6 rigdemo/openclaw:2026.9.6 \
  local/telegram-botapi-standin:1 rigdemo/telegram-botapi-standin:1

step "pin (inventory/local/images.lock.yml)"
$RIG pin --env local

step "plan"
set +e; $RIG plan --env local; rc=$?; set -e
[ $rc -le 2 ] || exit $rc

step "deploy"
$RIG deploy --env local --json "$OUT/deploy.json"

step "smoke tests"
smoke=absent
if $RIG help 2>/dev/null | grep -qE '^ +smoke '; then
  set +e; $RIG smoke --env local; src=$?; set -e
  if [ $src -eq 0 ]; then smoke=pass; else smoke=fail; fi
else
  echo "(rig smoke is not part of this version yet)"
fi

step "plan again (must be empty)"
$RIG plan --env local

changed=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).results;console.log(r.reduce((n,x)=>n+(x.status==="changed"?x.changes:0),0))' "$OUT/deploy.json")
hosts=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).results.length)' "$OUT/deploy.json")
step "summary (rig status)"
# what runs where, from rig itself: one exec per host; exit 2 (something not healthy) still prints the table
set +e; $RIG status --env local --json >"$OUT/status.json"; src=$?; $RIG status --env local; set -e
[ $src -le 2 ] || { echo "rig status failed (exit $src)" >&2; exit $src; }
count() { node -e 'const h=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).hosts;console.log(h.flatMap((x)=>x.services??[]).filter((s)=>process.argv[2]==="all"||s.healthy).length)' "$OUT/status.json" "$1"; }
services=$(count all) healthy=$(count healthy)
# the compose each host reports ("v2 2.26.1-4"); hosts that differ are listed one by one
compose=$(node -e '
  const name = (x) => (x.compose ? `${x.compose.flavor} ${x.compose.version}` : x.status === "error" ? "unknown" : "none");
  console.log([...new Set(require(process.argv[1]).hosts.map(name))].join(","));' "$(realpath "$OUT/status.json")")
echo "ssh in:      ssh -F $OUT/ssh/config h1   (app)   |   ssh -F $OUT/ssh/config h2   (vpn)"
echo "caddy:       curl -H 'Host: llm.rigdemo.localhost' http://127.0.0.1:18080/   (403: VPN-only, you are not on the VPN)"
echo "             curl http://127.0.0.1:18080/health   (ok)"
echo "headscale:   curl http://127.0.0.1:18085/health"
echo "rig:         make status ENV=local | make logs SERVICE=litellm ENV=local ARGS=-f | make ssh HOST=app ENV=local"
echo "             make plan ENV=local | make history ENV=local | make releases ENV=local | make smoke-test ENV=local"
echo "stop:        make demo-down"
echo "took $(( $(date +%s) - t_start )) s"
echo "demo: env=local hosts=$hosts services=$services healthy=$healthy changed=$changed smoke=$smoke compose=$compose"
