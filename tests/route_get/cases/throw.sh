#!/bin/bash
# Throw routes: a throw in table 100 falls through to main; a throw with nothing behind it
# is "Network is unreachable" (forwarding on) or "No route to host" (input, forwarding off on vs).
ip link set lo up
ip link add vr type veth peer name vr-p
ip addr add 192.168.1.1/24 dev vr
ip link set vr up
ip link set vr-p up
sysctl -q -w net.ipv4.conf.all.rp_filter=0
sysctl -q -w net.ipv4.conf.vr.rp_filter=0
ip link add vs type veth peer name vs-p
ip addr add 192.168.2.1/24 dev vs
ip link set vs up
ip link set vs-p up
sysctl -q -w net.ipv4.conf.vs.rp_filter=0
sysctl -q -w net.ipv4.ip_forward=1
sysctl -q -w net.ipv4.conf.vs.forwarding=0
ip rule add lookup 100 pref 100
ip route add throw 10.0.0.0/8 table 100
ip route add throw 172.16.0.0/12 table 100
ip route add default via 192.168.1.254 table 100
ip route add 10.0.0.0/8 via 192.168.1.10
ip route add table main 172.17.0.0/16 via 192.168.1.17
ip rule del pref 32766
ip rule add lookup main pref 32766 suppress_prefixlength 0
