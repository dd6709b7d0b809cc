#!/bin/bash
# Martian and invalid sources: every failed input route check answers EINVAL on 6.13+.
ip link set lo up
ip link add vr type veth peer name vr-p
ip addr add 192.168.1.1/24 dev vr
ip link set vr up
ip link set vr-p up
sysctl -q -w net.ipv4.conf.all.rp_filter=0
sysctl -q -w net.ipv4.conf.vr.rp_filter=0
ip link add vo type veth peer name vo-p
ip addr add 172.16.0.1/24 dev vo
ip link set vo up
ip link set vo-p up
sysctl -q -w net.ipv4.ip_forward=1
sysctl -q -w net.ipv4.conf.vo.rp_filter=1
ip route add 10.0.0.0/8 via 172.16.0.2
