#!/bin/bash
# Rule actions unreachable / prohibit / blackhole, forwarding on, and a rule-based table with throw.
ip link set lo up
ip link add vr type veth peer name vr-p
ip addr add 192.168.1.1/24 dev vr
ip link set vr up
ip link set vr-p up
sysctl -q -w net.ipv4.conf.all.rp_filter=0
sysctl -q -w net.ipv4.conf.vr.rp_filter=0
sysctl -q -w net.ipv4.ip_forward=1
ip route add default via 192.168.1.254
ip rule add to 10.1.0.0/16 unreachable pref 1001
ip rule add to 10.2.0.0/16 prohibit pref 1002
ip rule add to 10.3.0.0/16 blackhole pref 1003
ip rule add to 10.4.0.0/16 lookup 200 pref 1004
ip rule add to 10.5.0.0/16 lookup 200 pref 1005
ip rule add to 10.5.0.0/16 unreachable pref 1006
ip route add throw 10.4.0.0/16 table 200
ip route add throw 10.5.0.0/16 table 200
ip route add 10.4.9.0/24 via 192.168.1.9 table 200
