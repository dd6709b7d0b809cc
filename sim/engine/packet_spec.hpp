// Packet specs: `tcp 10.200.0.1:40000 -> 1.2.3.4:80 iif veth-server syn [ttl N] [tos N] [len N]
// [mark N] [df] [mf] [frag-offset N] [ihl N] [version N] [tot-len N] [bad-csum] [options] [lsrr]
// [otherhost|broadcast|multicast]`, `udp ...`, `icmp A -> B iif DEV [type N code N]`,
// `proto N A -> B iif DEV`. Errors name the column in the spec.
#pragma once
#include <string>
#include "models/net.hpp"
#include "models/skbuff.hpp"
#include "sim/core/diag.hpp"

namespace kpath {
// `net` resolves the iif name; file_id locates errors (FileTable entry for "<packet>").
kernel::Packet parse_packet_spec(const std::string& spec, const kernel::Net& net, uint32_t file_id);
// The canonical text of a packet, pwru-style: 10.200.0.1:40000->1.2.3.4:80(tcp:SYN) iif veth-server
std::string packet_to_string(const kernel::Packet& p, const kernel::Net& net);
}  // namespace kpath
