// The model's stage functions, one per vertex of the packet-path graph (stage.hpp). Each
// runs the kernel function it is named after and returns the next vertex; the engine in
// sim/engine walks the graph by calling run_stage.
#pragma once
#include "models/net.hpp"
#include "models/skbuff.hpp"
#include "models/stage.hpp"

namespace kpath::kernel {

template <typename T>
Stage run_stage(Stage s, const Net& net, SkBuff& skb, T& t);

// Initialise an skb from a wire packet (driver / __netif_receive_skb).
SkBuff skb_from_packet(const Packet& p);

}  // namespace kpath::kernel
