#!/bin/bash
# Error route types in main, forwarding off: input lookups all become EHOSTUNREACH;
# output lookups keep the type's errno.
ip link set lo up
ip link add vr type veth peer name vr-p
ip addr add 192.168.1.1/24 dev vr
ip link set vr up
ip link set vr-p up
sysctl -q -w net.ipv4.conf.all.rp_filter=0
sysctl -q -w net.ipv4.conf.vr.rp_filter=0
sysctl -q -w net.ipv4.ip_forward=0
ip route add unreachable 10.1.0.0/16
ip route add prohibit 10.2.0.0/16
ip route add blackhole 10.3.0.0/16
ip route add throw 10.4.0.0/16
