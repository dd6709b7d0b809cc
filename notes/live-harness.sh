#!/usr/bin/env bash
# live-harness.sh - observe Linux TPROXY / policy-routing behaviour in throwaway netns.
#
# Usage (root):  bash live-harness.sh [case ...]     packet cases
#                bash live-harness.sh facts          questions 8-14 (no traffic)
#   cases: 1 2 2b 3 3b 4 5 6 6b 7 7b (see the case table at the end); default: all.
#
# Every case builds two fresh namespaces kpv-$$-R-<case> (router under test) and
# kpv-$$-C-<case> (client), sends ONE hand-built frame from C on an AF_PACKET socket
# to R's MAC, and reports: nstat deltas in R, the skb/fib/net tracepoint events,
# `ip route get ... mark 1`, ss in R and what came back to C.
# Nothing is configured in the host's own netns. Everything is removed on exit.
set -u
PFX="kpv-$$"
TR=/sys/kernel/tracing
INST="$TR/instances/$PFX"
TMP="/tmp/$PFX"
mkdir -p "$TMP"
MOUNTED_TRACEFS=0
PIDS=()

cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  sleep 0.2
  for ns in $(ip netns list | awk '{print $1}' | grep "^$PFX-"); do ip netns del "$ns"; done
  [ -d "$INST" ] && { echo 0 > "$INST/tracing_on"; echo > "$INST/set_event"; rmdir "$INST"; }
  [ "$MOUNTED_TRACEFS" = 1 ] && umount "$TR"
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

if [ -z "$(ls -A $TR 2>/dev/null)" ]; then mount -t tracefs nodev "$TR" && MOUNTED_TRACEFS=1; fi

# ---------------------------------------------------------------- python helpers
cat > "$TMP/pkt.py" <<'EOF'
import socket, struct, sys, time, select
ETH_P_ALL = 3

def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b)//2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff

def mac(s): return bytes(int(x, 16) for x in s.split(':'))

def build(proto, src, dst, sport, dport, smac, dmac, flags=0x02, seq=1000, ack=0):
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    if proto == 'tcp':
        opts = struct.pack('!BBH', 2, 4, 1460) if flags & 0x02 else b''   # MSS 1460 on SYN
        hl = 20 + len(opts)
        l4 = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, (hl//4) << 4, flags, 64240, 0, 0) + opts
        ph = s + d + struct.pack('!BBH', 0, 6, len(l4))
        c = csum(ph + l4); l4 = l4[:16] + struct.pack('!H', c) + l4[18:]
        pn = 6
    else:
        payload = b'\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x01'  # tiny DNS query for "."
        l4 = struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload
        ph = s + d + struct.pack('!BBH', 0, 17, len(l4))
        c = csum(ph + l4) or 0xffff; l4 = l4[:6] + struct.pack('!H', c) + l4[8:]
        pn = 17
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 0x4242, 0x4000, 64, pn, 0, s, d)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return mac(dmac) + mac(smac) + b'\x08\x00' + ip + l4

def describe(frame):
    if len(frame) < 34 or frame[12:14] != b'\x08\x00':
        return 'non-IPv4 ethertype=%s len=%d' % (frame[12:14].hex(), len(frame))
    ip = frame[14:]; ihl = (ip[0] & 15) * 4; pn = ip[9]
    src, dst = socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20]); l4 = ip[ihl:]
    if pn == 6:
        sp, dp, seq, ack, off, fl = struct.unpack('!HHIIBB', l4[:14])
        names = ''.join(n for b, n in [(2, 'S'), (16, '.'), (4, 'R'), (1, 'F'), (8, 'P')] if fl & b)
        return 'TCP %s:%d > %s:%d flags [%s] seq=%d ack=%d' % (src, sp, dst, dp, names, seq, ack)
    if pn == 1:
        return 'ICMP %s > %s type=%d code=%d' % (src, dst, l4[0], l4[1])
    if pn == 17:
        sp, dp = struct.unpack('!HH', l4[:4]); return 'UDP %s:%d > %s:%d' % (src, sp, dst, dp)
    return 'IPv4 proto=%d %s > %s' % (pn, src, dst)

