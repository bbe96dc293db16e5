#!/usr/bin/env bash
# `make bench` (8 hosts, with tuned Ansible) and `make bench-scale N=100` (no Ansible by default): rig against its raw
# floors on the same test hosts and workload per host (1 directory, 20 templates, 1 env file, 1 no-op command).
# Order: decomposition (node start, project load), no-op floor, rig first (then the first-deploy floor writes the same
# files), rig no-op (then `rig plan` must exit 0), the alternating floor/rig pairs the ratios are judged on, ansible
# first and no-op; then Ansible's files are compared with rig's byte for byte. Prints a table; the LAST line is the
# machine-readable summary (`bench: hosts=N noop_vs_floor=… first_vs_floor=… rss_mb=… cpu_s=… …`).
# Usage: bash bench/run.sh     (needs `make build images`; root; docker, hyperfine, GNU time, ansible-core if used)
# Env: BENCH_HOSTS=8  BENCH_RUNS=10 (hyperfine runs per measurement)  BENCH_PAIRS=BENCH_RUNS (alternating floor/rig
#      pairs per ratio)  BENCH_ANSIBLE_RUNS=1 (0: skip; ~1 min per run at 8 hosts)  BENCH_FORKS (rig --forks;
#      default: rig's default)  BENCH_KEEP=1 (leave the hosts running)
#      BENCH_RIG=bin/rig.js (the rig measured, run by its shebang as make runs it)  BENCH_TB=RUN_ID (use that running bed of N hosts, keep it)
#      RIG_TB_ROOT=/tmp/rig-tb  RIG_TB_PARALLEL, RIG_TB_TIMEOUT (the bed's start; bench-scale sets them)
#      BENCH_RTT_MS (every connection through bench/lag-proxy.mjs, this round trip added; default: loopback)
#      BENCH_CONNECT_TIMEOUT=60 (s: the SSH handshake deadline of rig and of the floors alike; at 100 hosts on 2 shared
#      cores a handshake can wait past rig's 10 s default, and a timeout is a failed run, not a figure)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_HOSTS:-8}
RUN=${BENCH_TB:-$([ "$N" = 8 ] && echo bench || echo "bench$N")}
RUNS=${BENCH_RUNS:-10}
PAIRS=${BENCH_PAIRS:-$RUNS}
ANSIBLE_RUNS=${BENCH_ANSIBLE_RUNS:-1}
TB_DIR=${RIG_TB_ROOT:-/tmp/rig-tb}/$RUN
OUT=$PWD/bench/out$([ "$N" = 8 ] || echo "-$N")
PROJECT=bench/project
INV=$PROJECT/inventory/bench
CP_DIR=/tmp/rig-bench-ansible-cp
# BENCH_RIG: another rig to measure on the same bed (e.g. a build of main: BENCH_RIG='node /tmp/main/bin/rig.js')
read -r -a RIG <<<"${BENCH_RIG:-bin/rig.js}"
# GNU time around rig: peak RSS (KB) and user + system CPU seconds of rig (and its two git processes) per run
USAGE=(/usr/bin/time -a -f '%M %U %S')
export BENCH_CONNECT_TIMEOUT=${BENCH_CONNECT_TIMEOUT:-60} RIG_CONNECT_TIMEOUT=${BENCH_CONNECT_TIMEOUT:-60}
DEPLOY=(deploy --root "$PROJECT" --env bench ${BENCH_FORKS:+--forks "$BENCH_FORKS"})

die() { echo "bench: $*" >&2; exit 1; }
step() { printf '\n== %s\n' "$*" >&2; }
for tool in hyperfine docker node /usr/bin/time; do command -v "$tool" >/dev/null || die "$tool is missing"; done
[ "$ANSIBLE_RUNS" = 0 ] || command -v ansible-playbook >/dev/null || die "ansible-playbook is missing"
[ -f dist/bundle/main.js ] || die "rig is not built: run make build"

close_masters() {   # end the ControlPersist masters ansible started (by control socket), as the baseline does
  local s
  for s in "$CP_DIR"/*; do [ -S "$s" ] && ssh -o ControlPath="$s" -O exit x >/dev/null 2>&1 || true; done
  rm -rf "$CP_DIR"; mkdir -p "$CP_DIR"
}
PROXY=
cleanup() {
  [ -z "$PROXY" ] || kill "$PROXY" 2>/dev/null || true
  close_masters; rm -rf "$CP_DIR"
  [ "${BENCH_KEEP:-0}" = 1 ] || [ -n "${BENCH_TB:-}" ] || scripts/testbed.sh stop "$RUN" >/dev/null 2>&1 || true
}
trap cleanup EXIT
# every host's base_dir is <data dir>/app, mounted at the same path inside its container: reset from here
reset_targets() { rm -rf "$TB_DIR"/h*/app; }   # (a glob: run in the shell, never inside hyperfine -N)
now() { date +%s.%N; }
bench() {   # NAME ARGS... -> hyperfine (no shell) into $OUT/NAME.json, its report on stderr
  local name=$1; shift
  hyperfine -N --style basic --export-json "$OUT/$name.json" "$@" >&2
}
host_cpu() {   # NAME BEFORE -> $OUT/NAME.hostcpu: the hosts' CPU seconds per run since BEFORE (nothing if unreadable)
  local now; now=$(bash bench/host-cpu.sh "$OUT/testbed.json")
  [ -z "$2" ] || [ -z "$now" ] || awk -v a="$2" -v b="$now" -v n="$RUNS" 'BEGIN { printf "%.2f\n", (b - a) / 1e9 / n }' \
    >"$OUT/$1.hostcpu"
}
timed_rig() {   # NAME ARGS... -> the rig command line for hyperfine, its usage appended to $OUT/NAME.usage
  local name=$1; shift
  printf "%s " "${USAGE[@]:0:3}" "'${USAGE[3]}'" -o "$OUT/$name.usage" "${RIG[@]}" "$@"
}

