#include "sim/live/live.hpp"
#include <chrono>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fmt/format.h>
#include "sim/live/exec.hpp"
#include "sim/live/inject.hpp"
#include "sim/live/interrupt.hpp"
#include "sim/live/netns.hpp"
#include "sim/live/sockets.hpp"
#include "models/sock.hpp"

namespace kpath::live {

using namespace kernel;
using Clock = std::chrono::steady_clock;

std::string environment_problem() {
  if (geteuid() != 0)
    return "needs root (it creates network namespaces, veths and a trace instance); run it as root, e.g. with sudo";
  struct stat st;
  if (stat("/proc/self/ns/net", &st) != 0) return "needs network namespace support, and this kernel has none (/proc/self/ns/net is missing)";
  for (const char* p : {"ip", "iptables", "iptables-restore", "sysctl"})
    if (!have_program(p)) return fmt::format("needs the `{}` tool, which is not installed (Debian: iproute2, iptables, procps)", p);
  if (tracefs_root().empty()) return "needs tracefs for drop reasons, and it is neither mounted nor mountable at /sys/kernel/tracing";
  return "";
}

LiveSession::LiveSession(bool keep) : keep_(keep) {
  reaped = reap_stale();
  trace_ = std::make_unique<TraceInstance>(owner_tag(getpid()));
  if (keep_) trace_->keep();
}

LiveSession::~LiveSession() = default;

std::string LiveSession::trace_name() const { return trace_->path(); }

namespace {

void run_steps(const std::vector<Step>& steps, CaseOutcome& out) {
  for (const Step& s : steps) {
    ExecResult r = run(s.argv, s.input);
    if (r.ok()) continue;
    std::string e = r.err;
    while (!e.empty() && (e.back() == '\n' || e.back() == ' ')) e.pop_back();
    const std::string msg = fmt::format("`{}`{}: {}", argv_text(s.argv), s.input.empty() ? "" : " (stdin below)", e.empty() ? fmt::format("exit {}", r.status) : e);
    if (s.may_fail) out.warnings.push_back(msg);
    else {
      out.refused.push_back(msg + (s.input.empty() ? "" : "\n" + s.input));
    }
  }
}

}  // namespace

CaseOutcome LiveSession::run_case(const HostConfig& h, const Verdict& v, const Packet& pkt, const std::string& in_dev,
                                  const std::string& tag, const Expectation* expect) {
  CaseOutcome out;
  if (in_dev == "lo") throw Unsupported("cannot inject a packet on lo: the in-device must be a device a client can reach");
  if (const NetDevice* d = h.find_dev(in_dev); d && build_frame(pkt, Mac{}, Mac{}).size() > 14 + d->mtu)
    throw Unsupported(fmt::format("the packet ({} bytes) is larger than the MTU of {} ({}): a veth, like most NICs, does not deliver it; "
                                  "give {} a larger mtu in the config", build_frame(pkt, Mac{}, Mac{}).size() - 14, in_dev, d->mtu, in_dev));
  out.topo = plan_topology(h, in_dev, tag, getpid());
  const Topology& t = out.topo;
  Netns dut(t.dut), cli(t.cli), up(t.up);
  auto keep_all = [&] {
    if (!keep_) return;
    dut.keep();
    cli.keep();
    up.keep();
    out.kept = {t.dut, t.cli, t.up};
  };
  for (auto* ns : {&t.dut, &t.cli, &t.up}) run_steps(quiet_steps(*ns), out);
  run_steps(dut_steps(h, t), out);
  run_steps(peer_steps(h, t), out);
  if (!out.refused.empty()) {
    keep_all();
    return out;
  }
  const LinkInfo cli_li = link_info(t.cli, t.cli_dev);
  const LinkInfo dut_li = link_info(t.dut, t.in_dev);
  const std::vector<Neighbour> neigh = plan_neighbours(h, t, pkt, mac_text(cli_li.mac));
  run_steps(neighbour_steps(t, neigh), out);
  if (pkt.mark) run_steps(mark_steps(t, pkt.mark), out);
  std::map<std::string, Ipv4Addr> mac_to_ip;
  for (auto& n : neigh) mac_to_ip[n.mac] = n.addr;
  std::map<int, std::string> up_ifindex_to_dut;
  for (auto& d : t.devs)
    if (d.peer_ns == t.up) up_ifindex_to_dut[link_info(t.up, d.peer).ifindex] = d.name;

  LiveSockets socks(t.dut, h);
  for (auto& n : socks.notes) out.warnings.push_back(n);
  PacketSocket client(t.cli, t.cli_dev);
  PacketSocket upstream(t.up, "");
  sleep_ms(50);
  client.drain(Clock::now());
  upstream.drain(Clock::now());

  const std::vector<uint8_t> frame = build_frame(pkt, cli_li.mac, dut_li.mac);
  const Counters before = read_snmp(t.dut);
  trace_->start();
  client.send(frame);
  // Neighbours nobody could predict (a DNAT target, ...) are answered as they are asked for,
  // each address with its own made-up MAC, so the frame leaves and its MAC names the next hop.
  std::map<Ipv4Addr, Mac> arp_macs;
  int arp_n = 0;
  auto responder = [&](size_t i, const Captured& c) {
    auto target = arp_request_target(c.data);
    if (!target || *target == pkt.saddr) return;
    auto it = arp_macs.find(*target);
    if (it == arp_macs.end()) {
      ++arp_n;
      it = arp_macs.emplace(*target, Mac{0x02, 0x6b, 0x70, 0xff, static_cast<uint8_t>(arp_n >> 8), static_cast<uint8_t>(arp_n)}).first;
      mac_to_ip[mac_text(it->second)] = *target;
    }
    (i == 0 ? client : upstream).send(arp_reply(c.data, it->second), c.ifindex);
    out.obs.notes.push_back(fmt::format("answered the DUT's ARP request for {} with {}", *target, mac_text(it->second)));
  };
  std::vector<std::vector<Captured>> caught;
  capture({&client, &upstream}, Clock::now() + std::chrono::milliseconds(500), caught, responder);
  const std::vector<TraceEvent> events = parse_trace(trace_->stop());
  const Counters after = read_snmp(t.dut);

  Observation& o = out.obs;
  o.counters = counter_delta(before, after);
  o.skb = follow_skb(events, t.cli_dev, t.in_dev, dut_li.ifindex, pkt);
  for (auto& c : caught[0]) o.frames.push_back(SeenFrame{t.in_dev, true, decode_frame(c.data.data(), c.data.size())});
  for (auto& c : caught[1]) {
    auto it = up_ifindex_to_dut.find(c.ifindex);
    o.frames.push_back(SeenFrame{it == up_ifindex_to_dut.end() ? fmt::format("upstream if{}", c.ifindex) : it->second, false,
                                 decode_frame(c.data.data(), c.data.size())});
  }
  classify_frames(o, pkt, mac_to_ip);
  // Which socket got it: a UDP datagram waits in its queue; a TCP SYN becomes a connection to
  // accept() once the handshake completes, so kpath sends the ACK (after all measurements).
  if (o.reply == "syn-ack" && o.synack_seq && !h.socks.empty()) {
    client.send(build_ack(pkt, cli_li.mac, dut_li.mac, *o.synack_seq));
    if (auto hit = socks.which_received(500)) { o.socket = hit->index; o.socket_detail = hit->detail; }
  } else if (!h.socks.empty()) {
    if (auto hit = socks.which_received(50)) { o.socket = hit->index; o.socket_detail = hit->detail; }
  }
  settle_disposition(o);
  // A TCP segment that reached a socket without completing a handshake (a SYN whose SYN-ACK
  // could not be sent, an ACK or RST to a listener) cannot be traced back to one of ours.
  o.socket_unknown = !o.socket && pkt.protocol == IPPROTO_TCP_ && o.reply != "syn-ack" && !h.socks.empty() &&
                     (o.disposition == "deliver" || (o.disposition == "drop" && o.skb.rx_sk));
  if (!o.skb.received) o.notes.push_back("the trace shows no netif_receive_skb of the injected frame on the in-device");
  out.cmp = compare(v, o, h, expect);
  keep_all();
  return out;
}

}  // namespace kpath::live
