#!/usr/bin/env bash
# `make bench`: rig against tuned Ansible (forks 8, pipelining, ControlPersist) on the same 8 test hosts, same workload
# per host (1 directory, 20 templates, 1 env file, 1 no-op command), plus the raw ssh2 floor. Order: floor, rig first,
# rig no-op (then `rig plan` must exit 0), ansible first, ansible no-op; then both tools' files are compared byte for byte.
# Prints a table; the LAST line is the machine-readable summary (`bench: hosts=8 rig_first_s=… …`).
# Usage: bash bench/run.sh     (needs `make build images`; root; docker, ansible-core, hyperfine)
# Env: BENCH_RUNS=10 (hyperfine runs for the floor and rig)  BENCH_ANSIBLE_RUNS=1 (runs per ansible phase; ~1 min each)
#      BENCH_KEEP=1 (leave the hosts running)  RIG_TB_ROOT=/tmp/rig-tb
set -euo pipefail
cd "$(dirname "$0")/.."
N=8
RUN=bench
RUNS=${BENCH_RUNS:-10}
ANSIBLE_RUNS=${BENCH_ANSIBLE_RUNS:-1}
TB_DIR=${RIG_TB_ROOT:-/tmp/rig-tb}/$RUN
OUT=$PWD/bench/out
PROJECT=bench/project
INV=$PROJECT/inventory/bench
CP_DIR=/tmp/rig-bench-ansible-cp
RIG=(node bin/rig.js)
DEPLOY=("${RIG[@]}" deploy --root "$PROJECT" --env bench)

die() { echo "bench: $*" >&2; exit 1; }
step() { printf '\n== %s\n' "$*" >&2; }
for tool in hyperfine ansible-playbook docker node; do command -v "$tool" >/dev/null || die "$tool is missing"; done
[ -f dist/src/index.js ] || die "rig is not built: run make build"

close_masters() {   # end the ControlPersist masters ansible started (by control socket), as the baseline does
  local s
  for s in "$CP_DIR"/*; do [ -S "$s" ] && ssh -o ControlPath="$s" -O exit x >/dev/null 2>&1 || true; done
  rm -rf "$CP_DIR"; mkdir -p "$CP_DIR"
}
cleanup() {
  close_masters; rm -rf "$CP_DIR"
  [ "${BENCH_KEEP:-0}" = 1 ] || scripts/testbed.sh stop "$RUN" >/dev/null 2>&1 || true
}
trap cleanup EXIT
# every host's base_dir is <data dir>/app, mounted at the same path inside its container: reset from here
reset_targets() { rm -rf "$TB_DIR"/h*/app; }   # (a glob: run in the shell, never inside hyperfine -N)
# mean seconds of a hyperfine --export-json file
mean_of() { node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).results[0].mean.toFixed(3))' "$1"; }
sd_of() { node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).results[0].stddev.toFixed(3))' "$1"; }
now() { date +%s.%N; }
mean() { awk '{ s += $1 } END { printf "%.2f", s / NR }'; }
bench() {   # NAME ARGS... -> hyperfine (no shell) into $OUT/NAME.json, its report on stderr
  local name=$1; shift
  hyperfine -N --style basic --export-json "$OUT/$name.json" "$@" >&2
}

step "test hosts ($N, run id $RUN)"
rm -rf "$OUT"; mkdir -p "$OUT"
scripts/testbed.sh stop "$RUN" >/dev/null 2>&1 || true
scripts/testbed.sh start "$N" --run-id "$RUN" --json >"$OUT/testbed.json"
node bench/write-inventory.mjs "$OUT/testbed.json"
export ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_PYTHON_INTERPRETER=auto_silent ANSIBLE_SSH_CONTROL_PATH_DIR=$CP_DIR \
       ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_NOCOLOR=1 ANSIBLE_FORKS=8 ANSIBLE_PIPELINING=True \
       ANSIBLE_SSH_ARGS="-C -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=$PWD/$INV/known_hosts -o StrictHostKeyChecking=yes"

step "decomposition: node start, rig loading the project (no ssh)"
bench node0 --warmup 1 --runs "$RUNS" 'node -e 0'
# the first load, timed once: roles are loaded from source by Node's type stripping, there is no cache to fill (rig
# before Node 24 transpiled them into .rig/build on a first load)
s=$(now); "${RIG[@]}" inventory --root "$PROJECT" --env bench >/dev/null; e=$(now)
load_cold=$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", b - a }')
bench load --warmup 1 --runs "$RUNS" "${RIG[*]} inventory --root $PROJECT --env bench"

step "raw floor: node + ssh2, connect and exec true on $N hosts in parallel"
bench floor --warmup 1 --runs "$RUNS" "node bench/floor.mjs $OUT/testbed.json"

step "rig first run (target dirs removed before each run)"
app_dirs=$(for i in $(seq 1 "$N"); do printf '%s/h%s/app ' "$TB_DIR" "$i"; done)
bench rig-first --runs "$RUNS" --prepare "rm -rf $app_dirs" \
  "${DEPLOY[*]} --json $OUT/rig-first-result.json"
first_execs=$(node bench/check-rig.mjs "$OUT/rig-first-result.json" first "$N" 22)

step "rig no-op run"
bench rig-noop --warmup 1 --runs "$RUNS" "${DEPLOY[*]} --json $OUT/rig-noop-result.json"
roundtrips=$(node bench/check-rig.mjs "$OUT/rig-noop-result.json" noop "$N" 0)
set +e; "${RIG[@]}" plan --root "$PROJECT" --env bench >"$OUT/rig-plan-after.txt" 2>&1; rc=$?; set -e
[ $rc = 0 ] || { cat "$OUT/rig-plan-after.txt" >&2; die "rig plan after the no-op deploy exited $rc, not 0"; }
for d in "$TB_DIR"/h*; do mkdir -p "$OUT/rig-tree"; cp -a "$d/app" "$OUT/rig-tree/$(basename "$d")"; done

