#!/usr/bin/env bash
# Sets up a fresh Debian machine for sentinel-ts: the Debian redis packages (real servers and
# clients for the tests and the playground), npm dependencies, and the build. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(redis-server redis-tools redis-sentinel python3-redis)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
  # The packages start system services on 6379 and 26379; the tests and the playground
  # start their own servers on free ports and need none of them.
  for svc in redis-server redis-sentinel; do
    $sudo service "$svc" stop >/dev/null 2>&1 || true
  done
fi

npm ci --no-audit --no-fund
npm run build
