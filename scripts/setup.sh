#!/usr/bin/env bash
# Prepares a Debian machine (a fresh one included) for sentinel-ts, run from anywhere:
#   1. Debian's packages, only those missing: redis-server and redis-sentinel (the real
#      servers the tests, the playground and the benchmarks start), redis-tools (redis-cli) and
#      python3-redis (redis-py for Debian's /usr/bin/python3); nftables and iproute2 (`nft`, `ip`:
#      the partition tests and bench:partition build networks of namespaces and cut them with
#      nftables rules; they need root and skip without it); prometheus (`promtool check metrics`
#      lints /metrics, and a real Prometheus server scrapes a sentinel in the tests); chromium (the
#      dashboard's browser test, driven by playwright-core); systemd (`systemd-analyze verify`
#      checks the packaged unit file, `systemd-notify` reports readiness; installing it starts
#      nothing in a container); Node.js >= 20 from Debian too if
#      there is none and the release has it (Debian 13 does; on Debian 12 install it first, e.g.
#      from NodeSource);
#   2. stops the services those packages start on 6379, 26379 and 9090 and keeps them from starting
#      at boot (every test and the playground start their own servers on free loopback ports);
#   3. npm ci, npm run build.
# Safe to run again: step 1 does nothing when everything is there. Uses sudo only when not root.
#
#   ./scripts/setup.sh && npm run demo     # the playground
#   ./scripts/setup.sh && npm test         # every test
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "setup: $*"; }
die() {
  echo "setup: $*" >&2
  exit 1
}

can_root() {
  [ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null 2>&1
}

# Runs a command as root: directly when root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "not root and no sudo: cannot run $*"
  fi
}

node_ok() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 &&
    [ "$(node -p 'Number(process.versions.node.split(".")[0]) >= 20' 2>/dev/null)" = true ]
}

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

updated=0
apt_update_once() {
  if [ "$updated" -eq 0 ]; then
    as_root apt-get update
    updated=1
  fi
}

apt_install() {
  say "installing $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

command -v dpkg-query >/dev/null 2>&1 || die "this script is for Debian (dpkg and apt-get were not found)"

# 1. Packages.
missing=()
for p in redis-server redis-tools redis-sentinel python3-redis nftables iproute2 prometheus chromium systemd; do
  installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt_update_once
  apt_install "${missing[@]}"
fi

if ! node_ok; then
  apt_update_once
  candidate=$(apt-cache policy nodejs 2>/dev/null | awk '/Candidate:/ { print $2 }')
  major=${candidate#*:}
  major=${major%%.*}
  if [[ $major =~ ^[0-9]+$ ]] && [ "$major" -ge 20 ]; then
    apt_install nodejs npm
  fi
  node_ok || die "Node.js >= 20 with npm is needed (found: $(node --version 2>/dev/null || echo none); Debian offers nodejs ${candidate:-none})"
fi

# 2. The services the packages start (where an init system runs them).
for svc in redis-server redis-sentinel prometheus; do
  if ! can_root; then
    say "not root and no sudo: not stopping the $svc service (nothing here needs it)"
  elif [ -d /run/systemd/system ]; then
    as_root systemctl disable --now "$svc" >/dev/null 2>&1 || true
  else
    as_root service "$svc" stop >/dev/null 2>&1 || true
    if command -v update-rc.d >/dev/null 2>&1 && [ -e "/etc/init.d/$svc" ]; then
      as_root update-rc.d "$svc" disable >/dev/null 2>&1 || true
    fi
  fi
done

# 3. npm dev dependencies (exactly the lock file) and the build.
npm ci --no-audit --no-fund
npm run build
say "ready: npm run demo (the playground), npm test (every test)"
