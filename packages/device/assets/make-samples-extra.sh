#!/usr/bin/env bash
# Regenerates the demo camera's other bundled clips (see make-sample.sh for sample.flv, channel 0 high):
#   sample-standard.flv      channel 0, standard quality: sample.flv scaled to 320x180, 300 kbit/s
#   sample-ch1.flv           channel 1, high: SMPTE bars with a timecode, 640x360, 500 kbit/s, 1 s GOP
#   sample-ch1-standard.flv  channel 1, standard: the same at 320x180, 200 kbit/s
# Each 10 s, 30 fps, H.264 main + AAC, so `npm start` serves two channels in two qualities without ffmpeg.
set -euo pipefail
cd "$(dirname "$0")"
h264=(-c:v libx264 -preset veryfast -profile:v main -pix_fmt yuv420p -g 30 -keyint_min 30 -sc_threshold 0)
aac=(-c:a aac -b:a 48k -ar 44100 -ac 2)
font=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
label=null
if [ -f "$font" ] && ffmpeg -hide_banner -filters 2>/dev/null | grep -q ' drawtext '; then
  label="drawtext=fontfile=$font:text='channel 1 %{pts\:hms}':x=(w-tw)/2:y=h-th-24:fontsize=32:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=8"
fi
ffmpeg -hide_banner -loglevel error -y -i sample.flv -vf scale=320:180 "${h264[@]}" -b:v 300k -maxrate 330k \
  -bufsize 330k "${aac[@]}" -f flv sample-standard.flv
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "smptebars=size=640x360:rate=30:duration=10" \
  -f lavfi -i "sine=frequency=660:sample_rate=44100:duration=10" \
  -filter_complex "[0:v]$label[v];[1:a]pan=stereo|c0=c0|c1=c0[a]" -map "[v]" -map "[a]" \
  "${h264[@]}" -b:v 500k -maxrate 550k -bufsize 550k "${aac[@]}" -f flv sample-ch1.flv
ffmpeg -hide_banner -loglevel error -y -i sample-ch1.flv -vf scale=320:180 "${h264[@]}" -b:v 200k -maxrate 220k \
  -bufsize 220k "${aac[@]}" -f flv sample-ch1-standard.flv
ls -l sample*.flv
