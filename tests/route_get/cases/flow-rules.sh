#!/bin/bash
# Rules on ipproto/sport/dport and iif: the fake packet is UDP unless ipproto is given.
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
sysctl -q -w net.ipv4.conf.vo.rp_filter=0
sysctl -q -w net.ipv4.ip_forward=1
ip rule add ipproto tcp dport 80 lookup 200 pref 200
ip rule add ipproto udp sport 5353 lookup 201 pref 201
ip rule add iif vr lookup 302 pref 302
ip route add default via 172.16.0.2 table 200
ip route add default via 172.16.0.3 table 201
ip route add 10.0.0.0/8 via 172.16.0.4 table 302
ip route add default via 172.16.0.254
