// What the kernel did with the injected packet, from three independent sources: the DUT's SNMP
// counters (/proc/net/snmp and /proc/net/netstat read inside the DUT, by header names, as nstat
// does), the trace instance (the injected skb followed by address from the client veth's
// net_dev_xmit to its netif_receive_skb on the in-device and on to kfree_skb / consume_skb /
// net_dev_xmit out of the DUT; the fib_table_lookup events of that same softirq), and the
// frames the sniffers caught (replies to the client, copies forwarded anywhere).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>
#include "models/skbuff.hpp"
#include "sim/live/frame.hpp"
#include "sim/live/tracefs.hpp"

namespace kpath::live {

using Counters = std::map<std::string, long long>;

// All counters of a namespace, named as nstat names them (Ip + InReceives = IpInReceives).
Counters read_snmp(const std::string& netns);
// after - before, without zero deltas, gauges (TcpCurrEstab, IpForwarding, ...) and the byte /
// ECN counters nobody predicts (IpExtInOctets, IpExtInNoECTPkts, ...).
Counters counter_delta(const Counters& before, const Counters& after);
bool ignored_counter(const std::string& name);

// The injected skb in the trace.
struct SkbTrace {
  bool sent = false;            // net_dev_xmit on the client's veth
  bool received = false;        // netif_receive_skb on the DUT's in-device
  std::string end;              // "kfree_skb", "consume_skb", "net_dev_xmit" or "" (still alive)
  std::string reason;           // kfree_skb reason
  std::string location;         // kfree_skb/consume_skb location ("ip_error+0x94/0x210")
  std::string egress_dev;       // net_dev_xmit device (left the DUT)
  bool rx_sk = false;           // kfree_skb names a receiving socket (it reached one)
  std::optional<uint32_t> table;  // fib_table_lookup of the input route: the table that answered
  int table_err = 0;
  std::vector<std::string> lines;  // the followed events, for the report
};
SkbTrace follow_skb(const std::vector<TraceEvent>& ev, const std::string& cli_dev, const std::string& in_dev, int in_ifindex,
                    const kernel::Packet& p);

// A frame one of the sniffers caught, decoded, with where it was seen.
struct SeenFrame {
  std::string where;   // the DUT device it left by (the in-device when the client saw it)
  bool client = false; // seen by the client's sniffer
  Decoded d;
};

struct Observation {
  SkbTrace skb;
  std::string disposition;                  // deliver | forward | drop | "" (not observed)
  Counters counters;
  std::optional<std::pair<int, int>> icmp;  // first ICMP error the DUT sent (a redirect only if nothing else)
  std::string reply;                        // syn-ack | rst | icmp | echo-reply | ""
  std::optional<uint32_t> synack_seq;       // to complete the handshake afterwards
  std::string egress_dev;
  std::optional<kernel::Ipv4Addr> via;
  std::optional<size_t> socket;             // HostConfig::socks index that received it
  std::string socket_detail;
  bool socket_unknown = false;              // delivered to TCP, but no handshake to find the socket by
  std::vector<SeenFrame> frames;
  std::vector<std::string> notes;
};

// Reply, ICMP, forwarded copies from the frames; `neigh_mac_to_ip` maps the made-up neighbour
// MACs back to next hops.
void classify_frames(Observation& o, const kernel::Packet& p, const std::map<std::string, kernel::Ipv4Addr>& neigh_mac_to_ip);
// Disposition from the skb trace, the frames and the sockets.
void settle_disposition(Observation& o);

}  // namespace kpath::live