ansible_run() {   # PHASE REP -> seconds on stdout; fails unless the recap's changed= total is what the phase expects
  local phase=$1 rep=$2 s e changed want log="$OUT/ansible-$1-$2.log"
  s=$(now)
  (cd bench/ansible && ansible-playbook -i "../../$INV/hosts.yml" site.yml) >"$log" 2>&1 || { cat "$log" >&2; die "ansible-playbook failed ($phase)"; }
  e=$(now)
  changed=$(grep -oE 'changed=[0-9]+' "$log" | cut -d= -f2 | awk '{ s += $1 } END { print s + 0 }')
  want=$([ "$phase" = first ] && echo $((3 * N)) || echo 0)
  [ "$changed" = "$want" ] || die "ansible $phase run $rep: changed=$changed, expected $want (see $log)"
  awk -v a="$s" -v b="$e" 'BEGIN { printf "%.2f\n", b - a }'
}

step "ansible first run(s), then no-op run(s) ($ANSIBLE_RUNS each; about a minute per run)"
: >"$OUT/ansible-first.txt"; : >"$OUT/ansible-noop.txt"
for r in $(seq 1 "$ANSIBLE_RUNS"); do
  close_masters; reset_targets
  ansible_run first "$r" | tee -a "$OUT/ansible-first.txt" >&2
  ansible_run noop "$r" | tee -a "$OUT/ansible-noop.txt" >&2
done

step "same output: Ansible's files against rig's, and rig plans nothing on Ansible's output"
for d in "$TB_DIR"/h*; do diff -r "$OUT/rig-tree/$(basename "$d")" "$d/app" >&2 || die "files differ between rig and ansible on $(basename "$d")"; done
set +e; "${RIG[@]}" plan --root "$PROJECT" --env bench >"$OUT/rig-plan-on-ansible.txt" 2>&1; rc=$?; set -e
[ $rc = 0 ] || { cat "$OUT/rig-plan-on-ansible.txt" >&2; die "rig plan on ansible's output exited $rc, not 0"; }
echo "identical bytes and modes on all $N hosts; rig plan on Ansible's output: nothing to do" >&2

node0=$(mean_of "$OUT/node0.json"); load=$(mean_of "$OUT/load.json"); floor=$(mean_of "$OUT/floor.json")
rig_first=$(mean_of "$OUT/rig-first.json"); rig_noop=$(mean_of "$OUT/rig-noop.json")
ans_first=$(mean <"$OUT/ansible-first.txt"); ans_noop=$(mean <"$OUT/ansible-noop.txt")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
noop_speedup=$(ratio "$ans_noop" "$rig_noop"); first_speedup=$(ratio "$ans_first" "$rig_first"); vs_floor=$(ratio "$rig_noop" "$floor")
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == ">=") ? v >= t : v <= t; print ok ? "met" : "MISSED" }'; }

step "results ($N hosts; hyperfine means of $RUNS runs ± sd; ansible: mean of $ANSIBLE_RUNS run(s))"
{
  printf '%-44s %10s %8s\n' measurement seconds '± sd'
  printf '%-44s %10s %8s\n' 'node -e 0' "$node0" "$(sd_of "$OUT/node0.json")"
  printf '%-44s %10s %8s\n' 'rig inventory (load project, no ssh)' "$load" "$(sd_of "$OUT/load.json")"
  printf '%-44s %10s %8s\n' '  same, first run after the build' "$load_cold" '1 run'
  printf '%-44s %10s %8s\n' 'raw floor (node+ssh2, exec true, 8 parallel)' "$floor" "$(sd_of "$OUT/floor.json")"
  printf '%-44s %10s %8s\n' 'rig first run' "$rig_first" "$(sd_of "$OUT/rig-first.json")"
  printf '%-44s %10s %8s\n' 'rig no-op run' "$rig_noop" "$(sd_of "$OUT/rig-noop.json")"
  printf '%-44s %10s    runs: %s\n' 'ansible first run' "$ans_first" "$(paste -sd' ' "$OUT/ansible-first.txt")"
  printf '%-44s %10s    runs: %s\n' 'ansible no-op run' "$ans_noop" "$(paste -sd' ' "$OUT/ansible-noop.txt")"
  printf '%-44s %10s\n' 'rig exec channels per host, first run' "$first_execs"
  echo
  printf '%-44s %10s  %s\n' target value verdict
  printf '%-44s %10s  %s\n' 'no-op speedup vs ansible (>= 40x)' "${noop_speedup}x" "$(verdict "$noop_speedup" '>=' 40)"
  printf '%-44s %10s  %s\n' 'first-run speedup vs ansible (>= 20x)' "${first_speedup}x" "$(verdict "$first_speedup" '>=' 20)"
  printf '%-44s %10s  %s\n' 'rig no-op / raw floor (<= 2x)' "${vs_floor}x" "$(verdict "$vs_floor" '<=' 2)"
  printf '%-44s %10s  %s\n' 'exec round trips per host, no-op (<= 2)' "$roundtrips" "$(verdict "$roundtrips" '<=' 2)"
} | tee "$OUT/table.txt"
echo "bench: hosts=$N rig_first_s=$rig_first rig_noop_s=$rig_noop ansible_first_s=$ans_first ansible_noop_s=$ans_noop floor_s=$floor noop_speedup=$noop_speedup first_speedup=$first_speedup roundtrips_per_host_noop=$roundtrips" | tee -a "$OUT/table.txt"
