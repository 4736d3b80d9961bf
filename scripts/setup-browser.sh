#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (playwright-core drives it with
# executablePath /usr/bin/chromium). Idempotent: does nothing when it is already there.
# Browsers come from Debian packages only, never from a download site.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
echo "setup-browser: installing chromium from Debian packages" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
# fonts: so text renders in screenshots; chromium-sandbox is not needed (tests run --no-sandbox)
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version >&2
