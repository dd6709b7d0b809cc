#!/bin/bash
# Mark printing: decimal below 16, hex from 16; mark 0 is not sent at all.
ip link set lo up
ip link add vr type veth peer name vr-p
ip addr add 192.168.1.1/24 dev vr
ip link set vr up
ip link set vr-p up
sysctl -q -w net.ipv4.conf.all.rp_filter=0
sysctl -q -w net.ipv4.conf.vr.rp_filter=0
sysctl -q -w net.ipv4.ip_forward=0
ip rule add fwmark 0x64 lookup 100
ip route add local default dev lo table 100
ip route add default via 192.168.1.254
