#!/usr/bin/env bash
# Remakes the captures in this folder from real traffic: throw-away network namespaces joined
# by veth pairs, real clients (ping, nc, curl, dig) against small servers, and tcpdump or
# dumpcap on one interface. Nothing leaves the namespaces: there is no link to the host's
# interfaces, and every address is from 192.0.2.0/24, 198.51.100.0/24 or 203.0.113.0/24.
#
#   sudo captures/make.sh            # all captures
#   sudo captures/make.sh demo vlan  # only these (names as in README.md, without extension)
#
# Needs: iproute2, tcpdump, tshark (dumpcap, capinfos), ethtool, netcat-openbsd,
# iputils-ping, bind9-dnsutils (dig), curl, python3. Timestamps, ports and sequence numbers
# differ from run to run; the namespaces, addresses, MACs and traffic do not.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOOLS=$HERE/tools
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
PREFIX=nfr-cap

if [ "$(id -u)" != 0 ]; then
  echo "make.sh: must run as root (network namespaces, packet capture)" >&2
  exit 1
fi
for cmd in ip tcpdump dumpcap capinfos ethtool nc ping dig curl; do
  command -v "$cmd" >/dev/null || { echo "make.sh: $cmd not found" >&2; exit 1; }
done

TMP=$(mktemp -d)
NAMESPACES=()
PIDS=()

