#!/bin/bash
# Forwarding back out of the in-device towards an on-link source: the kernel flags the
# route IPSKB_DOREDIRECT (cache <redirect>); a gateway off the subnet or send_redirects=0 does not.
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
ip route add 10.1.0.0/16 via 192.168.1.254
ip route add 10.2.0.0/16 dev vr
sysctl -q -w net.ipv4.conf.vo.send_redirects=0
sysctl -q -w net.ipv4.conf.all.send_redirects=1
ip route add 10.3.0.0/16 via 172.16.0.2
