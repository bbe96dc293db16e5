#!/usr/bin/env bash
# Makes sure a Docker engine answers on /var/run/docker.sock, starting dockerd in the background if not.
# Usage: scripts/ensure-dockerd.sh     Env: DOCKERD_LOG=/var/log/rig-dockerd.log  DOCKERD_TIMEOUT=60 (seconds)
set -euo pipefail
DOCKER=/usr/bin/docker   # Debian's 20.10 client; /usr/local/bin/docker may be a newer one without compose v1
LOG=${DOCKERD_LOG:-/var/log/rig-dockerd.log}
TIMEOUT=${DOCKERD_TIMEOUT:-60}

answers() { "$DOCKER" info >/dev/null 2>&1; }

answers && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-dockerd: the docker engine does not answer and only root can start dockerd" >&2
  exit 1
fi
[ -x /usr/sbin/dockerd ] || { echo "ensure-dockerd: /usr/sbin/dockerd missing; run scripts/ensure-deps.sh" >&2; exit 1; }

# a dockerd that is still starting has written its pid file: wait for it rather than start a second one
if ! { [ -f /var/run/docker.pid ] && kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; }; then
  mkdir -p "$(dirname "$LOG")"
  echo "ensure-dockerd: starting dockerd (log: $LOG)" >&2
  # setsid + nohup: the daemon outlives this script and the CI step's process group
  setsid nohup /usr/sbin/dockerd >>"$LOG" 2>&1 </dev/null &
fi

deadline=$(( $(date +%s) + TIMEOUT ))
until answers; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "ensure-dockerd: dockerd did not answer within ${TIMEOUT}s; last log lines:" >&2
    tail -n 30 "$LOG" >&2 || true
    exit 1
  fi
  sleep 0.2
done
echo "ensure-dockerd: engine ready ($("$DOCKER" version -f '{{.Server.Version}}'))" >&2
