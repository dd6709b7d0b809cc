#include "sim/config/host_config.hpp"

namespace kpath {

using namespace kernel;

static NetDevice make_lo(bool up) {
  NetDevice lo;
  lo.ifindex = 1;
  lo.name = "lo";
  lo.kind = DevKind::loopback;
  lo.mtu = 65536;
  lo.up = up;
  lo.conf = DevConf::dflt_defaults();
  if (up) {
    // devinet.c inetdev_event(NETDEV_UP): loopback gets 127.0.0.1/8, scope host
    InIfaddr a;
    a.local = Ipv4Addr{0x7f000001};
    a.prefixlen = 8;
    a.scope = RT_SCOPE_HOST;
    a.label = "lo";
    lo.addrs.push_back(a);
  }
  return lo;
}

HostConfig HostConfig::running_host() {
  HostConfig h;
  h.devices.push_back(make_lo(true));
  return h;
}

HostConfig HostConfig::fresh_netns(std::string name) {
  HostConfig h;
  h.name = std::move(name);
  h.devices.push_back(make_lo(false));
  return h;
}

NetDevice* HostConfig::find_dev(std::string_view name) {
  for (auto& d : devices) if (d.name == name) return &d;
  return nullptr;
}
const NetDevice* HostConfig::find_dev(std::string_view name) const {
  for (auto& d : devices) if (d.name == name) return &d;
  return nullptr;
}
NetDevice* HostConfig::find_dev(int ifindex) {
  for (auto& d : devices) if (d.ifindex == ifindex) return &d;
  return nullptr;
}

HostConfig* ConfigSet::find_host(std::string_view name) {
  for (auto& h : hosts) if (h.name == name) return &h;
  return nullptr;
}

}  // namespace kpath
