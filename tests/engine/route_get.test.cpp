// `kpath route get` against `ip route get` captured from the live kernel (6.18, iproute2 6.1).
// Each tests/route_get/cases/NAME.sh is a config that kpath loads and that capture.sh applies
// in a private network namespace; NAME.expected holds the `ip` queries run there and what ip
// printed (stdout verbatim, "2> " stderr lines, "[exit N]"). Every query must come out the same,
// to the character, with the same exit status.
//
// A query preceded by a line "#! kpath differs: WHY" is a known model difference: it is run and
// reported, and the test warns when it starts agreeing (then remove the marker).
#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>
#include <sstream>
#include "sim/render/iproute_print.hpp"
#include "tests/support/run_script.hpp"

using namespace kpath;

namespace {

struct Query {
  std::string line;   // "ip route get ..."
  std::string out, err;
  int status = 0;
  std::string known_difference;  // non-empty: expected to differ, and why
};

std::vector<Query> parse_expected(const std::string& text) {
  std::vector<Query> qs;
  std::istringstream in(text);
  std::string line, pending_difference;
  while (std::getline(in, line)) {
    if (line.rfind("$ ", 0) == 0) {
      qs.push_back(Query{line.substr(2), "", "", 0, pending_difference});
      pending_difference.clear();
    } else if (line.rfind("#! kpath differs:", 0) == 0) {
      pending_difference = line.substr(17);
    } else if (line.rfind("#", 0) == 0) {
      continue;
    } else if (qs.empty()) {
      continue;
    } else if (line.rfind("2> ", 0) == 0) {
      qs.back().err += line.substr(3) + "\n";
    } else if (line.rfind("[exit ", 0) == 0) {
      qs.back().status = std::stoi(line.substr(6));
    } else if (line == "[no eol]") {
      if (!qs.back().out.empty()) qs.back().out.pop_back();
    } else {
      qs.back().out += line + "\n";
    }
  }
  return qs;
}

std::vector<std::string> words_of(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> w;
  for (std::string x; in >> x;) w.push_back(x);
  return w;
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  const auto dir = std::filesystem::path(KPATH_SOURCE_DIR) / "tests/route_get/cases";
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".expected") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("route get: every captured `ip route get` answer, to the character", "[route_get][live-captured]") {
  const auto names = case_names();
  REQUIRE(names.size() >= 10);
  for (const auto& name : names) {
    DYNAMIC_SECTION(name) {
      const std::string base = std::string(KPATH_SOURCE_DIR) + "/tests/route_get/cases/" + name;
      kpath::test::Scenario sc(kpath::test::read_file(base + ".sh"));
      const auto queries = parse_expected(kpath::test::read_file(base + ".expected"));
      REQUIRE_FALSE(queries.empty());
      for (const auto& q : queries) {
        auto w = words_of(q.line);
        REQUIRE(w.size() > 1);
        REQUIRE(w[0] == "ip");
        w.erase(w.begin());
        const IpOutput got = ip_command_line(sc.net, w, &sc.set.hosts[0].rt_tables);
        const bool same = got.out == q.out && got.err == q.err && got.status == q.status;
        if (!q.known_difference.empty()) {
          if (same) WARN(name << ": `" << q.line << "` now agrees with the kernel; remove the \"#! kpath differs\" marker");
          continue;
        }
        INFO(name << ".expected: $ " << q.line);
        INFO("kernel stdout:\n" << q.out << "kpath stdout:\n" << got.out);
        INFO("kernel stderr:\n" << q.err << "kpath stderr:\n" << got.err);
        INFO("kernel exit " << q.status << ", kpath exit " << got.status);
        CHECK(same);
      }
    }
  }
}

TEST_CASE("route get: the expected-file grammar", "[route_get]") {
  const auto qs = parse_expected(
      "# comment\n$ ip route get 1.2.3.4 iif vr\nlocal 1.2.3.4 dev lo \n    cache <local> iif vr \n"
      "#! kpath differs: reason\n$ ip route get 5.6.7.8\n2> RTNETLINK answers: No route to host\n[exit 2]\n"
      "$ ip -o route get 1.1.1.1\n1.1.1.1 dev x \\    cache \n[no eol]\n");
  REQUIRE(qs.size() == 3);
  CHECK(qs[0].out == "local 1.2.3.4 dev lo \n    cache <local> iif vr \n");
  CHECK(qs[0].status == 0);
  CHECK(qs[0].known_difference.empty());
  CHECK(qs[1].err == "RTNETLINK answers: No route to host\n");
  CHECK(qs[1].status == 2);
  CHECK(qs[1].known_difference == " reason");
  CHECK(qs[2].out == "1.1.1.1 dev x \\    cache ");
}
