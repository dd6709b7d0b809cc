#include <catch2/catch.hpp>
#include "sim/engine/packet_spec.hpp"

using namespace kpath;
using namespace kpath::kernel;

namespace {
Net two_devs() {
  Net n;
  NetDevice lo; lo.ifindex = 1; lo.name = "lo"; lo.kind = DevKind::loopback;
  NetDevice e; e.ifindex = 2; e.name = "eth0";
  NetDevice f; f.ifindex = 3; f.name = "eth1";
  n.devices = {lo, e, f};
  n.reindex();
  return n;
}
}  // namespace

TEST_CASE("packet spec: tcp with flags and options", "[packet_spec]") {
  Net n = two_devs();
  Packet p = parse_packet_spec("tcp 10.0.0.1:40000 -> 1.2.3.4:80 iif eth1 syn ack ttl 3 tos 0x10 mark 0x1 df len 100", n, 1);
  CHECK(p.protocol == 6);
  CHECK(p.saddr == *parse_ipv4("10.0.0.1"));
  CHECK(p.dport == 80);
  CHECK(p.iif == 3);
  CHECK(p.tcp_flags == (TCPHDR_SYN | TCPHDR_ACK));
  CHECK(p.ttl == 3);
  CHECK(p.tos == 0x10);
  CHECK(p.mark == 1);
  CHECK((p.frag_off & IP_DF));
  CHECK(p.computed_tot_len() == 100);
  CHECK(packet_to_string(p, n) == "10.0.0.1:40000->1.2.3.4:80(tcp:SYN|ACK) iif eth1");
}

TEST_CASE("packet spec: defaults and icmp", "[packet_spec]") {
  Net n = two_devs();
  Packet p = parse_packet_spec("tcp 10.0.0.1:1 -> 1.2.3.4:2 iif eth0", n, 1);
  CHECK(p.tcp_flags == TCPHDR_SYN);
  Packet i = parse_packet_spec("icmp 10.0.0.1 -> 1.2.3.4 iif eth0 type 0 code 0", n, 1);
  CHECK(i.protocol == 1);
  CHECK(i.icmp_type == 0);
}

TEST_CASE("packet spec: errors name the column and what was expected", "[packet_spec]") {
  Net n = two_devs();
  auto col_of = [&](const std::string& s) {
    try { parse_packet_spec(s, n, 7); } catch (const ConfigError& e) { CHECK(e.loc().file_id == 7); return e.loc().col; }
    FAIL("no error for " << s);
    return 0u;
  };
  CHECK(col_of("tcp 10.0.0.1:1 => 1.2.3.4:2 iif eth0") == 16);
  CHECK(col_of("sctp 10.0.0.1:1 -> 1.2.3.4:2") == 1);
  CHECK(col_of("tcp 10.0.0.1 -> 1.2.3.4:2 iif eth0") == 5);
  CHECK(col_of("tcp 10.0.0.1:1 -> 1.2.3.4:99999 iif eth0") == 27);
  CHECK(col_of("tcp 10.0.0.1:1 -> 1.2.3.4:2 iif eth9") == 33);
  CHECK(col_of("tcp 10.0.0.1:1 -> 1.2.3.4:2 iif eth0 bogus") == 38);
  CHECK(col_of("tcp 10.0.0.1:1 -> 1.2.3.4:2") == 28);  // two devices: iif required
}
