// nft_list_table: a table as `nft list ruleset` prints it (nftables src/rule.c table_print),
// close enough that `nft -f` reads it back to the same objects.
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"
#include "sim/config/nft/nft.hpp"

namespace kpath {

using namespace kernel;

namespace {

constexpr std::string_view kHooks[] = {"prerouting", "input", "forward", "output", "postrouting"};

std::string element_text(NftSet::Type type, const NftRange& r) {
  switch (type) {
    case NftSet::Type::ipv4_addr: {
      for (int len = 0; len <= 32; ++len) {
        const uint32_t m = inet_make_mask(len);
        if ((r.lo & ~m) == 0 && r.hi == (r.lo | ~m)) return len == 32 ? fmt::format("{}", Ipv4Addr{r.lo}) : fmt::format("{}/{}", Ipv4Addr{r.lo}, len);
      }
      return fmt::format("{}-{}", Ipv4Addr{r.lo}, Ipv4Addr{r.hi});
    }
    case NftSet::Type::mark: return r.lo == r.hi ? fmt::format("0x{:08x}", r.lo) : fmt::format("0x{:08x}-0x{:08x}", r.lo, r.hi);
    case NftSet::Type::inet_proto:
      if (r.lo == r.hi)
        if (auto n = xt::protocol_by_number(static_cast<uint8_t>(r.lo))) return std::string(*n);
      [[fallthrough]];
    default: return r.lo == r.hi ? std::to_string(r.lo) : fmt::format("{}-{}", r.lo, r.hi);
  }
}

constexpr std::string_view kTypes[] = {"ipv4_addr", "inet_service", "inet_proto", "mark", "ifname", "ipv6_addr"};

}  // namespace

std::string nft_list_table(const NftTable& t) {
  std::string s = fmt::format("table {} {} {{\n", t.family, t.name);
  bool first = true;
  for (const NftSet& set : t.sets) {
    if (!first) s += "\n";
    first = false;
    s += fmt::format("\tset {} {{\n\t\ttype {}\n", set.name, kTypes[static_cast<size_t>(set.type)]);
    if (set.interval) s += "\t\tflags interval\n";
    std::string elems;
    for (const NftRange& r : set.elems) elems += (elems.empty() ? "" : ", ") + element_text(set.type, r);
    for (const std::string& n : set.names) elems += (elems.empty() ? "" : ", ") + fmt::format("\"{}\"", n);
    if (!elems.empty()) s += fmt::format("\t\telements = {{ {} }}\n", elems);
    s += "\t}\n";
  }
  for (const NftChain& c : t.chains) {
    if (!first) s += "\n";
    first = false;
    s += fmt::format("\tchain {} {{\n", c.name);
    if (c.base)
      s += fmt::format("\t\ttype {} hook {} priority {}; policy {};\n", c.type, kHooks[c.hook], c.priority,
                       c.policy == XtVerdict::DROP ? "drop" : "accept");
    for (const NftRule& r : c.rules) s += fmt::format("\t\t{}\n", r.text);
    s += "\t}\n";
  }
  s += "}\n";
  return s;
}

}  // namespace kpath
