#!/usr/bin/env bash
# The NAT lab's topology, in network namespaces (root only).
#
#   lab.sh up PREFIX TYPE...   builds: PREFIX-pub (bridge br0, 203.0.113.1 and .2, the "internet"),
#                              and for the Nth TYPE (N from 1): router PREFIX-rN (wan0 203.0.113.(10+N),
#                              lan0 10.N.0.1/24, nft NAT of TYPE) and host PREFIX-hN (eth0 10.N.0.2/24).
#                              TYPE: fc (full cone), ar (address-restricted), pr (port-restricted),
#                              sym (symmetric).
#   lab.sh down PREFIX         deletes every namespace named PREFIX-* (killing what still runs in them) and
#                              its /etc/netns/<namespace> directory (hosts files, lab.ts addHostName).
#   lab.sh gc                  deletes the namespaces of earlier runs whose test process is gone
#                              (names xnl-<pid>-*).
#   lab.sh renat PREFIX N IP   gives router N a new public address IP and flushes its conntrack (every
#                              mapping is gone: established flows get new public ports or die).
#   lab.sh loss PREFIX N PCT   router N drops PCT % of the packets it forwards, both ways (0 = none).
#   lab.sh block PREFIX N [udp] [tcp:PORT]...
#                              router N drops, both ways, every UDP packet (udp) and TCP to or from PORT
#                              (tcp:PORT), as a firewall that lets only some TCP out; no spec: nothing.
#   lab.sh rate PREFIX N KBIT  caps router N's uplink (what its host sends out on wan0) at KBIT kbit/s
#                              with tc tbf (0 = no cap).
#   lab.sh delay PREFIX N on|off [udp|all]
#                              sends what router N forwards, both ways, to NFQUEUE N (udp: only UDP, i.e.
#                              the peers' media, STUN and TURN; all: every IP packet, signalling too) or
#                              removes that. The delay itself is e2e/nat/delay/nfq-delay.c, which lab.ts
#                              builds and starts in PREFIX-rN BEFORE 'on' (a queue rule without a listener
#                              drops: delay, never a silent bypass) and ends by pid after 'off'.
#
# nft recipes (measured on the CI machine, see issue 6): port-restricted = masquerade; symmetric =
# masquerade fully-random; full cone = masquerade + DNAT of all inbound UDP to the host; address-restricted
# = masquerade + DNAT only from addresses the host contacted (a dynamic set updated on LAN→WAN). Each
# router drops new inbound connections to itself ("iifname wan0 ct state new drop"), or stale conntrack
# entries take the ports masquerade wants to preserve and port-restricted pairs break.
set -euo pipefail

PUB_NET=203.0.113
die() { echo "nat-lab: $*" >&2; exit 1; }

preflight() {
  [ "$(id -u)" -eq 0 ] || die "must run as root to create network namespaces (uid $(id -u))"
  command -v ip >/dev/null || die "'ip' (iproute2) is missing"
  command -v nft >/dev/null || die "'nft' (nftables) is missing"
}

nsexec() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

router_rules() { # TYPE N
  local type=$1 n=$2 host=10.$2.0.2
  local masq="masquerade" pre="" fwd=""
  case "$type" in
    pr) ;;
    sym) masq="masquerade fully-random" ;;
    fc) pre="iifname \"wan0\" meta l4proto udp dnat to $host" ;;
    ar)
      pre="iifname \"wan0\" meta l4proto udp ip saddr @contacted dnat to $host"
      fwd="iifname \"lan0\" oifname \"wan0\" update @contacted { ip daddr }"
      ;;
    *) die "unknown NAT type '$type' (fc, ar, pr, sym)" ;;
  esac
  cat <<NFT
table ip natlab {
  set contacted { type ipv4_addr; flags dynamic, timeout; timeout 10m; }
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    $pre
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan0" $masq
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    $fwd
  }
  chain loss {
    type filter hook forward priority filter + 10; policy accept;
  }
  chain block {
    type filter hook forward priority filter + 20; policy accept;
  }
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "wan0" ct state new drop
  }
}
NFT
}

up() {
  local prefix=$1; shift
  preflight
  local pub=$prefix-pub
  ip netns add "$pub"
  nsexec "$pub" sysctl -qw net.ipv4.ip_forward=0
  ip -n "$pub" link set lo up
  ip -n "$pub" link add br0 type bridge
  ip -n "$pub" link set br0 up
  ip -n "$pub" addr add $PUB_NET.1/24 dev br0
  ip -n "$pub" addr add $PUB_NET.2/24 dev br0
  # A default route into a veth whose far end drops everything: coturn relaying towards a private
  # (unreachable) host candidate must get a silent drop, not ENETUNREACH (which ends its allocation).
  ip -n "$pub" link add drop0 type veth peer name drop1
  ip -n "$pub" link set drop0 up
  ip -n "$pub" link set drop1 up
  ip -n "$pub" route add default via 192.0.2.254 dev drop0 onlink
  ip -n "$pub" neigh replace 192.0.2.254 lladdr 02:00:00:00:00:fe dev drop0 nud permanent
  local n=0
  for type in "$@"; do
    n=$((n + 1))
    local r=$prefix-r$n h=$prefix-h$n
    ip netns add "$r"
    ip netns add "$h"
    ip -n "$r" link set lo up
    ip -n "$h" link set lo up
    ip -n "$r" link add wan0 type veth peer name "r$n" netns "$pub"
    ip -n "$pub" link set "r$n" master br0 up
    ip -n "$r" addr add $PUB_NET.$((10 + n))/24 dev wan0
    ip -n "$r" link set wan0 up
    ip -n "$r" route add default via $PUB_NET.1
    ip -n "$r" link add lan0 type veth peer name eth0 netns "$h"
    ip -n "$r" addr add 10.$n.0.1/24 dev lan0
    ip -n "$r" link set lan0 up
    ip -n "$h" addr add 10.$n.0.2/24 dev eth0
    ip -n "$h" link set eth0 up
    ip -n "$h" route add default via 10.$n.0.1
    nsexec "$r" sysctl -qw net.ipv4.ip_forward=1
    router_rules "$type" "$n" | nsexec "$r" nft -f -
  done
}

