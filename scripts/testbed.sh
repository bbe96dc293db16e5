#!/usr/bin/env bash
# Real test hosts for rig: N target containers (rig/target:1) with sshd on 127.0.0.1 ports, sharing the host's docker engine.
# Usage:
#   scripts/testbed.sh start N [--run-id ID] [--json]   start hosts h1..hN and wait until SSH logs in; prints the ssh config
#                                                       (or, with --json, a JSON description used by test/helpers/testbed)
#   scripts/testbed.sh stop [RUN_ID | --all]            remove the run's containers, its compose containers/networks and files
#   scripts/testbed.sh ssh-config [RUN_ID]              print the run's ssh config; its file is $RIG_TB_ROOT/<run>/ssh/config
#   scripts/testbed.sh stop-host RUN_ID HOST            stop one host's container (simulates an unreachable host)
#   scripts/testbed.sh start-host RUN_ID HOST           start it again (same port, same host key) and wait for SSH
#   scripts/testbed.sh logs RUN_ID                      print every host container's log
#   scripts/testbed.sh list                             list runs with containers
# RUN_ID defaults to the last run started by hand ($RIG_TB_ROOT/current).
# Env: RIG_TB_ROOT=/tmp/rig-tb  RIG_TB_TIMEOUT=60 (seconds to SSH-ready)  RIG_TB_SKIP_BUILD=1 (do not check images)
#      RIG_TB_COMPOSE=v1|v2 (the one Compose flavor the run's hosts expose; default v1)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DOCKER=/usr/bin/docker
IMAGE=rig/target:1
ROOT=${RIG_TB_ROOT:-/tmp/rig-tb}
. "$HERE/lib/testbed-host.sh"

die() { echo "testbed: $*" >&2; exit 1; }
set_run() {
  RUN_ID=${1:-$(cat "$ROOT/current" 2>/dev/null || true)}
  [ -n "$RUN_ID" ] || die "no run id given and no $ROOT/current"
  [[ $RUN_ID =~ ^[a-z0-9]+$ ]] || die "run id must be lowercase letters and digits: $RUN_ID"
  RUN_DIR="$ROOT/$RUN_ID"; SSH_DIR="$RUN_DIR/ssh"; KEY="$SSH_DIR/id_ed25519"
}
hosts_of_run() { "$DOCKER" ps -a -f "label=rig.testbed.run=$RUN_ID" --format '{{.Label "rig.testbed.host"}}' | sort -V; }
deadline() { DEADLINE_S=$(( $(date +%s) + ${RIG_TB_TIMEOUT:-60} )); }

# parallel FUNC HOST... -> runs FUNC for every host concurrently; fails when any of them failed
parallel() {
  local fn=$1 pids=() rc=0 p; shift
  for h in "$@"; do "$fn" "$h" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  return $rc
}

write_client_files() {
  local h first=1
  : >"$SSH_DIR/config"; : >"$SSH_DIR/known_hosts"
  for h in "$@"; do ssh_config_entry "$h" >>"$SSH_DIR/config"; cat "$SSH_DIR/$h.known_hosts" >>"$SSH_DIR/known_hosts"; done
  {
    printf '{"runId":"%s","prefix":"rig-tb-%s-","runDir":"%s","keyPath":"%s","sshConfigPath":"%s","knownHostsPath":"%s","compose":"%s","hosts":[' \
      "$RUN_ID" "$RUN_ID" "$RUN_DIR" "$KEY" "$SSH_DIR/config" "$SSH_DIR/known_hosts" "$COMPOSE"
    for h in "$@"; do [ $first = 1 ] || printf ','; first=0; host_json "$h"; done
    printf ']}\n'
  } >"$RUN_DIR/testbed.json"
}

