#!/bin/bash
# TPROXY recipe, broken, with forwarding on: the unicast default out of vr forwards back
# out of the in-device (cache <redirect>), the one out of lo (table 101) forwards to lo.
ip link set lo up
ip link add vr type veth peer name vr-p
ip addr add 192.168.1.1/24 dev vr
ip link set vr up
ip link set vr-p up
sysctl -q -w net.ipv4.conf.all.rp_filter=0
sysctl -q -w net.ipv4.conf.vr.rp_filter=0
sysctl -q -w net.ipv4.ip_forward=1
ip rule add fwmark 1 lookup 100
ip rule add fwmark 2 lookup 101
ip route add default dev vr scope host table 100
ip route add default dev lo scope host table 101
