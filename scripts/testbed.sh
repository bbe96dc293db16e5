#!/usr/bin/env bash
# Real test hosts by hand (make testbed, the demo, the bench): a thin wrapper over the integration bed's command
# line, test/bed/cli.ts (testcontainers), so hand-started hosts are made by the same code as the tests' hosts.
# Usage:
#   scripts/testbed.sh start N [--run-id ID] [--compose v1|v2] [--json]   start h1..hN and wait until SSH logs in;
#                                                       prints the ssh config (or, with --json, the run's testbed.json)
#   scripts/testbed.sh stop [RUN_ID | --all]            remove the run's containers, its compose containers/networks, files
#   scripts/testbed.sh ssh-config [RUN_ID]              print the run's ssh config; its file is $RIG_TB_ROOT/<run>/ssh/config
#   scripts/testbed.sh stop-host RUN_ID HOST            stop one host's container (simulates an unreachable host)
#   scripts/testbed.sh start-host RUN_ID HOST           start it again (same port, same host key) and wait for SSH
#   scripts/testbed.sh logs [RUN_ID]                    print every host container's log
#   scripts/testbed.sh list                             list runs with containers
#   scripts/testbed.sh sweep                            remove runs whose test process died before stopping them
# RUN_ID defaults to the last run started by hand ($RIG_TB_ROOT/current).
# Env: RIG_TB_ROOT=/tmp/rig-tb  RIG_TB_TIMEOUT=60 (seconds to SSH-ready)  RIG_TB_PARALLEL=12 (hosts started at
# once)  RIG_TB_COMPOSE=v1|v2 (default v2)  RIG_TB_SKIP_BUILD=1 (do not check images)  RIG_NODE24 (a Node >= 22.22
# when the one on PATH is older).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# testcontainers 12 and running TypeScript by type stripping both need Node >= 22.22
node_ok() { "$1" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 22) ? 0 : 1)' 2>/dev/null; }
NODE=$(command -v node || true)
if [ -z "$NODE" ] || ! node_ok "$NODE"; then NODE=${RIG_NODE24:-$("$HERE/ensure-node24.sh")}; fi
[ -d "$HERE/../node_modules/testcontainers" ] || { echo "testbed: npm dependencies missing (make deps)" >&2; exit 1; }
if [ "${1:-}" = start ] && [ "${RIG_TB_SKIP_BUILD:-0}" != 1 ]; then "$HERE/build-images.sh" >&2; fi
exec "$NODE" "$HERE/../test/bed/cli.ts" "$@"
