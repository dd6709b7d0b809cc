#!/bin/bash
# TPROXY story (broken): a transparent proxy listens on ${LISTEN_PORT}; clients behind
# ${VETH_SERVER_INNER} (10.200.0.0/24) connect to arbitrary addresses, and mangle PREROUTING
# diverts their TCP to the proxy. See README.md.
set -e

LISTEN_PORT=9999
VETH_SERVER_INNER=veth-server

ip link set lo up
ip link add ${VETH_SERVER_INNER} type veth peer name veth-client
ip addr add 10.200.0.2/24 dev ${VETH_SERVER_INNER}
ip link set ${VETH_SERVER_INNER} up
ip link set veth-client up

# The proxy: a TCP socket with IP_TRANSPARENT listening on all addresses.
#kpath socket tcp listen 0.0.0.0:${LISTEN_PORT} transparent

iptables -t mangle -N DIVERT
iptables -t mangle -A PREROUTING -p tcp -m socket -j DIVERT
iptables -t mangle -A DIVERT -j MARK --set-mark 1
iptables -t mangle -A DIVERT -j ACCEPT
iptables -t mangle -A PREROUTING -p tcp -j TPROXY --tproxy-mark 0x1/0x1 --on-port ${LISTEN_PORT}
ip rule add fwmark 1 lookup 100
ip route add default dev ${VETH_SERVER_INNER} scope host table 100    # broken: a unicast route
