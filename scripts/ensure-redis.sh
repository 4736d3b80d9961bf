#!/usr/bin/env bash
# Installs redis-server from Debian packages when it is missing (cluster tests start their own instance).
# Idempotent and quick when present; never starts a system service.
set -euo pipefail
command -v redis-server >/dev/null 2>&1 && exit 0
echo "ensure-redis: installing redis-server from Debian packages" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
