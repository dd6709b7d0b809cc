// `kpath lint`: the mistakes users make with TPROXY, policy routing and firewalls, found in the
// compiled host and each proven by a witness packet that kpath's own engine runs. A check
// proposes a finding with a witness and a predicate over the witness's run; the finding is
// reported only when the run shows the problem (otherwise it is dropped, so a lint never
// claims what the engine cannot show).
//
// Ids (see README "Testing configs"):
//   tproxy-route-not-local   TPROXY's mark leads via `ip rule fwmark` to a table whose route is not local
//   tproxy-mark-not-routed   no fwmark rule selects TPROXY's --tproxy-mark: diverted packets are not routed locally
//   tproxy-no-listener       no transparent listener on --on-port: xt TPROXY drops every packet
//   mark-not-routed          a MARK value in PREROUTING that no fwmark rule and no -m mark selects
//   fwmark-rule-unused       an `ip rule fwmark` selects a mark nothing in the config sets
//   route-dev-down           a route whose nexthop device is down, missing or without carrier
//   rule-dev-detached        an ip rule whose iif/oif names a device that does not exist
//   rp-filter-policy-route   strict rp_filter where an fwmark table routes the source back another way
//   localnet-from-outside    DNAT or a route to 127.0.0.0/8 for packets from outside without route_localnet
#pragma once
#include <string>
#include <vector>
#include <nlohmann/json.hpp>
#include "models/net.hpp"
#include "sim/core/diag.hpp"
#include "sim/engine/explain.hpp"

namespace kpath {

struct LintFinding {
  enum class Severity { error, warning };
  std::string id;
  Severity severity = Severity::warning;
  std::string host;              // "" = the config's own host
  SourceLoc loc;                 // the config object to change
  std::string title;             // one line
  std::string why;               // one paragraph: the kernel function and counter involved
  std::string fix;
  std::vector<std::pair<std::string, SourceLoc>> related;  // other config objects involved
  std::string witness;           // packet spec (`kpath explain ... --packet WITNESS` shows it)
  std::string shows;             // what the witness run shows, in one line
  Explanation run;               // the witness's run through the engine
};

std::string_view severity_name(LintFinding::Severity s);

// All checks on one compiled host. Findings come in config order of their location.
std::vector<LintFinding> lint_net(const kernel::Net& net);

std::string render_lint_text(const std::vector<LintFinding>& f, const FileTable& files, const std::vector<std::string>& configs);
nlohmann::json render_lint_json(const std::vector<LintFinding>& f, const FileTable& files);
std::string lint_summary(const std::vector<LintFinding>& f);  // "N errors, N warnings"

}  // namespace kpath
