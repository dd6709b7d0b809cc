// kpath test: the expectations file (strict JSON with locations), the compact `#kpath expect`
// form, field-by-field checking, the text/JSON/JUnit reports, on the TPROXY story.
#include <catch2/catch.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <nlohmann/json.hpp>
#include <sstream>
#include "sim/check/expect.hpp"
#include "sim/check/json_loc.hpp"
#include "sim/config/compile.hpp"
#include "sim/config/script.hpp"
#include "tests/support/run_script.hpp"

using namespace kpath;
using kpath::test::read_file;

namespace {

const std::string kStory = std::string(KPATH_SOURCE_DIR) + "/examples/tproxy-local-route/";

ConfigSet load(const std::string& name, const std::string& text) {
  ConfigSet set;
  set.hosts.push_back(HostConfig::running_host());
  LoadOptions opt;
  opt.use_environment = false;
  load_script_text(set, name, text, opt);
  return set;
}

struct Run {
  ConfigSet set;
  TestRun run;
};

// Loads a config, adds an expectations text (if any) and the config's directives, runs them.
Run run_cases(const std::string& config_name, const std::string& config_text, const std::string& expect_text = "") {
  Run r{load(config_name, config_text), {}};
  if (!expect_text.empty()) r.run.cases = parse_expect_json(expect_text, r.set.files.add("expect.json", expect_text));
  for (auto& d : r.set.expectations) r.run.cases.push_back(parse_expect_directive(d, r.set.files));
  run_expectations(r.run, r.set, {}, "", r.set.files);
  return r;
}

// The ConfigError a parse throws, with its location.
template <typename F>
std::pair<SourceLoc, std::string> error_of(F&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return {e.loc(), e.what()};
  }
  FAIL("expected a ConfigError");
  return {};
}

const FieldCheck* field(const CaseResult& r, const std::string& name) {
  for (auto& f : r.checks) if (f.field == name) return &f;
  return nullptr;
}

}  // namespace

TEST_CASE("expect: the story's expect.json passes on fixed.sh and fails on broken.sh", "[expect][story]") {
  const std::string expect = read_file(kStory + "expect.json");
  Run fixed = run_cases("fixed.sh", read_file(kStory + "fixed.sh"), expect);
  CHECK(fixed.run.summary() == "2 passed, 0 failed");
  Run broken = run_cases("broken.sh", read_file(kStory + "broken.sh"), expect);
  CHECK(broken.run.summary() == "1 passed, 1 failed");
  REQUIRE(broken.run.results.size() == 2);
  const CaseResult& syn = broken.run.results[0];
  CHECK_FALSE(syn.pass);
  REQUIRE(field(syn, "disposition"));
  CHECK(field(syn, "disposition")->expected == "deliver");
  CHECK(field(syn, "disposition")->actual == "drop");
  CHECK_FALSE(field(syn, "disposition")->ok);
  CHECK(field(syn, "table")->ok);  // table 100 and rule 32765 decide in both variants
  CHECK(field(syn, "rule")->ok);
  CHECK(field(syn, "socket.port")->actual == "none");
  CHECK(broken.run.results[1].pass);
}

TEST_CASE("expect: the text report has one line per case, the failing fields, the trace and the summary", "[expect]") {
  Run broken = run_cases("broken.sh", read_file(kStory + "broken.sh"), read_file(kStory + "expect.json"));
  const std::string text = render_test_text(broken.run, broken.set.files);
  CHECK(text.find("FAIL  a diverted SYN reaches the transparent proxy\n") == 0);
  CHECK(text.find("PASS  UDP is not diverted and has no route\n") != std::string::npos);
  CHECK(text.find("declared at expect.json:4:5") != std::string::npos);
  CHECK(text.find("✗  disposition") != std::string::npos);
  CHECK(text.find("✓  table") != std::string::npos);
  CHECK(text.find("DROP at ip_error: drop reason IP_INADDRERRORS") != std::string::npos);  // the explain trace
  CHECK(text.substr(text.size() - 19) == "1 passed, 1 failed\n");
}

