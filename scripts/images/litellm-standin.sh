#!/usr/bin/env bash
# Builds local/litellm-standin:2, a STAND-IN for the LiteLLM proxy, not LiteLLM: a few busybox sh and awk scripts that
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
#   GET /health              needs `Authorization: Bearer $LITELLM_MASTER_KEY` (else 401 with LiteLLM's
#                            "Authentication Error, Invalid proxy server token passed. valid_token=None."); 200 with every model_name as
#                            a healthy endpoint. EVERY request to /health, authorised or not, increments a counter kept in
#                            /var/lib/litellm-standin/health-calls (survives restarts, not re-creation)
#   GET /stats/health-calls  that counter, e.g. `0` (no auth; not a LiteLLM endpoint: for tests asserting no /health calls)
#   GET /v1/models, /models  needs the Bearer key; {"data":[{"id":"<model_name>","object":"model",…}],"object":"list"}
#                            with the model_names of the config's top-level model_list, in file order (read at start)
#   POST /v1/chat/completions, /chat/completions   needs the Bearer key (else the 401 above); reads the JSON body's
#                            "model". A model_name the config lacks: LiteLLM's 400 "Invalid model name passed in
#                            model=…". Else the answer of the model's case in LITELLM_STANDIN_ANSWERS (env, e.g.
#                            `qwen3-coder=no-credit,*=ok`; `*` any model; default ok): status and body of that case in
#                            scripts/fakes/litellm-completion-answers.json (ok, no-credit, quota, credit-400, budget,
#                            bad-key, proxy-key, rate-limit, model-missing, provider-down, bad-gateway, bad-request,
#                            error-in-200; each body's source is cited there), MODEL_NAME replaced by the model asked.
#                            Every completion request, answered or not, increments /var/lib/litellm-standin/completions
#                            and its body is kept in /run/litellm-standin/last-completion.json.
#   GET /stats/completions   that counter; GET /stats/last-completion   that body (not LiteLLM endpoints: for tests)
#   other paths 404 {"detail":"Not Found"}; other methods 405. SIGTERM/SIGINT: exit 0 at once.
#   Healthcheck: ["CMD-SHELL", "timeout 3 wget -qO- http://127.0.0.1:4000/health/readiness"]
#   (the real image has python, not wget: its healthcheck differs; there is no /ui/ here)
# Usage: scripts/images/litellm-standin.sh [--force]    Needs: busybox-static, node (to split the answers file), a
# running docker engine, root (chroot).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/image-cache.sh"
. "$HERE/../lib/rootfs.sh"
TAG=local/litellm-standin:2
ANSWERS="$HERE/../fakes/litellm-completion-answers.json"
HASH=$(inputs_hash "$0" "$HERE/../lib/image-cache.sh" "$HERE/../lib/rootfs.sh" /bin/busybox "$ANSWERS")
skip_if_current litellm-standin "$TAG" "$HASH" "$@"
need_root litellm-standin
build_lock litellm-standin "$TAG" "$HASH" "$@"
t0=$(date +%s.%N)
scratch_dir litellm-standin R
stage_busybox "$R"
stage_sh_http "$R"
L="$R/usr/local/lib/litellm-standin"
mkdir -p "$L" "$R/var/lib/litellm-standin" "$R/app" "$L/answers"
# one <case>.status (`402 Payment Required`) and <case>.json (the body) per answer: busybox has no JSON parser
node -e '
const fs = require("fs"), reasons = { 200: "OK", 400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 404: "Not Found",
  422: "Unprocessable Entity", 429: "Too Many Requests", 502: "Bad Gateway", 503: "Service Unavailable" };
for (const [name, a] of Object.entries(JSON.parse(fs.readFileSync(process.argv[1], "utf8")))) {
  if (typeof a === "string") continue;
  if (!reasons[a.status]) throw new Error(`answer ${name}: no reason phrase for status ${a.status}`);
  fs.writeFileSync(`${process.argv[2]}/${name}.status`, `${a.status} ${reasons[a.status]}`);
  fs.writeFileSync(`${process.argv[2]}/${name}.json`, a.body);
}' "$ANSWERS" "$L/answers"

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
# Config check of the LiteLLM stand-in (local/litellm-standin:2): v1.81.3 refused router_settings.health_check_interval.
line=$(awk -f /usr/local/lib/litellm-standin/router-settings.awk "$1") || exit 1
[ -z "$line" ] && exit 0
echo "litellm-standin: $1:$line: health_check_interval inside router_settings" >&2
echo "ValueError: health_check_interval is not a valid router_settings parameter" >&2
exit 1
CHECK

