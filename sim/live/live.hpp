// One `kpath live` run: environment checks, reaping of dead runs' leftovers, the private trace
// instance, and per case a fresh topology (DUT, client, upstream namespaces) built from the
// HostConfig, real sockets, one injected frame, the observation, and the comparison with
// kpath's Verdict. Every namespace, socket and the trace instance are RAII guards: they are
// removed on success, error, exception and (via interrupt.hpp) SIGINT/SIGTERM/SIGHUP.
#pragma once
#include <memory>
#include <string>
#include <vector>
#include "sim/config/host_config.hpp"
#include "sim/engine/explain.hpp"
#include "sim/live/apply.hpp"
#include "sim/live/compare.hpp"
#include "sim/live/observe.hpp"
#include "sim/live/tracefs.hpp"

namespace kpath::live {

// "" when live mode can run here; otherwise one sentence saying why not (exit 3).
std::string environment_problem();

struct CaseOutcome {
  Topology topo;
  Observation obs;
  Comparison cmp;
  std::vector<std::string> refused;   // config commands the kernel refused (each one a disagreement)
  std::vector<std::string> warnings;  // best-effort steps that failed
  std::vector<std::string> kept;      // namespaces left for debugging (--keep)
  bool ok() const { return refused.empty() && cmp.disagreements() == 0 && cmp.expect_failures() == 0; }
};

class LiveSession {
 public:
  explicit LiveSession(bool keep);
  ~LiveSession();
  // `tag` names the case's namespaces (`kpl-<pid>` or `kpl-<pid>-c<N>`).
  CaseOutcome run_case(const HostConfig& h, const Verdict& v, const kernel::Packet& pkt, const std::string& in_dev,
                       const std::string& tag, const Expectation* expect);
  std::vector<std::string> reaped;    // leftovers of dead runs removed at start
  std::string trace_name() const;
 private:
  bool keep_;
  std::unique_ptr<TraceInstance> trace_;
};

}  // namespace kpath::live
