#!/usr/bin/env bash
# Installs the Debian packages rig's tests and demo need, once; a fast no-op when all are present.
# Usage: scripts/ensure-deps.sh        (root installs what is missing; non-root only reports it)
set -euo pipefail
# make runs the test targets; iproute2 (ss) finds free ports; the rest are rig's test and demo dependencies; hyperfine times make bench
# libxml2-utils: xmllint validates `rig smoke --junit` output against the JUnit XSD in test/fixtures/junit/
# gcc, libc6-dev: the static C binary of the distroless Headscale stand-in (scripts/images/headscale-distroless-standin.sh)
# cron: the crontab binary `rig cron install --local` writes the nightly entry with (and its tests use)
# g++, python3: node-gyp builds ssh2's optional crypto binding with them (scripts/build-ssh2-binding.sh, make deps)
PKGS=(docker.io docker-compose openssh-server busybox-static debootstrap skopeo docker-registry caddy ansible-core make iproute2 sudo hyperfine apache2-utils libxml2-utils cron gcc libc6-dev g++ python3)

missing=()
for p in "${PKGS[@]}"; do
  # dpkg-query exits non-zero for unknown packages; Status must say "install ok installed"
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-deps: missing Debian packages: ${missing[*]}" >&2
  echo "ensure-deps: run as root (or: sudo apt-get install -y ${missing[*]})" >&2
  exit 1
fi
echo "ensure-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