TEST_CASE("expect: JSON report carries the same records", "[expect]") {
  Run broken = run_cases("broken.sh", read_file(kStory + "broken.sh"), read_file(kStory + "expect.json"));
  nlohmann::json j = render_test_json(broken.run, broken.set.files);
  CHECK(j["passed"] == 1);
  CHECK(j["failed"] == 1);
  CHECK(j["summary"] == "1 passed, 1 failed");
  CHECK(j["cases"][0]["result"] == "fail");
  CHECK(j["cases"][0]["explanation"]["drop_reason"] == "IP_INADDRERRORS");
  CHECK(j["cases"][1]["explanation"].is_null());
}

TEST_CASE("expect: JUnit XML is well-formed and counts failures", "[expect][junit]") {
  Run broken = run_cases("broken.sh", read_file(kStory + "broken.sh") + "#kpath expect \"tcp 10.200.0.1:1 -> 10.200.0.2:22 iif veth-server syn\" name=\"<&>'\" deliver\n",
                         read_file(kStory + "expect.json"));
  const std::string xml = render_junit(broken.run, broken.set.files);
  boost::property_tree::ptree pt;
  std::istringstream in(xml);
  REQUIRE_NOTHROW(boost::property_tree::read_xml(in, pt));
  CHECK(pt.get<int>("testsuites.<xmlattr>.tests") == 3);
  CHECK(pt.get<int>("testsuites.<xmlattr>.failures") == 1);
  int suites = 0, failures = 0;
  for (auto& [k, suite] : pt.get_child("testsuites")) {
    if (k != "testsuite") continue;
    ++suites;
    for (auto& [k2, tc] : suite)
      if (k2 == "testcase" && tc.count("failure")) {
        ++failures;
        CHECK(tc.get<std::string>("failure.<xmlattr>.message").find("disposition: expected deliver, actual drop") != std::string::npos);
      }
  }
  CHECK(suites == 2);  // expect.json and the config's own directives
  CHECK(failures == 1);
  CHECK(xml.find("name=\"&lt;&amp;&gt;&apos;\"") != std::string::npos);
}

