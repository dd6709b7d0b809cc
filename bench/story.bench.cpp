// BM_Story_*: the bundled story configs, random SYNs from 4096 flows, through the same model
// explain uses, with the NullTracer (packets/s via SetItemsProcessed).
#include <benchmark/benchmark.h>
#include <fstream>
#include <random>
#include <sstream>
#include "models/stages.hpp"
#include "sim/config/compile.hpp"
#include "sim/config/script.hpp"
#include "sim/engine/run.hpp"

using namespace kpath;

static kernel::Net load_story(const char* variant) {
  std::ifstream in(std::string(KPATH_SOURCE_DIR) + "/examples/tproxy-local-route/" + variant + ".sh");
  std::stringstream ss;
  ss << in.rdbuf();
  ConfigSet set;
  set.hosts.push_back(HostConfig::running_host());
  LoadOptions opt;
  opt.use_environment = false;
  load_script_text(set, variant, ss.str(), opt);
  return compile(set.hosts[0]);
}

static std::vector<kernel::Packet> flows(const kernel::Net& net, size_t n) {
  std::mt19937 rng(42);
  std::vector<kernel::Packet> v;
  const int iif = net.dev_by_name("veth-server")->ifindex;
  for (size_t i = 0; i < n; ++i) {
    kernel::Packet p;
    p.iif = iif;
    p.protocol = 6;
    p.saddr = kernel::Ipv4Addr{0x0ac80000u | (rng() % 254 + 1)};
    p.daddr = kernel::Ipv4Addr{static_cast<uint32_t>(rng()) | 0x01000000u};
    p.sport = static_cast<uint16_t>(1024 + rng() % 60000);
    p.dport = 80;
    p.tcp_flags = kernel::TCPHDR_SYN;
    v.push_back(p);
  }
  return v;
}

static void run_story(benchmark::State& st, const char* variant) {
  kernel::Net net = load_story(variant);
  auto pk = flows(net, 4096);
  PathGraph g;
  kernel::NullTracer t;
  size_t i = 0;
  for (auto _ : st) {
    auto r = run_packet(net, g, pk[i++ & 4095], t);
    benchmark::DoNotOptimize(r.skb.reason);
  }
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations()));
}

static void BM_Story_Fixed(benchmark::State& st) { run_story(st, "fixed"); }
static void BM_Story_Broken(benchmark::State& st) { run_story(st, "broken"); }
BENCHMARK(BM_Story_Fixed);
BENCHMARK(BM_Story_Broken);
