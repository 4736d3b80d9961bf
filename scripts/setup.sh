#!/usr/bin/env bash
# Installs what xp2p's tests and tools need from Debian packages: ffmpeg/ffprobe (make and verify media),
# redis-server (cluster tests start their own instance), chromium (web tests, when the web app exists).
# Idempotent and quick when everything is present. The demo itself runs without any of them.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
# deploy/ is validated with the real tools (e2e/deploy): promtool (Debian ships it in the prometheus package),
# nginx -t, systemd-analyze verify, openssl for a test certificate
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v nginx >/dev/null 2>&1 || need+=(nginx-light)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} from Debian packages" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # the prometheus and nginx packages enable services we only need the binaries of: keep them stopped
  for unit in prometheus nginx; do
    if [[ " ${need[*]} " == *" ${unit}"* ]] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      $SUDO systemctl disable --now "$unit" >/dev/null 2>&1 || true
    fi
  done
fi
# A real RTSP camera for the source-outage test: GStreamer's RTSP server with an H.264 test pattern.
if ! /usr/bin/python3 -c "import gi; gi.require_version('Gst', '1.0'); gi.require_version('GstRtspServer', '1.0')
from gi.repository import Gst; Gst.init(None)
assert all(Gst.ElementFactory.find(e) for e in ('videotestsrc', 'x264enc', 'rtph264pay'))" >/dev/null 2>&1; then
  echo "setup: installing GStreamer's RTSP server from Debian packages" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-gi \
    gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly >/dev/null
fi
bash scripts/ensure-redis.sh
bash scripts/ensure-postgres.sh
if [ -f scripts/setup-browser.sh ]; then bash scripts/setup-browser.sh; fi
# The NAT lab (part of npm test) needs root, network namespaces, nftables and coturn.
bash scripts/nat-lab/setup.sh
