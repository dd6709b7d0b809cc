// sysctl propagation rules (net/ipv4/devinet.c): inet_forward_change and devinet_copy_dflt_conf.
#include <catch2/catch.hpp>
#include "sim/config/sysctl.hpp"

using namespace kpath;
using namespace kpath::kernel;

namespace {
HostConfig host_with(std::initializer_list<const char*> devs) {
  HostConfig h = HostConfig::running_host();
  for (auto* n : devs) {
    NetDevice d;
    d.ifindex = h.next_ifindex++;
    d.name = n;
    d.conf = h.conf_dflt;
    d.conf.state = {};
    h.devices.push_back(d);
  }
  return h;
}
void w(HostConfig& h, const char* k, const char* v) {
  std::vector<Diagnostic> notes;
  sysctl_write(h, k, v, SourceLoc{1, 1, 1}, SourceLoc{1, 1, 5}, notes);
}
}  // namespace

TEST_CASE("sysctl: net.ipv4.ip_forward writes all, default and every existing device", "[sysctl]") {
  HostConfig h = host_with({"eth0", "eth1"});
  w(h, "net.ipv4.ip_forward", "1");
  CHECK(h.conf_all.get(DevConfKey::forwarding) == 1);
  CHECK(h.conf_dflt.get(DevConfKey::forwarding) == 1);
  CHECK(h.find_dev("eth0")->conf.get(DevConfKey::forwarding) == 1);
  CHECK(h.find_dev("lo")->conf.get(DevConfKey::forwarding) == 1);
  CHECK(h.conf_all.get(DevConfKey::accept_redirects) == 0);
  w(h, "net.ipv4.conf.eth1.forwarding", "0");
  CHECK(h.find_dev("eth1")->conf.get(DevConfKey::forwarding) == 0);
  CHECK(h.find_dev("eth0")->conf.get(DevConfKey::forwarding) == 1);
}

TEST_CASE("sysctl: conf.all.forwarding behaves like ip_forward; slashes and /proc paths", "[sysctl]") {
  HostConfig h = host_with({"eth0"});
  w(h, "net/ipv4/conf/all/forwarding", "1");
  CHECK(h.find_dev("eth0")->conf.get(DevConfKey::forwarding) == 1);
}

TEST_CASE("sysctl: conf.default reaches devices that did not set the knob themselves", "[sysctl]") {
  HostConfig h = host_with({"eth0", "eth1"});
  w(h, "net.ipv4.conf.eth0.rp_filter", "2");
  w(h, "net.ipv4.conf.default.rp_filter", "1");
  CHECK(h.find_dev("eth0")->conf.get(DevConfKey::rp_filter) == 2);
  CHECK(h.find_dev("eth1")->conf.get(DevConfKey::rp_filter) == 1);
}

TEST_CASE("sysctl: unknown keys and devices are errors, IPv6 and TCP knobs are notes", "[sysctl]") {
  HostConfig h = host_with({"eth0"});
  std::vector<Diagnostic> notes;
  CHECK_THROWS_AS(sysctl_write(h, "net.ipv4.conf.eth9.rp_filter", "1", {1, 2, 3}, {1, 2, 9}, notes), ConfigError);
  CHECK_THROWS_AS(sysctl_write(h, "net.ipv4.conf.eth0.rp_filtr", "1", {1, 2, 3}, {1, 2, 9}, notes), ConfigError);
  CHECK_THROWS_AS(sysctl_write(h, "net.ipv4.ip_forward", "yes", {1, 2, 3}, {1, 2, 9}, notes), ConfigError);
  sysctl_write(h, "net.ipv6.conf.all.forwarding", "1", {1, 2, 3}, {1, 2, 9}, notes);
  sysctl_write(h, "net.ipv4.tcp_syncookies", "1", {1, 2, 3}, {1, 2, 9}, notes);
  CHECK(notes.size() >= 1);
  try {
    sysctl_write(h, "net.ipv4.conf.eth9.rp_filter", "1", {1, 2, 3}, {1, 2, 9}, notes);
  } catch (const ConfigError& e) {
    CHECK(e.loc().col == 3);
    CHECK(std::string(e.what()).find("/proc/sys/net/ipv4/conf/eth9/rp_filter") != std::string::npos);
  }
}

TEST_CASE("sysctl: effective values follow the kernel's policies", "[sysctl][devinet]") {
  DevConf all = DevConf::all_defaults(), dev = DevConf::dflt_defaults();
  all.set(DevConfKey::rp_filter, 1, {});
  dev.set(DevConfKey::rp_filter, 2, {});
  CHECK(in_dev_conf(all, dev, DevConfKey::rp_filter).value == 2);    // MAXCONF
  dev.set(DevConfKey::rp_filter, 0, {});
  CHECK(in_dev_conf(all, dev, DevConfKey::rp_filter).value == 1);
  all.set(DevConfKey::forwarding, 1, {});
  CHECK(in_dev_conf(all, dev, DevConfKey::forwarding).value == 0);   // dev only
  all.set(DevConfKey::accept_local, 1, {});
  CHECK(in_dev_conf(all, dev, DevConfKey::accept_local).value == 1); // ORCONF
  CHECK(in_dev_conf(all, dev, DevConfKey::accept_source_route).value == 0);  // ANDCONF: all 0, default 1
}
