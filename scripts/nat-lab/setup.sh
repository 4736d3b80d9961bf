#!/usr/bin/env bash
# Installs what the NAT lab needs from Debian packages: iproute2 (ip netns, veth, bridge, tc), nftables
# (NAT and filtering in the router namespaces), conntrack (flushing a router's mappings), coturn (TURN relay), ffmpeg (to prove the stream decodes),
# and for the delay fault: gcc + libc6-dev + libnetfilter-queue-dev (nfq-delay.c is compiled at test time)
# and iptables (its NFQUEUE target; this kernel lacks nft's own queue expression, see lab.sh).
# Idempotent and quick when everything is present. Exits non-zero with a clear message when it cannot.
set -euo pipefail
need=()
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v conntrack >/dev/null 2>&1 || need+=(conntrack)
command -v turnserver >/dev/null 2>&1 || need+=(coturn)
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
command -v iptables-nft >/dev/null 2>&1 || need+=(iptables)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
[ -f /usr/include/stdio.h ] || need+=(libc6-dev)
[ -f /usr/include/libnetfilter_queue/libnetfilter_queue.h ] || need+=(libnetfilter-queue-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "nat-lab setup: missing ${need[*]} and not root: install them (apt-get install ${need[*]})" >&2
    exit 1
  fi
  echo "nat-lab setup: installing ${need[*]} from Debian packages" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Debian starts coturn as a service on install where an init system runs; the lab starts its own.
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet coturn 2>/dev/null; then
    systemctl stop coturn || true
  fi
fi
