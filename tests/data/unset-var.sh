ip link add veth-server type veth peer name veth-client
ip addr add 10.200.0.2/24 dev veth-server
ip link set ${NOT_SET_ANYWHERE} up