cleanup() {
  local pid ns
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- building blocks -------------------------------------------------------------------

# netns TAG [ipv6]: a fresh namespace nfr-cap-TAG with lo up; IPv6 off unless asked for, so
# the captures hold only the traffic we make (no router solicitations, no MLD).
netns() {
  local ns=$PREFIX-$1
  ip netns del "$ns" 2>/dev/null || true
  ip netns add "$ns"
  NAMESPACES+=("$ns")
  if [ "${2:-}" = ipv6 ]; then
    # Link-local addresses usable at once, and no router solicitations to wait for.
    in_ns "$1" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 \
      net.ipv6.conf.default.router_solicitations=0
  else
    in_ns "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  fi
  ip -n "$ns" link set lo up
}

in_ns() { local ns=$PREFIX-$1; shift; ip netns exec "$ns" "$@"; }

# veth TAG_A IF_A MAC_A TAG_B IF_B MAC_B [MTU]: a veth pair, up, with fixed MACs. Checksum
# and segmentation offloads are turned off so a capture holds what a wire would carry:
# complete checksums and no segments larger than the MTU.
veth() {
  local mtu=${7:-1500} end
  ip link add "$2" netns "$PREFIX-$1" type veth peer name "$5" netns "$PREFIX-$4"
  for end in "$1 $2 $3" "$4 $5 $6"; do
    set -- $end
    ip -n "$PREFIX-$1" link set "$2" address "$3" mtu "$mtu"
    in_ns "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null
    ip -n "$PREFIX-$1" link set "$2" up
  done
}

addr() { ip -n "$PREFIX-$1" addr add "$3" dev "$2"; }

# bg TAG CMD...: run CMD in the namespace in the background, killed on exit.
bg() { local ns=$PREFIX-$1; shift; ip netns exec "$ns" "$@" >/dev/null 2>&1 & PIDS+=($!); }

# wait_for DESCRIPTION CMD...: poll until CMD succeeds (5 s at most).
wait_for() {
  local what=$1 i; shift
  for i in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done
  echo "make.sh: timed out waiting for $what" >&2
  exit 1
}
listening() { in_ns "$1" ss -Hln "sport = :$2" | grep -q .; }
has_link() { ip -n "$PREFIX-$1" link show "$2"; }

# capture TAG OUT TOOL ARGS...: start tcpdump or dumpcap in the namespace writing OUT, and
# return once it is capturing. stop_capture ends it cleanly (SIGINT flushes the file).
CAPTURE_PID=
capture() {
  local ns=$PREFIX-$1 out=$2 tool=$3 log=$TMP/capture.log; shift 3
  : >"$log"
  if [ "$tool" = tcpdump ]; then
    # -Z root: tcpdump would otherwise drop to its own user before opening OUT.
    # --immediate-mode: without it packets wait in a TPACKET_V3 ring block until the block
    # times out, and those still waiting when the capture is stopped are lost.
    ip netns exec "$ns" tcpdump --immediate-mode -U -Z root -w "$out" "$@" 2>"$log" &
  else
    ip netns exec "$ns" dumpcap -q -w "$out" "$@" 2>"$log" &
  fi
  CAPTURE_PID=$!
  PIDS+=("$CAPTURE_PID")
  wait_for "$tool to start" grep -qE 'listening on|Capturing on' "$log"
  sleep 0.2
}
stop_capture() {
  sleep 1.2 # let the last replies arrive, and dumpcap's read timeout (at most 1 s) expire
  kill -INT "$CAPTURE_PID"
  wait "$CAPTURE_PID" || true
}

quiet() { "$@" >/dev/null 2>&1 || true; }

# --- demo.pcap, http-any.pcap, any-sll.pcap ----------------------------------------------
# A server 192.0.2.10 (eth0) on a LAN bridged in the router namespace, a LAN client
# 192.0.2.20, and a remote client 198.51.100.20 routed through 192.0.2.1 / 198.51.100.1.

demo_topology() {
  [ -n "${DEMO_UP:-}" ] && return
  DEMO_UP=1
  netns srv ipv6
  netns lan ipv6
  netns rtr
  netns ext
  ip -n $PREFIX-rtr link add br0 type bridge
  ip -n $PREFIX-rtr link set br0 address 02:00:00:00:01:01 up
  veth srv eth0 02:00:00:00:01:10 rtr port-srv 02:00:00:00:01:11
  veth lan eth0 02:00:00:00:01:20 rtr port-lan 02:00:00:00:01:21
  veth ext eth0 02:00:00:00:02:20 rtr eth1 02:00:00:00:02:01
  ip -n $PREFIX-rtr link set port-srv master br0
  ip -n $PREFIX-rtr link set port-lan master br0
  addr rtr br0 192.0.2.1/24
  addr rtr eth1 198.51.100.1/24
  in_ns rtr sysctl -qw net.ipv4.ip_forward=1
  addr srv eth0 192.0.2.10/24
  addr lan eth0 192.0.2.20/24
  addr ext eth0 198.51.100.20/24
  ip -n $PREFIX-srv route add default via 192.0.2.1
  ip -n $PREFIX-lan route add default via 192.0.2.1
  ip -n $PREFIX-ext route add default via 198.51.100.1

  mkdir -p "$TMP/www"
  { echo '<!doctype html><title>nfreplay demo</title>'; for i in $(seq 40); do echo "<p>line $i of the demo page</p>"; done; } >"$TMP/www/index.html"
  bg srv "$PY" -m http.server 80 --directory "$TMP/www"
  bg srv "$PY" "$TOOLS/servers.py" 'tcp:22:banner:SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n' \
    tcp:443:echo 'tcp:22222:banner:hoge\n' udp:53:dns
  wait_for "http on :80" listening srv 80
  wait_for "servers on :22 :443 :22222 :53" eval 'listening srv 22 && listening srv 443 && listening srv 22222 && listening srv 53'
}

make_demo() {
  demo_topology
  capture srv "$TMP/demo.pcap" tcpdump -i eth0
  # ICMP echo from both clients, and one IPv6 echo over link-local (the replay skips IPv6).
  quiet in_ns lan ping -n -c 3 -i 0.2 192.0.2.10
  quiet in_ns ext ping -n -c 2 -i 0.2 192.0.2.10
  quiet in_ns lan ping -6 -n -c 1 fe80::ff:fe00:110%eth0
  # ssh-like exchange on 22, HTTP on 80 from both clients, data echoed on 443.
  printf 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n' | quiet in_ns lan nc -N -w 2 192.0.2.10 22
  quiet in_ns lan curl -s -o /dev/null http://192.0.2.10/
  quiet in_ns ext curl -s -o /dev/null http://192.0.2.10/index.html
  printf 'GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n' | quiet in_ns ext nc -N -w 2 192.0.2.10 443
  # DNS queries (UDP 53) from both clients.
  quiet in_ns lan dig +tries=1 +time=2 @192.0.2.10 www.example.com A
  quiet in_ns ext dig +tries=1 +time=2 @192.0.2.10 mail.example.com A
  # The HOGE port: a run of connections from the LAN (more than the rule's limit burst of 5)
  # and two from the remote network.
  for i in 1 2 3 4 5 6 7; do printf 'hoge %s\n' "$i" | quiet in_ns lan nc -N -w 2 192.0.2.10 22222; done
  for i in 1 2; do printf 'hoge ext %s\n' "$i" | quiet in_ns ext nc -N -w 2 192.0.2.10 22222; done
  # Refused TCP port (SYN, RST) and a UDP datagram to a closed port (ICMP port unreachable).
  quiet in_ns lan nc -z -w 1 192.0.2.10 23
  printf 'ping?\n' | quiet in_ns ext nc -u -w 1 192.0.2.10 9999
  # A connect scan from the remote network: a burst of SYNs, RST for the closed ports.
  quiet in_ns ext nc -z -w 1 192.0.2.10 1-200
  stop_capture
}

make_http-any() {
  demo_topology
  # -i any: one capture for every interface of the namespace, each packet with its
  # interface index and packet type (LINKTYPE_LINUX_SLL2).
  capture srv "$TMP/http-any.pcap" tcpdump -i any -y LINUX_SLL2
  quiet in_ns lan curl -s -o /dev/null http://192.0.2.10/
  quiet in_ns ext curl -s -o /dev/null http://192.0.2.10/
  quiet in_ns srv curl -s -o /dev/null http://127.0.0.1/
  quiet in_ns srv dig +tries=1 +time=2 @127.0.0.1 www.example.com A
  stop_capture
}

make_any-sll() {
  demo_topology
  # The same, with the older cooked header (LINKTYPE_LINUX_SLL: packet type, no ifindex).
  capture srv "$TMP/any-sll.pcap" tcpdump -i any -y LINUX_SLL
  quiet in_ns ext curl -s -o /dev/null http://192.0.2.10/
  quiet in_ns srv curl -s -o /dev/null http://127.0.0.1/
  stop_capture
}

# --- two hosts on one link, for the smaller captures -------------------------------------

# pair TAG MTU: namespaces TAG-a (198.51.100.1, eth0) and TAG-b (198.51.100.2, eth0) on a veth
# pair, with echo servers on b (TCP 7, UDP 7) and DNS on b:53.
pair() {
  netns "$1-a"
  netns "$1-b"
  veth "$1-a" eth0 02:00:00:00:0a:01 "$1-b" eth0 02:00:00:00:0b:01 "${2:-1500}"
  addr "$1-a" eth0 198.51.100.1/24
  addr "$1-b" eth0 198.51.100.2/24
  bg "$1-b" "$PY" "$TOOLS/servers.py" tcp:7:echo udp:7:echo udp:53:dns
  wait_for "servers on $1-b" eval "listening $1-b 7 && listening $1-b 53"
}

# A short TCP conversation on the echo port, over whatever address is given.
tcp_echo() {
  { printf 'hello\n'; sleep 0.1; printf 'world\n'; } | quiet in_ns "$1" nc -N -w 2 "$2" 7
}

# udp_send TAG ADDR PORT SIZE: one datagram of SIZE bytes, and the reply if any.
udp_send() {
  quiet in_ns "$1" "$PY" -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
s.sendto(bytes(i % 251 for i in range(int(sys.argv[3]))), (sys.argv[1], int(sys.argv[2])))
s.recv(65535)' "$2" "$3" "$4"
}

make_ping() {
  pair png
  # pcapng from dumpcap, two interfaces (the veth and lo) and a section comment.
  capture png-a "$TMP/ping.pcapng" dumpcap -n -i eth0 -i lo \
    --capture-comment 'nfreplay test capture: ping over eth0 and lo'
  quiet in_ns png-a ping -n -c 3 -i 0.2 198.51.100.2
  quiet in_ns png-a ping -n -c 2 -i 0.2 127.0.0.1
  tcp_echo png-a 198.51.100.2
  stop_capture
}

make_sections() {
  pair sec
  # Two dumpcap runs concatenated: a pcapng file may hold several sections, each with its
  # own interfaces (here eth0 in the first, lo then eth0 in the second).
  capture sec-a "$TMP/sec1.pcapng" dumpcap -n -i eth0
  quiet in_ns sec-a ping -n -c 2 -i 0.2 198.51.100.2
  stop_capture
  capture sec-a "$TMP/sec2.pcapng" dumpcap -n -i lo -i eth0
  quiet in_ns sec-a ping -n -c 2 -i 0.2 127.0.0.1
  udp_send sec-a 198.51.100.2 7 200
  stop_capture
  cat "$TMP/sec1.pcapng" "$TMP/sec2.pcapng" >"$TMP/sections.pcapng"
}

make_ns() {
  pair nsp
  # Nanosecond timestamps (pcap magic a1b23c4d). veth only offers host time stamps
  # (tcpdump -J lists "host"), so -j adapter_unsynced is not available here.
  capture nsp-b "$TMP/ns.pcap" tcpdump -i eth0 --time-stamp-precision=nano
  quiet in_ns nsp-a ping -n -c 3 -i 0.2 198.51.100.2
  tcp_echo nsp-a 198.51.100.2
  quiet in_ns nsp-a dig +tries=1 +time=2 @198.51.100.2 www.example.com A
  stop_capture
}

make_fragments() {
  pair frg 1280
  # IPv4 fragments: echo requests and UDP datagrams larger than the 1280-byte MTU, fragmented
  # by the sender; the replies come back fragmented too.
  capture frg-b "$TMP/fragments.pcap" tcpdump -i eth0
  quiet in_ns frg-a ping -n -c 2 -i 0.2 -s 3000 198.51.100.2
  udp_send frg-a 198.51.100.2 7 4000
  udp_send frg-a 198.51.100.2 7 1400
  stop_capture
}

make_snaplen() {
  pair snp
  # Records cut at 96 bytes (-s 96): caplen < length for everything but the smallest packets.
  capture snp-b "$TMP/snaplen.pcap" tcpdump -i eth0 -s 96
  quiet in_ns snp-a ping -n -c 2 -i 0.2 -s 500 198.51.100.2
  { printf 'hello\n'; head -c 6000 /dev/zero | tr '\0' 'x'; } | quiet in_ns snp-a nc -N -w 2 198.51.100.2 7
  quiet in_ns snp-a dig +tries=1 +time=2 @198.51.100.2 www.example.com A
  stop_capture
}

# vlan_pair TAG: like pair, plus userspace VLAN interfaces on both ends (see tools/links.py):
# eth0.100 (802.1Q VID 100, 203.0.113.1-2/28) and eth0.200.300 (802.1ad outer VID 200,
# 802.1Q inner VID 300, 203.0.113.17-18/28). The veth MTU leaves room for two tags.
vlan_pair() {
  local side mac last
  netns "$1-a"
  netns "$1-b"
  veth "$1-a" eth0 02:00:00:00:0a:01 "$1-b" eth0 02:00:00:00:0b:01 1508
  addr "$1-a" eth0 198.51.100.1/24
  addr "$1-b" eth0 198.51.100.2/24
  for side in a b; do
    mac=02:00:00:00:0$side:01
    last=$([ $side = a ] && echo 1 || echo 2)
    bg "$1-$side" "$PY" "$TOOLS/links.py" vlan eth0 eth0.100 8100:100
    bg "$1-$side" "$PY" "$TOOLS/links.py" vlan eth0 eth0.200.300 88a8:200 8100:300
    wait_for "eth0.100 in $1-$side" has_link "$1-$side" eth0.100
    wait_for "eth0.200.300 in $1-$side" has_link "$1-$side" eth0.200.300
    for dev in eth0.100 eth0.200.300; do
      ip -n "$PREFIX-$1-$side" link set "$dev" address "$mac" mtu 1500 up
    done
    addr "$1-$side" eth0.100 "203.0.113.$last/28"
    addr "$1-$side" eth0.200.300 "203.0.113.$((16 + last))/28"
  done
  bg "$1-b" "$PY" "$TOOLS/servers.py" tcp:7:echo udp:7:echo udp:53:dns
  wait_for "servers on $1-b" eval "listening $1-b 7 && listening $1-b 53"
}

make_vlan() {
  vlan_pair vln
  # 802.1Q: ping, a TCP echo and a DNS query on VLAN 100, and one untagged ping on the same
  # link (native VLAN).
  capture vln-b "$TMP/vlan.pcap" tcpdump -i eth0
  quiet in_ns vln-a ping -n -c 2 -i 0.2 203.0.113.2
  tcp_echo vln-a 203.0.113.2
  quiet in_ns vln-a dig +tries=1 +time=2 @203.0.113.2 www.example.com A
  quiet in_ns vln-a ping -n -c 1 198.51.100.2
  stop_capture
}

make_qinq() {
  vlan_pair qnq
  # 802.1ad QinQ: outer tag (TPID 88a8) VID 200, inner 802.1Q VID 300.
  capture qnq-b "$TMP/qinq.pcap" tcpdump -i eth0
  quiet in_ns qnq-a ping -n -c 2 -i 0.2 203.0.113.18
  tcp_echo qnq-a 203.0.113.18
  stop_capture
}

make_raw() {
  netns raw-a
  netns raw-b
  # Two TUN devices joined by tools/links.py: a point-to-point link with no link layer, so
  # the capture is LINKTYPE_RAW (bare IPv4 packets).
  "$PY" "$TOOLS/links.py" tunpair $PREFIX-raw-a tun0 $PREFIX-raw-b tun0 >/dev/null 2>&1 &
  PIDS+=($!)
  wait_for "tun0 in raw-a" has_link raw-a tun0
  wait_for "tun0 in raw-b" has_link raw-b tun0
  addr raw-a tun0 203.0.113.5/30
  addr raw-b tun0 203.0.113.6/30
  ip -n $PREFIX-raw-a link set tun0 up
  ip -n $PREFIX-raw-b link set tun0 up
  bg raw-b "$PY" "$TOOLS/servers.py" tcp:7:echo udp:53:dns
  wait_for "servers on raw-b" eval "listening raw-b 7 && listening raw-b 53"
  capture raw-b "$TMP/raw.pcap" tcpdump -i tun0
  quiet in_ns raw-a ping -n -c 2 -i 0.2 203.0.113.6
  tcp_echo raw-a 203.0.113.6
  quiet in_ns raw-a dig +tries=1 +time=2 @203.0.113.6 www.example.com A
  stop_capture
}

# --- router-any.pcap: a forwarding host's own view ----------------------------------------
# Namespaces fwd-a (198.51.100.20, eth0), the router fwd-r (eth0 198.51.100.1, eth1
# 203.0.113.1, ip_forward on) and fwd-b (203.0.113.20, eth0, echo and DNS servers).
# `tcpdump -i any` in the router sees each forwarded packet twice: arriving (In) on one
# interface and leaving (Out) on the other with its TTL one lower.
make_router-any() {
  netns fwd-a
  netns fwd-r
  netns fwd-b
  veth fwd-a eth0 02:00:00:00:03:20 fwd-r eth0 02:00:00:00:03:01
  veth fwd-b eth0 02:00:00:00:04:20 fwd-r eth1 02:00:00:00:04:01
  addr fwd-a eth0 198.51.100.20/24
  addr fwd-r eth0 198.51.100.1/24
  addr fwd-r eth1 203.0.113.1/24
  addr fwd-b eth0 203.0.113.20/24
  in_ns fwd-r sysctl -qw net.ipv4.ip_forward=1
  ip -n $PREFIX-fwd-a route add default via 198.51.100.1
  ip -n $PREFIX-fwd-b route add default via 203.0.113.1
  bg fwd-b "$PY" "$TOOLS/servers.py" tcp:7:echo udp:53:dns
  wait_for "servers on fwd-b" eval "listening fwd-b 7 && listening fwd-b 53"
  # Resolve the neighbours first, so the capture holds no ARP in the middle of a flow.
  quiet in_ns fwd-a ping -n -c 1 198.51.100.1
  quiet in_ns fwd-b ping -n -c 1 203.0.113.1
  capture fwd-r "$TMP/router-any.pcap" tcpdump -i any -y LINUX_SLL2
  quiet in_ns fwd-a ping -n -c 2 -i 0.2 203.0.113.20
  tcp_echo fwd-a 203.0.113.20
  quiet in_ns fwd-a dig +tries=1 +time=2 @203.0.113.20 www.example.com A
  quiet in_ns fwd-b ping -n -c 1 198.51.100.20
  quiet in_ns fwd-r ping -n -c 1 203.0.113.20
  stop_capture
}

# --- main ---------------------------------------------------------------------------------

ALL=(demo http-any any-sll ping sections ns fragments snaplen vlan qinq raw router-any)
declare -A OUTPUT=([ping]=ping.pcapng [sections]=sections.pcapng)
NAMES=("$@")
[ ${#NAMES[@]} -gt 0 ] || NAMES=("${ALL[@]}")

for name in "${NAMES[@]}"; do
  declare -F "make_$name" >/dev/null || { echo "make.sh: unknown capture '$name' (one of: ${ALL[*]})" >&2; exit 2; }
done
for name in "${NAMES[@]}"; do
  file=${OUTPUT[$name]:-$name.pcap}
  "make_$name"
  # Check the file with the tools themselves before keeping it.
  tcpdump -r "$TMP/$file" -nn >/dev/null 2>"$TMP/check.log" || { cat "$TMP/check.log" >&2; exit 1; }
  install -m 644 "$TMP/$file" "$HERE/$file"
  IFS=, read -r _ encap count < <(capinfos -T -m -r -E -c "$HERE/$file")
  printf '%-16s %-11s %5d packets %7d bytes\n' "$file" "$encap" "$count" "$(stat -c %s "$HERE/$file")"
done
