// kpath live CONFIG... (--packet SPEC | --expect FILE) [--keep]: kpath's prediction against the
// real kernel, in namespaces kpath creates and removes (sim/live/).
#include <unistd.h>
#include <fmt/format.h>
#include "sim/cli/commands.hpp"
#include "sim/cli/load.hpp"
#include "sim/engine/explain.hpp"
#include "sim/engine/packet_spec.hpp"
#include <fstream>
#include <sstream>
#include "sim/check/expect.hpp"
#include "sim/config/compile.hpp"
#include "sim/live/interrupt.hpp"
#include "sim/live/live.hpp"
#include "sim/live/netns.hpp"
#include "sim/live/sockets.hpp"

namespace kpath {

namespace {

struct LiveCase {
  std::string name;
  std::string spec;
  const Expectation* expect = nullptr;
  const HostConfig* host = nullptr;
  const kernel::Net* net = nullptr;
  kernel::Packet pkt;
  Explanation e;
};

void print_outcome(const live::CaseOutcome& r, const std::string& packet_text, const std::string& name, bool with_expect, bool first) {
  if (!first) fmt::print("\n");
  if (!name.empty()) fmt::print("case     {}\n", name);
  fmt::print("packet   {}\n", packet_text);
  fmt::print("netns    {} (device under test), {} (client), {} (upstream)\n", r.topo.dut, r.topo.cli, r.topo.up);
  if (first) {
    const auto lines = r.topo.describe();
    for (size_t i = 0; i < lines.size(); ++i) fmt::print("{}{}\n", i ? "         " : "devices  ", lines[i]);
  }
  for (auto& w : r.warnings) fmt::print("warning  {}\n", w);
  if (!r.refused.empty()) {
    for (auto& e : r.refused) fmt::print("refused  the kernel refused a command kpath accepted: {}\n", e);
    fmt::print("result   DISAGREE: the kernel refused the configuration\n");
    return;
  }
  fmt::print("{}", live::render_comparison(r.cmp, with_expect));
  const live::Observation& o = r.obs;
  for (size_t i = 0; i < o.skb.lines.size(); ++i) fmt::print("{}{}\n", i ? "         " : "trace    ", o.skb.lines[i]);
  bool any = false;
  for (auto& f : o.frames) {
    if (!f.d.ipv4) continue;
    fmt::print("{}{} {}\n", any ? "         " : "frames   ", f.client ? "client got" : fmt::format("left by {}:", f.where), f.d.text);
    any = true;
  }
  if (!o.socket_detail.empty()) fmt::print("socket   {}\n", o.socket_detail);
  for (auto& n : o.notes) fmt::print("note     {}\n", n);
  const int d = r.cmp.disagreements(), x = r.cmp.expect_failures();
  if (d == 0 && x == 0) fmt::print("result   AGREE: kpath and the kernel agree on every observable field\n");
  else {
    std::string s;
    if (d) s += fmt::format("{} field{} where kpath and the kernel differ", d, d == 1 ? "" : "s");
    if (x) s += fmt::format("{}{} expectation{} the kernel does not meet", s.empty() ? "" : "; ", x, x == 1 ? "" : "s");
    fmt::print("result   DISAGREE: {}\n", s);
  }
  if (!r.kept.empty())
    fmt::print("kept     {} (remove with `ip netns del NAME`)\n", fmt::join(r.kept, " "));
}

}  // namespace

int cmd_live(const CliArgs& a, FileTable& files) {
  if (a.configs.empty()) throw ConfigError({}, "live needs at least one CONFIG file");
  if (!a.opt("--fuzz").empty()) throw ConfigError({}, "kpath live --fuzz is not implemented yet; use --packet SPEC or --expect FILE");
  const std::string expect_path = a.opt("--expect");
  if (a.packet.empty() == expect_path.empty())
    throw ConfigError({}, "live needs exactly one of --packet SPEC or --expect FILE, e.g. --packet \"tcp 10.0.0.1:40000 -> 1.2.3.4:80 iif eth0 syn\"");
  for (auto& r : a.rest)
    if (r != "--keep") throw ConfigError({}, fmt::format("unknown option \"{}\" for live; expected --packet, --expect, --keep, --set, --host", r));
  const bool keep = a.flag("--keep");

  // Everything that can be wrong with the input is reported first (exit 2), without root.
  Loaded l = load_and_compile(a, files);
  const HostConfig* dflt = a.host.empty() ? &l.set.hosts[0] : l.set.find_host(a.host);
  std::vector<ExpectCase> expect_cases;
  std::map<std::string, kernel::Net> other_nets;  // hosts named by expectation cases
  std::vector<LiveCase> cases;
  if (!expect_path.empty()) {
    std::ifstream in(expect_path);
    if (!in) throw ConfigError({}, fmt::format("{}: cannot open expectations file", expect_path));
    std::stringstream ss;
    ss << in.rdbuf();
    expect_cases = parse_expect_json(ss.str(), files.add(expect_path, ss.str()));
    for (auto& c : expect_cases) {
      LiveCase lc{c.name, c.packet, &c.expect, dflt, &l.net, {}, {}};
      if (c.host_given && c.host != dflt->name) {
        lc.host = l.set.find_host(c.host);
        if (!lc.host) throw ConfigError(c.host_loc, fmt::format("no network namespace \"{}\" in the config", c.host));
        if (!other_nets.count(c.host)) other_nets.emplace(c.host, compile(*lc.host, profile_for(a.kernel)));
        lc.net = &other_nets.at(c.host);
      }
      cases.push_back(std::move(lc));
    }
  } else {
    cases.push_back({"", a.packet, nullptr, dflt, &l.net, {}, {}});
  }
  PathGraph g;
  for (auto& c : cases) {
    const uint32_t fid = files.add(expect_path.empty() ? "<packet>" : expect_path + ": " + c.name, c.spec);
    c.pkt = parse_packet_spec(c.spec, *c.net, fid);
    c.e = explain_packet(*c.net, g, c.pkt);
  }

  if (std::string why = live::environment_problem(); !why.empty()) {
    fmt::print(stderr, "kpath live: {}\n", why);
    return EXIT_ENV;
  }

  if (!a.kernel.empty())
    fmt::print(stderr, "kpath live: note: --kernel {} predicts another kernel version; the kernel observed is the running one\n", a.kernel);
  live::SignalScope signals;
  int failed = 0;
  try {
    live::LiveSession session(keep);
    for (auto& r : session.reaped) fmt::print(stderr, "kpath: removed {} (left by a kpath live that was killed)\n", r);
    for (size_t i = 0; i < cases.size(); ++i) {
      const std::string tag = cases.size() == 1 ? live::owner_tag(getpid()) : fmt::format("{}-c{}", live::owner_tag(getpid()), i + 1);
      const LiveCase& c = cases[i];
      live::CaseOutcome r = session.run_case(*c.host, c.e.verdict, c.pkt, std::string(c.net->dev_name(c.pkt.iif)), tag, c.expect);
      print_outcome(r, c.e.packet_text, cases.size() > 1 ? fmt::format("{}/{}  {}", i + 1, cases.size(), c.name) : "", c.expect != nullptr,
                    i == 0);
      failed += !r.ok();
      std::fflush(stdout);
    }
    if (keep) fmt::print("kept     trace instance {}\n", session.trace_name());
    if (cases.size() > 1) fmt::print("\nsummary  {} cases: {} agree, {} disagree\n", cases.size(), cases.size() - failed, failed);
  } catch (const live::Interrupted& e) {
    // The guards have removed everything on the way here; die of the signal as the caller expects.
    fmt::print(stderr, "kpath: interrupted (signal {}); removed the namespaces and the trace instance\n", e.sig);
    std::fflush(stdout);
    live::reraise(e.sig);
  } catch (const live::Unsupported& e) {
    fmt::print(stderr, "kpath live: {}\n", e.what());
    return EXIT_ENV;
  } catch (const ConfigError&) {
    throw;
  } catch (const std::exception& e) {
    fmt::print(stderr, "kpath live: {}\n", e.what());
    return EXIT_ENV;
  }
  if (int sig = live::pending_signal()) live::reraise(sig);
  return failed ? EXIT_EXPECT_FAILED : EXIT_OK;
}

}  // namespace kpath
