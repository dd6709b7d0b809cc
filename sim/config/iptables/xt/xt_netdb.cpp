// The name databases iptables consults through libc (getservbyname, getprotobyname,
// getnetbyname, /etc/hosts), frozen from Debian 12's netbase so kpath reads a script the same
// way on every machine. Only names below port 1024 and a few common higher ones are kept.
#include <algorithm>
#include <array>
#include "sim/config/iptables/xt/xt_registry.hpp"

namespace kpath::xt {
namespace {

struct Service { std::string_view name; uint16_t port; bool tcp, udp; };
// /etc/services (netbase 6.4): name or alias, port, listed for tcp, listed for udp.
constexpr Service kServices[] = {
    {"tcpmux", 1, true, false}, {"echo", 7, true, true}, {"discard", 9, true, true}, {"sink", 9, true, true},
    {"null", 9, true, true}, {"systat", 11, true, false}, {"users", 11, true, false}, {"daytime", 13, true, true},
    {"netstat", 15, true, false}, {"qotd", 17, true, false}, {"quote", 17, true, false}, {"chargen", 19, true, true},
    {"ttytst", 19, true, true}, {"source", 19, true, true}, {"ftp-data", 20, true, false}, {"ftp", 21, true, false},
    {"fsp", 21, false, true}, {"fspd", 21, false, true}, {"ssh", 22, true, false}, {"telnet", 23, true, false},
    {"smtp", 25, true, false}, {"mail", 25, true, false}, {"time", 37, true, true}, {"timserver", 37, true, true},
    {"whois", 43, true, false}, {"nicname", 43, true, false}, {"tacacs", 49, true, true}, {"domain", 53, true, true},
    {"bootps", 67, false, true}, {"bootpc", 68, false, true}, {"tftp", 69, false, true}, {"gopher", 70, true, false},
    {"finger", 79, true, false}, {"http", 80, true, false}, {"www", 80, true, false}, {"kerberos", 88, true, true},
    {"kerberos5", 88, true, true}, {"krb5", 88, true, true}, {"kerberos-sec", 88, true, true},
    {"iso-tsap", 102, true, false}, {"tsap", 102, true, false}, {"acr-nema", 104, true, false},
    {"dicom", 104, true, false}, {"pop3", 110, true, false}, {"pop-3", 110, true, false}, {"sunrpc", 111, true, true},
    {"portmapper", 111, true, true}, {"auth", 113, true, false}, {"authentication", 113, true, false},
    {"tap", 113, true, false}, {"ident", 113, true, false}, {"nntp", 119, true, false}, {"readnews", 119, true, false},
    {"untp", 119, true, false}, {"ntp", 123, false, true}, {"epmap", 135, true, false}, {"loc-srv", 135, true, false},
    {"netbios-ns", 137, false, true}, {"netbios-dgm", 138, false, true}, {"netbios-ssn", 139, true, false},
    {"imap2", 143, true, false}, {"imap", 143, true, false}, {"snmp", 161, true, true}, {"snmp-trap", 162, true, true},
    {"snmptrap", 162, true, true}, {"cmip-man", 163, true, true}, {"cmip-agent", 164, true, true},
    {"mailq", 174, true, false}, {"xdmcp", 177, false, true}, {"bgp", 179, true, false}, {"smux", 199, true, false},
    {"qmtp", 209, true, false}, {"z3950", 210, true, false}, {"wais", 210, true, false}, {"ipx", 213, false, true},
    {"ptp-event", 319, false, true}, {"ptp-general", 320, false, true}, {"pawserv", 345, true, false},
    {"zserv", 346, true, false}, {"rpc2portmap", 369, true, true}, {"codaauth2", 370, true, true},
    {"clearcase", 371, false, true}, {"Clearcase", 371, false, true}, {"ldap", 389, true, true},
    {"svrloc", 427, true, true}, {"https", 443, true, true}, {"snpp", 444, true, false},
    {"microsoft-ds", 445, true, false}, {"kpasswd", 464, true, true}, {"submissions", 465, true, false},
    {"ssmtp", 465, true, false}, {"smtps", 465, true, false}, {"urd", 465, true, false}, {"saft", 487, true, false},
    {"isakmp", 500, false, true}, {"rtsp", 554, true, true}, {"nqs", 607, true, false}, {"asf-rmcp", 623, false, true},
    {"qmqp", 628, true, false}, {"ipp", 631, true, false}, {"ldp", 646, true, true}, {"exec", 512, true, false},
    {"biff", 512, false, true}, {"comsat", 512, false, true}, {"login", 513, true, false}, {"who", 513, false, true},
    {"whod", 513, false, true}, {"shell", 514, true, false}, {"cmd", 514, true, false}, {"syslog", 514, true, true},
    {"printer", 515, true, false}, {"spooler", 515, true, false}, {"talk", 517, false, true},
    {"ntalk", 518, false, true}, {"route", 520, false, true}, {"router", 520, false, true}, {"routed", 520, false, true},
    {"gdomap", 538, true, true}, {"uucp", 540, true, false}, {"uucpd", 540, true, false}, {"klogin", 543, true, false},
    {"kshell", 544, true, false}, {"krcmd", 544, true, false}, {"dhcpv6-client", 546, false, true},
    {"dhcpv6-server", 547, false, true}, {"afpovertcp", 548, true, false}, {"nntps", 563, true, false},
    {"snntp", 563, true, false}, {"submission", 587, true, false}, {"ldaps", 636, true, true}, {"tinc", 655, true, true},
    {"silc", 706, true, false}, {"kerberos-adm", 749, true, false}, {"domain-s", 853, true, true},
    {"rsync", 873, true, false}, {"ftps-data", 989, true, false}, {"ftps", 990, true, false},
    {"telnets", 992, true, false}, {"imaps", 993, true, false}, {"pop3s", 995, true, false},
    {"openvpn", 1194, true, true}, {"ms-sql-s", 1433, true, false}, {"ms-sql-m", 1434, false, true},
    {"nfs", 2049, true, true}, {"mysql", 3306, true, false}, {"svn", 3690, true, false},
    {"ipsec-nat-t", 4500, false, true}, {"sip", 5060, true, true}, {"sip-tls", 5061, true, true},
    {"xmpp-client", 5222, true, false}, {"xmpp-server", 5269, true, false}, {"mdns", 5353, false, true},
    {"postgresql", 5432, true, false}, {"postgres", 5432, true, false}, {"amqp", 5672, true, false},
    {"x11", 6000, true, false}, {"redis", 6379, true, false}, {"http-alt", 8080, true, false},
    {"webcache", 8080, true, false}, {"rtmp", 1, false, false}, {"nbp", 2, false, false}, {"zip", 6, false, false},
    {"kerberos4", 750, true, true}, {"kerberos-iv", 750, true, true}, {"kdc", 750, true, true},
    {"kerberos-master", 751, true, true}, {"kerberos_master", 751, false, true}, {"passwd-server", 752, false, true},
    {"passwd_server", 752, false, true}, {"krb-prop", 754, true, false}, {"krb_prop", 754, true, false},
    {"krb5_prop", 754, true, false}, {"hprop", 754, true, false}, {"supfilesrv", 871, true, false},
    {"poppassd", 106, true, false}, {"moira-db", 775, true, false}, {"moira_db", 775, true, false},
    {"moira-update", 777, true, false}, {"moira_update", 777, true, false}, {"moira-ureg", 779, false, true},
    {"moira_ureg", 779, false, true}, {"spamd", 783, true, false}, {"git", 9418, true, false},
};

struct Proto { std::string_view name; uint8_t num; };
// /etc/protocols (netbase 6.4): official names and aliases.
constexpr Proto kProtocols[] = {
    {"ip", 0}, {"IP", 0},
    {"hopopt", 0}, {"HOPOPT", 0},
    {"icmp", 1}, {"ICMP", 1},
    {"igmp", 2}, {"IGMP", 2},
    {"ggp", 3}, {"GGP", 3},
    {"ipencap", 4}, {"IP-ENCAP", 4},
    {"st", 5}, {"ST", 5},
    {"tcp", 6}, {"TCP", 6},
    {"egp", 8}, {"EGP", 8},
    {"igp", 9}, {"IGP", 9},
    {"pup", 12}, {"PUP", 12},
    {"udp", 17}, {"UDP", 17},
    {"hmp", 20}, {"HMP", 20},
    {"xns-idp", 22}, {"XNS-IDP", 22},
    {"rdp", 27}, {"RDP", 27},
    {"iso-tp4", 29}, {"ISO-TP4", 29},
    {"dccp", 33}, {"DCCP", 33},
    {"xtp", 36}, {"XTP", 36},
    {"ddp", 37}, {"DDP", 37},
    {"idpr-cmtp", 38}, {"IDPR-CMTP", 38},
    {"ipv6", 41}, {"IPv6", 41},
    {"ipv6-route", 43}, {"IPv6-Route", 43},
    {"ipv6-frag", 44}, {"IPv6-Frag", 44},
    {"idrp", 45}, {"IDRP", 45},
    {"rsvp", 46}, {"RSVP", 46},
    {"gre", 47}, {"GRE", 47},
    {"esp", 50}, {"IPSEC-ESP", 50},
    {"ah", 51}, {"IPSEC-AH", 51},
    {"skip", 57}, {"SKIP", 57},
    {"ipv6-icmp", 58}, {"IPv6-ICMP", 58},
    {"ipv6-nonxt", 59}, {"IPv6-NoNxt", 59},
    {"ipv6-opts", 60}, {"IPv6-Opts", 60},
    {"rspf", 73}, {"RSPF", 73},
    {"vmtp", 81}, {"VMTP", 81},
    {"eigrp", 88}, {"EIGRP", 88},
    {"ospf", 89}, {"OSPFIGP", 89},
    {"ax.25", 93}, {"AX.25", 93},
    {"ipip", 94}, {"IPIP", 94},
    {"etherip", 97}, {"ETHERIP", 97},
    {"encap", 98}, {"ENCAP", 98},
    {"pim", 103}, {"PIM", 103},
    {"ipcomp", 108}, {"IPCOMP", 108},
    {"vrrp", 112}, {"VRRP", 112},
    {"l2tp", 115}, {"L2TP", 115},
    {"isis", 124}, {"ISIS", 124},
    {"sctp", 132}, {"SCTP", 132},
    {"fc", 133}, {"FC", 133},
    {"mobility-header", 135}, {"Mobility-Header", 135},
    {"udplite", 136}, {"UDPLite", 136},
    {"mpls-in-ip", 137}, {"MPLS-in-IP", 137},
    {"manet", 138},
    {"hip", 139}, {"HIP", 139},
    {"shim6", 140}, {"Shim6", 140},
    {"wesp", 141}, {"WESP", 141},
    {"rohc", 142}, {"ROHC", 142},
    {"ethernet", 143}, {"Ethernet", 143},
};

}  // namespace

std::optional<uint16_t> service_port(std::string_view name, std::string_view proto) {
  for (const Service& s : kServices) {
    if (s.name != name) continue;
    if (proto.empty() || (proto == "tcp" && s.tcp) || (proto == "udp" && s.udp)) return s.port;
  }
  return std::nullopt;
}

std::string service_examples() { return "http, https, domain, ssh, ntp"; }

std::optional<uint8_t> protocol_by_name(std::string_view name) {
  for (const Proto& p : kProtocols)
    if (p.name == name) return p.num;
  return std::nullopt;
}

std::optional<std::string_view> protocol_by_number(uint8_t num) {
  for (const Proto& p : kProtocols)
    if (p.num == num) return p.name;
  return std::nullopt;
}

std::optional<kernel::Ipv4Addr> resolve_local_name(std::string_view s, bool networks) {
  if (networks) {  // /etc/networks (getnetbyname)
    if (s == "default") return kernel::Ipv4Addr{0};
    if (s == "loopback") return kernel::Ipv4Addr{0x7f000000};
    if (s == "link-local") return kernel::Ipv4Addr{0xa9fe0000};
  }
  // /etc/hosts
  if (s == "localhost" || s == "localhost.localdomain") return kernel::Ipv4Addr{0x7f000001};
  return std::nullopt;
}

}  // namespace kpath::xt
