#!/usr/bin/env bash
# Builds (or confirms cached) every local image: local/busybox:1, local/rig-svc:1, rig/target:1 and the stack images
# (local/postgres:15-rig, local/redis:7-rig, local/caddy:2.6-rig, local/litellm-standin:2, local/headscale-standin:2,
# local/headscale-distroless-standin:1).
# Safe to run concurrently.
# Usage: scripts/build-images.sh [--force]     Env: RIG_CACHE=/var/cache/rig-testbed
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
RIG_CACHE=${RIG_CACHE:-/var/cache/rig-testbed}
# one builder at a time: parallel test workers all call this script. Without a writable cache dir (non-root)
# nothing can be built anyway, so the scripts only confirm that the images are current.
if mkdir -p "$RIG_CACHE" 2>/dev/null && [ -w "$RIG_CACHE" ]; then
  exec 9>"$RIG_CACHE/build.lock"
  flock 9
fi
"$HERE/images/busybox.sh" "$@"
"$HERE/images/svc.sh" "$@"
"$HERE/images/target.sh" "$@"
# the stack images (postgres, redis, caddy, LiteLLM and Headscale stand-ins): each takes the lock above re-entrantly
"$HERE/images/postgres.sh" "$@"
"$HERE/images/redis.sh" "$@"
"$HERE/images/caddy.sh" "$@"
"$HERE/images/litellm-standin.sh" "$@"
"$HERE/images/headscale-standin.sh" "$@"
"$HERE/images/headscale-distroless-standin.sh" "$@"
# OpenClaw (local/openclaw:2026.9.6 and its sandbox image): about 2 min on a cold cache, so only on request
if [ "${RIG_IMAGES_OPENCLAW:-}" = 1 ]; then "$HERE/images/openclaw.sh" "$@"; fi
if [ "${RIG_IMAGES_OPENCLAW:-}" = 1 ]; then "$HERE/images/telegram-standin.sh" "$@"; fi   # its Node is the one openclaw.sh stages
