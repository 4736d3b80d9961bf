#!/usr/bin/env bash
# Regenerates sample.flv, the demo clip the camera agent loops when no camera is configured:
# 10 s, 640x360, 30 fps, H.264 main with a 1 s GOP + AAC 44.1 kHz stereo tone, <= 1.5 MB.
# The test pattern shows a running timecode when ffmpeg has drawtext (so viewers can see
# latency and loop points); otherwise it falls back to plain testsrc.
set -euo pipefail
cd "$(dirname "$0")"

font=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
timecode=(-vf null)
# (Capture the list first: `ffmpeg | grep -q` would SIGPIPE ffmpeg and fail under pipefail.)
filters=$(ffmpeg -hide_banner -filters 2>/dev/null || true)
if grep -q ' drawtext ' <<<"$filters" && [ -f "$font" ]; then
  # %{pts\:hms} is the clip's own clock; the box keeps it readable over the pattern.
  timecode=(-vf "drawtext=fontfile=$font:text='xp2p %{pts\:hms}':x=(w-tw)/2:y=h-th-24:fontsize=32:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=8")
else
  echo "drawtext not available: sample will have no timecode" >&2
fi

ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc=size=640x360:rate=30:duration=10" \
  -f lavfi -i "sine=frequency=440:sample_rate=44100:duration=10" \
  -filter_complex "[1:a]pan=stereo|c0=c0|c1=c0[a]" -map 0:v -map "[a]" "${timecode[@]}" \
  -c:v libx264 -preset veryfast -profile:v main -pix_fmt yuv420p -g 30 -keyint_min 30 -sc_threshold 0 \
  -b:v 900k -maxrate 1000k -bufsize 1000k \
  -c:a aac -b:a 64k -ar 44100 -ac 2 \
  -f flv sample.flv
ls -l sample.flv
