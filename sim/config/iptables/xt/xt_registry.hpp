// iptables extensions as data, like libxtables: each libxt_*.cpp declares one option table
// (struct xt_option_entry[]), its parse/final-check/save functions and the kernel's registration
// metadata for the same extension (table, hooks, protocol, checkentry), and the registry maps
// `-m NAME` / `-j NAME` to them. The front end (iptables_cmd.cpp) merges the option tables into
// its getopt_long list exactly as xtables_options_xfrm does, so prefixes and clashes behave like
// iptables 1.8.9.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>
#include "models/netfilter/ipset.hpp"
#include "models/netfilter/x_tables.hpp"
#include "sim/config/lexer.hpp"
#include "sim/core/diag.hpp"

namespace kpath::xt {

// Who is talking: error messages start like iptables' own ("iptables v1.8.9 (nf_tables): ").
struct Program {
  bool restore = false;  // iptables-restore: different prefix, "line N failed" forms
  bool legacy = false;   // iptables-legacy: "(legacy)" instead of "(nf_tables)"
  unsigned line = 0;     // restore: input line number (1-based, as iptables-restore counts)
  std::string name() const { return restore ? "iptables-restore" : "iptables"; }
  std::string prefix() const { return name() + " v1.8.9 (" + (legacy ? "legacy" : "nf_tables") + "): "; }
};

// xtables_error(PARAMETER_PROBLEM, ...): "<prefix><msg>" plus kpath's "; <hint>" (what was
// expected). Newlines in iptables' text (it ends some messages with "\n") are folded.
[[noreturn]] void param_error(const Program& prog, SourceLoc loc, std::string_view msg, std::string_view hint = {});
// kpath's own words for what iptables accepts but kpath does not model. Thrown as
// UnmodelledError, which `--lenient` turns into a warning that skips the rule.
[[noreturn]] void unmodelled_error(SourceLoc loc, std::string_view msg);
class UnmodelledError : public ConfigError {
 public:
  using ConfigError::ConfigError;
};
// One line of text: newlines folded, trailing blanks dropped.
std::string fold_message(std::string_view msg);

// ---- option tables (libxtables/xtoptions.c) ----
enum class OptType : uint8_t {
  NONE, UINT8, UINT16, UINT32, STRING, MARKMASK32, PORT, PORTRC, HOST, HOSTMASK, PROTOCOL, SYSLOGLEVEL, UINT32RC,
  UINT16RC, DOUBLE, TOSMASK, ETHERMAC,
};
enum OptFlag : uint8_t { XTOPT_MAND = 1, XTOPT_INVERT = 2, XTOPT_MULTI = 4 };

struct OptEntry {  // struct xt_option_entry
  std::string_view name;
  uint8_t id = 0;
  OptType type = OptType::NONE;
  uint8_t flags = 0;
  uint32_t excl = 0, also = 0;  // bit per id
  uint32_t min = 0, max = 0;    // STRING: length bounds; integers: value bounds (0 = type limit);
                                // DOUBLE: bounds when min != max; TOSMASK: the mask a symbolic name gets
  uint32_t size = 0;            // STRING stored in a fixed buffer: longer values are cut to size-1
  std::string_view expect;      // kpath: what a valid value looks like (for error hints)
  bool unmodelled = false;      // iptables accepts it, kpath has no field for it: refused with a note why
};

// The rule being built, as an extension's parse function sees it (cb->xt_entry).
struct RuleView {
  const kernel::IptIp& ip;  // protocol and inversions given so far
  kernel::XtTableId table;
  const std::map<std::string, kernel::IpSet>* ipsets = nullptr;  // the host's sets (get_set_byname)
  bool legacy = false;      // iptables-legacy (ip_tables) rather than iptables-nft
};

// Access to the remaining words for old-style extensions that read a second argument
// (libxt_tcp --tcp-flags MASK COMP reads argv[optind] itself).
class ArgCursor {
 public:
  virtual ~ArgCursor() = default;
  virtual const Word* peek() const = 0;  // argv[optind] or nullptr
  virtual void advance() = 0;            // optind++
};

// struct xt_option_call
struct OptCall {
  OptCall(const Program& p, std::string_view ext, const OptEntry* e, RuleView r) : prog(p), ext_name(ext), entry(e), rule(r) {}
  const Program& prog;
  std::string_view ext_name;
  const OptEntry* entry = nullptr;
  std::string arg;            // optarg ("" for XTTYPE_NONE)
  bool has_arg = false;
  SourceLoc opt_loc, arg_loc; // the option word, the word (position) of its argument
  bool invert = false;
  uint32_t xflags = 0;        // ids already seen for this extension instance
  RuleView rule;
  ArgCursor* argv = nullptr;
  std::vector<Diagnostic>* notes = nullptr;
  // Filled by xtables_option_parse according to entry->type:
  uint32_t u32 = 0;
  uint32_t mark = 0, mask = 0xffffffffu;
  uint16_t port = 0;
  uint16_t port_range[2] = {0, 0xffff};
  uint32_t u32_range[2] = {0, 0};
  unsigned nvals = 0;
  kernel::Ipv4Addr haddr;
  uint8_t hlen = 32;
  uint8_t syslog_level = 0;
  uint8_t protocol = 0;
  double dbl = 0;
  uint8_t tos_value = 0, tos_mask = 0;
  std::array<uint8_t, 6> ethermac{};

