#!/bin/bash
# Safety of `kpath live`: killed at a random moment with SIGINT, SIGTERM or SIGKILL, it leaves
# no namespace, veth or trace instance behind (after SIGKILL: once the next run has reaped it,
# which is how names carrying the owner's pid are meant to work), and the host's own `ip rule`,
# `ip route show table all`, `iptables-save` and `nft list ruleset` are unchanged.
# usage: safety.sh KPATH STORY_DIR
set -u
KPATH=$1
STORY=$2
PKT="tcp 10.200.0.1:40000 -> 1.2.3.4:80 iif veth-server syn"
TRACING=/sys/kernel/tracing
[ -d "$TRACING/instances" ] || TRACING=/sys/kernel/debug/tracing
fail=0

# Host state, without counters (they move with the host's own traffic).
host_state() {
  echo "== ip rule";            ip rule
  echo "== ip route";           ip route show table all
  echo "== iptables-save";      iptables-save 2>&1 | grep -v '^#' | sed -E 's/\[[0-9]+:[0-9]+\]//g'
  echo "== nft list ruleset";   nft list ruleset 2>&1 | sed -E 's/packets [0-9]+ bytes [0-9]+//g'
  echo "== host links named kpl"; ip -o link show | awk -F': ' '{print $2}' | grep '^kpl' || true
}

leftovers() {  # $1 = pid: namespaces and trace instance of that run
  ls /var/run/netns 2>/dev/null | grep "^kpl-$1-" | tr '\n' ' '
  [ -d "$TRACING/instances/kpl-$1" ] && printf 'trace-instance:kpl-%s' "$1"
  ip -o link show | awk -F': ' '{print $2}' | grep "^kpl$1" | tr '\n' ' '
}

before=$(host_state)

for round in 1 2; do
  for sig in INT TERM KILL; do
    # A random moment in the run (a two-case --expect run takes about 1.5 s).
    delay=$(awk -v r=$RANDOM 'BEGIN { printf "%.3f", 0.03 + (r % 1400) / 1000 }')
    "$KPATH" live "$STORY/fixed.sh" --expect "$STORY/expect.json" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -"$sig" "$pid" 2>/dev/null
    wait "$pid"
    rc=$?
    echo "round $round: SIG$sig after ${delay}s: kpath live (pid $pid) exited with $rc"
    if [ "$sig" = KILL ]; then
      # The next run reaps what the killed one left (its pid is dead).
      if ! "$KPATH" live "$STORY/broken.sh" --packet "$PKT" >/dev/null; then
        echo "FAIL: the run after SIGKILL did not succeed"; fail=1
      fi
    elif [ "$rc" -ne 0 ] && [ "$rc" -ne $((128 + $(kill -l "$sig"))) ]; then
      echo "FAIL: after SIG$sig kpath live should die of the signal (exit $((128 + $(kill -l "$sig")))), got $rc"; fail=1
    fi
    left=$(leftovers "$pid")
    if [ -n "$left" ]; then
      echo "FAIL: left behind after SIG$sig: $left"; fail=1
      for ns in $(ls /var/run/netns 2>/dev/null | grep "^kpl-$pid-"); do ip netns del "$ns"; done
      [ -d "$TRACING/instances/kpl-$pid" ] && rmdir "$TRACING/instances/kpl-$pid"
    fi
  done
done

after=$(host_state)
if [ "$before" != "$after" ]; then
  echo "FAIL: the host's own state changed:"
  diff <(echo "$before") <(echo "$after")
  fail=1
fi
[ "$fail" = 0 ] && echo "safety: nothing left behind, host unchanged"
exit "$fail"
