// `kpath test`: expectations about packets, read from a JSON file (docs/expect.schema.json) or
// from `#kpath expect ...` lines of a config, checked against the engine's Verdict field by
// field, rendered as text, JSON and JUnit XML. Every expectation keeps the SourceLoc it was
// written at, so bad input is reported as file:line:column (exit 2), and a failing case cites
// where it was declared.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>
#include "models/inet.hpp"
#include "models/net.hpp"
#include "models/profile.hpp"
#include "sim/config/host_config.hpp"
#include "sim/core/diag.hpp"
#include "sim/engine/explain.hpp"

namespace kpath {

// What one case requires. Only the fields present are checked.
struct Expectation {
  template <typename T> struct Field { T value; SourceLoc loc; };
  struct Socket {                      // present = false: "no socket" (null)
    bool present = true;
    std::optional<std::string> proto;  // tcp | udp
    std::optional<uint16_t> port;
    std::optional<kernel::Ipv4Addr> addr;
    std::optional<bool> transparent;
  };
  struct Egress {
    bool present = true;
    std::optional<std::string> dev;
    std::optional<std::optional<kernel::Ipv4Addr>> via;  // engaged nullopt: no gateway
  };
  struct Icmp { bool present = true; std::optional<int> type, code; };
  struct Table { std::optional<uint32_t> id; std::string name; };  // both empty: no table decided
  struct Counter { kernel::Snmp counter; uint32_t delta; SourceLoc loc; };

  std::optional<Field<Disposition>> disposition;
  std::optional<Field<kernel::DropReason>> drop_reason;           // NOT_DROPPED: must not be dropped
  std::optional<Field<std::string>> drop_function;                // "" : must not be dropped
  std::optional<Field<Socket>> socket;
  std::optional<Field<Egress>> egress;
  std::optional<Field<Icmp>> icmp;
  std::optional<Field<kernel::ReplyKind>> reply;
  std::vector<Counter> counters;
  std::optional<Field<bool>> exact_counters;                      // every counter not listed must stay 0
  std::optional<Field<kernel::MarkMask>> mark;
  std::optional<Field<Table>> table;
  std::optional<Field<std::optional<uint32_t>>> rule;             // nullopt: no fib rule decided
  bool empty() const {
    return !disposition && !drop_reason && !drop_function && !socket && !egress && !icmp && !reply && counters.empty() &&
           !exact_counters && !mark && !table && !rule;
  }
};

struct ExpectCase {
  std::string name;
  std::string packet;           // a packet spec (sim/engine/packet_spec.hpp)
  std::string host;             // "" = the config's own host (or --host)
  bool host_given = false;
  SourceLoc loc;                // where the case was declared
  SourceLoc packet_loc;         // first character of the packet spec text
  bool packet_loc_exact = false;  // columns of the spec map 1:1 onto the file (no escapes)
  SourceLoc host_loc;
  Expectation expect;
};

// Parses an expectations file (registered in the FileTable as `file_id`). Throws ConfigError
// with file:line:column for bad JSON, unknown keys, wrong types and unknown names.
std::vector<ExpectCase> parse_expect_json(const std::string& text, uint32_t file_id);
// Parses one `#kpath expect ...` directive (compact grammar, see README "Testing configs").
ExpectCase parse_expect_directive(const ConfigSet::Directive& d, const FileTable& files);

// One checked field: "disposition", "socket.port", "counters.IpInAddrErrors", ...
struct FieldCheck {
  std::string field, expected, actual;
  bool ok = false;
  SourceLoc loc;
};
// Compares a verdict with an expectation (table names already resolved to ids).
std::vector<FieldCheck> check_expectation(const Expectation& x, const Verdict& v);

struct CaseResult {
  const ExpectCase* c = nullptr;
  const kernel::Net* net = nullptr;
  Explanation e;
  std::vector<FieldCheck> checks;
  bool pass = false;
  double seconds = 0;
};

struct TestRun {
  std::map<std::string, kernel::Net> nets;  // compiled hosts by name
  std::vector<ExpectCase> cases;
  std::vector<CaseResult> results;
  size_t passed = 0, failed = 0;
  std::string summary() const;              // "N passed, N failed"
};

// Compiles the hosts the cases name, resolves table names with each host's rt_tables, parses
// every packet (all bad input is reported before anything runs), then runs and checks each case.
// `default_host` names the host for cases without one ("" = the config's own host).
void run_expectations(TestRun& run, const ConfigSet& set, const kernel::KernelProfile& profile, const std::string& default_host,
                      FileTable& files);

std::string render_test_text(const TestRun& run, const FileTable& files);
nlohmann::json render_test_json(const TestRun& run, const FileTable& files);
std::string render_junit(const TestRun& run, const FileTable& files);

}  // namespace kpath
