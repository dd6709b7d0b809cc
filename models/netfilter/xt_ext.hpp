// Match evaluators that live in files of their own, named after the kernel files they mirror;
// ipt_do_table (ip_tables.cpp) calls them from match_one. `why` gets the reason of a non-match
// for the rule's trace line; steps name the kernel function.
#pragma once
#include <string>
#include "models/net.hpp"
#include "models/netfilter/ipset.hpp"
#include "models/skbuff.hpp"
#include "models/trace.hpp"

namespace kpath::kernel {

// xt_set.c set_match_v4 -> ip_set_test
template <typename T>
bool set_match_v4(const SkBuff& skb, const XtSetMatch& info, Origin origin, std::string& why, T& t);

// ipt_rpfilter.c rpfilter_mt: a reverse-path lookup for the packet's source from the in-device.
template <typename T>
bool rpfilter_mt(const Net& net, const SkBuff& skb, int in, const XtRpfilter& info, Origin origin, std::string& why, T& t);

}  // namespace kpath::kernel
