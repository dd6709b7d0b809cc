#!/bin/bash
# Same host as local-broadcast.sh plus one unrelated rule: the namespace now has custom rules,
# local and main are separate tries and local results print `table local`.
ip link set lo up
ip link add vr type veth peer name vr-p
ip addr add 192.168.1.1/24 dev vr
ip link set vr up
ip link set vr-p up
sysctl -q -w net.ipv4.conf.all.rp_filter=0
sysctl -q -w net.ipv4.conf.vr.rp_filter=0
sysctl -q -w net.ipv4.ip_forward=0
ip rule add fwmark 0x2a lookup 42