TEST_CASE("expect: strict JSON: unknown keys, wrong types and unknown names fail at their line and column", "[expect][json]") {
  auto parse = [](const std::string& text) { return error_of([&] { (void)parse_expect_json(text, 7); }); };
  const std::string head = "{\n  \"cases\": [\n    {\"name\": \"x\", \"packet\": \"tcp 1.1.1.1:1 -> 2.2.2.2:2\",\n     \"expect\": ";
  {
    auto [loc, msg] = parse(head + "{\"disposition\": \"deliver\", \"sockt\": null}}\n  ]\n}\n");
    CHECK(loc.file_id == 7);
    CHECK(loc.line == 4);
    CHECK(loc.col == 43);
    CHECK(msg.find("unknown key \"sockt\" in \"expect\"; expected one of: disposition,") == 0);
  }
  {
    auto [loc, msg] = parse(head + "{\"counters\": {\"IpInRecieves\": 1}}}\n  ]\n}\n");
    CHECK(loc.line == 4);
    CHECK(loc.col == 30);
    CHECK(msg.find("did you mean IpInReceives?") != std::string::npos);
  }
  {
    auto [loc, msg] = parse(head + "{\"drop_reason\": 3}}\n  ]\n}\n");
    CHECK(loc.col == 32);
    CHECK(msg == "\"drop_reason\" must be a string or null (not dropped), not a number");
  }
  {
    auto [loc, msg] = parse(head + "{\"drop_reason\": \"IP_INADDRERROR\"}}\n  ]\n}\n");
    CHECK(msg.find("did you mean IP_INADDRERRORS?") != std::string::npos);
  }
  {
    auto [loc, msg] = parse(head + "{\"disposition\": \"accept\"}}\n  ]\n}\n");
    CHECK(msg == "unknown disposition \"accept\"; expected deliver, forward or drop");
  }
  {
    auto [loc, msg] = parse(head + "{\"socket\": {\"port\": 70000}}}\n  ]\n}\n");
    CHECK(msg.find("\"port\" is out of range") == 0);
  }
  {
    auto [loc, msg] = parse(head + "{\"rule\": 1, \"rule\": 2}}\n  ]\n}\n");
    CHECK(loc.col == 28);
    CHECK(msg == "duplicate key \"rule\" (first at line 4)");
  }
  {
    auto [loc, msg] = parse(head + "{}}\n  ]\n}\n");
    CHECK(msg.find("\"expect\" is empty") == 0);
  }
  {
    auto [loc, msg] = parse("{\"cases\": [], \"extra\": 1}");
    CHECK(msg.find("unknown key \"extra\" in the expectations file") == 0);
    CHECK(loc.col == 15);
  }
  {
    auto [loc, msg] = parse("{\"cases\": [\n  {\"name\": \"x\",\n");  // syntax: ends early
    CHECK(loc.line == 3);
    CHECK(msg == "unexpected end of file; expected a key in double quotes");
  }
  {
    auto [loc, msg] = parse("{\"cases\": [{\"name\": \"a\", \"packet\": \"p\", \"expect\": {\"rule\": 1}}, {\"name\": \"a\", \"packet\": \"q\", \"expect\": {\"rule\": 2}}]}");
    CHECK(msg.find("duplicate case name \"a\"") == 0);
  }
  {
    auto [loc, msg] = parse("{\"cases\": [{\"name\": \"a\", \"packet\": \"p\", \"expect\": {\"mark\": \"0x3/0x1\"}}]}");
    CHECK(msg.find("sets bits outside its mask") != std::string::npos);
  }
}

TEST_CASE("expect: JSON values: null means none, marks with masks, table names from rt_tables", "[expect]") {
  const std::string cfg = read_file(kStory + "fixed.sh") + "echo \"100 tproxy\" >> /etc/iproute2/rt_tables\n";
  const std::string exp = R"({"cases": [
    {"name": "named table", "packet": "tcp 10.200.0.1:40000 -> 1.2.3.4:80 iif veth-server syn",
     "expect": {"table": "tproxy", "mark": 1, "egress": null, "icmp": null, "drop_reason": null, "drop_function": null,
                "socket": {"addr": "0.0.0.0", "transparent": true}}},
    {"name": "mask", "packet": "tcp 10.200.0.1:40000 -> 1.2.3.4:80 iif veth-server syn mark 0x100",
     "expect": {"mark": "0x1/0xff"}},
    {"name": "exact", "packet": "udp 10.200.0.1:40000 -> 1.2.3.4:53 iif veth-server",
     "expect": {"counters": {"IpInReceives": 1}, "exact_counters": true, "socket": null, "table": null, "reply": "none"}}
  ]})";
  Run r = run_cases("fixed.sh", cfg, exp);
  REQUIRE(r.run.results.size() == 3);
  CHECK(r.run.results[0].pass);
  CHECK(field(r.run.results[0], "table")->expected == "tproxy (100)");
  CHECK(r.run.results[1].pass);
  const CaseResult& exact = r.run.results[2];
  CHECK_FALSE(exact.pass);
  REQUIRE(field(exact, "counters.IpInAddrErrors"));
  CHECK(field(exact, "counters.IpInAddrErrors")->expected == "0 (exact_counters)");
  CHECK(field(exact, "counters.IpInAddrErrors")->actual == "1");
  CHECK(field(exact, "socket")->ok);
  CHECK(field(exact, "table")->ok);
}

