#!/usr/bin/env bash
# The results table of bench/run.sh and its LAST line, the machine-readable summary. Reads the run's out dir:
# hyperfine JSON per measurement, GNU time lines per rig measurement (peak RSS KB, user s, system s), ansible times.
# Usage: bash bench/report.sh OUT HOSTS RUNS ANSIBLE_RUNS LOAD_COLD FIRST_EXECS NOOP_ROUNDTRIPS
set -euo pipefail
OUT=$1 N=$2 RUNS=$3 ANSIBLE_RUNS=$4 LOAD_COLD=$5 FIRST_EXECS=$6 ROUNDTRIPS=$7

stat_of() {   # FILE FIELD -> seconds (a field of a hyperfine --export-json result: mean, stddev, min, max)
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).results[0];
    console.log(r[process.argv[2]].toFixed(3))' "$OUT/$1.json" "$2"
}
rss_of() { awk '{ if ($1 > m) m = $1 } END { printf "%.0f", m / 1024 }' "$OUT/$1.usage"; }
cpu_of() { awk '{ s += $2 + $3 } END { printf "%.2f", s / NR }' "$OUT/$1.usage"; }
cpu_sd_of() { awk '{ c = $2 + $3; s += c; q += c * c } END { m = s / NR; v = q / NR - m * m;
  printf "%.2f", sqrt(v > 0 ? v : 0) }' "$OUT/$1.usage"; }
mean() { awk '{ s += $1 } END { printf "%.2f", s / NR }' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() {
  awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == ">=") ? v >= t : v <= t; print ok ? "met" : "MISSED" }'
}
row() {   # LABEL NAME: mean ± sd (min … max) of a hyperfine result
  printf '%-46s %8s %7s   %s … %s\n' "$1" "$(stat_of "$2" mean)" "$(stat_of "$2" stddev)" "$(stat_of "$2" min)" \
    "$(stat_of "$2" max)"
}

# NAME -> "mean se": each alternating pair's rig/floor ratio ($OUT/pairs-NAME.txt: floor_us rig_us), their mean and
# its standard error (sd / sqrt(n)); the ratio of the hyperfine blocks' means when there are no pairs
pair_ratio() {
  awk '{ r = $2 / $1; s += r; q += r * r; n++ }
    END { if (n == 0) exit 1; m = s / n; v = n > 1 ? (q - n * m * m) / (n - 1) : 0
          printf "%.2f %.2f", m, sqrt(v > 0 ? v : 0) / sqrt(n) }' "$OUT/pairs-$1.txt" 2>/dev/null
}
floor=$(stat_of floor mean); floor_first=$(stat_of floor-first mean)
rig_first=$(stat_of rig-first mean); rig_noop=$(stat_of rig-noop mean)
blocks_noop=$(ratio "$rig_noop" "$floor"); blocks_first=$(ratio "$rig_first" "$floor_first")
read -r noop_vs_floor noop_se <<<"$(pair_ratio noop || echo "$blocks_noop n/a")"
read -r first_vs_floor first_se <<<"$(pair_ratio first || echo "$blocks_first n/a")"
pairs_n=$(wc -l <"$OUT/pairs-noop.txt" 2>/dev/null || echo 0)
rss=$(( $(rss_of rig-noop) > $(rss_of rig-first) ? $(rss_of rig-noop) : $(rss_of rig-first) ))
cpu_noop=$(cpu_of rig-noop); cpu_first=$(cpu_of rig-first)
noop_target=$([ "$N" -gt 8 ] && echo 1.2 || echo 1.3)
load=$(cut -d' ' -f1-3 /proc/loadavg)
# what the first deploy costs the hosts (bench/host-cpu.sh): a ratio that does not move with the machine's load
host_first=$(cat "$OUT/rig-first.hostcpu" 2>/dev/null || true)
host_floor=$(cat "$OUT/floor-first.hostcpu" 2>/dev/null || true)
host_ratio=$([ -n "$host_first" ] && [ -n "$host_floor" ] && ratio "$host_first" "$host_floor" || echo n/a)

