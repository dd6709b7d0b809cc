#include <fmt/format.h>
#include "sim/render/render.hpp"
#include "models/fib/fib_frontend.hpp"

namespace kpath {

using namespace kernel;

static std::string trim(std::string s) {
  size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t");
  return s.substr(a, b - a + 1);
}

static std::string src_line(const FileTable& f, SourceLoc l) {
  if (!l.known()) return "";
  std::string text = trim(f.line_text(l));
  return fmt::format("{}:{}{}", f.path(l.file_id), l.line, text.empty() ? "" : "  " + text);
}

std::string render_text(const Explanation& e, const FileTable& files, const Net& net) {
  const Verdict& v = e.verdict;
  std::string out;
  out += fmt::format("packet   {}{}\n\n", e.packet_text, e.host.empty() ? "" : fmt::format("  (host {})", e.host));
  int n = 0;
  for (const Step& s : e.steps) {
    const char* mark = s.kind == StepKind::Drop ? "✗ " : s.kind == StepKind::Verdict ? "→ " : s.kind == StepKind::Match ? "✓ " : "  ";
    out += fmt::format("{:>3} {}{:<26} {}{}\n", ++n, std::string(static_cast<size_t>(s.depth) * 2, ' '), s.function, mark, s.detail);
    if (s.origin.known()) out += fmt::format("    {}{:<26}   at {}\n", std::string(static_cast<size_t>(s.depth) * 2, ' '), "", src_line(files, s.origin));
  }
  out += "\n";
  if (v.disposition == Disposition::drop) {
    out += fmt::format("verdict  DROP at {}: drop reason {} ({})\n", v.drop_function, drop_reason_name(v.drop_reason), drop_reason_doc(v.drop_reason));
    if (v.drop_origin.known()) out += fmt::format("         caused by {}\n", src_line(files, v.drop_origin));
  } else if (v.disposition == Disposition::deliver) {
    out += "verdict  DELIVER";
    if (v.socket) out += fmt::format(" to {} socket {}:{}{}", v.socket->proto, v.socket->addr, v.socket->port, v.socket->transparent ? " (transparent)" : "");
    out += "\n";
    if (v.socket && v.socket->origin.known()) out += fmt::format("         socket from {}\n", src_line(files, v.socket->origin));
  } else {
    out += fmt::format("verdict  FORWARD out {}{}\n", v.egress ? v.egress->dev : "?", v.egress && v.egress->via ? fmt::format(" via {}", *v.egress->via) : "");
  }
  std::string counters;
  for (size_t i = 0; i < kSnmpCount; ++i)
    if (v.counters.v[i]) counters += fmt::format("{}{} +{}", counters.empty() ? "" : "  ", kSnmpNames[i], v.counters.v[i]);
  out += fmt::format("counters {}\n", counters.empty() ? "(none)" : counters);
  if (v.table) out += fmt::format("route    table {}{}{}\n", fib_table_name(*v.table), v.rule ? fmt::format(", ip rule {}", *v.rule) : "",
                                  v.route_origin.known() ? fmt::format(", route from {}", src_line(files, v.route_origin)) : "");
  out += fmt::format("mark     0x{:x}\n", v.mark);
  switch (v.reply) {
    case ReplyKind::none: out += fmt::format("reply    none{}\n", v.reply_suppressed.empty() ? "" : " (" + v.reply_suppressed + ")"); break;
    case ReplyKind::syn_ack: out += "reply    SYN-ACK\n"; break;
    case ReplyKind::rst: out += "reply    RST\n"; break;
    case ReplyKind::echo_reply: out += "reply    echo reply\n"; break;
    case ReplyKind::icmp: out += fmt::format("reply    ICMP type {} code {}\n", v.icmp->first, v.icmp->second); break;
  }
  if (!v.kernel_stack.empty()) {
    out += "stack    what a skb:kfree_skb probe shows at this drop (dst_input is inlined, so the route's input function appears under ip_rcv_finish):\n";
    for (size_t i = 0; i < v.kernel_stack.size(); ++i) out += fmt::format("           {}{}\n", i ? "← " : "", v.kernel_stack[i]);
  }
  for (const Hint& h : e.hints) {
    out += fmt::format("hint     {}\n", h.text);
    if (h.loc.known()) out += fmt::format("         at {}\n", src_line(files, h.loc));
  }
  (void)net;
  return out;
}

}  // namespace kpath
