#!/usr/bin/env bash
# Installs PostgreSQL from Debian packages when it is missing (the accounts tests start their own private
# server in a temp dir, like redis-server); never starts or enables a system service.
set -euo pipefail
if [ -x "$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)/initdb" ]; then exit 0; fi
echo "ensure-postgres: installing postgresql from Debian packages" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
# policy-rc.d 101: the package's post-install must not start the system cluster
echo 'exit 101' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod +x /usr/sbin/policy-rc.d
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
$SUDO rm -f /usr/sbin/policy-rc.d
