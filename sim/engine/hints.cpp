#include "sim/engine/hints.hpp"
#include <fmt/format.h>
#include "models/fib/fib_frontend.hpp"

namespace kpath {

using namespace kernel;

namespace {

const IptEntry* rule_with_target_origin(const Net& net, SourceLoc o) {
  if (!o.known()) return nullptr;
  for (auto& t : net.xt)
    for (auto& c : t.chains)
      for (auto& e : c.rules)
        if (e.target.origin == o) return &e;
  return nullptr;
}

std::string table_kw(uint32_t id) { return id == RT_TABLE_MAIN ? "" : fmt::format(" table {}", fib_table_name(id)); }

}  // namespace

std::vector<Hint> make_hints(const Net& net, const SkBuff& skb, const Verdict& v) {
  std::vector<Hint> h;
  const Packet& p = skb.pkt;
  const NetDevice* in = net.dev(skb.dev);
  const std::string inname = in ? in->name : "?";
  const FibRule* rule = skb.has_dst && skb.dst.rule_index >= 0 ? &net.rules[static_cast<size_t>(skb.dst.rule_index)] : nullptr;
  const FibAlias* route = skb.has_dst ? skb.dst.route : nullptr;
  const bool tproxied = skb.sk >= 0 && skb.sk_origin.known();
  const bool marked_rule = rule && rule->mark_mask;

  if (v.drop_function == "ip_error" || (v.drop_function == "ip_forward" && tproxied)) {
    if (route && route->type == RTN_UNICAST && (tproxied || marked_rule)) {
      h.push_back({fmt::format("table {} answers {} with a unicast route (`{}`): `scope host` does not make a route local. A packet diverted with a mark "
                               "must be routed locally to reach the proxy; make it a local route: "
                               "`ip route replace local {} dev {}{}`",
                               fib_table_name(route->table), p.daddr, fib_route_to_string(net, *route),
                               route->dst.len ? to_string(route->dst) : "default",
                               route->nhs.empty() ? "lo" : std::string(net.dev_name(route->nhs[0].dev)), table_kw(route->table)),
                   route->origin});
    } else if (v.drop_function == "ip_error" && route && route->type == RTN_UNICAST) {
      h.push_back({fmt::format("the route `{}` is unicast, i.e. for forwarding, and forwarding is off on {}: enable it "
                               "(`sysctl -w net.ipv4.conf.{}.forwarding=1`, or net.ipv4.ip_forward=1) if this host should route {}, "
                               "or add a local route if it should accept it",
                               fib_route_to_string(net, *route), inname, inname, p.daddr),
                   route->origin});
    } else if (v.drop_function == "ip_error" && route && rtn_is_error_type(route->type)) {
      h.push_back({fmt::format("the {} route `{}` matches {}: remove it or add a more specific route", kRtnNames[route->type], fib_route_to_string(net, *route), p.daddr),
                   route->origin});
    } else if (v.drop_function == "ip_error") {
      if (rule && rule->action != FR_ACT_TO_TBL) {
        h.push_back({fmt::format("ip rule {} (`{}`) refuses the packet", rule->pref, fib_rule_to_string(net, *rule)), rule->origin});
      } else {
        h.push_back({fmt::format("no route for {} in the tables consulted{}; add one (e.g. `ip route add {} via GATEWAY`){}", p.daddr,
                                 skb.mark ? fmt::format(" with mark 0x{:x}", skb.mark) : "", p.daddr,
                                 tproxied ? ", or for TPROXY a local route in the table the fwmark rule selects" : ""),
                     {}});
      }
    }
    if (v.drop_function == "ip_forward" && tproxied && !(route && route->type == RTN_UNICAST && (tproxied || marked_rule)))
      h.push_back({"TPROXY attached a socket, but the packet was routed for forwarding and ip_forward drops such packets: route the marked packets to a local route", skb.sk_origin});
  }
  // nft tproxy without a transparent socket does not drop: the rule breaks, its `meta mark set`
  // never runs, and the packet is routed unmarked (kernel-path.md §17.1, T46).
  if (skb.sk < 0 && (p.protocol == IPPROTO_TCP_ || p.protocol == IPPROTO_UDP_) && v.disposition != Disposition::deliver) {
    for (const NftTable& tb : net.nft)
      for (const NftChain& ch : tb.chains)
        for (const NftRule& r : ch.rules)
          for (const NftExpr& x : r.exprs) {
            const auto* tp = std::get_if<NftTproxy>(&x.data);
            if (!tp) continue;
            const uint16_t port = tp->port ? tp->port : p.dport;
            bool listener = false;
            for (const Sock& so : net.socks.socks)
              if (so.proto == p.protocol && so.lport == port && so.transparent &&
                  (so.state == SockState::Listen || so.state == SockState::Bound)) listener = true;
            if (listener) continue;
            h.push_back({fmt::format("nft `{}` found no transparent socket on port {}: unlike xt TPROXY, nft tproxy does not drop — the rule "
                                     "breaks, its `meta mark set` never runs, and the packet goes on unmarked (here: {}). Start the proxy with "
                                     "IP_TRANSPARENT on port {} (in kpath: `#kpath socket {} {} 0.0.0.0:{} transparent`)",
                                     x.text, port, v.disposition == Disposition::forward ? "forwarded directly" : "routed by the main table and dropped",
                                     port, p.protocol == IPPROTO_TCP_ ? "tcp" : "udp", p.protocol == IPPROTO_TCP_ ? "listen" : "bind", port),
                         x.origin});
            return h;
          }
  }
  if (v.drop_reason == DropReason::NETFILTER_DROP) {
    const IptEntry* e = rule_with_target_origin(net, v.drop_origin);
    if (e && std::holds_alternative<XtTproxy>(e->target.data)) {
      const auto& tp = std::get<XtTproxy>(e->target.data);
      const uint16_t port = tp.lport ? tp.lport : p.dport;
      h.push_back({fmt::format("TPROXY found no transparent socket on port {}: the proxy must listen there with IP_TRANSPARENT "
                               "(in kpath: `#kpath socket {} {} 0.0.0.0:{} transparent`); xt TPROXY drops every packet while the proxy is down",
                               port, p.protocol == IPPROTO_TCP_ ? "tcp" : "udp", p.protocol == IPPROTO_TCP_ ? "listen" : "bind", port),
                   e->target.origin});
    } else if (v.drop_origin.known()) {
      h.push_back({"a netfilter rule or chain policy dropped the packet; see the rule cited on the verdict line", v.drop_origin});
    }
  }
  if (v.drop_reason == DropReason::IP_RPFILTER && in) {
    auto rpf = net.conf(*in, DevConfKey::rp_filter);
    h.push_back({fmt::format("reverse path filter (rp_filter={}) on {}: the route back to {} does not leave by {}. Use loose mode "
                             "(`sysctl -w net.ipv4.conf.all.rp_filter=2` and `net.ipv4.conf.{}.rp_filter=2`) or add a route to {} via {}",
                             rpf.value, inname, p.saddr, inname, inname, p.saddr, inname),
                 rpf.origin});
  }
  if (v.drop_reason == DropReason::IP_LOCAL_SOURCE && in) {
    auto svm = net.conf(*in, DevConfKey::src_valid_mark);
    if (svm.value && skb.mark)
      h.push_back({fmt::format("src_valid_mark=1 makes the reverse-path lookup carry mark 0x{:x}, which selects the local route of the TPROXY table, "
                               "so the source looks like our own address: set `net.ipv4.conf.{}.accept_local=1` or turn src_valid_mark off",
                               skb.mark, inname),
                   svm.origin});
    else
      h.push_back({fmt::format("the source {} is one of this host's addresses (or routes back as local): spoofed or looped traffic; "
                               "set net.ipv4.conf.{}.accept_local=1 if it is intended", p.saddr, inname), {}});
  }
  if (v.drop_reason == DropReason::IP_LOCALNET)
    h.push_back({fmt::format("127.0.0.0/8 from outside is a martian; `sysctl -w net.ipv4.conf.{}.route_localnet=1` allows it (e.g. for DNAT to 127.0.0.1)", inname), {}});
  if (v.drop_reason == DropReason::NO_SOCKET)
    h.push_back({fmt::format("nothing listens on {}:{} ({}); declare the service with `#kpath socket ...` if it exists on the real host",
                             p.daddr, p.dport, p.protocol == IPPROTO_TCP_ ? "tcp" : "udp"), {}});
  return h;
}

}  // namespace kpath
