// ip/ipnetns.c: named network namespaces are hosts of the ConfigSet.
#include <fmt/format.h>
#include <algorithm>
#include "sim/config/ip/ip_common.hpp"

namespace kpath::ip {

namespace {

// NETNS_RUN_DIR of Debian's iproute2 6.1
constexpr std::string_view kRunDir = "/run/netns";

bool invalid_name(std::string_view n) { return n.empty() || n.find('/') != std::string_view::npos || n == "." || n == ".."; }

void netns_add(Ctx& c, Args& a, const Word& cmdw) {
  if (a.done()) fail(cmdw.loc, "No netns name specified");
  const Word& n = a.w();
  if (c.set.find_host(n.text))
    fail(n.loc, fmt::format("Cannot create namespace file \"{}/{}\": File exists", kRunDir, n.text));
  a.next();
  if (!a.done()) fail(a.w().loc, fmt::format("Garbage instead of arguments \"{} ...\"; `ip netns add` takes one name", a.s()));
  // set.hosts may reallocate: nothing below may use a HostConfig reference taken before.
  c.set.hosts.push_back(HostConfig::fresh_netns(n.text));
  c.host = nullptr;
}

void netns_del(Ctx& c, Args& a, const Word& cmdw) {
  if (a.done()) fail(cmdw.loc, "No netns name specified");
  const Word& n = a.w();
  HostConfig* h = c.set.find_host(n.text);
  if (!h) fail(n.loc, fmt::format("Cannot remove namespace file \"{}/{}\": No such file or directory", kRunDir, n.text));
  if (h == &c.set.hosts.front()) fail(n.loc, "ip netns del: the script's own host is not a named namespace");
  // cleanup_net: the namespace's devices go; a veth end elsewhere goes with its peer
  Ctx sub{c.set, h, c.cmd, c.notes, c.exec, c.inet4_only};
  unregister_all(sub, *h);
  const std::string name = h->name;
  std::erase_if(c.set.links, [&](const TopologyLink& l) { return l.host_a == name || l.host_b == name; });
  for (HostConfig& o : c.set.hosts)
    for (kernel::NetDevice& d : o.devices)
      if (d.kind == kernel::DevKind::veth && d.peer_netns == name) d.peer.clear();
  std::erase_if(c.set.hosts, [&](const HostConfig& x) { return x.name == name && &x != &c.set.hosts.front(); });
  c.host = nullptr;
}

void netns_exec(Ctx& c, Args& a, const Word& cmdw) {
  if (a.done()) fail(cmdw.loc, "No netns name specified");
  const Word& n = a.w();
  HostConfig* h = c.set.find_host(n.text);
  if (!h || n.text.empty())
    fail(n.loc, fmt::format("Cannot open network namespace \"{}\": No such file or directory; expected a namespace created earlier with "
                            "`ip netns add {}`", n.text, n.text));
  a.next();
  if (a.done()) fail(n.loc, "No command specified");
  std::vector<Word> argv(a.words().begin() + static_cast<std::ptrdiff_t>(a.pos()), a.words().end());
  if (!c.exec) fail(cmdw.loc, "ip netns exec: no command runner");
  c.exec(*h, std::move(argv), c.cmd);
}

}  // namespace

void do_netns(Ctx& c, Args a) {
  if (a.done()) { c.note(a.last().loc, "ip netns (list): listing commands have no effect; ignored"); return; }
  const Word& cmdw = a.w();
  const std::string& s = cmdw.text;
  a.next();
  if (!a.done() && invalid_name(a.s())) fail(a.w().loc, fmt::format("Invalid netns name \"{}\"", a.s()));
  if (matches(s, "list") || matches(s, "show") || matches(s, "lst") || matches(s, "list-id") || matches(s, "identify") ||
      matches(s, "pids") || matches(s, "monitor")) {
    c.note(cmdw.loc, fmt::format("ip netns {}: listing commands have no effect; ignored", s));
    return;
  }
  if (matches(s, "help")) fail(cmdw.loc, "Usage: ip netns add|delete|exec NAME ...");
  if (matches(s, "add")) return netns_add(c, a, cmdw);
  if (matches(s, "set")) {
    c.note(cmdw.loc, "ip netns set: namespace ids are not modelled; ignored");
    return;
  }
  if (matches(s, "delete")) return netns_del(c, a, cmdw);
  if (matches(s, "exec")) return netns_exec(c, a, cmdw);
  if (matches(s, "attach")) not_modelled(cmdw.loc, "ip netns attach (naming a process's namespace)");
  fail(cmdw.loc, fmt::format("Command \"{}\" is unknown, try \"ip netns help\".; expected add, delete, exec or list", s));
}

}  // namespace kpath::ip
