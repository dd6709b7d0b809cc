// Test helper: load a script from text, compile it, run one packet with the recording tracer.
#pragma once
#include <fstream>
#include <sstream>
#include <string>
#include "models/net.hpp"
#include "sim/config/compile.hpp"
#include "sim/config/script.hpp"
#include "sim/engine/explain.hpp"
#include "sim/engine/packet_spec.hpp"

namespace kpath::test {

struct Scenario {
  ConfigSet set;
  kernel::Net net;
  explicit Scenario(const std::string& script, const std::string& host = "", kernel::KernelProfile prof = {}) {
    LoadOptions opt;
    opt.use_environment = false;
    set.hosts.push_back(HostConfig::running_host());
    load_script_text(set, "test.sh", script, opt);
    const HostConfig* h = host.empty() ? &set.hosts[0] : set.find_host(host);
    net = compile(*h, prof);
  }
  Explanation run(const std::string& spec) const {
    FileTable f;
    kernel::Packet p = parse_packet_spec(spec, net, 99);
    PathGraph g;
    return explain_packet(net, g, p);
  }
};

inline uint32_t ctr(const Explanation& e, kernel::Snmp c) { return e.verdict.counters.get(c); }
// Sum of all counters (to assert "nothing else moved").
inline uint32_t ctr_total(const Explanation& e) {
  uint32_t s = 0;
  for (auto v : e.verdict.counters.v) s += v;
  return s;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace kpath::test