step "test hosts ($N, run id $RUN)"
rm -rf "$OUT"; mkdir -p "$OUT"
if [ -n "${BENCH_TB:-}" ]; then
  cp "$TB_DIR/testbed.json" "$OUT/testbed.json"
  [ "$(node -e 'console.log(require(process.argv[1]).hosts.length)' "$OUT/testbed.json")" = "$N" ] \
    || die "bed $RUN does not have $N hosts"
else
  scripts/testbed.sh stop "$RUN" >/dev/null 2>&1 || true
  scripts/testbed.sh start "$N" --run-id "$RUN" --json >"$OUT/testbed.json"
fi
# BENCH_RTT_MS: rig's, the floors' and Ansible's connections go through bench/lag-proxy.mjs, which holds each chunk
# for half that round trip each way: the hosts a network away, where each exec costs round trips (loopback: none)
NET=$OUT/testbed.json
if [ -n "${BENCH_RTT_MS:-}" ]; then
  node bench/lag-proxy.mjs "$OUT/testbed.json" "$BENCH_RTT_MS" "$OUT/testbed-net.json" & PROXY=$!
  for _ in $(seq 100); do [ -f "$OUT/testbed-net.json" ] && break; sleep 0.1; done
  [ -f "$OUT/testbed-net.json" ] || die "the lag proxy did not start"
  NET=$OUT/testbed-net.json
fi
node bench/write-inventory.mjs "$NET"
export ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_PYTHON_INTERPRETER=auto_silent ANSIBLE_SSH_CONTROL_PATH_DIR=$CP_DIR \
       ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_NOCOLOR=1 ANSIBLE_FORKS=8 ANSIBLE_PIPELINING=True \
       ANSIBLE_SSH_ARGS="-C -o ControlMaster=auto -o ControlPersist=60s \
-o UserKnownHostsFile=$PWD/$INV/known_hosts -o StrictHostKeyChecking=yes"

step "decomposition: node start, rig loading the project (no ssh)"
bench node0 --warmup 1 --runs "$RUNS" 'node -e 0'
# the first load, timed once: roles are loaded from source by Node's type stripping, there is no cache to fill (rig
# before Node 24 transpiled them into .rig/build on a first load)
s=$(now); "${RIG[@]}" inventory --root "$PROJECT" --env bench >/dev/null; e=$(now)
load_cold=$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", b - a }')
bench load --warmup 1 --runs "$RUNS" "${RIG[*]} inventory --root $PROJECT --env bench"

step "no-op floor: node + ssh2, connect and exec true on $N hosts in parallel"
bench floor --warmup 1 --runs "$RUNS" "node bench/floor.mjs $NET"

step "rig first run (target dirs removed before each run)"
app_dirs=$(for i in $(seq 1 "$N"); do printf '%s/h%s/app ' "$TB_DIR" "$i"; done)
c0=$(bash bench/host-cpu.sh "$OUT/testbed.json")
bench rig-first --runs "$RUNS" --prepare "rm -rf $app_dirs" \
  "$(timed_rig rig-first "${DEPLOY[@]}" --json "$OUT/rig-first-result.json")"
host_cpu rig-first "$c0"
first_execs=$(node bench/check-rig.mjs "$OUT/rig-first-result.json" first "$N" 22)
for d in "$TB_DIR"/h*; do mkdir -p "$OUT/rig-tree"; cp -a "$d/app" "$OUT/rig-tree/$(basename "$d")"; done

step "first-deploy floor: the files rig wrote, one exec per host (temp, fsync, rename), target dirs removed first"
c0=$(bash bench/host-cpu.sh "$OUT/testbed.json")
bench floor-first --runs "$RUNS" --prepare "rm -rf $app_dirs" \
  "node bench/floor.mjs $NET --files $OUT/rig-tree"
host_cpu floor-first "$c0"
for d in "$TB_DIR"/h*; do
  diff -r "$OUT/rig-tree/$(basename "$d")" "$d/app" >&2 || die "the floor's files differ from rig's on $(basename "$d")"
