#!/usr/bin/env bash
# Builds local/telegram-botapi-standin:1, a STAND-IN for the Telegram Bot API, not Telegram: scripts/fakes/telegram-botapi.mjs
# (plain Node, no dependencies) on the Node 24 binary that scripts/images/openclaw.sh stages (scripts/ensure-node24.sh),
# with the shared objects ldd lists, in a busybox skeleton; `docker import`, no network, no registry; cached by the
# inputs-hash label. Its own small image rather than FROM local/openclaw-payload: the stand-in must not move when
# OpenClaw's payload does, and 130 MB beat 886 MB. Built with the OpenClaw images (RIG_IMAGES_OPENCLAW=1).
#
# Contract of the image (ENTRYPOINT node telegram-botapi.mjs, CMD ["--port", "8081"], EXPOSE 8081; user nobody 65534):
#   Bots from $TELEGRAM_STANDIN_BOTS (an env file: one line, unquoted JSON) or `--bots-file F` (a mounted file):
#     [{"token":"<digits>:<[A-Za-z0-9_-]+>","username":"rig_bot","first_name":"Rig"}]   (id defaults to the digits)
#   Chats sendMessage/getChat accept from $TELEGRAM_STANDIN_CHATS or `--chats-file F`: [{"id":42,"type":"private",…}]
#   No bots, or a malformed token or JSON: exit 2 with a message that never quotes a token.
#   Serves on 0.0.0.0:8081 (`--port N`, `--host H`, `--long-poll-cap-ms N` default 5000):
#     /bot<TOKEN>/<method>: getMe, sendMessage, sendChatAction, getChat, getUpdates (long poll honoured up to the cap,
#       then [], never an update), deleteWebhook, setWebhook, getWebhookInfo, setMyCommands, getMyCommands,
#       deleteMyCommands, with the real answers and errors (401 Unauthorized, 404 Not Found, 400 Bad Request: chat not
#       found / message text is empty / chat_id is empty, 409 Conflict); the details are atop the .mjs.
#     GET /healthz  {"ok":true}: not a Bot API path, for the healthcheck only.
#   stdout: one start line, then one JSON line per Bot API request once answered, never the token:
#     {"time":"…","method":"getMe","bot":"rig_bot","status":200}   (bot: the token's username, null when unknown;
#     sendMessage adds chat_id and text; failures add description). /healthz is not logged. SIGTERM/SIGINT: exit 0.
#   Healthcheck (in the image): ["CMD", "timeout", "3", "wget", "-qO-", "http://127.0.0.1:8081/healthz"]
#   As OpenClaw's apiRoot: channels.telegram.apiRoot "http://<container>:8081" (the root, never a /bot<TOKEN> URL).
# Usage: scripts/images/telegram-standin.sh [--force]   Needs: busybox-static, docker, root, Node 24 in its cache dir.
# Env: NODE24_VERSION=24.21.0  RIG_CACHE=/var/cache/rig-testbed
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/image-cache.sh"
. "$HERE/../lib/rootfs.sh"
TAG=local/telegram-botapi-standin:1
FAKE="$HERE/../fakes/telegram-botapi.mjs"
NODEVER=${NODE24_VERSION:-24.21.0}
# the node binary is named by its version: hashing 126 MB on every check would be waste
HASH=$(printf 'node=%s\n' "$NODEVER" | cat - "$0" "$HERE/../lib/image-cache.sh" "$HERE/../lib/rootfs.sh" /bin/busybox "$FAKE" |
  sha256sum | cut -c1-16)
skip_if_current telegram-standin "$TAG" "$HASH" "$@"
need_root telegram-standin
build_lock telegram-standin "$TAG" "$HASH" "$@"
t0=$(date +%s.%N)
NODE=$(NODE24_VERSION=$NODEVER "$HERE/../ensure-node24.sh")
scratch_dir telegram-standin R
stage_busybox "$R"
copy_with_libs / "$R" "$NODE"
mv "$R$NODE" "$R/usr/local/bin/node" && rm -rf "$R/var/cache"   # copy_with_libs put it at its path on this machine
L="$R/usr/local/lib/telegram-standin"
mkdir -p "$L"
install -m 0644 "$FAKE" "$L/telegram-botapi.mjs"
chroot "$R" /usr/local/bin/node --version >/dev/null   # every shared object is there

import_rootfs "$R" "$TAG" \
  "LABEL $INPUTS_LABEL=$HASH" \
  "LABEL rig.node.version=$NODEVER" \
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  'USER 65534:65534' \
  'WORKDIR /tmp' \
  'EXPOSE 8081' \
  'HEALTHCHECK --interval=10s --timeout=5s --start-period=5s CMD ["timeout", "3", "wget", "-qO-", "http://127.0.0.1:8081/healthz"]' \
  'ENTRYPOINT ["/usr/local/bin/node", "/usr/local/lib/telegram-standin/telegram-botapi.mjs"]' \
  'CMD ["--port", "8081"]'
echo "telegram-standin: built $TAG ($HASH) in $(elapsed "$t0")s" >&2