cmd_start() {
  local n=${1:-}; shift || true
  local json=0 id=""
  while [ $# -gt 0 ]; do
    case "$1" in --json) json=1 ;; --run-id) id=${2:?}; shift ;; *) die "unknown option $1" ;; esac; shift
  done
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "usage: testbed.sh start N [--run-id ID] [--json]"
  COMPOSE=${RIG_TB_COMPOSE:-v1}
  [[ $COMPOSE =~ ^v[12]$ ]] || die "RIG_TB_COMPOSE must be v1 or v2, not $COMPOSE"
  [ "${RIG_TB_SKIP_BUILD:-0}" = 1 ] || "$HERE/build-images.sh" >&2
  # the containers start from the image ID: a concurrent rebuild of the tag (another checkout) cannot swap it mid-run
  IMAGE=$("$DOCKER" image inspect -f '{{.Id}}' "$IMAGE") || die "image $IMAGE missing (scripts/build-images.sh)"
  [ -n "$id" ] || { id=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n'); mkdir -p "$ROOT"; echo "$id" >"$ROOT/current"; }
  set_run "$id"
  mkdir -p "$SSH_DIR"; chmod 700 "$SSH_DIR"
  [ -f "$KEY" ] || ssh-keygen -q -t ed25519 -N '' -C "rig-testbed-$RUN_ID" -f "$KEY"
  local hosts t0; hosts=$(seq -f 'h%g' 1 "$n"); t0=$(date +%s.%N)
  # shellcheck disable=SC2086 # host names are a word list
  parallel run_host $hosts || { cmd_logs >&2; die "starting containers failed (run $RUN_ID; stop with: $0 stop $RUN_ID)"; }
  deadline
  # shellcheck disable=SC2086
  parallel wait_ssh $hosts || die "hosts not SSH-ready within ${RIG_TB_TIMEOUT:-60}s (run $RUN_ID; stop with: $0 stop $RUN_ID)"
  # shellcheck disable=SC2086
  write_client_files $hosts
  echo "testbed: run $RUN_ID: $n host(s) SSH-ready in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')s" >&2
  if [ $json = 1 ]; then cat "$RUN_DIR/testbed.json"; else cat "$SSH_DIR/config"; echo "testbed: use: ssh -F $SSH_DIR/config h1" >&2; fi
}

cmd_stop() {
  local prefix
  if [ "${1:-}" = --all ]; then
    for id in $("$DOCKER" ps -a --format '{{.Label "rig.testbed.run"}}' | sort -u | grep -E '^[a-z0-9]+$' || true); do
      "$0" stop "$id"
    done
    return
  fi
  set_run "${1:-}"; prefix="rig-tb-$RUN_ID-"
  # compose containers started from inside the hosts live on the shared engine, named by project
  local ids
  ids=$({ "$DOCKER" ps -aq -f "label=rig.testbed.run=$RUN_ID"
          "$DOCKER" ps -a -f label=com.docker.compose.project --format '{{.ID}} {{.Label "com.docker.compose.project"}}' |
            awk -v p="$prefix" 'index($2, p) == 1 {print $1}'; } | sort -u)
  [ -z "$ids" ] || echo "$ids" | xargs "$DOCKER" rm -f -v >/dev/null
  "$DOCKER" network ls -f label=com.docker.compose.project --format '{{.ID}} {{.Label "com.docker.compose.project"}}' |
    awk -v p="$prefix" 'index($2, p) == 1 {print $1}' | xargs -r "$DOCKER" network rm >/dev/null
  "$DOCKER" volume ls -f label=com.docker.compose.project --format '{{.Name}} {{.Label "com.docker.compose.project"}}' |
    awk -v p="$prefix" 'index($2, p) == 1 {print $1}' | xargs -r "$DOCKER" volume rm >/dev/null
  [ "${RIG_TB_KEEP:-0}" = 1 ] || rm -rf "$RUN_DIR"
  [ "$(cat "$ROOT/current" 2>/dev/null || true)" != "$RUN_ID" ] || rm -f "$ROOT/current"
  echo "testbed: run $RUN_ID stopped" >&2
}

cmd_logs() {
  local h
  for h in $(hosts_of_run); do
    echo "===== $(container_name "$h") ====="
    "$DOCKER" logs --timestamps "$(container_name "$h")" 2>&1 || true
  done
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) cmd_stop "${2:-}" ;;
  ssh-config) set_run "${2:-}"; cat "$SSH_DIR/config"; echo "testbed: use: ssh -F $SSH_DIR/config h1" >&2 ;;
  stop-host) set_run "${2:?run id}"; "$DOCKER" stop -t 1 "$(container_name "${3:?host}")" >/dev/null ;;
  start-host) set_run "${2:?run id}"; "$DOCKER" start "$(container_name "${3:?host}")" >/dev/null; deadline; wait_ssh "$3" ;;
  logs) set_run "${2:-}"; cmd_logs ;;
  list) "$DOCKER" ps -a -f label=rig.testbed.run --format '{{.Label "rig.testbed.run"}} {{.Names}} {{.Status}} {{.Ports}}' ;;
  *) sed -n '3,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
