#!/usr/bin/env bash
# CPU nanoseconds the test bed's host containers have used so far (their sshd, shells and every program rig or a
# floor runs there), from the engine's cgroups (v1 cpuacct or v2 cpu.stat); prints nothing when they cannot be read.
# bench/run.sh reads it around the first-deploy runs: the hosts share the machine's cores with rig, so what a deploy
# costs the hosts is what its wall time follows on a busy machine, and this figure does not move with others' load.
# Usage: bash bench/host-cpu.sh TESTBED_JSON
set -euo pipefail
names=$(node -e 'for (const h of require(process.argv[1]).hosts) console.log(h.container)' "$1")
total=0
for id in $(docker inspect -f '{{.Id}}' $names); do
  if [ -r "/sys/fs/cgroup/cpuacct/docker/$id/cpuacct.usage" ]; then
    ns=$(cat "/sys/fs/cgroup/cpuacct/docker/$id/cpuacct.usage")
  elif [ -r "/sys/fs/cgroup/system.slice/docker-$id.scope/cpu.stat" ]; then
    ns=$(awk '$1 == "usage_usec" { print $2 * 1000 }' "/sys/fs/cgroup/system.slice/docker-$id.scope/cpu.stat")
  else
    exit 0
  fi
  total=$((total + ns))
done
echo "$total"
