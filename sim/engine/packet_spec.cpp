#include "sim/engine/packet_spec.hpp"
#include <fmt/format.h>
#include <vector>

namespace kpath {

using namespace kernel;

namespace {
struct Tok { std::string text; uint32_t col; };

std::vector<Tok> split(const std::string& s) {
  std::vector<Tok> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == ',')) ++i;
    if (i >= s.size()) break;
    size_t j = i;
    if (s.compare(i, 2, "->") == 0) j = i + 2;
    else while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s.compare(j, 2, "->") != 0 && !(s[j] == ',' )) ++j;
    out.push_back({s.substr(i, j - i), static_cast<uint32_t>(i + 1)});
    i = j;
  }
  return out;
}
}  // namespace

Packet parse_packet_spec(const std::string& spec, const Net& net, uint32_t file_id) {
  auto toks = split(spec);
  auto err = [&](uint32_t col, std::string msg) { return ConfigError(SourceLoc{file_id, 1, col}, std::move(msg)); };
  const uint32_t end_col = static_cast<uint32_t>(spec.size() + 1);
  Packet p;
  size_t i = 0;
  auto need = [&](const char* what) -> const Tok& {
    if (i >= toks.size()) throw err(end_col, fmt::format("packet spec ends early; expected {}", what));
    return toks[i++];
  };
  const Tok& proto = need("a protocol (tcp, udp, icmp or proto N)");
  bool ports = true;
  if (proto.text == "tcp") p.protocol = IPPROTO_TCP_;
  else if (proto.text == "udp") p.protocol = IPPROTO_UDP_;
  else if (proto.text == "icmp") { p.protocol = IPPROTO_ICMP_; ports = false; }
  else if (proto.text == "proto") {
    const Tok& n = need("a protocol number");
    auto v = parse_u32(n.text);
    if (!v || *v > 255) throw err(n.col, fmt::format("bad protocol number \"{}\"; expected 0-255", n.text));
    p.protocol = static_cast<uint8_t>(*v);
    ports = p.protocol == IPPROTO_TCP_ || p.protocol == IPPROTO_UDP_;
  } else throw err(proto.col, fmt::format("unknown protocol \"{}\"; expected tcp, udp, icmp or proto N", proto.text));
  auto endpoint = [&](Ipv4Addr& a, uint16_t& port, const char* which) {
    const Tok& t = need(which);
    std::string addr = t.text;
    if (ports) {
      auto c = addr.rfind(':');
      if (c == std::string::npos) throw err(t.col, fmt::format("\"{}\": expected ADDR:PORT for {} ({})", t.text, proto.text, which));
      auto pv = parse_u32(addr.substr(c + 1));
      if (!pv || *pv > 65535) throw err(t.col + static_cast<uint32_t>(c) + 1, fmt::format("bad port \"{}\"; expected 0-65535", addr.substr(c + 1)));
      port = static_cast<uint16_t>(*pv);
      addr = addr.substr(0, c);
    }
    auto av = parse_ipv4(addr);
    if (!av) throw err(t.col, fmt::format("bad address \"{}\"; expected a dotted IPv4 address", addr));
    a = *av;
  };
  endpoint(p.saddr, p.sport, "the source");
  const Tok& arrow = need("\"->\"");
  if (arrow.text != "->") throw err(arrow.col, fmt::format("unexpected \"{}\"; expected \"->\" between source and destination", arrow.text));
  endpoint(p.daddr, p.dport, "the destination");
  bool flags_given = false;
  uint8_t flags = 0;
  bool have_iif = false;
  uint16_t len = 0;
  while (i < toks.size()) {
    const Tok& t = toks[i++];
    auto num = [&](const char* what, uint32_t max) -> uint32_t {
      const Tok& n = need(what);
      auto v = parse_u32(n.text);
      if (!v || *v > max) throw err(n.col, fmt::format("bad value \"{}\" for {}; expected {} (0-{})", n.text, t.text, what, max));
      return *v;
    };
    const std::string& k = t.text;
    if (k == "iif" || k == "dev") {
      const Tok& d = need("a device name");
      const NetDevice* dev = net.dev_by_name(d.text);
      if (!dev) {
        std::string names;
        for (auto& x : net.devices) names += (names.empty() ? "" : ", ") + x.name;
        throw err(d.col, fmt::format("Cannot find device \"{}\"; this host has: {}", d.text, names));
      }
      p.iif = dev->ifindex;
      have_iif = true;
    } else if (k == "syn" || k == "ack" || k == "fin" || k == "rst" || k == "psh" || k == "urg" || k == "syn-ack" || k == "synack") {
      if (p.protocol != IPPROTO_TCP_) throw err(t.col, fmt::format("\"{}\" is a TCP flag; this packet is not TCP", k));
      flags_given = true;
      if (k == "syn") flags |= TCPHDR_SYN;
      else if (k == "ack") flags |= TCPHDR_ACK;
      else if (k == "fin") flags |= TCPHDR_FIN;
      else if (k == "rst") flags |= TCPHDR_RST;
      else if (k == "psh") flags |= TCPHDR_PSH;
      else if (k == "urg") flags |= TCPHDR_URG;
      else flags |= TCPHDR_SYN | TCPHDR_ACK;
    } else if (k == "ttl") p.ttl = static_cast<uint8_t>(num("a TTL", 255));
    else if (k == "tos" || k == "dsfield") p.tos = static_cast<uint8_t>(num("a TOS byte", 255));
    else if (k == "len") len = static_cast<uint16_t>(num("a total length in bytes", 65535));
    else if (k == "mark") p.mark = num("a mark", 0xffffffffu);
    else if (k == "df") p.frag_off |= IP_DF;
    else if (k == "mf") p.frag_off |= IP_MF;
    else if (k == "frag-offset") p.frag_off = static_cast<uint16_t>((p.frag_off & ~IP_OFFSET) | (num("a fragment offset in 8-byte units", IP_OFFSET) & IP_OFFSET));
    else if (k == "ihl") p.ihl = static_cast<uint8_t>(num("a header length in 32-bit words", 15));
    else if (k == "version") p.version = static_cast<uint8_t>(num("an IP version", 15));
    else if (k == "tot-len") p.tot_len = static_cast<uint16_t>(num("a tot_len", 65535));
    else if (k == "frame-len") p.frame_len = num("a received length", 65535);
    else if (k == "id") p.id = static_cast<uint16_t>(num("an IP id", 65535));
    else if (k == "bad-csum") p.bad_csum = true;
    else if (k == "options") { p.ip_options = true; if (p.ihl == 5) p.ihl = 6; }
    else if (k == "lsrr") { p.ip_options = true; p.lsrr = true; if (p.ihl == 5) p.ihl = 6; }
    else if (k == "otherhost") p.pkt_type = PktType::OTHERHOST;
    else if (k == "broadcast") p.pkt_type = PktType::BROADCAST;
    else if (k == "multicast") p.pkt_type = PktType::MULTICAST;
    else if (k == "type") { if (p.protocol != IPPROTO_ICMP_) throw err(t.col, "\"type\" is for ICMP packets"); p.icmp_type = static_cast<uint8_t>(num("an ICMP type", 255)); }
    else if (k == "code") { if (p.protocol != IPPROTO_ICMP_) throw err(t.col, "\"code\" is for ICMP packets"); p.icmp_code = static_cast<uint8_t>(num("an ICMP code", 255)); }
    else throw err(t.col, fmt::format("unknown packet option \"{}\"; expected iif DEV, syn/ack/fin/rst/psh/urg, ttl N, tos N, len N, mark N, df, mf, "
                                      "frag-offset N, ihl N, version N, tot-len N, bad-csum, options, lsrr, otherhost, broadcast, multicast, type N, code N", k));
  }
  if (!have_iif) {
    // The only non-loopback device is the obvious in-device; otherwise say which exist.
    const NetDevice* only = nullptr;
    int n = 0;
    for (auto& d : net.devices) if (!d.is_loopback()) { only = &d; ++n; }
    if (n == 1) p.iif = only->ifindex;
    else throw err(end_col, "no in-device; add `iif DEV` (the device the packet arrives on)");
  }
  if (p.protocol == IPPROTO_TCP_) p.tcp_flags = flags_given ? flags : TCPHDR_SYN;
  if (len) {
    const uint16_t hdr = static_cast<uint16_t>(p.ihl * 4 + p.l4_hdr_len());
    if (len < hdr) throw err(end_col, fmt::format("len {} is smaller than the headers ({} bytes)", len, hdr));
    p.payload = static_cast<uint16_t>(len - hdr);
  }
  return p;
}

