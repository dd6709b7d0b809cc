#include <fmt/format.h>
#include "sim/render/render.hpp"

namespace kpath {

using namespace kernel;

static nlohmann::json loc_json(const FileTable& f, SourceLoc l) {
  if (!l.known()) return nullptr;
  return f.where(SourceLoc{l.file_id, l.line, 0});
}

static const char* reply_name(ReplyKind r) {
  switch (r) {
    case ReplyKind::none: return nullptr;
    case ReplyKind::syn_ack: return "syn-ack";
    case ReplyKind::rst: return "rst";
    case ReplyKind::icmp: return "icmp";
    case ReplyKind::echo_reply: return "echo-reply";
  }
  return nullptr;
}

nlohmann::json render_json(const Explanation& e, const FileTable& files, const Net& net) {
  using nlohmann::json;
  const Verdict& v = e.verdict;
  json j;
  j["packet"] = e.packet_text;
  j["host"] = e.host.empty() ? json(nullptr) : json(e.host);
  j["disposition"] = disposition_name(v.disposition);
  j["drop_reason"] = v.disposition == Disposition::drop ? json(drop_reason_name(v.drop_reason)) : json(nullptr);
  j["drop_function"] = v.disposition == Disposition::drop ? json(v.drop_function) : json(nullptr);
  j["drop_source"] = v.disposition == Disposition::drop ? loc_json(files, v.drop_origin) : json(nullptr);
  json c = json::object();
  for (size_t i = 0; i < kSnmpCount; ++i)
    if (v.counters.v[i]) c[std::string(kSnmpNames[i])] = v.counters.v[i];
  j["counters"] = c;
  j["icmp"] = v.icmp ? json{{"type", v.icmp->first}, {"code", v.icmp->second}} : json(nullptr);
  const char* r = reply_name(v.reply);
  j["reply"] = r ? json(r) : json(nullptr);
  j["reply_suppressed"] = v.reply_suppressed.empty() ? json(nullptr) : json(v.reply_suppressed);
  j["socket"] = v.socket ? json{{"proto", v.socket->proto}, {"addr", to_string(v.socket->addr)}, {"port", v.socket->port},
                                {"transparent", v.socket->transparent}, {"source", loc_json(files, v.socket->origin)}}
                         : json(nullptr);
  j["egress"] = v.egress ? json{{"dev", v.egress->dev}, {"via", v.egress->via ? json(to_string(*v.egress->via)) : json(nullptr)}} : json(nullptr);
  j["mark"] = fmt::format("0x{:x}", v.mark);
  j["table"] = v.table ? json(*v.table) : json(nullptr);
  j["rule"] = v.rule ? json(*v.rule) : json(nullptr);
  j["route_source"] = loc_json(files, v.route_origin);
  j["kernel_stack"] = v.kernel_stack;
  json hints = json::array();
  for (auto& h : e.hints) hints.push_back(json{{"text", h.text}, {"source", loc_json(files, h.loc)}});
  j["hints"] = hints;
  json steps = json::array();
  for (auto& s : e.steps) {
    json st{{"function", s.function}, {"detail", s.detail}, {"depth", s.depth}};
    st["source"] = loc_json(files, s.origin);
    static const char* kinds[] = {"info", "match", "nomatch", "verdict", "drop"};
    st["kind"] = kinds[static_cast<int>(s.kind)];
    steps.push_back(std::move(st));
  }
  j["steps"] = steps;
  json path = json::array();
  for (auto s : e.path) path.push_back(stage_name(s));
  j["path"] = path;
  (void)net;
  return j;
}

}  // namespace kpath
