#!/usr/bin/env bash
# Prepares a Debian machine (a fresh one included) for sentinel-ts, from the repository root or
# anywhere else: Debian's redis packages (the real servers and clients that the tests and the
# playground run), the npm dev dependencies, and the build. Safe to run again: it installs only
# what is missing.
#
#   ./scripts/setup.sh && npm run demo     # the playground
#   ./scripts/setup.sh && npm test         # every test
set -euo pipefail
cd "$(dirname "$0")/.."

# Node 20 or newer comes with the machine (Debian's own nodejs package is older).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "setup: node (>= 20) and npm are needed and were not found on PATH" >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "setup: node >= 20 is needed, found $(node --version)" >&2
  exit 1
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "setup: not root and no sudo: cannot install Debian packages" >&2
    exit 1
  fi
  as_root=(sudo)
fi

# redis-server, redis-tools (redis-cli), redis-sentinel (the reference implementation) and
# python3-redis (redis-py for Debian's /usr/bin/python3).
packages=(redis-server redis-tools redis-sentinel python3-redis)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  "${as_root[@]}" apt-get update
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

# The packages start system services on 6379 and 26379 where an init system runs. Nothing here
# needs them (every test and the playground start their own servers on free ports), so stop
# them and keep them from starting at boot.
for svc in redis-server redis-sentinel; do
  if [ -d /run/systemd/system ]; then
    "${as_root[@]}" systemctl disable --now "$svc" >/dev/null 2>&1 || true
  else
    "${as_root[@]}" service "$svc" stop >/dev/null 2>&1 || true
  fi
done

npm ci --no-audit --no-fund
npm run build
