#!/bin/bash
# FIB corners: custom local routes in a pristine namespace, table default, onlink and
# linkdown nexthops, ignore_routes_with_linkdown, metrics and prefsrc, proto names.
ip link set lo up
ip link add vr type veth peer name vr-p
ip addr add 192.168.1.1/24 dev vr
ip link set vr up
ip link set vr-p up
ip link add vo type veth peer name vo-p
ip addr add 172.16.0.1/24 dev vo
ip link set vo up
ip link set vo-p up
ip link add vd type veth peer name vd-p
ip addr add 10.80.0.1/24 dev vd
ip link set vd up
ip link add ve type veth peer name ve-p
ip addr add 10.81.0.1/24 dev ve
ip link set ve up
sysctl -q -w net.ipv4.conf.all.rp_filter=0
sysctl -q -w net.ipv4.conf.vr.rp_filter=0
sysctl -q -w net.ipv4.conf.vo.rp_filter=0
sysctl -q -w net.ipv4.ip_forward=1
sysctl -q -w net.ipv4.conf.ve.ignore_routes_with_linkdown=1
ip route add local 10.50.0.0/16 dev lo
ip route add 10.60.0.0/16 via 10.99.0.1 dev vo onlink
ip route add 10.70.0.0/16 via 172.16.0.7 table default
ip route add 10.71.0.0/16 via 172.16.0.8 proto static metric 50
ip route add 10.72.0.0/16 via 172.16.0.9 proto 99 src 192.168.1.1
ip route add 10.73.0.0/16 dev vo proto bird scope link
ip route add broadcast 10.74.0.255 dev vo table local