down() {
  local prefix=$1
  local ns
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^${prefix}-" || true); do
    local pids
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    # a hosts file the lab gave this namespace (lab.ts addHostName)
    rm -rf "/etc/netns/$ns"
  done
}

gc() {
  local ns pid
  for ns in $(ip netns list | awk '{print $1}' | grep -E '^xnl-[0-9]+-' || true); do
    pid=$(echo "$ns" | cut -d- -f2)
    if ! kill -0 "$pid" 2>/dev/null; then down "$(echo "$ns" | cut -d- -f1-3)"; fi
  done
}

renat() {
  local prefix=$1 n=$2 ip=$3
  local r=$prefix-r$n
  ip -n "$r" addr flush dev wan0
  ip -n "$r" addr add "$ip/24" dev wan0
  ip -n "$r" route replace default via $PUB_NET.1
  nsexec "$r" conntrack -F >/dev/null 2>&1 || die "conntrack -F failed in $r (is the conntrack package installed?)"
}

loss() {
  local prefix=$1 n=$2 pct=$3
  local r=$prefix-r$n
  nsexec "$r" nft flush chain ip natlab loss
  if [ "$pct" -ge 100 ]; then
    nsexec "$r" nft add rule ip natlab loss drop
  elif [ "$pct" -gt 0 ]; then
    nsexec "$r" nft add rule ip natlab loss numgen random mod 100 '<' "$pct" drop
  fi
}

block() {
  local prefix=$1 n=$2
  shift 2
  local r=$prefix-r$n spec
  nsexec "$r" nft flush chain ip natlab block
  for spec in "$@"; do
    case "$spec" in
      udp) nsexec "$r" nft add rule ip natlab block meta l4proto udp drop ;;
      tcp:[0-9]*)
        nsexec "$r" nft add rule ip natlab block tcp dport "${spec#tcp:}" drop
        nsexec "$r" nft add rule ip natlab block tcp sport "${spec#tcp:}" drop
        ;;
      *) die "block: udp or tcp:PORT, not '$spec'" ;;
    esac
  done
}

rate() {
  local prefix=$1 n=$2 kbit=$3
  local r=$prefix-r$n
  nsexec "$r" tc qdisc del dev wan0 root 2>/dev/null || true
  # burst ~ 10 ms at the rate (at least a few full packets); a queue of 200 ms before tbf drops
  [ "$kbit" -gt 0 ] && nsexec "$r" tc qdisc add dev wan0 root tbf rate "${kbit}kbit" burst 16kb latency 200ms
  return 0
}

# This kernel has nfnetlink_queue and the xtables NFQUEUE target but not nft's own `queue` expression
# (CONFIG_NFT_QUEUE is off: `nft add rule ... queue num N` fails with "No such file or directory"), so the
# rule is written with iptables-nft, which reaches the xtables target through nft_compat. It lives in the
# router's own "ip filter" table, FORWARD chain (priority filter: before the loss chain at filter + 10).
delay() {
  local prefix=$1 n=$2 state=$3 scope=${4:-udp}
  local r=$prefix-r$n match=()
  command -v iptables-nft >/dev/null || die "'iptables-nft' (iptables) is missing"
  case "$scope" in
    udp) match=(-p udp) ;;
    all) ;;
    *) die "delay scope '$scope': udp or all" ;;
  esac
  [ "$state" = on ] || [ "$state" = off ] || die "delay: on or off, not '$state'"
  # no --queue-bypass: without a listener the rule drops (a delay that silently vanished would pass tests)
  nsexec "$r" iptables-nft -w -F FORWARD 2>/dev/null || true
  if [ "$state" = on ]; then
    nsexec "$r" iptables-nft -w -A FORWARD "${match[@]}" -j NFQUEUE --queue-num "$n"
  fi
}

cmd=${1:-}
shift || true
case "$cmd" in
  up)
    [ $# -ge 1 ] || die "usage: lab.sh up PREFIX TYPE..."
    # a half-built lab is removed before reporting the failure
    trap 'down "$1"' ERR
    up "$@"
    ;;
  down) [ $# -eq 1 ] || die "usage: lab.sh down PREFIX"; down "$1" ;;
  gc) gc ;;
  renat) [ $# -eq 3 ] || die "usage: lab.sh renat PREFIX N IP"; renat "$@" ;;
  loss) [ $# -eq 3 ] || die "usage: lab.sh loss PREFIX N PCT"; loss "$@" ;;
  rate) [ $# -eq 3 ] || die "usage: lab.sh rate PREFIX N KBIT"; rate "$@" ;;
  block) [ $# -ge 2 ] || die "usage: lab.sh block PREFIX N [udp] [tcp:PORT]..."; block "$@" ;;
  delay) [ $# -ge 3 ] && [ $# -le 4 ] || die "usage: lab.sh delay PREFIX N on|off [udp|all]"; delay "$@" ;;
  *) die "usage: lab.sh up PREFIX TYPE... | down PREFIX | gc | renat PREFIX N IP | loss PREFIX N PCT | rate PREFIX N KBIT | block PREFIX N [udp] [tcp:PORT]... | delay PREFIX N on|off [udp|all]" ;;
esac
