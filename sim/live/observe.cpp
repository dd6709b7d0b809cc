#include "sim/live/observe.hpp"
#include "models/sock.hpp"
#include <fstream>
#include <set>
#include <sstream>
#include <fmt/format.h>
#include "sim/live/netns.hpp"

namespace kpath::live {

using namespace kernel;

namespace {

// "Ip: Forwarding DefaultTTL ...\nIp: 1 64 ..." pairs → IpForwarding, IpDefaultTTL, ...
void parse_pairs(const std::string& text, Counters& out) {
  std::istringstream in(text);
  std::string head, vals;
  while (std::getline(in, head) && std::getline(in, vals)) {
    std::istringstream h(head), v(vals);
    std::string prefix, p2;
    h >> prefix;
    v >> p2;
    if (prefix.empty() || prefix != p2) return;
    prefix.pop_back();  // ':'
    std::string name;
    long long x;
    while (h >> name && v >> x) out[prefix + name] = x;
  }
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Counters read_snmp(const std::string& netns) {
  Counters c;
  NetnsEnter in(netns);
  // /proc/thread-self/net follows this thread's network namespace
  parse_pairs(slurp("/proc/thread-self/net/snmp"), c);
  parse_pairs(slurp("/proc/thread-self/net/netstat"), c);
  return c;
}

bool ignored_counter(const std::string& n) {
  static const std::set<std::string> gauges = {"IpForwarding", "IpDefaultTTL", "TcpRtoAlgorithm", "TcpRtoMin", "TcpRtoMax", "TcpMaxConn", "TcpCurrEstab"};
  if (gauges.count(n)) return true;
  if (n.rfind("IpExt", 0) == 0 && (n.find("Octets") != std::string::npos || n.find("ECT") != std::string::npos || n.find("CEPkts") != std::string::npos))
    return true;
  return false;
}

Counters counter_delta(const Counters& before, const Counters& after) {
  Counters d;
  for (auto& [k, v] : after) {
    auto it = before.find(k);
    const long long x = v - (it == before.end() ? 0 : it->second);
    if (x && !ignored_counter(k)) d[k] = x;
  }
  return d;
}

SkbTrace follow_skb(const std::vector<TraceEvent>& ev, const std::string& cli_dev, const std::string& in_dev, int in_ifindex, const Packet& p) {
  SkbTrace t;
  std::string addr;
  size_t i = 0;
  for (; i < ev.size(); ++i)
    if (ev[i].event == "net_dev_xmit" && ev[i].field("dev") == cli_dev) {
      addr = ev[i].field("skbaddr");
      t.sent = true;
      t.lines.push_back(fmt::format("[{:03}] {:.6f} net_dev_xmit: {}", ev[i].cpu, ev[i].ts, ev[i].body));
      break;
    }
  // The same skb arrives on the DUT's in-device (veth hands the skb itself to its peer).
  size_t rx = ev.size();
  for (size_t j = t.sent ? i + 1 : 0; j < ev.size(); ++j)
    if (ev[j].event == "netif_receive_skb" && ev[j].field("dev") == in_dev && (addr.empty() || ev[j].field("skbaddr") == addr)) {
      rx = j;
      break;
    }
  if (rx == ev.size()) return t;
  if (addr.empty()) addr = ev[rx].field("skbaddr");
  t.received = true;
  t.lines.push_back(fmt::format("[{:03}] {:.6f} netif_receive_skb: {}", ev[rx].cpu, ev[rx].ts, ev[rx].body));
  size_t end = ev.size();
  for (size_t j = rx + 1; j < ev.size(); ++j) {
    const TraceEvent& e = ev[j];
    if (e.field("skbaddr") != addr) continue;
    if (e.event == "kfree_skb" || e.event == "consume_skb" || e.event == "net_dev_xmit") {
      t.end = e.event;
      t.lines.push_back(fmt::format("[{:03}] {:.6f} {}: {}", e.cpu, e.ts, e.event, e.body));
      if (e.event == "net_dev_xmit") t.egress_dev = e.field("dev");
      else {
        t.location = e.field("location");
        if (e.event == "kfree_skb") {
          t.reason = e.field("reason");
          const std::string sk = e.field("rx_sk");
          t.rx_sk = !sk.empty() && sk.find_first_not_of("0x") != std::string::npos;
        }
      }
      end = j;
      break;
    }
  }
  // The input route lookup: same CPU, between receive and end, from the in-device, our source.
  const int cpu = ev[rx].cpu;
  const double t0 = ev[rx].ts, t1 = end < ev.size() ? ev[end].ts : 1e18;
  const std::string src = fmt::format("{}/", p.saddr);
  std::vector<std::pair<double, std::string>> fib_lines;
  for (size_t j = rx + 1; j < ev.size(); ++j) {
    const TraceEvent& e = ev[j];
    if (e.ts > t1) break;
    if (e.event != "fib_table_lookup" || e.cpu != cpu || e.ts < t0) continue;
    if (e.field("iif") != std::to_string(in_ifindex) || e.body.find(src) == std::string::npos) continue;
    if (e.body.find("-> " + src) != std::string::npos) continue;  // a reverse-path lookup (fib_validate_source)
    fib_lines.emplace_back(e.ts, fmt::format("[{:03}] {:.6f} fib_table_lookup: {}", e.cpu, e.ts, e.body));
    const int err = std::atoi(e.field("err").c_str());
    // The last lookup that did not answer -EAGAIN decided: suppress_prefixlength/ifgroup discard
    // earlier answers and the rule walk goes on (fib4_rule_suppress).
    if (err != -11) {
      t.table = static_cast<uint32_t>(std::stoul(e.field("table")));
      t.table_err = err;
    }
  }
  // The route lookups go between the receive and the end of the skb, in time order.
  if (!fib_lines.empty()) {
    std::string last;
    if (!t.end.empty()) { last = t.lines.back(); t.lines.pop_back(); }
    for (auto& [ts, l] : fib_lines) t.lines.push_back(l);
    if (!last.empty()) t.lines.push_back(last);
  }
  return t;
}

void classify_frames(Observation& o, const Packet& p, const std::map<std::string, Ipv4Addr>& neigh) {
  const uint16_t id = p.id ? p.id : kInjectId;
  std::optional<std::pair<int, int>> redirect;
  for (const SeenFrame& f : o.frames) {
    const Decoded& d = f.d;
    if (!d.ipv4) continue;
    const bool to_source = d.daddr == p.saddr;
    if (d.proto == IPPROTO_ICMP_ && d.icmp_type >= 0 && (to_source || f.client)) {
      if (d.icmp_type == 0) { if (o.reply.empty()) o.reply = "echo-reply"; continue; }
      if (d.icmp_type == 8 && d.proto == p.protocol && d.id == id) { /* our own echo, forwarded */ }
      else if (d.icmp_type == 5) { if (!redirect) redirect = std::make_pair(d.icmp_type, d.icmp_code); continue; }
      else { if (!o.icmp) o.icmp = std::make_pair(d.icmp_type, d.icmp_code); o.reply = "icmp"; continue; }
    }
    if (d.proto == IPPROTO_TCP_ && p.protocol == IPPROTO_TCP_ && to_source && d.dport == p.sport) {
      if ((d.tcp_flags & (TCPHDR_SYN | TCPHDR_ACK)) == (TCPHDR_SYN | TCPHDR_ACK)) {
        if (o.reply.empty()) o.reply = "syn-ack";
        if (!o.synack_seq) o.synack_seq = d.seq;
        continue;
      }
      if (d.tcp_flags & TCPHDR_RST) { if (o.reply.empty() || o.reply == "syn-ack") o.reply = "rst"; continue; }
    }
    if (d.proto == p.protocol && d.id == id && o.egress_dev.empty()) {
      o.egress_dev = f.where;
      auto it = neigh.find(mac_text(d.dst));
      if (it != neigh.end() && it->second != d.daddr) o.via = it->second;
    }
  }
  if (!o.icmp && redirect) {
    o.icmp = redirect;
    if (o.reply.empty()) o.reply = "icmp";
  }
}

void settle_disposition(Observation& o) {
  const SkbTrace& t = o.skb;
  if (t.end == "kfree_skb") o.disposition = "drop";
  else if (t.end == "net_dev_xmit") {
    o.disposition = "forward";
    if (o.egress_dev.empty()) o.egress_dev = t.egress_dev;
  } else if (t.end == "consume_skb" && t.location.rfind("ip_do_fragment", 0) == 0) {
    // ip_fragment transmitted copies and consumed the original: a forward
    o.disposition = "forward";
  } else if (t.end == "consume_skb") o.disposition = "deliver";
  else if (o.socket) o.disposition = "deliver";  // queued to a socket: freed only when read
  else if (!o.egress_dev.empty()) o.disposition = "forward";
  else o.disposition = "";
}

}  // namespace kpath::live