done
# ... and the same modes (diff -r compares contents only)
modes() { (cd "$1" && find . -printf '%p %m\n' | sort); }
for d in "$TB_DIR"/h*; do
  [ "$(modes "$d/app")" = "$(modes "$OUT/rig-tree/$(basename "$d")")" ] || die "modes differ on $(basename "$d")"
done

step "rig no-op run"
bench rig-noop --warmup 1 --runs "$RUNS" "$(timed_rig rig-noop "${DEPLOY[@]}" --json "$OUT/rig-noop-result.json")"
roundtrips=$(node bench/check-rig.mjs "$OUT/rig-noop-result.json" noop "$N" 0)
set +e; "${RIG[@]}" plan --root "$PROJECT" --env bench >"$OUT/rig-plan-after.txt" 2>&1; rc=$?; set -e
[ $rc = 0 ] || { cat "$OUT/rig-plan-after.txt" >&2; die "rig plan after the no-op deploy exited $rc, not 0"; }

# The ratios are judged on alternating pairs: a floor run and a rig run back to back (which one first alternates),
# so both meet the same load. The hyperfine blocks above run minutes apart, and a shared machine's load drifts by
# more than the gap between two builds; each pair's ratio, their mean and its standard error go to the report.
step "alternating pairs ($PAIRS of each): no-op floor and rig no-op, then first-deploy floor and rig first run"
timed() {   # CMD... -> wall time in µs on stdout; the command's output discarded, its failure fatal
  local s e
  s=$(date +%s%N)
  "$@" >/dev/null 2>&1 || die "failed in the alternating pairs: $*"
  e=$(date +%s%N)
  echo $(((e - s) / 1000))
}
noop_floor() { timed node bench/floor.mjs "$NET"; }
noop_rig() { timed "${RIG[@]}" "${DEPLOY[@]}"; }
first_floor() { reset_targets; timed node bench/floor.mjs "$NET" --files "$OUT/rig-tree"; }
first_rig() { reset_targets; timed "${RIG[@]}" "${DEPLOY[@]}"; }
pairs() {   # NAME -> $OUT/pairs-NAME.txt, a line "floor_us rig_us" per pair
  local i f r
  : >"$OUT/pairs-$1.txt"
  for i in $(seq 1 "$PAIRS"); do
    if [ $((i % 2)) = 1 ]; then f=$("$1_floor"); r=$("$1_rig"); else r=$("$1_rig"); f=$("$1_floor"); fi
    echo "$f $r" >>"$OUT/pairs-$1.txt"
  done
}
pairs noop
pairs first

ansible_run() {   # PHASE REP -> seconds on stdout; fails unless the recap's changed= total is what the phase expects
  local phase=$1 rep=$2 s e changed want log="$OUT/ansible-$1-$2.log"
  s=$(now)
  (cd bench/ansible && ansible-playbook -i "../../$INV/hosts.yml" site.yml) >"$log" 2>&1 \
    || { cat "$log" >&2; die "ansible-playbook failed ($phase)"; }
  e=$(now)
  changed=$(grep -oE 'changed=[0-9]+' "$log" | cut -d= -f2 | awk '{ s += $1 } END { print s + 0 }')
  want=$([ "$phase" = first ] && echo $((3 * N)) || echo 0)
  [ "$changed" = "$want" ] || die "ansible $phase run $rep: changed=$changed, expected $want (see $log)"
  awk -v a="$s" -v b="$e" 'BEGIN { printf "%.2f\n", b - a }'
}

if [ "$ANSIBLE_RUNS" != 0 ]; then
  step "ansible first run(s), then no-op run(s) ($ANSIBLE_RUNS each; about a minute per run at 8 hosts)"
  : >"$OUT/ansible-first.txt"; : >"$OUT/ansible-noop.txt"
  for r in $(seq 1 "$ANSIBLE_RUNS"); do
    close_masters; reset_targets
    ansible_run first "$r" | tee -a "$OUT/ansible-first.txt" >&2
    ansible_run noop "$r" | tee -a "$OUT/ansible-noop.txt" >&2
  done
  step "same output: Ansible's files against rig's, and rig plans nothing on Ansible's output"
  for d in "$TB_DIR"/h*; do
    diff -r "$OUT/rig-tree/$(basename "$d")" "$d/app" >&2 || die "ansible's files differ from rig's on $(basename "$d")"
  done
  set +e; "${RIG[@]}" plan --root "$PROJECT" --env bench >"$OUT/rig-plan-on-ansible.txt" 2>&1; rc=$?; set -e
  [ $rc = 0 ] || { cat "$OUT/rig-plan-on-ansible.txt" >&2; die "rig plan on ansible's output exited $rc, not 0"; }
  echo "identical bytes and modes on all $N hosts; rig plan on Ansible's output: nothing to do" >&2
fi

RTT_MS=${BENCH_RTT_MS:-} bash bench/report.sh "$OUT" "$N" "$RUNS" "$ANSIBLE_RUNS" "$load_cold" "$first_execs" "$roundtrips"
