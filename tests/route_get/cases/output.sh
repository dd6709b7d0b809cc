#!/bin/bash
# Output lookups (no iif): src selection, uid, prefsrc routes, fwmark rules.
ip link set lo up
ip link add vr type veth peer name vr-p
ip addr add 192.168.1.1/24 dev vr
ip link set vr up
ip link set vr-p up
sysctl -q -w net.ipv4.conf.all.rp_filter=0
sysctl -q -w net.ipv4.conf.vr.rp_filter=0
ip link add vo type veth peer name vo-p
ip addr add 172.16.0.1/24 dev vo
ip addr add 172.16.0.9/24 dev vo
ip link set vo up
ip link set vo-p up
sysctl -q -w net.ipv4.ip_forward=0
ip route add default via 192.168.1.2
ip route add 10.7.0.0/16 via 172.16.0.2 src 172.16.0.9
ip route add 10.8.0.0/16 dev vo
ip rule add fwmark 123 lookup 100
ip route add local 10.0.0.0/8 dev lo table 100
ip route add 10.6.0.0/16 via 172.16.0.2 table 100
