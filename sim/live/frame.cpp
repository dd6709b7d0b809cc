#include "sim/live/frame.hpp"
#include "models/sock.hpp"
#include <fmt/format.h>

namespace kpath::live {

using namespace kernel;

std::string mac_text(const Mac& m) {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", m[0], m[1], m[2], m[3], m[4], m[5]);
}

namespace {

uint16_t csum(const std::vector<uint8_t>& b, size_t off, size_t len, uint32_t sum = 0) {
  for (size_t i = 0; i + 1 < len; i += 2) sum += static_cast<uint32_t>(b[off + i] << 8 | b[off + i + 1]);
  if (len & 1) sum += static_cast<uint32_t>(b[off + len - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

void put16(std::vector<uint8_t>& b, size_t off, uint16_t v) { b[off] = static_cast<uint8_t>(v >> 8); b[off + 1] = static_cast<uint8_t>(v); }
void put32(std::vector<uint8_t>& b, size_t off, uint32_t v) { put16(b, off, static_cast<uint16_t>(v >> 16)); put16(b, off + 2, static_cast<uint16_t>(v)); }
uint16_t get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t get32(const uint8_t* p) { return static_cast<uint32_t>(get16(p)) << 16 | get16(p + 2); }

// The L4 part as the packet spec describes it (header + zero payload), checksummed over the
// IPv4 pseudo header.
std::vector<uint8_t> l4_bytes(const Packet& p, uint8_t flags, uint32_t seq, uint32_t ack) {
  std::vector<uint8_t> l4(p.l4_hdr_len() + p.payload, 0);
  if (p.protocol == IPPROTO_TCP_) {
    put16(l4, 0, p.sport);
    put16(l4, 2, p.dport);
    put32(l4, 4, seq);
    put32(l4, 8, ack);
    l4[12] = 5 << 4;
    l4[13] = flags;
    put16(l4, 14, 64240);
  } else if (p.protocol == IPPROTO_UDP_) {
    put16(l4, 0, p.sport);
    put16(l4, 2, p.dport);
    put16(l4, 4, static_cast<uint16_t>(l4.size()));
  } else if (p.protocol == IPPROTO_ICMP_) {
    l4[0] = p.icmp_type;
    l4[1] = p.icmp_code;
    put16(l4, 4, 0x6b70);  // identifier "kp"
    put16(l4, 6, 1);       // sequence
    put16(l4, 2, csum(l4, 0, l4.size()));
    return l4;
  }
  if (p.protocol == IPPROTO_TCP_ || p.protocol == IPPROTO_UDP_) {
    uint32_t ph = (p.saddr.v >> 16) + (p.saddr.v & 0xffff) + (p.daddr.v >> 16) + (p.daddr.v & 0xffff) + p.protocol +
                  static_cast<uint32_t>(l4.size());
    uint16_t c = csum(l4, 0, l4.size(), ph);
    if (p.protocol == IPPROTO_UDP_ && c == 0) c = 0xffff;
    put16(l4, p.protocol == IPPROTO_TCP_ ? 16 : 6, c);
  }
  return l4;
}

std::vector<uint8_t> build(const Packet& p, const Mac& src, const Mac& dst, uint8_t flags, uint32_t seq, uint32_t ack) {
  Mac l2dst = dst;
  if (p.pkt_type == PktType::OTHERHOST) l2dst = {0x02, 0x6b, 0x70, 0x00, 0x00, static_cast<uint8_t>(dst[5] == 0x01 ? 0x02 : 0x01)};
  else if (p.pkt_type == PktType::BROADCAST) l2dst = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  else if (p.pkt_type == PktType::MULTICAST)
    l2dst = {0x01, 0x00, 0x5e, static_cast<uint8_t>((p.daddr.v >> 16) & 0x7f), static_cast<uint8_t>(p.daddr.v >> 8), static_cast<uint8_t>(p.daddr.v)};
  std::vector<uint8_t> f(14, 0);
  std::copy(l2dst.begin(), l2dst.end(), f.begin());
  std::copy(src.begin(), src.end(), f.begin() + 6);
  f[12] = 0x08;
  f[13] = 0x00;
  const size_t hl = static_cast<size_t>(p.ihl) * 4;
  std::vector<uint8_t> ip(hl < 20 ? 20 : hl, 0);
  std::vector<uint8_t> l4 = l4_bytes(p, flags, seq, ack);
  const uint16_t tot = p.tot_len ? p.tot_len : static_cast<uint16_t>(ip.size() + l4.size());
  ip[0] = static_cast<uint8_t>((p.version & 15) << 4 | (p.ihl & 15));
  ip[1] = p.tos;
  put16(ip, 2, tot);
  put16(ip, 4, p.id ? p.id : kInjectId);
  put16(ip, 6, p.frag_off);
  ip[8] = p.ttl;
  ip[9] = p.protocol;
  put32(ip, 12, p.saddr.v);
  put32(ip, 16, p.daddr.v);
  if (ip.size() > 20) {
    // Options: NOPs; `lsrr` puts an exhausted loose source route first (type 0x83, length 3,
    // pointer 4: valid, no hops left), which is enough for ip_rcv_options to see SRR.
    for (size_t i = 20; i < ip.size(); ++i) ip[i] = 0x01;
    if (p.lsrr) { ip[20] = 0x83; ip[21] = 3; ip[22] = 4; ip[23] = 0x00; }
  }
  uint16_t c = csum(ip, 0, ip.size() < 20 ? 20 : ip.size());
  if (p.bad_csum) c = static_cast<uint16_t>(c ^ 0x5a5a);
  put16(ip, 10, c);
  f.insert(f.end(), ip.begin(), ip.end());
  f.insert(f.end(), l4.begin(), l4.end());
  if (p.frame_len) f.resize(14 + p.frame_len, 0);  // truncated or padded as received
  return f;
}

}  // namespace

std::vector<uint8_t> build_frame(const Packet& p, const Mac& src, const Mac& dst) {
  return build(p, src, dst, p.protocol == IPPROTO_TCP_ ? p.tcp_flags : 0, kInjectSeq, (p.tcp_flags & TCPHDR_ACK) ? 1 : 0);
}

std::vector<uint8_t> build_ack(const Packet& syn, const Mac& src, const Mac& dst, uint32_t server_seq) {
  Packet a = syn;
  a.tcp_flags = TCPHDR_ACK;
  a.payload = 0;
  a.tot_len = 0;
  a.frame_len = 0;
  return build(a, src, dst, TCPHDR_ACK, kInjectSeq + 1, server_seq + 1);
}

Decoded decode_frame(const uint8_t* d, size_t len) {
  Decoded r;
  if (len < 14) { r.text = fmt::format("runt frame ({} bytes)", len); return r; }
  std::copy(d, d + 6, r.dst.begin());
  std::copy(d + 6, d + 12, r.src.begin());
  r.ethertype = get16(d + 12);
  if (r.ethertype != 0x0800 || len < 34) {
    r.text = r.ethertype == 0x0806 ? std::string("ARP") : fmt::format("ethertype 0x{:04x} ({} bytes)", r.ethertype, len);
    return r;
  }
  const uint8_t* ip = d + 14;
  const size_t ihl = static_cast<size_t>(ip[0] & 15) * 4;
  r.ipv4 = true;
  r.ttl = ip[8];
  r.proto = ip[9];
  r.id = get16(ip + 4);
  r.saddr = Ipv4Addr{get32(ip + 12)};
  r.daddr = Ipv4Addr{get32(ip + 16)};
  const uint8_t* l4 = ip + ihl;
  const size_t l4len = len > 14 + ihl ? len - 14 - ihl : 0;
  if (r.proto == IPPROTO_TCP_ && l4len >= 14) {
    r.sport = get16(l4);
    r.dport = get16(l4 + 2);
    r.seq = get32(l4 + 4);
    r.tcp_flags = l4[13];
    std::string fl;
    static constexpr std::pair<uint8_t, const char*> names[] = {{TCPHDR_SYN, "SYN"}, {TCPHDR_ACK, "ACK"}, {TCPHDR_FIN, "FIN"}, {TCPHDR_RST, "RST"}, {TCPHDR_PSH, "PSH"}};
    for (auto& [b, n] : names) if (r.tcp_flags & b) fl += (fl.empty() ? "" : "|") + std::string(n);
    r.text = fmt::format("{}:{}->{}:{}(tcp:{})", r.saddr, r.sport, r.daddr, r.dport, fl);
  } else if (r.proto == IPPROTO_UDP_ && l4len >= 4) {
    r.sport = get16(l4);
    r.dport = get16(l4 + 2);
    r.text = fmt::format("{}:{}->{}:{}(udp)", r.saddr, r.sport, r.daddr, r.dport);
  } else if (r.proto == IPPROTO_ICMP_ && l4len >= 2) {
    r.icmp_type = l4[0];
    r.icmp_code = l4[1];
    r.text = fmt::format("{}->{}(icmp:{}/{})", r.saddr, r.daddr, r.icmp_type, r.icmp_code);
  } else {
    r.text = fmt::format("{}->{}(proto {})", r.saddr, r.daddr, r.proto);
  }
  r.text += fmt::format(" ttl {} id 0x{:x}", r.ttl, r.id);
  return r;
}

}  // namespace kpath::live
