#!/usr/bin/env bash
# Installs what xp2p needs from Debian packages (ffmpeg/ffprobe to make and verify media).
# Idempotent and quick when everything is present. The demo itself runs without ffmpeg (bundled sample).
set -euo pipefail
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
