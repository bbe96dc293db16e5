#!/usr/bin/env bash
# `make demo`: the local demo environment. Until the engine (plan/deploy) lands it shows what rig resolves for the
# demo hosts — every variable with its source — and says so; it deploys nothing yet.
set -euo pipefail
cd "$(dirname "$0")/.."
node bin/rig.js inventory --env local
echo
echo "demo: env=local hosts=$(node bin/rig.js inventory --env local --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(Object.keys(JSON.parse(s).hosts).length))') deploy=not-yet-implemented"