{
  echo "== results: $N hosts; hyperfine means of $RUNS runs; load average at the end: $load"
  printf '%-46s %8s %7s   %s\n' measurement 'mean s' '± sd' 'min … max'
  row 'node -e 0' node0
  row 'rig inventory (load project, no ssh)' load
  printf '%-46s %8s %7s\n' '  same, first run after the build' "$LOAD_COLD" '1 run'
  row "no-op floor (ssh2, exec true, $N parallel)" floor
  row 'first-deploy floor (same bytes, 1 exec/host)' floor-first
  row 'rig first run' rig-first
  row 'rig no-op run' rig-noop
  printf '%-46s %8s\n' 'rig peak RSS, MB (max of first and no-op runs)' "$rss"
  printf '%-46s %8s %7s\n' 'rig CPU s (user+sys), first run' "$cpu_first" "$(cpu_sd_of rig-first)"
  printf '%-46s %8s %7s\n' 'rig CPU s (user+sys), no-op run' "$cpu_noop" "$(cpu_sd_of rig-noop)"
  printf '%-46s %8s\n' 'rig exec channels per host, first run' "$FIRST_EXECS"
  if [ -n "$host_first" ]; then
    printf '%-46s %8s\n' "hosts' CPU s per first run ($N hosts), rig" "$host_first"
    printf '%-46s %8s\n' "  same, first-deploy floor" "$host_floor"
  fi
  if [ "$ANSIBLE_RUNS" != 0 ]; then
    ans_first=$(mean "$OUT/ansible-first.txt"); ans_noop=$(mean "$OUT/ansible-noop.txt")
    printf '%-46s %8s    runs: %s\n' 'ansible first run' "$ans_first" "$(paste -sd' ' "$OUT/ansible-first.txt")"
    printf '%-46s %8s    runs: %s\n' 'ansible no-op run' "$ans_noop" "$(paste -sd' ' "$OUT/ansible-noop.txt")"
  fi
  echo
  echo "ratios: mean of $pairs_n alternating floor/rig pairs' ratios ± standard error (blocks: of the means above)"
  printf '%-46s %8s  %s\n' target value verdict
  printf '%-46s %8s  %-6s  ± %s (blocks: %sx)\n' "rig no-op / no-op floor (<= ${noop_target}x)" "${noop_vs_floor}x" \
    "$(verdict "$noop_vs_floor" '<=' "$noop_target")" "$noop_se" "$blocks_noop"
  printf '%-46s %8s  %-6s  ± %s (blocks: %sx)\n' 'rig first / first-deploy floor (<= 2x)' "${first_vs_floor}x" \
    "$(verdict "$first_vs_floor" '<=' 2)" "$first_se" "$blocks_first"
  printf '%-46s %8s  %s\n' 'rig peak RSS (<= 100 MB)' "$rss" "$(verdict "$rss" '<=' 100)"
  printf '%-46s %8s  %s\n' 'exec round trips per host, no-op (<= 1)' "$ROUNDTRIPS" "$(verdict "$ROUNDTRIPS" '<=' 1)"
  summary="bench: hosts=$N noop_vs_floor=$noop_vs_floor first_vs_floor=$first_vs_floor rss_mb=$rss cpu_s=$cpu_noop"
  summary+=" noop_vs_floor_se=$noop_se first_vs_floor_se=$first_se pairs=$pairs_n"
  summary+=" cpu_first_s=$cpu_first rig_first_s=$rig_first rig_noop_s=$rig_noop floor_s=$floor"
  summary+=" floor_first_s=$floor_first roundtrips_per_host_noop=$ROUNDTRIPS host_cpu_first_vs_floor=$host_ratio"
  if [ "$ANSIBLE_RUNS" != 0 ]; then
    noop_speedup=$(ratio "$ans_noop" "$rig_noop"); first_speedup=$(ratio "$ans_first" "$rig_first")
    printf '%-46s %8s  %s\n' 'no-op speedup vs ansible (>= 40x)' "${noop_speedup}x" "$(verdict "$noop_speedup" '>=' 40)"
    printf '%-46s %8s  %s\n' 'first-run speedup vs ansible (>= 20x)' "${first_speedup}x" \
      "$(verdict "$first_speedup" '>=' 20)"
    summary+=" ansible_first_s=$ans_first ansible_noop_s=$ans_noop noop_speedup=$noop_speedup"
    summary+=" first_speedup=$first_speedup"
  fi
  [ -z "${RTT_MS:-}" ] || summary+=" rtt_ms=$RTT_MS"
  echo "$summary load=${load// /,}"
} | tee "$OUT/table.txt"