TEST_CASE("expect: a bad table name or packet is bad input at its place in the file", "[expect]") {
  {
    const std::string exp = "{\"cases\": [{\"name\": \"t\", \"packet\": \"tcp 10.200.0.1:40000 -> 1.2.3.4:80 iif veth-server\", \"expect\": {\"table\": \"mian\"}}]}";
    auto [loc, msg] = error_of([&] { run_cases("fixed.sh", read_file(kStory + "fixed.sh"), exp); });
    CHECK(loc.col == 110);
    CHECK(msg.find("unknown table \"mian\"") == 0);
  }
  {
    const std::string exp = "{\"cases\": [{\"name\": \"t\", \"packet\": \"tcp 10.200.0.1:40000 => 1.2.3.4:80 iif veth-server\", \"expect\": {\"rule\": 1}}]}";
    auto [loc, msg] = error_of([&] { run_cases("fixed.sh", read_file(kStory + "fixed.sh"), exp); });
    // column of "=>" in the file: the string starts at 37, "=>" is its 22nd character
    CHECK(loc.line == 1);
    CHECK(loc.col == 37 + 21);
    CHECK(msg.find("in the packet of case \"t\": unexpected \"=>\"") == 0);
  }
  {
    const std::string exp = "{\"cases\": [{\"name\": \"t\", \"packet\": \"tcp 10.200.0.1:1 -> 1.2.3.4:80\", \"host\": \"nope\", \"expect\": {\"rule\": 1}}]}";
    auto [loc, msg] = error_of([&] { run_cases("fixed.sh", read_file(kStory + "fixed.sh"), exp); });
    CHECK(msg.find("host \"nope\": no such network namespace") == 0);
  }
}

TEST_CASE("expect: the compact #kpath expect form", "[expect][directive]") {
  const std::string cfg = read_file(kStory + "fixed.sh") +
      "#kpath expect \"tcp 10.200.0.1:40000 -> 1.2.3.4:80 iif veth-server syn\" deliver socket=tcp:${LISTEN_PORT} table=100 rule=32765 reply=syn-ack\n"
      "# kpath expect: name=\"udp dies\" \"udp 10.200.0.1:40000 -> 1.2.3.4:53 iif veth-server\" drop IP_INADDRERRORS IpInAddrErrors=+1 icmp=none egress=none\n"
      "#kpath expect \"tcp 10.200.0.1:40000 -> 10.200.0.2:22 iif veth-server syn\" deliver socket=tcp:0.0.0.0:9999 mark=0x1/0x1 table=local function=none\n";
  Run r = run_cases("fixed.sh", cfg);
  REQUIRE(r.run.results.size() == 3);
  CHECK(r.run.summary() == "3 passed, 0 failed");
  CHECK(r.run.cases[0].name == "tcp 10.200.0.1:40000 -> 1.2.3.4:80 iif veth-server syn");
  CHECK(r.run.cases[1].name == "udp dies");
  CHECK(r.run.cases[1].expect.drop_reason->value == kernel::DropReason::IP_INADDRERRORS);
  CHECK(r.run.cases[0].loc.line == 26);
  // the field's location is the word that set it
  CHECK(r.run.results[0].checks[0].field == "disposition");
  CHECK(r.run.results[0].checks[0].loc.col == 72);

  Run bad = run_cases("broken.sh", read_file(kStory + "broken.sh") +
                                       "#kpath expect \"tcp 10.200.0.1:40000 -> 1.2.3.4:80 iif veth-server syn\" deliver\n");
  CHECK(bad.run.summary() == "0 passed, 1 failed");
}