def sendsniff(ifname, proto, src, dst, sport, dport, smac, dmac, wait, complete=False):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    f = build(proto, src, dst, sport, dport, smac, dmac)
    s.send(f)
    print('C sent    : ' + describe(f))
    end = time.time() + wait; got = 0
    while time.time() < end:
        r, _, _ = select.select([s], [], [], max(0, end - time.time()))
        if not r: break
        data, addr = s.recvfrom(65535)
        if addr[2] == socket.PACKET_OUTGOING: continue
        got += 1; print('C received: ' + describe(data))
        d = describe(data)
        if complete and d.startswith('TCP') and '[S.]' in d:     # finish the handshake with a bare ACK
            sseq = struct.unpack('!I', data[14 + (data[14] & 15) * 4 + 4:][:4])[0]
            a = build(proto, src, dst, sport, dport, smac, dmac, flags=0x10, seq=1001, ack=sseq + 1)
            s.send(a); print('C sent    : ' + describe(a))
    if not got: print('C received: (nothing within %.1fs)' % wait)

def listener(port, transparent):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if transparent: s.setsockopt(socket.SOL_IP, 19, 1)      # IP_TRANSPARENT
    s.bind(('0.0.0.0', port)); s.listen(16)
    print('listening', flush=True)
    while True:
        c, a = s.accept(); print('accepted', a, 'local', c.getsockname(), flush=True); c.close()

if __name__ == '__main__':
    if sys.argv[1] == 'send':
        a = sys.argv[2:]
        sendsniff(a[0], a[1], a[2], a[3], int(a[4]), int(a[5]), a[6], a[7], float(a[8]), len(a) > 9 and a[9] == 'complete')
    elif sys.argv[1] == 'listen':
        listener(int(sys.argv[2]), sys.argv[3] == '1')
EOF

# ---------------------------------------------------------------- building blocks
rx() { ip netns exec "$R" "$@"; }
cx() { ip netns exec "$C" "$@"; }

mk_pair() {    # $1 = suffix
  R="$PFX-R-$1"; C="$PFX-C-$1"
  ip netns add "$R"; ip netns add "$C"
  rx ip link add veth-server type veth peer name veth-client netns "$C"
  # quiet IPv6 (router solicitations/MLD) so the counters show only our packet
  for ns in "$R" "$C"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  rx sysctl -qw net.ipv6.conf.veth-server.disable_ipv6=1
  cx sysctl -qw net.ipv6.conf.veth-client.disable_ipv6=1
  rx ip link set lo up; cx ip link set lo up
  rx ip addr add 10.200.0.2/24 dev veth-server; cx ip addr add 10.200.0.1/24 dev veth-client
  rx ip link set veth-server up; cx ip link set veth-client up
  rx sysctl -qw net.ipv4.ip_forward=0 \
     net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.veth-server.rp_filter=0 \
     net.ipv4.conf.all.accept_local=0 net.ipv4.conf.default.accept_local=0 net.ipv4.conf.veth-server.accept_local=0 \
     net.ipv4.conf.all.src_valid_mark=0 net.ipv4.conf.default.src_valid_mark=0 net.ipv4.conf.veth-server.src_valid_mark=0
  RMAC=$(rx cat /sys/class/net/veth-server/address); CMAC=$(cx cat /sys/class/net/veth-client/address)
  # static neighbours: no ARP noise in the window
  rx ip neigh replace 10.200.0.1 lladdr "$CMAC" dev veth-server nud permanent
  cx ip neigh replace 10.200.0.2 lladdr "$RMAC" dev veth-client nud permanent
  # C must not answer R's replies (no RST from C back into R); AF_PACKET still sees them
  cx iptables -t raw -A PREROUTING -i veth-client -j DROP
}

