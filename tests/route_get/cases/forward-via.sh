#!/bin/bash
# A router: clients on vr (192.168.1.0/24), upstream on vo (172.16.0.0/24), forwarding on.
ip link set lo up
ip link add vr type veth peer name vr-p
ip link add vo type veth peer name vo-p
ip addr add 192.168.1.1/24 dev vr
ip addr add 172.16.0.1/24 dev vo
ip link set vr up
ip link set vr-p up
ip link set vo up
ip link set vo-p up
sysctl -q -w net.ipv4.conf.all.rp_filter=0
sysctl -q -w net.ipv4.conf.vr.rp_filter=0
sysctl -q -w net.ipv4.conf.vo.rp_filter=0
sysctl -q -w net.ipv4.ip_forward=1
ip route add 10.0.0.0/8 via 172.16.0.2 dev vo
ip route add default via 172.16.0.254
ip route add 10.20.0.0/16 via 172.16.0.3 metric 100
ip route add 10.30.0.0/16 via 172.16.0.2 mtu 1400
ip route add 10.40.0.0/16 nexthop via 172.16.0.2 nexthop via 172.16.0.3 weight 2
