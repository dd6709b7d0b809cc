#!/bin/bash
# TPROXY recipe, fixed: `local default dev lo table 100`; marked packets are delivered locally.
ip link set lo up
ip link add vr type veth peer name vr-p
ip addr add 192.168.1.1/24 dev vr
ip link set vr up
ip link set vr-p up
sysctl -q -w net.ipv4.conf.all.rp_filter=0
sysctl -q -w net.ipv4.conf.vr.rp_filter=0
sysctl -q -w net.ipv4.ip_forward=0
ip rule add fwmark 0x1/0x1 lookup 100
ip route add local default dev lo table 100
iptables -t mangle -A PREROUTING -p tcp -j TPROXY --on-port 8080 --on-ip 0.0.0.0 --tproxy-mark 0x1/0x1
