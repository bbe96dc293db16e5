#!/usr/bin/env bash
# `make demo`: two local test hosts (containers with sshd on 127.0.0.1, run id "demo"), the local environment
# deployed to them (plan, deploy, then a second plan that must be empty), and a summary. Rerunning reuses the hosts
# and reports no changes. Stop the hosts with `make testbed-down RUN=demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
RIG="node bin/rig.js"
TB_ROOT=${RIG_TB_ROOT:-/tmp/rig-tb}
RUN=demo
step() { printf '\n== %s\n' "$*"; }

step "test hosts"
running=$(/usr/bin/docker ps -q -f "label=rig.testbed.run=$RUN" | wc -l)
if [ "$running" -ge 2 ] && [ -f "$TB_ROOT/$RUN/testbed.json" ]; then
  echo "reusing the demo hosts (run $RUN)"
else
  scripts/testbed.sh stop "$RUN" >/dev/null 2>&1 || true
  scripts/testbed.sh start 2 --run-id "$RUN" --json >/dev/null
fi
node scripts/demo-hosts.mjs "$TB_ROOT/$RUN/testbed.json" app=h1 vpn=h2

step "plan"
set +e; $RIG plan --env local; rc=$?; set -e
[ $rc -le 2 ] || exit $rc

step "deploy"
$RIG deploy --env local --json "$TB_ROOT/$RUN/deploy.json"

step "plan again (must be empty)"
$RIG plan --env local

changed=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).results;console.log(r.reduce((n,x)=>n+(x.status==="changed"?x.changes:0),0))' "$TB_ROOT/$RUN/deploy.json")
hosts=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).results.length)' "$TB_ROOT/$RUN/deploy.json")
step "summary"
echo "hosts: app = test host h1, vpn = test host h2 (containers rig-tb-$RUN-h1/h2)"
echo "ssh in: ssh -F $TB_ROOT/$RUN/ssh/config h1"
echo "inventory: $RIG inventory --env local"
echo "stop: make testbed-down RUN=$RUN"
echo "(services, health and smoke tests arrive with the compose, role and smoke issues)"
echo "demo: env=local hosts=$hosts services=0 healthy=0 changed=$changed smoke=absent"
