#!/usr/bin/env bash
# Builds local/litellm-standin:1, a STAND-IN for the LiteLLM proxy, not LiteLLM: a few busybox sh and awk scripts that
# answer the endpoints the stack's healthchecks and smoke tests call, and crash on the config mistake that crash-looped
# v1.81.3 (incumbent.md §4). No model is ever called. Busybox skeleton, `docker import`; cached by the inputs-hash label.
#
# Contract of the image (ENTRYPOINT ["litellm"], CMD ["--port", "4000"], EXPOSE 4000; runs as root):
#   litellm [--config FILE] [--port N] [--host H] [--num_workers N] [--detailed_debug]   (--host: always all addresses)
#     unknown option: `Error: No such option: …`, exit 2 (as click does)
#   Refuses to start (exit 1, message on stderr):
#     LITELLM_MASTER_KEY unset or empty (the stack's proxy needs its master key; the stand-in reads it from env only);
#     FILE unreadable;
#     `health_check_interval` a key directly inside the top-level `router_settings` mapping (block style, or a flow
#       mapping on the `router_settings:` line):  `ValueError: health_check_interval is not a valid router_settings parameter`
#       Anywhere else (general_settings, deeper inside router_settings, commented out) it is accepted, as v1.81.3 did.
#   litellm-standin-check FILE   that config check alone (exit 0 or 1 with the same message), for tests and CI.
#   Prints `INFO:     Uvicorn running on http://0.0.0.0:PORT (Press CTRL+C to quit)` and one INFO line per request.
#   GET /health/liveliness   200 "I'm alive!"                        (no auth; /health/liveness too)
#   GET /health/readiness    200 {"status":"healthy","db":"connected"} (no auth; no database is contacted)
#   GET /health              needs `Authorization: Bearer $LITELLM_MASTER_KEY` (else 401); 200 with every model_name as
#                            a healthy endpoint. EVERY request to /health, authorised or not, increments a counter kept in
#                            /var/lib/litellm-standin/health-calls (survives restarts, not re-creation)
#   GET /stats/health-calls  that counter, e.g. `0` (no auth; not a LiteLLM endpoint: for tests asserting no /health calls)
#   GET /v1/models, /models  needs the Bearer key; {"data":[{"id":"<model_name>","object":"model",…}],"object":"list"}
#                            with the model_names of the config's top-level model_list, in file order (read at start)
#   other paths 404 {"detail":"Not Found"}; other methods 405. SIGTERM/SIGINT: exit 0 at once.
#   Healthcheck: ["CMD-SHELL", "timeout 3 wget -qO- http://127.0.0.1:4000/health/readiness"]
#   (the real image has python, not wget: its healthcheck differs; there is no /ui/ and no POST endpoint here)
# Usage: scripts/images/litellm-standin.sh [--force]    Needs: busybox-static, a running docker engine, root (chroot).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/image-cache.sh"
. "$HERE/../lib/rootfs.sh"
TAG=local/litellm-standin:1
HASH=$(inputs_hash "$0" "$HERE/../lib/image-cache.sh" "$HERE/../lib/rootfs.sh" /bin/busybox)
skip_if_current litellm-standin "$TAG" "$HASH" "$@"
need_root litellm-standin
build_lock litellm-standin "$TAG" "$HASH" "$@"
t0=$(date +%s.%N)
scratch_dir litellm-standin R
stage_busybox "$R"
stage_sh_http "$R"
L="$R/usr/local/lib/litellm-standin"
mkdir -p "$L" "$R/var/lib/litellm-standin" "$R/app"

