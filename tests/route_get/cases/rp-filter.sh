#!/bin/bash
# Source validation: strict and loose rp_filter, accept_local, route_localnet, src_valid_mark.
ip link set lo up
ip link add vr type veth peer name vr-p
ip addr add 192.168.1.1/24 dev vr
ip link set vr up
ip link set vr-p up
ip link add vo type veth peer name vo-p
ip addr add 172.16.0.1/24 dev vo
ip link set vo up
ip link set vo-p up
ip link add vl type veth peer name vl-p
ip addr add 172.17.0.1/24 dev vl
ip link set vl up
ip link set vl-p up
sysctl -q -w net.ipv4.ip_forward=1
sysctl -q -w net.ipv4.conf.all.rp_filter=0
sysctl -q -w net.ipv4.conf.vr.rp_filter=1
sysctl -q -w net.ipv4.conf.vo.rp_filter=2
sysctl -q -w net.ipv4.conf.vl.rp_filter=1
sysctl -q -w net.ipv4.conf.vl.src_valid_mark=1
sysctl -q -w net.ipv4.conf.vl.accept_local=1
sysctl -q -w net.ipv4.conf.vl.route_localnet=1
ip route add 10.0.0.0/8 via 172.16.0.2
ip rule add fwmark 7 lookup 107
ip route add 10.0.0.0/8 via 172.17.0.2 table 107
