# Compose v2 for the test hosts: Debian trixie's docker-compose package is Compose v2 as ONE static CLI plugin binary.
# It is fetched with apt from the machine's own mirror into a private apt state dir (trixie never enters the system's
# sources) and cached as $RIG_CACHE/compose-v2/docker-compose-<version>. Recipe: /work/shared/reference/compose-v2.md.
# Sourced by scripts/images/target.sh; expects RIG_CACHE and MIRROR set and `set -euo pipefail`.
COMPOSE_V2_VERSION=2.26.1

# compose_v2_binary -> prints the path of the cached plugin binary, fetching it first when the cache lacks it
compose_v2_binary() {
  local out="$RIG_CACHE/compose-v2/docker-compose-$COMPOSE_V2_VERSION" t o got
  if [ -x "$out" ]; then echo "$out"; return; fi
  t=$(mktemp -d /tmp/rig-compose-v2.XXXXXX)
  mkdir -p "$t/lists/partial" "$t/cache/archives/partial" "$t/etc" "$RIG_CACHE/compose-v2"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR trixie main" >"$t/etc/sources.list"
  o=(-o "Dir::Etc::sourcelist=$t/etc/sources.list" -o Dir::Etc::sourceparts=/dev/null
     -o "Dir::State::Lists=$t/lists" -o "Dir::Cache=$t/cache")
  if ! { apt-get "${o[@]}" -qq update && (cd "$t" && apt-get "${o[@]}" -qq download docker-compose); } \
      >"$RIG_CACHE/compose-v2/apt.log" 2>&1; then
    tail -n 20 "$RIG_CACHE/compose-v2/apt.log" >&2; rm -rf "$t"; return 1
  fi
  dpkg-deb -x "$t"/docker-compose_*.deb "$t/x"
  # trixie moves on: refuse anything but the pinned version (the tests and the README name it)
  got=$("$t/x/usr/libexec/docker/cli-plugins/docker-compose" version --short)
  case $got in
    "$COMPOSE_V2_VERSION"|"$COMPOSE_V2_VERSION"-*) ;;
    *) echo "compose-v2: trixie now ships docker-compose $got, not $COMPOSE_V2_VERSION; update COMPOSE_V2_VERSION" >&2
       rm -rf "$t"; return 1 ;;
  esac
  install -m 0755 "$t/x/usr/libexec/docker/cli-plugins/docker-compose" "$out.tmp" && mv "$out.tmp" "$out"
  rm -rf "$t"
  echo "$out"
}
