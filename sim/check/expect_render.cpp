// Reports of `kpath test`: one line per case, the field table and explain trace of failures,
// the summary line; the same records as JSON; JUnit XML for CI.
#include <fmt/format.h>
#include <algorithm>
#include <map>
#include "sim/check/expect.hpp"
#include "sim/render/render.hpp"

namespace kpath {

namespace {

std::string indent(const std::string& text, std::string_view pad) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string::npos) j = text.size();
    const std::string_view line(text.data() + i, j - i);
    out += line.empty() ? std::string() : std::string(pad) + std::string(line);
    out += '\n';
    i = j + 1;
  }
  return out;
}

std::string field_table(const CaseResult& r, std::string_view pad) {
  size_t wf = 5, we = 8;
  for (auto& f : r.checks) { wf = std::max(wf, f.field.size()); we = std::max(we, f.expected.size()); }
  std::string out = fmt::format("{}   {:<{}}  {:<{}}  {}\n", pad, "field", wf, "expected", we, "actual");
  for (auto& f : r.checks) out += fmt::format("{}{}  {:<{}}  {:<{}}  {}\n", pad, f.ok ? "✓" : "✗", f.field, wf, f.expected, we, f.actual);
  return out;
}

// XML 1.0: escape markup, drop characters XML cannot carry.
std::string xml(std::string_view s) {
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c < 0x20 && ch != '\n' && ch != '\t' && ch != '\r') out += ' ';
        else out += ch;
    }
  }
  return out;
}

}  // namespace

std::string render_test_text(const TestRun& run, const FileTable& files) {
  std::string out;
  for (const CaseResult& r : run.results) {
    if (r.pass) {
      out += fmt::format("PASS  {}\n", r.c->name);
      continue;
    }
    out += fmt::format("FAIL  {}\n", r.c->name);
    out += fmt::format("      declared at {}\n", files.where(r.c->loc));
    out += fmt::format("      packet  {}{}\n", r.c->packet, r.net->name.empty() ? "" : fmt::format("  (host {})", r.net->name));
    out += field_table(r, "      ");
    out += "      explain trace:\n";
    out += indent(render_text(r.e, files, *r.net), "        ");
  }
  out += run.summary() + "\n";
  return out;
}

nlohmann::json render_test_json(const TestRun& run, const FileTable& files) {
  using nlohmann::json;
  json cases = json::array();
  for (const CaseResult& r : run.results) {
    json fields = json::array();
    for (auto& f : r.checks)
      fields.push_back(json{{"field", f.field}, {"expected", f.expected}, {"actual", f.actual}, {"ok", f.ok}, {"source", files.where(f.loc)}});
    json c{{"name", r.c->name},
           {"source", files.where(r.c->loc)},
           {"packet", r.c->packet},
           {"host", r.net->name.empty() ? json(nullptr) : json(r.net->name)},
           {"result", r.pass ? "pass" : "fail"},
           {"fields", fields}};
    c["explanation"] = r.pass ? json(nullptr) : render_json(r.e, files, *r.net);
    cases.push_back(std::move(c));
  }
  return json{{"cases", cases}, {"passed", run.passed}, {"failed", run.failed}, {"summary", run.summary()}};
}

std::string render_junit(const TestRun& run, const FileTable& files) {
  // One <testsuite> per file the cases were declared in, in order of first appearance.
  std::vector<uint32_t> order;
  std::map<uint32_t, std::vector<const CaseResult*>> by_file;
  for (const CaseResult& r : run.results) {
    if (!by_file.count(r.c->loc.file_id)) order.push_back(r.c->loc.file_id);
    by_file[r.c->loc.file_id].push_back(&r);
  }
  double total = 0;
  for (auto& r : run.results) total += r.seconds;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"kpath test\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{:.6f}\">\n", run.results.size(), run.failed, total);
  for (uint32_t fid : order) {
    const auto& rs = by_file[fid];
    size_t failures = 0;
    double t = 0;
    for (auto* r : rs) { failures += !r->pass; t += r->seconds; }
    const std::string path = files.path(fid);
    out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"{:.6f}\">\n", xml(path), rs.size(), failures, t);
    for (auto* r : rs) {
      out += fmt::format("    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\" time=\"{:.6f}\"", xml(r->c->name), xml(path), xml(path),
                         r->c->loc.line, r->seconds);
      if (r->pass) { out += "/>\n"; continue; }
      std::string msg;
      for (auto& f : r->checks)
        if (!f.ok) msg += fmt::format("{}{}: expected {}, actual {}", msg.empty() ? "" : "; ", f.field, f.expected, f.actual);
      out += ">\n";
      out += fmt::format("      <failure message=\"{}\" type=\"expectation\">{}</failure>\n", xml(msg),
                         xml(fmt::format("declared at {}\npacket {}\n{}", files.where(r->c->loc), r->c->packet, field_table(*r, ""))));
      out += fmt::format("      <system-out>{}</system-out>\n", xml(render_text(r->e, files, *r->net)));
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace kpath