cat >"$R/usr/local/bin/litellm" <<'MAIN'
#!/bin/sh
# Entrypoint of local/litellm-standin:2, a stand-in for the LiteLLM proxy; the contract is in scripts/images/litellm-standin.sh.
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
S=/run/litellm-standin C=/var/lib/litellm-standin/health-calls N=/var/lib/litellm-standin/completions
A=/usr/local/lib/litellm-standin/answers
json=application/json
count_health_call() {
  until mkdir "$C.lock" 2>/dev/null; do usleep 10000; done
  n=$(cat "$C"); echo $((n + 1)) >"$C"
  rmdir "$C.lock"
}
with_key() {
  if [ "$AUTHORIZATION" = "Bearer $LITELLM_MASTER_KEY" ]; then http_reply '200 OK' "$json" "$(cat "$1")"; else
    # LiteLLM's answer to a key that is not its master key (github.com/BerriAI/litellm/issues/7287)
    http_reply '401 Unauthorized' "$json" '{"error":{"message":"Authentication Error, Invalid proxy server token passed. valid_token=None.","type":"auth_error","param":"None","code":"401"}}'
  fi
}
# the case LITELLM_STANDIN_ANSWERS gives model $1 (`name=case` or `*=case`, comma-separated; default ok)
case_of() {
  c=ok
  for pair in $(echo "${LITELLM_STANDIN_ANSWERS:-}" | tr ',' ' '); do
    case $pair in "$1="* | "*="*) c=${pair#*=} ;; esac
  done
  [ -f "$A/$c.status" ] && echo "$c" || echo ok
}
# the request's headers: Authorization and Content-Length (rig-http.sh's http_read_request keeps no Content-Length;
# it is not extended because scripts/lib/rootfs.sh, which writes it, is an input of every image's hash)
read_headers() {
  AUTHORIZATION= CONTENT_LENGTH=0
  while IFS= read -r -t 5 line; do
    line=${line%"$cr"}
    [ -n "$line" ] || return 0
    case $line in
      [Aa]uthorization:*) AUTHORIZATION=${line#*:}; AUTHORIZATION=${AUTHORIZATION# } ;;
      [Cc]ontent-[Ll]ength:*) CONTENT_LENGTH=${line#*:}; CONTENT_LENGTH=${CONTENT_LENGTH# } ;;
    esac
  done
  return 1
}
completion() {
  until mkdir "$N.lock" 2>/dev/null; do usleep 10000; done
  n=$(cat "$N" 2>/dev/null || echo 0); echo $((n + 1)) >"$N"
  rmdir "$N.lock"
  case $CONTENT_LENGTH in '' | *[!0-9]*) CONTENT_LENGTH=0 ;; esac
  [ "$CONTENT_LENGTH" -le 65536 ] || { http_reply '400 Bad Request' "$json" '{"detail":"body over 64 KiB"}'; return; }
  BODY=$(timeout 5 head -c "$CONTENT_LENGTH")
  printf '%s' "$BODY" >"$S/last-completion.json"
  [ "$AUTHORIZATION" = "Bearer $LITELLM_MASTER_KEY" ] || { with_key /dev/null; return; }
  model=$(printf '%s' "$BODY" | sed -n 's/.*"model" *: *"\([^"\\]*\)".*/\1/p')
  if grep -qxF -- "$model" "$S/models"; then c=$(case_of "$model"); else c=unknown-model; fi
  http_reply "$(cat "$A/$c.status")" "$json" "$(sed "s|MODEL_NAME|$(printf '%s' "$model" | sed 's/[|&\\]/\\&/g')|g" "$A/$c.json")"
}
cr=$(printf '\r')
IFS=' ' read -r -t 5 METHOD target _proto || exit 0
REQ_PATH=${target%"$cr"}; REQ_PATH=${REQ_PATH%%\?*}
# every header is read before replying: closing with unread input makes the kernel reset the connection
read_headers || exit 0
case "$METHOD $REQ_PATH" in
  "POST /v1/chat/completions" | "POST /chat/completions") completion; exit 0 ;;
esac
[ "$METHOD" = GET ] || { http_reply '405 Method Not Allowed' "$json" '{"detail":"Method Not Allowed"}'; exit 0; }
case $REQ_PATH in
  /stats/completions) http_reply '200 OK' text/plain "$(cat "$N" 2>/dev/null || echo 0)" ;;
  /stats/last-completion) http_reply '200 OK' "$json" "$(cat "$S/last-completion.json" 2>/dev/null)" ;;
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