story_rules() {   # $1 = broken|fixed  [$2 = markonly]
  rx iptables -t mangle -N DIVERT
  rx iptables -t mangle -A PREROUTING -p tcp -m socket -j DIVERT
  rx iptables -t mangle -A DIVERT -j MARK --set-mark 1
  rx iptables -t mangle -A DIVERT -j ACCEPT
  rx iptables -t mangle -A PREROUTING -p tcp -j TPROXY --tproxy-mark 0x1/0x1 --on-port 9999
  rx ip rule add fwmark 1 lookup 100
  if [ "${2:-}" = markonly ]; then   # control: plain MARK instead of TPROXY (no socket assigned)
    rx iptables -t mangle -R PREROUTING 2 -p tcp -j MARK --set-mark 1
  fi
  if [ "$1" = fixed ]; then rx ip route add local default dev veth-server scope host table 100
  else rx ip route add default dev veth-server scope host table 100; fi
}

start_listener() {  # $1 = 1 transparent / 0 plain
  ip netns exec "$R" python3 -u "$TMP/pkt.py" listen 9999 "$1" > "$TMP/listener.$R" 2>&1 &
  PIDS+=($!)
  for i in $(seq 50); do grep -q listening "$TMP/listener.$R" 2>/dev/null && break; sleep 0.1; done
}

trace_start() {
  [ -d "$INST" ] || mkdir "$INST"
  echo 0 > "$INST/tracing_on"; echo > "$INST/set_event"
  echo 4096 > "$INST/buffer_size_kb"
  for e in skb:kfree_skb skb:consume_skb net:netif_receive_skb net:net_dev_xmit fib:fib_table_lookup; do
    echo "$e" >> "$INST/set_event"; done
  echo > "$INST/trace"; echo 1 > "$INST/tracing_on"
}
trace_stop() { echo 0 > "$INST/tracing_on"; grep -v '^#' "$INST/trace" > "$TMP/trace.out"; echo > "$INST/set_event"; }

# Print the events of the packet received on veth-server (same skbaddr), all kfree_skb,
# and all fib lookups, from the window.
trace_report() {
  local addr
  addr=$(grep -m1 'netif_receive_skb: dev=veth-server' "$TMP/trace.out" | sed -n 's/.*skbaddr=\([0-9a-fx]*\).*/\1/p')
  echo "## events of skb received on veth-server (skbaddr=$addr):"
  # lifetime of that skb: up to and including its first kfree_skb/consume_skb (addresses get reused)
  [ -n "$addr" ] && grep -F "$addr" "$TMP/trace.out" | sed -E 's/^.*\] [^ ]+ +[0-9.]+: //' \
    | awk '/^net_dev_xmit: dev=veth-client/{on=1} on{print} on && /^(kfree_skb|consume_skb):/{exit}'
  echo "## all kfree_skb in window:"
  # annotated with the device the same skbaddr was last received on (netns is not in the event)
  sed -E 's/^.*\] [^ ]+ +[0-9.]+: //' "$TMP/trace.out" | awk '
    /^netif_receive_skb:/ { match($0, /skbaddr=[0-9a-f]+/); a=substr($0,RSTART+8,RLENGTH-8); match($0,/dev=[^ ]+/); dev[a]=substr($0,RSTART+4,RLENGTH-4) }
    /^kfree_skb:/ { n++; match($0, /skbaddr=[0-9a-f]+/); a=substr($0,RSTART+8,RLENGTH-8);
                    print $0 "   [last rx dev: " ((a in dev) ? dev[a] : "none seen") "]" }
    END { if (!n) print "(none)" }'
  echo "## fib_table_lookup in window:"
  grep 'fib_table_lookup:' "$TMP/trace.out" | sed -E 's/^.*\] [^ ]+ +[0-9.]+: //' || echo "(none)"
}

