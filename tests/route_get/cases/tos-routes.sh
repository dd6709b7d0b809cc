#!/bin/bash
# TOS routes: `10.0.0.0/8 dev vr tos 0x10` shadows `prohibit 10.0.0.0/8` for TOS 0x10 only;
# the printed tos is the matched route's, not the requested one.
ip link set lo up
ip link add vr type veth peer name vr-p
ip addr add 192.168.1.1/24 dev vr
ip link set vr up
ip link set vr-p up
sysctl -q -w net.ipv4.conf.all.rp_filter=0
sysctl -q -w net.ipv4.conf.vr.rp_filter=0
sysctl -q -w net.ipv4.ip_forward=1
ip route add 10.0.0.0/8 dev vr tos 0x10
ip route add prohibit 10.0.0.0/8
ip route add 10.9.0.0/16 via 192.168.1.9