TEST_CASE("expect: compact form errors point at the word", "[expect][directive]") {
  auto err = [](const std::string& line) {
    return error_of([&] { run_cases("t.sh", "ip link add eth0 type dummy\nip link set eth0 up\n" + line + "\n"); });
  };
  {
    auto [loc, msg] = err("#kpath expect \"tcp 1.1.1.1:1 -> 2.2.2.2:2\" deliver soket=tcp:1");
    CHECK(loc.line == 3);
    CHECK(loc.col == 52);
    CHECK(msg.find("unknown key \"soket\"") == 0);
    CHECK(msg.find("(did you mean socket?)") != std::string::npos);
  }
  {
    auto [loc, msg] = err("#kpath expect tcp 1.1.1.1:1 -> 2.2.2.2:2 deliver");
    CHECK(loc.col == 15);
    CHECK(msg.find("quote the packet spec") != std::string::npos);
  }
  {
    auto [loc, msg] = err("#kpath expect \"tcp 1.1.1.1:1 -> 2.2.2.2:2\" drop IP_NOPE");
    CHECK(loc.col == 49);
    CHECK(msg.find("unknown drop reason \"IP_NOPE\"") == 0);
  }
  {
    auto [loc, msg] = err("#kpath expect \"tcp 1.1.1.1:1 => 2.2.2.2:2\" deliver");
    CHECK(loc.col == 16 + 14);  // the "=>" inside the quoted spec
    CHECK(msg.find("unexpected \"=>\"") != std::string::npos);
  }
  {
    auto [loc, msg] = err("#kpath expect \"tcp 1.1.1.1:1 -> 2.2.2.2:2\"");
    CHECK(msg.find("says nothing about the outcome") != std::string::npos);
  }
  {
    auto [loc, msg] = err("#kpath expect deliver socket=tcp:99999");
    CHECK(msg.find("bad socket port") == 0);
    CHECK(loc.col == 30);
  }
}

TEST_CASE("expect: the JSON Schema lists exactly the drop reasons and counters kpath knows", "[expect][schema]") {
  auto schema = nlohmann::json::parse(read_file(std::string(KPATH_SOURCE_DIR) + "/docs/expect.schema.json"));
  const auto& ex = schema["$defs"]["expect"]["properties"];
  std::vector<std::string> reasons, counters;
  for (auto& r : ex["drop_reason"]["enum"]) if (r.is_string()) reasons.push_back(r);
  for (auto& c : ex["counters"]["propertyNames"]["enum"]) counters.push_back(c);
  std::vector<std::string> want_r(kernel::kDropReasonNames.begin(), kernel::kDropReasonNames.end());
  std::vector<std::string> want_c(kernel::kSnmpNames.begin(), kernel::kSnmpNames.end());
  CHECK(reasons == want_r);
  CHECK(counters == want_c);
  std::vector<std::string> keys;
  for (auto& [k, v] : ex.items()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  CHECK(keys == std::vector<std::string>{"counters", "disposition", "drop_function", "drop_reason", "egress", "exact_counters", "icmp", "mark",
                                         "reply", "rule", "socket", "table"});
}

TEST_CASE("json_loc: positions, escapes and nesting", "[expect][json]") {
  JsonDoc d("{\n  \"a\": [1, \"x\\ny\", {\"b\": null}],\n\t\"c\": true\n}", 3);
  const JsonNode& root = d.root();
  REQUIRE(root.kind == JsonNode::Kind::object);
  const JsonNode* a = root.find("a");
  REQUIRE(a);
  CHECK(d.loc(*a).line == 2);
  CHECK(d.loc(*a).col == 8);
  CHECK(a->items[1].text == "x\ny");
  CHECK_FALSE(a->items[1].plain_string);
  CHECK(d.loc(a->items[2]).col == 20);
  CHECK(d.loc(*root.find("c")).line == 3);
  CHECK(d.loc(*root.find("c")).col == 7);
  JsonDoc u("\"\\u00e9\\ud83d\\ude00\"", 1);
  CHECK(u.root().text == "\xc3\xa9\xf0\x9f\x98\x80");
  CHECK(error_of([] { JsonDoc x("[1,]", 1); }).second == "unexpected \"]\"; expected a JSON value (object, array, string, number, true, false or null)");
  CHECK(error_of([] { JsonDoc x("{} x", 1); }).first.col == 4);
  CHECK(error_of([] { JsonDoc x(std::string(200, '['), 1); }).second.find("nested too deeply") != std::string::npos);
}
