#!/usr/bin/env bash
# Builds local/headscale-standin:2, a STAND-IN for Headscale, not Headscale: busybox sh and awk that read the config
# file the vpn-dns role rewrites (incumbent.md §6), refuse a missing or malformed one, and report what they read.
# Busybox skeleton, `docker import`, no registry; cached by the inputs-hash label.
#
# Contract of the image (ENTRYPOINT ["headscale"], CMD ["serve"], EXPOSE 8080; runs as root):
#   headscale [-c|--config FILE] serve|configtest|version|users list      FILE defaults to /etc/headscale/config.yaml
#   The config is read once, at start (like the real server: a rewritten file needs a restart to be seen). Refused
#   (exit 1, `headscale-standin: FILE[:LINE]: message` lines on stderr) when the file is missing or unreadable, or
#   fails the minimal YAML checks: no tab in indentation; every column-0 line a `key:` entry, no duplicate keys;
#   top-level server_url (http:// or https://), listen_addr and dns (a mapping) present; listen_addr's port numeric.
#   configtest: those checks only, exit 0 or 1.
#   users list: asks the running server (GET /health on listen_addr's port, where Headscale's CLI asks its gRPC unix
#     socket) and prints `[]`, exit 0; no server: `Could not connect: …` on stderr, exit 1 (roles/headscale's default
#     healthcheck, `headscale users list`, runs the same in this image and in the real one).
#   serve: prints `headscale-standin: listening and serving HTTP on: <listen_addr>` and listens on listen_addr's
#     port (8080 when it has none), on all addresses.
#     GET /health       200 {"status":"pass"}
#     GET /config/dns   200 {"override_local_dns":<dns.override_local_dns as written, null when absent>,
#                            "extra_records":<number of dns.extra_records items>}    (not a Headscale endpoint: for tests)
#     other paths 404; other methods 405. SIGTERM/SIGINT: exit 0 at once.
#   Healthcheck: ["CMD", "headscale", "users", "list"] (or ["CMD-SHELL", "timeout 3 wget -qO- http://127.0.0.1:8080/health"])
# Usage: scripts/images/headscale-standin.sh [--force]    Needs: busybox-static, a running docker engine, root (chroot).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/image-cache.sh"
. "$HERE/../lib/rootfs.sh"
TAG=local/headscale-standin:2
HASH=$(inputs_hash "$0" "$HERE/../lib/image-cache.sh" "$HERE/../lib/rootfs.sh" /bin/busybox)
skip_if_current headscale-standin "$TAG" "$HASH" "$@"
need_root headscale-standin
build_lock headscale-standin "$TAG" "$HASH" "$@"
t0=$(date +%s.%N)
scratch_dir headscale-standin R
stage_busybox "$R"
stage_sh_http "$R"
L="$R/usr/local/lib/headscale-standin"
mkdir -p "$L" "$R/etc/headscale" "$R/var/lib/headscale"