  // xtables_error at the argument (value problems): appends what the option expects.
  [[noreturn]] void error(std::string_view msg) const;
  // xtables_error at the option word (use/combination problems).
  [[noreturn]] void error_at_option(std::string_view msg) const;
  void note(std::string msg) const;
};

// xtables_option_parse: "can only be used once", "cannot be inverted", then the typed parse.
void xtables_option_parse(OptCall& cb);

// struct xt_fcheck_call
struct FcheckCall {
  const Program& prog;
  std::string_view ext_name;
  uint32_t xflags = 0;
  SourceLoc loc;              // the -m / -j word
  RuleView rule;
  [[noreturn]] void error(std::string_view msg, std::string_view hint = {}) const;
};
// xtables_options_fcheck: XTOPT_MAND, excl, also.
void xtables_options_fcheck(const FcheckCall& cb, std::span<const OptEntry> table);

// The kernel's registration of the same extension (struct xt_match / xt_target in
// net/netfilter/xt_*.c): checked when the rule is loaded (xt_check_match / xt_check_target).
struct KernelReg {
  std::string_view table;  // "" = any table
  uint8_t hooks = 0;       // bit per NfHook; 0 = any hook
  uint8_t proto = 0;       // xt_match.proto / xt_target.proto; 0 = any
};

// What ->checkentry sees (struct xt_mtchk_param / xt_tgchk_param).
struct CheckParam {
  const kernel::IptEntry& entry;  // entryinfo: the rule's ipt_ip and its other matches
  std::string_view table;
  uint8_t hook_mask = 0;
  bool nft_compat = true;         // par->nft_compat: iptables-nft rather than ip_tables
  mutable std::string_view errno_text = "Invalid argument";  // the error the kernel returns, when not EINVAL
};

struct MatchExt {  // struct xtables_match + struct xt_match
  std::string_view name;
  std::span<const OptEntry> opts;
  bool x6 = true;          // x6_parse (generic option checks) or an old-style ->parse
  KernelReg kreg;
  kernel::XtMatchData (*init)() = nullptr;
  void (*parse)(OptCall&, kernel::XtMatchData&) = nullptr;
  void (*fcheck)(const FcheckCall&, kernel::XtMatchData&) = nullptr;
  void (*save)(const kernel::XtMatchData&, const kernel::IptIp&, std::string&) = nullptr;
  std::string_view (*alias)(const kernel::XtMatchData&) = nullptr;  // name printed after -m
  // ->checkentry: "" when the kernel accepts the rule, else what it logs.
  std::string (*checkentry)(const kernel::XtMatchData&, const CheckParam&) = nullptr;
  std::string_view summary;  // one line for error hints
};

struct TargetExt {  // struct xtables_target + struct xt_target
  std::string_view name;
  std::span<const OptEntry> opts;
  bool x6 = true;
  KernelReg kreg;
  kernel::XtTargetData (*init)() = nullptr;
  void (*parse)(OptCall&, kernel::XtTargetData&) = nullptr;
  void (*fcheck)(const FcheckCall&, kernel::XtTargetData&) = nullptr;
  void (*save)(const kernel::XtTargetData&, const kernel::IptIp&, std::string&) = nullptr;
  std::string (*checkentry)(const kernel::XtTargetData&, const CheckParam&) = nullptr;
  std::string_view summary;
};

// ---- registry ----
const MatchExt* find_match(std::string_view name);
const TargetExt* find_target(std::string_view name);
std::span<const MatchExt* const> all_matches();
std::span<const TargetExt* const> all_targets();
// The extension that saves a given match/target value (tcp vs udp share XtTcpUdp etc.).
const MatchExt& match_ext_of(const kernel::XtMatchData& d);
const TargetExt* target_ext_of(const kernel::XtTargetData& d);  // nullptr for standard verdicts and jumps
// Extensions iptables 1.8.9 ships (/usr/lib/x86_64-linux-gnu/xtables) whether or not kpath models them.
bool iptables_has_match(std::string_view name);
bool iptables_has_target(std::string_view name);
// Why kpath cannot model a match iptables ships ("" = no particular reason).
std::string_view unmodelled_match_reason(std::string_view name);
std::string modelled_match_names();   // "addrtype, comment, ..."
std::string modelled_target_names();

// ---- libxtables helpers the extensions share ----
// xtables_strtoul: base 0 (hex, octal), no leading '-', range check; with end == nullptr the whole
// string must be a number.
bool xtables_strtoul(std::string_view s, size_t* end, uint64_t* value, uint64_t min, uint64_t max);
bool xtables_strtoui(std::string_view s, size_t* end, uint32_t* value, uint32_t min, uint32_t max);
// xtables_parse_port(port, proto): number 0-65535 or a service name of that protocol (getservbyname);
// nullopt where iptables says "invalid port/service `%s' specified".
std::optional<uint16_t> xtables_parse_port(std::string_view port, std::string_view proto);
// xtables_getportbyname via getaddrinfo(NULL, name): glibc's numeric reading (strtoul truncated
// to int, then to 16 bits: 99999 becomes 34463) or a service name of any protocol; -1 if none.
int getportbyname(std::string_view name);
std::string service_examples();  // "http, https, domain, ssh, ..." for hints
// The databases behind those (xt_netdb.cpp): getservbyname(name, proto) ("" = any protocol),
// getprotobyname, getprotobynumber.
std::optional<uint16_t> service_port(std::string_view name, std::string_view proto);
std::optional<uint8_t> protocol_by_name(std::string_view name);
std::optional<std::string_view> protocol_by_number(uint8_t num);
// xtables_numeric_to_ipaddr: dotted quad with missing trailing octets padded ("10.1" = 10.1.0.0),
// each octet in any base xtables_strtoui accepts.
std::optional<kernel::Ipv4Addr> numeric_to_ipaddr(std::string_view s);
// xtables_numeric_to_ipmask: a full dotted netmask (no padding).
std::optional<uint32_t> numeric_to_ipmask(std::string_view s);
// inet_aton, which getaddrinfo uses for numeric hosts: "10.1" = 10.0.0.1, "0x7f.1" = 127.0.0.1.
std::optional<kernel::Ipv4Addr> inet_aton(std::string_view s);
// Names getaddrinfo/getnetbyname would resolve without DNS on a Debian host (/etc/hosts, /etc/networks).
std::optional<kernel::Ipv4Addr> resolve_local_name(std::string_view s, bool networks);
// xtables_parse_protocol: number, "all", /etc/protocols names, xtables_chain_protos; nullopt = unknown.
std::optional<uint8_t> parse_protocol(std::string_view s);
// proto_to_name for iptables -S: xtables_chain_protos first, then /etc/protocols, else the number.
std::string proto_name(uint8_t proto);
// xtables_save_string: the value as iptables-save quotes it.
void save_string(std::string& out, std::string_view value);
std::string hex(uint32_t v);  // "0x%x"
// "PREROUTING/INPUT" (the kernel's textify_hooks)
std::string hook_names(uint8_t mask);
// tos_symbol_names (libxtables/xtoptions.c): "Minimize-Delay" = 0x10, ...
std::optional<uint8_t> tos_symbol(std::string_view name);  // case-insensitive
// class_to_dscp (extensions/dscp_helper.c): a case-insensitive prefix test against CS0..CS7,
// BE, AF11..AF43, EF in that order, so "af41x" is AF41; nullopt = "Invalid DSCP value".
std::optional<uint8_t> class_to_dscp(std::string_view name);
// The users and groups of a Debian base system (getpwnam/getgrnam without the host's files).
std::optional<uint32_t> system_user(std::string_view name);
std::optional<uint32_t> system_group(std::string_view name);

// Small edit distance for "did you mean" hints.
size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace kpath::xt
