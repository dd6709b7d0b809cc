#include <cstdio>
#include <fmt/format.h>
#include "sim/cli/commands.hpp"
#include "sim/cli/load.hpp"
#include "sim/engine/explain.hpp"
#include "sim/engine/packet_spec.hpp"
#include "sim/render/render.hpp"

namespace kpath {

int cmd_explain(const CliArgs& a, FileTable& files) {
  if (a.configs.empty()) throw ConfigError({}, "explain needs at least one CONFIG file");
  if (a.packet.empty()) throw ConfigError({}, "explain needs --packet SPEC, e.g. --packet \"tcp 10.0.0.1:40000 -> 1.2.3.4:80 iif eth0 syn\"");
  if (a.format != "text" && a.format != "json") throw ConfigError({}, fmt::format("unknown --format \"{}\"; expected text or json", a.format));
  Loaded l = load_and_compile(a, files);
  const uint32_t pkt_file = files.add("<packet>", a.packet);
  kernel::Packet pkt = parse_packet_spec(a.packet, l.net, pkt_file);
  PathGraph g;
  Explanation e = explain_packet(l.net, g, pkt);
  if (a.format == "json") fmt::print("{}\n", render_json(e, files, l.net).dump(2));
  else fmt::print("{}", render_text(e, files, l.net));
  return EXIT_OK;
}

int cmd_graph(const CliArgs& a, FileTable& files) {
  PathGraph g;
  fmt::print("digraph kpath {{\n  rankdir=TB;\n");
  for (size_t i = 0; i < kernel::kStageCount; ++i)
    fmt::print("  \"{}\";\n", kernel::kStageNames[i]);
  for (auto& e : PathGraph::edges())
    fmt::print("  \"{}\" -> \"{}\" [label=\"{}\"];\n", kernel::stage_name(e.from), kernel::stage_name(e.to), e.label);
  fmt::print("}}\n");
  (void)a; (void)files;
  return EXIT_OK;
}

int cmd_config(const CliArgs& a, FileTable& files) {
  Loaded l = load_and_compile(a, files);
  fmt::print("{} devices, {} rules, {} tables, {} sockets\n", l.net.devices.size(), l.net.rules.size(), l.net.tables.size(), l.net.socks.socks.size());
  return EXIT_OK;
}

}  // namespace kpath
