#include "sim/config/sysctl.hpp"
#include <fmt/format.h>

namespace kpath {

using namespace kernel;

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

int32_t parse_value(const std::string& v, SourceLoc loc, const std::string& key) {
  std::string s = v;
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  s = s.substr(i);
  char* end = nullptr;
  long x = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || *end) throw ConfigError(loc, fmt::format("sysctl: setting key \"{}\": Invalid argument; expected an integer, got \"{}\"", key, v));
  return static_cast<int32_t>(x);
}

// inet_forward_change (net/ipv4/devinet.c)
void inet_forward_change(HostConfig& h, int32_t on, SourceLoc loc) {
  h.conf_all.set(DevConfKey::forwarding, on, loc);
  h.conf_all.set(DevConfKey::accept_redirects, !on, loc);
  h.conf_dflt.set(DevConfKey::forwarding, on, loc);
  for (auto& d : h.devices) {
    // the kernel writes each device's forwarding directly (and disables LRO when on)
    d.conf.v[static_cast<size_t>(DevConfKey::forwarding)] = on;
    d.conf.origin[static_cast<size_t>(DevConfKey::forwarding)] = loc;
  }
  h.ip_forward_origin = loc;
}

// Keys real scripts set that the IPv4 receive path does not read: accepted with a note.
bool unmodelled_prefix(std::string_view k) {
  for (std::string_view p : {"net.ipv6.", "net.core.", "net.bridge.", "net.netfilter.", "net.unix.", "vm.", "fs.", "kernel.", "net.ipv4.tcp_",
                             "net.ipv4.udp_", "net.ipv4.ip_local_port_range", "net.ipv4.ip_local_reserved_ports", "net.ipv4.neigh.",
                             "net.ipv4.route.", "net.ipv4.igmp", "net.ipv4.ipfrag_", "net.ipv4.ip_default_ttl", "net.ipv4.ping_group_range",
                             "net.ipv4.ip_no_pmtu_disc", "net.ipv4.icmp_ignore_bogus_error_responses", "net.ipv4.icmp_msgs_",
                             "net.ipv4.ip_dynaddr", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.fib_multipath_use_neigh",
                             "net.ipv4.fib_multipath_hash_fields", "net.ipv4.fib_notify_on_flag_change", "net.ipv4.nexthop_compat_mode",
                             "net.ipv4.raw_l3mdev_accept", "net.ipv4.fwmark_reflect_", "net.ipv4.ip_autobind_reuse", "net.ipv4.inet_peer_"})
    if (starts_with(k, p)) return true;
  return false;
}

}  // namespace

void sysctl_write(HostConfig& h, std::string key, const std::string& value, SourceLoc key_loc, SourceLoc value_loc,
                  std::vector<Diagnostic>& notes) {
  for (char& c : key) if (c == '/') c = '.';
  if (starts_with(key, "proc.sys.")) key = key.substr(9);
  const std::string path = "/proc/sys/" + [&] { std::string p = key; for (char& c : p) if (c == '.') c = '/'; return p; }();
  auto cannot_stat = [&](std::string why) {
    return ConfigError(key_loc, fmt::format("sysctl: cannot stat {}: No such file or directory ({})", path, why));
  };
  if (key == "net.ipv4.ip_forward") {
    inet_forward_change(h, parse_value(value, value_loc, key) != 0, key_loc);
    return;
  }
  if (starts_with(key, "net.ipv4.conf.")) {
    const std::string rest = key.substr(14);
    const auto dot = rest.rfind('.');
    if (dot == std::string::npos) throw cannot_stat("expected net.ipv4.conf.{all,default,DEVICE}.KNOB");
    const std::string dev = rest.substr(0, dot), knob = rest.substr(dot + 1);
    const auto k = devconf_key(knob);
    if (!k) throw cannot_stat(fmt::format("\"{}\" is not an IPv4 device knob", knob));
    const int32_t v = parse_value(value, value_loc, key);
    if (dev == "all") {
      if (*k == DevConfKey::forwarding) { inet_forward_change(h, v != 0, key_loc); return; }
      h.conf_all.set(*k, v, key_loc);
    } else if (dev == "default") {
      h.conf_dflt.set(*k, v, key_loc);
      // devinet_copy_dflt_conf: devices that never wrote this knob follow default
      for (auto& d : h.devices) {
        const auto i = static_cast<size_t>(*k);
        if (!d.conf.state[i]) { d.conf.v[i] = v; d.conf.origin[i] = key_loc; }
      }
    } else {
      NetDevice* d = h.find_dev(dev);
      if (!d) throw cannot_stat(fmt::format("no device \"{}\" at this point of the script", dev));
      d->conf.set(*k, v, key_loc);
    }
    if (kDevConfPolicies[static_cast<size_t>(*k)] == ConfPolicy::Unmodelled)
      notes.push_back({Diagnostic::Severity::note, key_loc, fmt::format("{} is accepted but does not affect the IPv4 receive path kpath models", key)});
    return;
  }
  if (starts_with(key, "net.ipv4.")) {
    if (auto k = net_sysctl_key(key.substr(9))) {
      h.sysctl.set(*k, parse_value(value, value_loc, key), key_loc);
      return;
    }
  }
  if (unmodelled_prefix(key)) {
    notes.push_back({Diagnostic::Severity::note, key_loc, fmt::format("{} is not modelled (it does not change the IPv4 receive path); ignored", key)});
    return;
  }
  throw cannot_stat("kpath knows no such key");
}

void sysctl_command(HostConfig& h, const std::vector<Word>& argv, const Command& cmd, std::vector<Diagnostic>& notes) {
  // sysctl [-w] [-q] [-e] key=value ... ; "-w key = value" with spaces is also accepted by procps
  for (size_t i = 0; i < argv.size(); ++i) {
    const Word& w = argv[i];
    if (w.text == "-w" || w.text == "-q" || w.text == "-e" || w.text == "--write" || w.text == "--quiet" || w.text == "-qw" || w.text == "-wq") continue;
    if (w.text == "-p" || w.text == "--load" || w.text == "--system")
      throw ConfigError(w.loc, "sysctl -p/--system reads files on the host; kpath cannot see them: write the keys with sysctl -w KEY=VALUE instead");
    if (!w.text.empty() && w.text[0] == '-') throw ConfigError(w.loc, fmt::format("sysctl: unknown option \"{}\"; expected -w, -q, -e or KEY=VALUE", w.text));
    auto eq = w.text.find('=');
    if (eq == std::string::npos) {
      if (i + 2 < argv.size() && argv[i + 1].text == "=") {
        sysctl_write(h, w.text, argv[i + 2].text, w.loc, argv[i + 2].loc, notes);
        i += 2;
        continue;
      }
      notes.push_back({Diagnostic::Severity::note, w.loc, fmt::format("sysctl {} only reads a value; ignored", w.text)});
      continue;
    }
    SourceLoc vloc = w.loc;
    vloc.col += static_cast<uint32_t>(eq + 1);
    sysctl_write(h, w.text.substr(0, eq), w.text.substr(eq + 1), w.loc, vloc, notes);
  }
  (void)cmd;
}

}  // namespace kpath