cat >"$L/config.awk" <<'AWK'
# Checks the minimal YAML the Headscale stand-in needs; on success prints listen_port=, override_local_dns= and
# extra_records= lines, else FILE:LINE: messages on stderr and exit 1. Indentation-based, not a YAML parser.
function ind(s) { match(s, /^ */); return RLENGTH }
function val(s) {
  sub(/^[^:]*: */, "", s); sub(/ +#.*$/, "", s); sub(/ +$/, "", s)
  if (s ~ /^".*"$/ || s ~ /^'.*'$/) s = substr(s, 2, length(s) - 2)
  return s
}
function err(line, msg) { printf "headscale-standin: %s%s: %s\n", FILENAME, line ? ":" line : "", msg > "/dev/stderr"; bad = 1 }
function flow_items(s,   d, j, c, n) {
  if (s ~ /^\[ *\]$/) return 0
  for (j = 1; j <= length(s); j++) {
    c = substr(s, j, 1)
    if (c == "{" || c == "[") d++
    else if (c == "}" || c == "]") d--
    else if (c == "," && d == 1) n++
  }
  return n + 1
}
{ sub(/\r$/, "") }
/^ *(#.*)?$/ { next }
/^ *\t/ { err(FNR, "tab in indentation (YAML forbids tabs)"); next }
/^(---|\.\.\.) *$/ { next }
ind($0) == 0 {
  if ($0 !~ /^["']?[A-Za-z0-9_.-]+["']? *:( |$)/) { err(FNR, "expected a top-level `key: value` entry"); top = ""; next }
  top = $0; sub(/^["']/, "", top); sub(/["']? *:.*$/, "", top)
  if (top in seen) err(FNR, "duplicate key " top " (first on line " seen[top] ")")
  seen[top] = FNR; value[top] = val($0); child = -1; inrec = 0
  next
}
top != "dns" { next }
{
  i = ind($0); rest = substr($0, i + 1)
  if (child < 0) child = i
  if (i < child) { err(FNR, "bad indentation inside dns"); next }
  if (i == child && rest !~ /^-( |$)/) {
    inrec = 0
    if (rest ~ /^["']?override_local_dns["']? *:/) override = val(rest)
    else if (rest ~ /^["']?extra_records["']? *:/) {
      v = val(rest); inrec = (v == ""); item = -1
      if (v ~ /^\[/) records = flow_items(v)
    }
  } else if (inrec && rest ~ /^-( |$)/ && (item < 0 || i == item)) { item = i; records++ }
}
END {
  if (!("server_url" in seen)) err(0, "missing required key server_url")
  else if (value["server_url"] !~ /^https?:\/\//) err(seen["server_url"], "server_url must start with http:// or https://")
  if (!("listen_addr" in seen)) err(0, "missing required key listen_addr")
  if (!("dns" in seen)) err(0, "missing required key dns")
  else if (value["dns"] != "" && value["dns"] !~ /^\{.*\}$/) err(seen["dns"], "dns must be a mapping")
  port = value["listen_addr"]
  if (port ~ /:/) sub(/^.*:/, "", port); else port = 8080
  if ("listen_addr" in seen && port !~ /^[0-9]+$/) err(seen["listen_addr"], "listen_addr needs a numeric port")
  if (bad) exit 1
  printf "listen_port=%s\noverride_local_dns=%s\nextra_records=%d\n", port, override, records
}
AWK

cat >"$R/usr/local/bin/headscale" <<'MAIN'
#!/bin/sh
# Entrypoint of local/headscale-standin:2, a stand-in for Headscale; the contract is in scripts/images/headscale-standin.sh.
set -eu
L=/usr/local/lib/headscale-standin S=/run/headscale-standin
config=/etc/headscale/config.yaml
while [ $# -gt 0 ]; do
  case $1 in
    -c | --config) [ $# -ge 2 ] || { echo "Error: flag needs an argument: $1" >&2; exit 1; }; config=$2; shift 2 ;;
    --config=*) config=${1#*=}; shift ;;
    *) break ;;
  esac
done
cmd=${1:-serve}
case $cmd in
  version) echo "headscale-standin 1 (a stand-in for headscale)"; exit 0 ;;
  serve | configtest) ;;
  users) case ${2:-} in list | ls) cmd=users-list ;; *) echo "Error: unknown command \"${2:-}\" for \"headscale users\"" >&2; exit 1 ;; esac ;;
  *) echo "Error: unknown command \"$cmd\" for \"headscale\"" >&2; exit 1 ;;
esac
[ -f "$config" ] && [ -r "$config" ] ||
  { echo "headscale-standin: $config: config file not found or not readable; refusing to start" >&2; exit 1; }
facts=$(awk -f "$L/config.awk" "$config") || exit 1
port=$(echo "$facts" | sed -n 's/^listen_port=//p')
if [ "$cmd" = users-list ]; then
  out=$(timeout 5 wget -q -O- "http://127.0.0.1:$port/health" 2>&1) || { echo "Could not connect: $out" >&2; exit 1; }
  echo '[]'; exit 0
fi
[ "$cmd" = serve ] || { echo "headscale-standin: $config: OK"; exit 0; }
mkdir -p "$S"
override=$(echo "$facts" | sed -n 's/^override_local_dns=//p')
case $override in true | false) ;; '') override=null ;; *) override="\"$(printf '%s' "$override" | sed 's/[\\"]/\\&/g')\"" ;; esac
printf '{"override_local_dns":%s,"extra_records":%s}' "$override" "$(echo "$facts" | sed -n 's/^extra_records=//p')" >"$S/dns.json"
echo "headscale-standin: listening and serving HTTP on: $(awk '/^listen_addr *:/ { sub(/^[^:]*: */, ""); print; exit }' "$config")"
# PID 1 ignores signals it has no handler for: trap them rather than exec nc
trap 'kill "$pid" 2>/dev/null; exit 0' TERM INT
nc -ll -p "$port" -e "$L/handler" &
pid=$!
wait "$pid"
MAIN

cat >"$L/handler" <<'HANDLER'
#!/bin/sh
# One HTTP request to the Headscale stand-in, run by nc per connection; routes in scripts/images/headscale-standin.sh.
. /usr/local/lib/rig-http.sh
http_read_request || exit 0
[ "$METHOD" = GET ] || { http_reply '405 Method Not Allowed' text/plain 'method not allowed'; exit 0; }
case $REQ_PATH in
  /health) http_reply '200 OK' application/json '{"status":"pass"}' ;;
  /config/dns) http_reply '200 OK' application/json "$(cat /run/headscale-standin/dns.json)" ;;
  *) http_reply '404 Not Found' text/plain '404 page not found' ;;
esac
HANDLER
chmod 0755 "$R/usr/local/bin/headscale" "$L/handler"

import_rootfs "$R" "$TAG" \
  "LABEL $INPUTS_LABEL=$HASH" \
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  'EXPOSE 8080' \
  'ENTRYPOINT ["/usr/local/bin/headscale"]' \
  'CMD ["serve"]'
echo "headscale-standin: built $TAG ($HASH) in $(elapsed "$t0")s" >&2