cat >"$L/router-settings.awk" <<'AWK'
# Prints the line number of `health_check_interval` when it is a key directly inside the top-level router_settings
# mapping: in block style at the indentation of that mapping's first key, or at depth 1 of a flow mapping written on
# the router_settings line. Prints nothing otherwise. Indentation-based, not a YAML parser.
function ind(s) { match(s, /^ */); return RLENGTH }
function flow_has(s,   d, j, c, t) {
  for (j = 1; j <= length(s); j++) {
    c = substr(s, j, 1)
    if (c == "{" || c == "[") d++
    else if (c == "}" || c == "]") d--
    if (d == 1 && (c == "{" || c == ",")) {
      t = substr(s, j + 1); sub(/^ */, "", t)
      if (t ~ /^["']?health_check_interval["']? *:/) return 1
    }
  }
  return 0
}
{ sub(/\r$/, "") }
/^ *(#.*)?$/ { next }
/^(---|\.\.\.)( |$)/ { inrs = 0; next }
ind($0) == 0 && $0 !~ /^-( |$)/ {
  inrs = ($0 ~ /^["']?router_settings["']? *:/); child = -1
  if (inrs) { rest = $0; sub(/^[^:]*: */, "", rest); if (rest ~ /^\{/ && flow_has(rest)) { print NR; exit } }
  next
}
inrs {
  i = ind($0); if (child < 0) child = i
  if (i == child && substr($0, i + 1) ~ /^["']?health_check_interval["']? *:/) { print NR; exit }
}
AWK

cat >"$L/model-names.awk" <<'AWK'
# Prints the model_name of each item of the top-level model_list sequence, one per line, quotes and comments stripped.
# Items may sit at the key's own indentation (`- model_name: a` at column 0, as PyYAML writes) or deeper.
function ind(s) { match(s, /^ */); return RLENGTH }
function val(s) {
  sub(/^[^:]*: */, "", s); sub(/ +#.*$/, "", s); sub(/ +$/, "", s)
  if (s ~ /^".*"$/ || s ~ /^'.*'$/) s = substr(s, 2, length(s) - 2)
  return s
}
{ sub(/\r$/, "") }
/^ *(#.*)?$/ { next }
ind($0) == 0 && $0 !~ /^-( |$)/ { inlist = ($0 ~ /^["']?model_list["']? *:/); item = -1; keyind = -1; next }
!inlist { next }
{
  i = ind($0); rest = substr($0, i + 1)
  if (rest ~ /^- / && (item < 0 || i == item)) {
    item = i; rest = substr(rest, 3); keyind = i + 2 + ind(rest); rest = substr(rest, ind(rest) + 1)
  } else if (i != keyind) next
  if (rest ~ /^["']?model_name["']? *:/) print val(rest)
}
AWK

cat >"$R/usr/local/bin/litellm-standin-check" <<'CHECK'
#!/bin/sh
# Config check of the LiteLLM stand-in (local/litellm-standin:1): v1.81.3 refused router_settings.health_check_interval.
line=$(awk -f /usr/local/lib/litellm-standin/router-settings.awk "$1") || exit 1
[ -z "$line" ] && exit 0
echo "litellm-standin: $1:$line: health_check_interval inside router_settings" >&2
echo "ValueError: health_check_interval is not a valid router_settings parameter" >&2
exit 1
CHECK

cat >"$R/usr/local/bin/litellm" <<'MAIN'
#!/bin/sh
# Entrypoint of local/litellm-standin:1, a stand-in for the LiteLLM proxy; the contract is in scripts/images/litellm-standin.sh.
set -eu
L=/usr/local/lib/litellm-standin S=/run/litellm-standin C=/var/lib/litellm-standin/health-calls
config='' port=4000
need() { [ "$1" -ge 2 ] || { echo "Error: Option '$2' requires an argument." >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case $1 in
    --config | -c) need $# "$1"; config=$2; shift 2 ;;
    --port | -p) need $# "$1"; port=$2; shift 2 ;;
    --host | --num_workers) need $# "$1"; shift 2 ;;
    --config=* ) config=${1#*=}; shift ;;
    --port=*) port=${1#*=}; shift ;;
    --detailed_debug | --debug) shift ;;
    *) echo "Error: No such option: $1" >&2; exit 2 ;;
  esac
done
case $port in '' | *[!0-9]*) echo "Error: Invalid value for '--port': '$port' is not a valid integer." >&2; exit 2 ;; esac
[ -n "${LITELLM_MASTER_KEY:-}" ] ||
  { echo "litellm-standin: LITELLM_MASTER_KEY is not set; the proxy needs its master key" >&2; exit 1; }
mkdir -p "$S"
if [ -n "$config" ]; then
  [ -r "$config" ] || { echo "litellm-standin: config file $config not found or not readable" >&2; exit 1; }
  litellm-standin-check "$config"
  awk -f "$L/model-names.awk" "$config" | sed 's/[\\"]/\\&/g' >"$S/models"
else
  : >"$S/models"
fi
n=$(wc -l <"$S/models")
# the ternaries are parenthesised: a bare `>` among printf's arguments is an output redirection in awk
awk 'BEGIN { printf "{\"data\":[" } { printf "%s{\"id\":\"%s\",\"object\":\"model\",\"created\":1677610602,\"owned_by\":\"openai\"}", (NR > 1 ? "," : ""), $0 }
  END { printf "],\"object\":\"list\"}" }' "$S/models" >"$S/models.json"
awk -v n="$n" 'BEGIN { printf "{\"healthy_endpoints\":[" } { printf "%s{\"model\":\"%s\"}", (NR > 1 ? "," : ""), $0 }
  END { printf "],\"unhealthy_endpoints\":[],\"healthy_count\":%d,\"unhealthy_count\":0}", n }' "$S/models" >"$S/health.json"
[ -s "$C" ] || echo 0 >"$C"
rmdir "$C.lock" 2>/dev/null || true    # a lock left by a killed handler
echo "litellm-standin: a stand-in for the LiteLLM proxy; $n model(s) from ${config:-no config}"
echo "INFO:     Uvicorn running on http://0.0.0.0:$port (Press CTRL+C to quit)"
# PID 1 ignores signals it has no handler for: trap them rather than exec nc
trap 'kill "$pid" 2>/dev/null; exit 0' TERM INT
nc -ll -p "$port" -e "$L/handler" &
pid=$!
wait "$pid"
MAIN

cat >"$L/handler" <<'HANDLER'
#!/bin/sh
# One HTTP request to the LiteLLM stand-in, run by nc per connection; routes in scripts/images/litellm-standin.sh.
. /usr/local/lib/rig-http.sh
S=/run/litellm-standin C=/var/lib/litellm-standin/health-calls
json=application/json
count_health_call() {
  until mkdir "$C.lock" 2>/dev/null; do usleep 10000; done
  n=$(cat "$C"); echo $((n + 1)) >"$C"
  rmdir "$C.lock"
}
with_key() {
  if [ "$AUTHORIZATION" = "Bearer $LITELLM_MASTER_KEY" ]; then http_reply '200 OK' "$json" "$(cat "$1")"; else
    http_reply '401 Unauthorized' "$json" '{"error":{"message":"Authentication Error, invalid or missing master key","type":"auth_error","code":"401"}}'
  fi
}
http_read_request || exit 0
[ "$METHOD" = GET ] || { http_reply '405 Method Not Allowed' "$json" '{"detail":"Method Not Allowed"}'; exit 0; }
case $REQ_PATH in
  /health/liveliness | /health/liveness) http_reply '200 OK' "$json" "\"I'm alive!\"" ;;
  /health/readiness) http_reply '200 OK' "$json" '{"status":"healthy","db":"connected"}' ;;
  /health) count_health_call; with_key "$S/health.json" ;;
  /stats/health-calls) http_reply '200 OK' text/plain "$(cat "$C")" ;;
  /v1/models | /models) with_key "$S/models.json" ;;
  *) http_reply '404 Not Found' "$json" '{"detail":"Not Found"}' ;;
esac
HANDLER
chmod 0755 "$R/usr/local/bin/litellm" "$R/usr/local/bin/litellm-standin-check" "$L/handler"

import_rootfs "$R" "$TAG" \
  "LABEL $INPUTS_LABEL=$HASH" \
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  'WORKDIR /app' \
  'EXPOSE 4000' \
  'ENTRYPOINT ["/usr/local/bin/litellm"]' \
  'CMD ["--port", "4000"]'
echo "litellm-standin: built $TAG ($HASH) in $(elapsed "$t0")s" >&2
