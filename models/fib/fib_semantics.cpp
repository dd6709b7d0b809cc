#include "models/fib/fib_semantics.hpp"
#include <fmt/format.h>

namespace kpath::kernel {

std::string_view rt_scope_name(uint8_t scope) {
  switch (scope) {
    case RT_SCOPE_UNIVERSE: return "global";
    case RT_SCOPE_SITE: return "site";
    case RT_SCOPE_LINK: return "link";
    case RT_SCOPE_HOST: return "host";
    case RT_SCOPE_NOWHERE: return "nowhere";
  }
  return "unknown";
}

static std::string proto_name(uint8_t p) {
  switch (p) {
    case RTPROT_UNSPEC: return "unspec";
    case RTPROT_REDIRECT: return "redirect";
    case RTPROT_KERNEL: return "kernel";
    case RTPROT_BOOT: return "boot";
    case RTPROT_STATIC: return "static";
    case 16: return "dhcp";
    case 186: return "bgp";
    case 187: return "isis";
    case 188: return "ospf";
    case 189: return "rip";
  }
  return std::to_string(p);
}

// Mirrors iproute2's print_route for a FIB entry: [TYPE ]DST [tos T ][via GW ]dev D [table T ][proto P ][scope S ][src A ][metric M ]
std::string fib_alias_to_string(const FibAlias& fa, std::string_view (*devname)(const void*, int), const void* ctx, bool with_table) {
  std::string s;
  if (fa.type != RTN_UNICAST) s += fmt::format("{} ", kRtnNames[fa.type]);
  if (fa.dst.len == 0) s += "default ";
  else if (fa.dst.len == 32) s += fmt::format("{} ", fa.dst.addr);
  else s += fmt::format("{} ", fa.dst);
  if (fa.tos) s += fmt::format("tos 0x{:02x} ", fa.tos);
  if (fa.nhs.size() == 1) {
    const auto& nh = fa.nhs[0];
    if (!nh.gw.is_zero()) s += fmt::format("via {} ", nh.gw);
    if (nh.dev) s += fmt::format("dev {} ", devname(ctx, nh.dev));
  }
  if (with_table) {
    if (fa.table == RT_TABLE_LOCAL) s += "table local ";
    else if (fa.table == RT_TABLE_MAIN) s += "table main ";
    else if (fa.table == RT_TABLE_DEFAULT) s += "table default ";
    else s += fmt::format("table {} ", fa.table);
  }
  if (fa.protocol != RTPROT_BOOT) s += fmt::format("proto {} ", proto_name(fa.protocol));
  // print_route: "scope" whenever it is not universe (local routes show "scope host")
  if (fa.scope != RT_SCOPE_UNIVERSE) s += fmt::format("scope {} ", rt_scope_name(fa.scope));
  if (!fa.prefsrc.is_zero()) s += fmt::format("src {} ", fa.prefsrc);
  if (fa.priority) s += fmt::format("metric {} ", fa.priority);
  if (fa.nhs.size() > 1) {
    for (auto& nh : fa.nhs) {
      s += "nexthop ";
      if (!nh.gw.is_zero()) s += fmt::format("via {} ", nh.gw);
      if (nh.dev) s += fmt::format("dev {} ", devname(ctx, nh.dev));
      s += fmt::format("weight {} ", nh.weight);
    }
  }
  if (fa.nhs.size() == 1 && fa.nhs[0].dead) s += "dead ";
  if (fa.nhs.size() == 1 && fa.nhs[0].linkdown) s += "linkdown ";
  if (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace kpath::kernel