run_case() {  # name route fwd listener proto dst dport
  local name=$1 route=$2 fwd=$3 lst=$4 proto=$5 dst=$6 dport=$7 variant=${8:-}
  echo "=================== CASE $name: route=$route ip_forward=$fwd listener=$lst pkt=$proto 10.200.0.1:40000 -> $dst:$dport $variant"
  mk_pair "$name"
  story_rules "$route" "$variant"
  rx sysctl -qw net.ipv4.ip_forward="$fwd"
  case $lst in transparent) start_listener 1 ;; plain) start_listener 0 ;; none) ;; esac
  echo "## ip route get 1.2.3.4 from 10.200.0.1 iif veth-server mark 1"
  rx ip route get 1.2.3.4 from 10.200.0.1 iif veth-server mark 1 2>&1; echo "(exit $?)"
  if [ "$dst" != 1.2.3.4 ]; then
    echo "## ip route get $dst from 10.200.0.1 iif veth-server mark 1"
    rx ip route get "$dst" from 10.200.0.1 iif veth-server mark 1 2>&1; echo "(exit $?)"
  fi
  echo "## ip route get $dst from 10.200.0.1 iif veth-server (no mark)"
  rx ip route get "$dst" from 10.200.0.1 iif veth-server 2>&1; echo "(exit $?)"
  echo "## ss -tln in R"; rx ss -Htln
  export NSTAT_HISTORY="$TMP/nstat.$R"
  rx nstat -n
  trace_start
  cx python3 "$TMP/pkt.py" send veth-client "$proto" 10.200.0.1 "$dst" 40000 "$dport" "$CMAC" "$RMAC" 0.5 \
     "$([ "$variant" = complete ] && echo complete)"
  trace_stop
  echo "## nstat deltas in R"
  rx nstat
  echo "## iptables -t mangle -L -v -n -x (rule counters) in R"
  rx iptables -t mangle -L -v -n -x
  echo "## ss -tan in R after"; rx ss -Htan
  trace_report
  [ -f "$TMP/listener.$R" ] && { echo "## listener log"; cat "$TMP/listener.$R"; }
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done; PIDS=()
  sleep 0.2
  ip netns del "$R"; ip netns del "$C"
  echo
}

show() { echo "\$ $*"; "$@" 2>&1; echo "[exit $?]"; }

