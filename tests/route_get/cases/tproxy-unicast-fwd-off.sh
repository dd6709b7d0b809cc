#!/bin/bash
# TPROXY recipe, broken: the table 100 default is a unicast route, forwarding off.
# Marked packets from vr get an ip_error route: No route to host.
ip link set lo up
ip link add vr type veth peer name vr-p
ip addr add 192.168.1.1/24 dev vr
ip link set vr up
ip link set vr-p up
sysctl -q -w net.ipv4.conf.all.rp_filter=0
sysctl -q -w net.ipv4.conf.vr.rp_filter=0
sysctl -q -w net.ipv4.ip_forward=0
ip rule add fwmark 1 lookup 100
ip route add default dev vr scope host table 100
