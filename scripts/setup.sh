#!/usr/bin/env bash
# Installs what xp2p's tests and tools need from Debian packages: ffmpeg/ffprobe (make and verify media),
# redis-server (cluster tests start their own instance), chromium (web tests, when the web app exists).
# Idempotent and quick when everything is present. The demo itself runs without any of them.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} from Debian packages" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
bash scripts/ensure-redis.sh
bash scripts/ensure-postgres.sh
if [ -f scripts/setup-browser.sh ]; then bash scripts/setup-browser.sh; fi
# The NAT lab (part of npm test) needs root, network namespaces, nftables and coturn.
bash scripts/nat-lab/setup.sh