facts() {   # questions 8-14; all inside a fresh namespace
  local F="$PFX-F"; local n="ip netns exec $F"
  echo "=================== FACT 8: fresh namespace loopback"
  ip netns add "$F"
  show $n ip link show lo
  show $n ip addr show lo
  show $n ip route show table local
  show $n ip link set lo up
  show $n ip addr show lo
  show $n ip route show table local
  show $n ip route show table main
  echo "=================== FACT 9: address on a DOWN veth"
  $n ip link add vX type veth peer name vY
  show $n ip addr add 10.9.0.1/24 dev vX
  show $n ip -br link show vX
  echo "-- table local (vX down)"; $n ip route show table local | cat -A
  echo "-- table main (vX down)"; $n ip route show table main | cat -A
  show $n ip link set vX up
  show $n ip -br link show vX
  echo "-- table local (vX up, peer vY down)"; $n ip route show table local | cat -A
  echo "-- table main (vX up, peer vY down)"; $n ip route show table main | cat -A
  show $n ip link set vY up; sleep 0.5
  show $n ip -br link show vX
  echo "-- table local (vX up, peer up)"; $n ip route show table local | cat -A
  echo "-- table main (vX up, peer up)"; $n ip route show table main | cat -A
  show $n ip link set vX down
  echo "-- table local (vX down again)"; $n ip route show table local | cat -A
  echo "-- table main (vX down again)"; $n ip route show table main | cat -A
  show $n ip addr show vX
  echo "=================== FACT 10: ip rule / table 100 formatting"
  $n ip link add veth-server type veth peer name veth-peer
  $n ip addr add 10.200.0.2/24 dev veth-server; $n ip link set veth-server up; $n ip link set veth-peer up
  show $n ip rule add fwmark 1 lookup 100
  echo "\$ ip rule | cat -A"; $n ip rule | cat -A
  show $n ip route add default dev veth-server scope host table 100
  echo "\$ ip route show table 100 | cat -A   (broken)"; $n ip route show table 100 | cat -A
  echo "=================== FACT 12: duplicate route"
  show $n ip route add default dev veth-server scope host table 100
  show $n ip route flush table 100
  show $n ip route add local default dev veth-server scope host table 100
  echo "\$ ip route show table 100 | cat -A   (fixed)"; $n ip route show table 100 | cat -A
  show $n ip route add local default dev veth-server scope host table 100
  echo "-- both lines in the same table at once (route types differ):"
  show $n ip route add default dev veth-server scope host table 100
  echo "\$ ip route show table 100 | cat -A   (both)"; $n ip route show table 100 | cat -A
  echo "=================== FACT 11: iptables -t mangle -S after story config"
  $n iptables -t mangle -N DIVERT
  $n iptables -t mangle -A PREROUTING -p tcp -m socket -j DIVERT
  $n iptables -t mangle -A DIVERT -j MARK --set-mark 1
  $n iptables -t mangle -A DIVERT -j ACCEPT
  $n iptables -t mangle -A PREROUTING -p tcp -j TPROXY --tproxy-mark 0x1/0x1 --on-port 9999
  echo "\$ iptables -t mangle -S | cat -A"; $n iptables -t mangle -S | cat -A
  echo "=================== FACT 13: TPROXY without --tproxy-mark; TPROXY outside mangle/PREROUTING"
  show $n iptables -t mangle -A PREROUTING -p tcp -j TPROXY --on-port 9999
  echo "\$ iptables -t mangle -S PREROUTING | cat -A"; $n iptables -t mangle -S PREROUTING | cat -A
  show $n iptables -t filter -A INPUT -p tcp -j TPROXY --on-port 1
  show $n iptables -t mangle -A INPUT -p tcp -j TPROXY --on-port 1
  show $n iptables -t mangle -A PREROUTING -j TPROXY --on-port 1
  echo "=================== FACT 14: route add errors"
  show $n ip route add 10.0.0.0/8 dev nosuchdev
  show $n ip route add 10.0.0.0/8 via 10.99.0.1
  show $n ip route add 10.0.0.0/8 via 10.99.0.1 onlink
  show $n ip route add 10.0.0.0/8 via 10.99.0.1 dev veth-server
  ip netns del "$F"
}

if [ "${1:-}" = facts ]; then facts; exit 0; fi
CASES="${*:-1 2 2b 3 3b 4 5 6 6b 7 7b}"
for c in $CASES; do
  case $c in
    1) run_case 1 broken 0 transparent tcp 1.2.3.4 80 ;;
    2) run_case 2 fixed  0 transparent tcp 1.2.3.4 80 ;;
    3) run_case 3 broken 1 transparent tcp 1.2.3.4 80 ;;
    2b) run_case 2b fixed  0 transparent tcp 1.2.3.4 80 complete ;;   # 2 + ACK: what does accept() see
    3b) run_case 3b broken 1 transparent tcp 1.2.3.4 80 markonly ;;   # control for 3: MARK instead of TPROXY
    6b) run_case 6b broken 1 transparent udp 1.2.3.4 53 ;;            # 6 with ip_forward=1
    7b) run_case 7b fixed  0 transparent tcp 10.200.0.2 22 complete ;;  # 7 + ACK
    4) run_case 4 fixed  0 plain       tcp 1.2.3.4 80 ;;
    5) run_case 5 fixed  0 none        tcp 1.2.3.4 80 ;;
    6) run_case 6 broken 0 transparent udp 1.2.3.4 53 ;;
    7) run_case 7 fixed  0 transparent tcp 10.200.0.2 22 ;;
  esac
done