std::string packet_to_string(const Packet& p, const Net& net) {
  std::string flags;
  if (p.protocol == IPPROTO_TCP_) {
    static constexpr std::pair<uint8_t, const char*> names[] = {{TCPHDR_SYN, "SYN"}, {TCPHDR_ACK, "ACK"}, {TCPHDR_FIN, "FIN"}, {TCPHDR_RST, "RST"}, {TCPHDR_PSH, "PSH"}, {TCPHDR_URG, "URG"}};
    for (auto& [b, n] : names) if (p.tcp_flags & b) flags += (flags.empty() ? "" : "|") + std::string(n);
  }
  std::string l4 = p.protocol == IPPROTO_TCP_ ? "tcp:" + flags : p.protocol == IPPROTO_UDP_ ? "udp" : p.protocol == IPPROTO_ICMP_ ? fmt::format("icmp:{}/{}", p.icmp_type, p.icmp_code) : fmt::format("proto {}", p.protocol);
  const bool ports = p.protocol == IPPROTO_TCP_ || p.protocol == IPPROTO_UDP_;
  return ports ? fmt::format("{}:{}->{}:{}({}) iif {}", p.saddr, p.sport, p.daddr, p.dport, l4, net.dev_name(p.iif))
               : fmt::format("{}->{}({}) iif {}", p.saddr, p.daddr, l4, net.dev_name(p.iif));
}

}  // namespace kpath
