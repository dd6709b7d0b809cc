// kpath's prediction (the Verdict `kpath explain` prints) against the kernel's observation,
// field by field: disposition, drop_reason, drop_function, every counter either side moved,
// icmp, reply, socket, egress, table (fib:fib_table_lookup) and rule (not observable on a real
// kernel: shown, never counted). With an expectations case, the kernel is also checked
// against each expected field.
#pragma once
#include <string>
#include <vector>
#include "sim/check/expect.hpp"
#include "sim/config/host_config.hpp"
#include "sim/engine/explain.hpp"
#include "sim/live/observe.hpp"

namespace kpath::live {

struct Row {
  enum class Status { agree, disagree, unobservable };
  std::string field, kpath, kernel;
  Status status = Status::agree;
  bool has_expect = false;
  std::string expect;
  bool expect_ok = true;
};

struct Comparison {
  std::vector<Row> rows;
  int disagreements() const;
  int expect_failures() const;
};

// `expect` (from `kpath test`'s parser, sim/check/expect.hpp) may be null; its table names are
// resolved with the host's rt_tables.
Comparison compare(const Verdict& v, const Observation& o, const HostConfig& h, const Expectation* expect);

// The side-by-side table (columns: field, kpath, kernel[, expect], status).
std::string render_comparison(const Comparison& c, bool with_expect);

}  // namespace kpath::live
