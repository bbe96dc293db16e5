# Per-host pieces of scripts/testbed.sh: run one target container on a free loopback port, and wait until SSH logs in.
# Sourced by testbed.sh; expects DOCKER, IMAGE, COMPOSE, RUN_ID, RUN_DIR, SSH_DIR, KEY and DEADLINE_S set by the caller.

# container_name HOST -> rig-tb-<run>-<host>; also the compose project name suggested for that host
container_name() { printf 'rig-tb-%s-%s' "$RUN_ID" "$1"; }

# free_port -> a loopback TCP port nobody listens on now (below the ephemeral range, so outgoing connections don't take it)
free_port() {
  local p
  while :; do
    p=$(( 20000 + RANDOM % 12000 ))
    [ -z "$(ss -Htln "sport = :$p")" ] && { echo "$p"; return; }
  done
}

# run_host HOST -> starts the container; writes $SSH_DIR/HOST.port. Retries with another port when the run fails
# (another test may grab the port between the check and docker's bind).
run_host() {
  local h=$1 name port attempt err
  name=$(container_name "$h")
  mkdir -p "$RUN_DIR/$h"
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    # the data dir sits at the identical path inside and outside: the shared daemon resolves relative
    # compose bind mounts on the *host* filesystem
    if err=$("$DOCKER" run -d --name "$name" --hostname "$h" \
        --label "rig.testbed.run=$RUN_ID" --label "rig.testbed.host=$h" \
        -p "127.0.0.1:$port:22" \
        -e "RIG_AUTHORIZED_KEY=$(cat "$KEY.pub")" -e "RIG_TB_COMPOSE=$COMPOSE" \
        -v /var/run/docker.sock:/var/run/docker.sock \
        -v "$RUN_DIR/$h:$RUN_DIR/$h" \
        "$IMAGE" 2>&1 >/dev/null); then
      echo "$port" >"$SSH_DIR/$h.port"
      return 0
    fi
    "$DOCKER" rm -f "$name" >/dev/null 2>&1 || true
    echo "testbed: $h: docker run failed (attempt $attempt, port $port): $err" >&2
  done
  return 1
}

# wait_ssh HOST -> polls until the host key is served and a real key login runs `true`; writes $SSH_DIR/HOST.known_hosts
wait_ssh() {
  local h=$1 port name i=0 kh
  port=$(cat "$SSH_DIR/$h.port"); name=$(container_name "$h"); kh="$SSH_DIR/$h.known_hosts"
  while [ "$(date +%s)" -lt "$DEADLINE_S" ]; do
    i=$((i + 1))
    [ -s "$kh" ] || ssh-keyscan -T 2 -t ed25519 -p "$port" 127.0.0.1 >"$kh" 2>/dev/null || true
    if [ -s "$kh" ] && ssh -q -n -i "$KEY" -p "$port" -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=2 \
        -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$kh" root@127.0.0.1 true 2>/dev/null; then
      return 0
    fi
    # every 10th try: fail fast when the container died instead of waiting out the deadline
    if [ $((i % 10)) -eq 0 ] && [ "$("$DOCKER" inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" != true ]; then
      break
    fi
    sleep 0.1
  done
  echo "testbed: $h ($name, 127.0.0.1:$port) not SSH-ready; container log:" >&2
  "$DOCKER" logs --tail 30 "$name" >&2 2>&1 || true
  return 1
}

# host_json HOST -> one JSON object describing HOST (all values are generated, so no escaping is needed)
host_json() {
  local h=$1 port key
  port=$(cat "$SSH_DIR/$h.port"); key=$(cut -d' ' -f2- "$SSH_DIR/$h.known_hosts")
  printf '{"name":"%s","container":"%s","address":"127.0.0.1","port":%s,"user":"root","keyPath":"%s","dataDir":"%s","hostKey":"%s","composeProject":"%s"}' \
    "$h" "$(container_name "$h")" "$port" "$KEY" "$RUN_DIR/$h" "$key" "$(container_name "$h")"
}

# ssh_config_entry HOST -> an OpenSSH client config block for HOST
ssh_config_entry() {
  cat <<CFG
Host $1
  HostName 127.0.0.1
  Port $(cat "$SSH_DIR/$1.port")
  User root
  IdentityFile $KEY
  IdentitiesOnly yes
  UserKnownHostsFile $SSH_DIR/known_hosts
  StrictHostKeyChecking yes
  LogLevel ERROR
CFG
}
