#!/bin/bash
# Pristine namespace (no ip rule ever added): local, subnet broadcast, limited broadcast,
# multicast and loopback answers come from the merged local+main trie, so no `table` token.
ip link set lo up
ip link add vr type veth peer name vr-p
ip addr add 192.168.1.1/24 dev vr
ip link set vr up
ip link set vr-p up
sysctl -q -w net.ipv4.conf.all.rp_filter=0
sysctl -q -w net.ipv4.conf.vr.rp_filter=0
sysctl -q -w net.ipv4.ip_forward=0
