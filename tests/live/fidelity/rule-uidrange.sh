#!/bin/bash
# kpath live fidelity case: rule-uidrange (see tests/engine/kernel_path_rules.test.cpp)
ip link add vr type veth peer name vc
ip addr add 192.168.1.1/24 dev vr
ip link set vr up
ip link set vc up
ip link add vo type veth peer name vp
ip addr add 172.16.0.1/24 dev vo
ip link set vo up
ip link set vp up
sysctl -w net.ipv4.ip_forward=1
ip route add 10.0.0.0/8 via 172.16.0.2
ip route add 10.5.0.0/16 via 172.16.0.3 table 200
ip rule add uidrange 0-0 lookup 200
