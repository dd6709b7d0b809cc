// The kernel's insert-time checks on an nft batch (net/netfilter/nf_tables_api.c): jump and goto
// targets exist and are regular chains (nft_verdict_init), no chain loops
// (nf_tables_check_loops), named sets exist with the key's data type, and every expression is
// valid at the hooks and chain types that reach it (nft_chain_validate: nft_tproxy_validate,
// nft_socket_validate, nft_reject_validate, nft_nat_validate). Resolves chain and set indices.
#include <fmt/format.h>
#include <functional>
#include "sim/config/nft/nft_parser.hpp"

namespace kpath::nft {

using namespace kernel;

namespace {

constexpr std::string_view kNftHookNames[] = {"prerouting", "input", "forward", "output", "postrouting"};

std::string hook_list(uint8_t hooks) {
  std::string s;
  for (int h = 0; h < NF_INET_NUMHOOKS; ++h)
    if (hooks & (1 << h)) {
      if (!s.empty()) s += '/';
      s += kNftHookNames[h];
    }
  return s;
}

std::string_view set_type_name(NftSet::Type t) {
  switch (t) {
    case NftSet::Type::ipv4_addr: return "IPv4 address";
    case NftSet::Type::inet_service: return "internet network service";
    case NftSet::Type::inet_proto: return "Internet protocol";
    case NftSet::Type::mark: return "packet mark";
    case NftSet::Type::ifname: return "network interface name";
    case NftSet::Type::ipv6_addr: return "IPv6 address";
  }
  return "?";
}

std::optional<NftSet::Type> set_type_for(NftKey k) {
  switch (k) {
    case NftKey::ip_saddr:
    case NftKey::ip_daddr: return NftSet::Type::ipv4_addr;
    case NftKey::th_sport:
    case NftKey::th_dport: return NftSet::Type::inet_service;
    case NftKey::ip_protocol:
    case NftKey::meta_l4proto: return NftSet::Type::inet_proto;
    case NftKey::meta_mark:
    case NftKey::ct_mark:
    case NftKey::socket_mark: return NftSet::Type::mark;
    default: return std::nullopt;
  }
}

template <typename F>
void for_each_verdict(NftExpr& e, F&& f) {
  if (auto* v = std::get_if<NftVerdict>(&e.data)) f(*v);
  if (auto* m = std::get_if<NftVmap>(&e.data))
    for (auto& [k, v] : m->map) f(v);
}

enum TypeBit : uint8_t { T_FILTER = 1, T_NAT = 2, T_ROUTE = 4 };
uint8_t type_bit(const std::string& t) { return t == "nat" ? T_NAT : t == "route" ? T_ROUTE : T_FILTER; }

[[noreturn]] void unsupported(SourceLoc loc, std::string why) {
  throw ConfigError(loc, fmt::format("Error: Could not process rule: Operation not supported ({})", why));
}

void commit_table(NftTable& t) {
  const std::string where = fmt::format("table {} {}", t.family, t.name);
  // References.
  for (NftChain& c : t.chains)
    for (NftRule& r : c.rules)
      for (NftExpr& e : r.exprs) {
        for_each_verdict(e, [&](NftVerdict& v) {
          if (v.code != NftVerdict::Code::jump && v.code != NftVerdict::Code::go_to) return;
          v.chain_index = t.find_chain(v.chain);
          if (v.chain_index < 0) {
            std::string hint;
            for (const NftChain& o : t.chains)
              if (!o.base) { hint = o.name; break; }
            if (!hint.empty())
              throw ConfigError(e.origin, fmt::format("Error: No such file or directory; did you mean chain \u2018{}\u2019 in {} \u2018{}\u2019? "
                                                      "(`{}` names no chain of {})", hint, t.family == "ip" ? "table ip" : "table " + t.family, t.name, e.text, where));
            throw ConfigError(e.origin, fmt::format("Error: Could not process rule: No such file or directory (`{}`: {} has no chain {})", e.text, where, v.chain));
          }
          if (t.chains[static_cast<size_t>(v.chain_index)].base)
            unsupported(e.origin, fmt::format("`{}`: {} is a base chain; jump and goto need a regular chain", e.text, v.chain));
        });
        auto resolve_set = [&](int& idx, const std::string& name, std::optional<NftSet::Type> want) {
          if (name.empty()) return;
          idx = t.find_set(name);
          if (idx < 0) throw ConfigError(e.origin, fmt::format("Error: No such file or directory (`{}`: {} has no set {})", e.text, where, name));
          const NftSet& s = t.sets[static_cast<size_t>(idx)];
          if (!want)
            throw ConfigError(e.origin, fmt::format("Error: kpath does not model a named set lookup for `{}`", e.text));
          if (s.type != *want)
            throw ConfigError(e.origin, fmt::format("Error: datatype mismatch, expected {}, set has type {}", set_type_name(*want), set_type_name(s.type)));
        };
        if (auto* m = std::get_if<NftMatch>(&e.data)) resolve_set(m->set, m->set_name, set_type_for(m->key));
        if (auto* n = std::get_if<NftIfname>(&e.data)) resolve_set(n->set, n->set_name, NftSet::Type::ifname);
      }

  // Loops (nf_tables_check_loops), whether or not a base chain reaches them.
  const size_t n = t.chains.size();
  std::vector<int> color(n, 0);
  std::function<void(size_t)> dfs = [&](size_t c) {
    color[c] = 1;
    for (NftRule& r : t.chains[c].rules)
      for (NftExpr& e : r.exprs)
        for_each_verdict(e, [&](NftVerdict& v) {
          if (v.chain_index < 0) return;
          const size_t j = static_cast<size_t>(v.chain_index);
          if (color[j] == 1)
            throw ConfigError(e.origin, fmt::format("Error: Could not process rule: Too many links (`{}` closes a loop of chains back into {})", e.text, v.chain));
          if (color[j] == 0) dfs(j);
        });
    color[c] = 2;
  };
  for (size_t c = 0; c < n; ++c)
    if (color[c] == 0) dfs(c);

  // Hooks and chain types reaching each chain (nft_chain_validate from every base chain).
  std::vector<uint8_t> hooks(n, 0), types(n, 0);
  std::function<void(size_t, uint8_t, uint8_t)> reach = [&](size_t c, uint8_t hk, uint8_t ty) {
    if ((hooks[c] & hk) == hk && (types[c] & ty) == ty) return;
    hooks[c] |= hk;
    types[c] |= ty;
    for (NftRule& r : t.chains[c].rules)
      for (NftExpr& e : r.exprs)
        for_each_verdict(e, [&](NftVerdict& v) {
          if (v.chain_index >= 0) reach(static_cast<size_t>(v.chain_index), hk, ty);
        });
  };
  for (size_t c = 0; c < n; ++c)
    if (t.chains[c].base) reach(c, static_cast<uint8_t>(1 << t.chains[c].hook), type_bit(t.chains[c].type));

  for (size_t c = 0; c < n; ++c) {
    if (!hooks[c]) continue;
    const NftChain& ch = t.chains[c];
    for (const NftRule& r : ch.rules)
      for (const NftExpr& e : r.exprs) {
        uint8_t allowed = 0x1f;
        bool need_nat = false;
        std::string what;
        std::visit([&](auto&& d) {
          using D = std::decay_t<decltype(d)>;
          if constexpr (std::is_same_v<D, NftTproxy>) {
            allowed = 1 << NF_INET_PRE_ROUTING;
            what = "tproxy";
          } else if constexpr (std::is_same_v<D, NftMatch>) {
            if (d.key == NftKey::socket_transparent || d.key == NftKey::socket_mark || d.key == NftKey::socket_wildcard) {
              allowed = (1 << NF_INET_PRE_ROUTING) | (1 << NF_INET_LOCAL_IN) | (1 << NF_INET_LOCAL_OUT);
              what = "socket";
            }
          } else if constexpr (std::is_same_v<D, NftReject>) {
            allowed = (1 << NF_INET_PRE_ROUTING) | (1 << NF_INET_LOCAL_IN) | (1 << NF_INET_FORWARD) | (1 << NF_INET_LOCAL_OUT);
            what = "reject";
          } else if constexpr (std::is_same_v<D, NftNat>) {
            need_nat = true;
            const bool dst = d.kind == NftNat::Kind::dnat || d.kind == NftNat::Kind::redirect;
            allowed = dst ? (1 << NF_INET_PRE_ROUTING) | (1 << NF_INET_LOCAL_OUT) : (1 << NF_INET_POST_ROUTING) | (1 << NF_INET_LOCAL_IN);
            what = d.kind == NftNat::Kind::dnat ? "dnat" : d.kind == NftNat::Kind::snat ? "snat" : d.kind == NftNat::Kind::redirect ? "redirect" : "masquerade";
          }
        }, e.data);
        if (what.empty()) continue;
        if (need_nat && (types[c] & ~T_NAT))
          unsupported(e.origin, fmt::format("kernel: {} is only valid in chains of type nat; chain {} is reached from a chain of type {}", what, ch.name,
                                            (types[c] & T_FILTER) ? "filter" : "route"));
        if (hooks[c] & ~allowed)
          unsupported(e.origin, fmt::format("kernel: {} is only valid at {}; chain {} is reached from {}", what, hook_list(allowed), ch.name, hook_list(hooks[c])));
      }
  }
}

}  // namespace

void commit(HostConfig& host) {
  for (NftTable& t : host.nft) commit_table(t);
}

}  // namespace kpath::nft
