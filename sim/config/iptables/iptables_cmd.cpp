// iptables 1.8.9 (nf_tables) userspace, read as data: do_parse (iptables/xshared.c) over a
// getopt_long emulation, the nft command back end's checks (jump targets, "TCP match requires
// '-p tcp'", rule indexes, chain errors), the kernel's load-time checks (xt_check_match /
// xt_check_target / nft table validation: table, hooks, protocol, loops) and iptables-restore
// (iptables/xtables-restore.c). Extensions are in xt/libxt_*.cpp.
#include "sim/config/iptables/iptables_cmd.hpp"
#include <algorithm>
#include <cstdlib>
#include <functional>
#include <unordered_map>
#include <fmt/format.h>
#include "sim/config/iptables/xt/xt_registry.hpp"
#include "sim/config/ipset.hpp"

namespace kpath {
namespace {

using namespace kernel;
using xt::OptEntry;
using xt::Program;

// ---- commands and options (iptables/xshared.h) ----
enum : uint32_t {
  CMD_NONE = 0,
  CMD_INSERT = 1u << 0,
  CMD_DELETE = 1u << 1,
  CMD_DELETE_NUM = 1u << 2,
  CMD_REPLACE = 1u << 3,
  CMD_APPEND = 1u << 4,
  CMD_LIST = 1u << 5,
  CMD_FLUSH = 1u << 6,
  CMD_ZERO = 1u << 7,
  CMD_NEW_CHAIN = 1u << 8,
  CMD_DELETE_CHAIN = 1u << 9,
  CMD_SET_POLICY = 1u << 10,
  CMD_RENAME_CHAIN = 1u << 11,
  CMD_LIST_RULES = 1u << 12,
  CMD_ZERO_NUM = 1u << 13,
  CMD_CHECK = 1u << 14,
};
constexpr char kCmdFlags[] = {'I', 'D', 'D', 'R', 'A', 'L', 'F', 'Z', 'N', 'X', 'P', 'E', 'S', 'Z', 'C'};

enum : uint32_t {
  OPT_NUMERIC = 1u << 0,
  OPT_SOURCE = 1u << 1,
  OPT_DESTINATION = 1u << 2,
  OPT_PROTOCOL = 1u << 3,
  OPT_JUMP = 1u << 4,
  OPT_VERBOSE = 1u << 5,
  OPT_EXPANDED = 1u << 6,
  OPT_VIANAMEIN = 1u << 7,
  OPT_VIANAMEOUT = 1u << 8,
  OPT_LINENUMBERS = 1u << 9,
  OPT_COUNTERS = 1u << 10,
  OPT_FRAGMENT = 1u << 11,
};
constexpr char kOptFlags[] = {'n', 's', 'd', 'p', 'j', 'v', 'x', 'i', 'o', '0', 'c', 'f'};
constexpr bool kInvertible[] = {false, true, true, true, false, false, false, true, true, false, false, true};

// commands_v_options (iptables/xtables.c): 'x' = illegal; row = command bit, column = option bit.
constexpr const char* kCommandsVOptions[15] = {
    /*     -n  -s  -d  -p  -j  -v  -x  -i  -o --line -c -f */
    "x     x  x  ",  // INSERT
    "x     x  xx ",  // DELETE
    "xxxxx xxxxxx",  // DELETE_NUM
    "x     x  x  ",  // REPLACE
    "x     x  x  ",  // APPEND
    " xxxx  xx xx",  // LIST
    "xxxxx xxxxxx",  // FLUSH
    "xxxxx xxxxxx",  // ZERO
    "xxxxx xxxxxx",  // ZERO_NUM (row 8)
    "xxxxx xxxxxx",  // NEW_CHAIN
    "xxxxx xxxxxx",  // DEL_CHAIN
    "xxxxx xxxx x",  // SET_POLICY
    "xxxxx xxxxxx",  // RENAME
    "xxxxx xxxxxx",  // LIST_RULES
    "x     x  xx ",  // CHECK
};

char cmd2char(uint32_t option) {
  size_t i = 0;
  for (; option > 1; option >>= 1) ++i;
  return i < sizeof(kCmdFlags) ? kCmdFlags[i] : '?';
}
char opt2char(uint32_t option) {
  size_t i = 0;
  for (; option > 1; option >>= 1) ++i;
  return kOptFlags[i];
}
size_t bit_index(uint32_t option) {
  size_t i = 0;
  for (; option > 1; option >>= 1) ++i;
  return i;
}

// ---- getopt_long (glibc, optstring "-:...": RETURN_IN_ORDER, ':' for a missing argument) ----
constexpr std::string_view kOptstring = "-:A:C:D:R:I:L::S::M:F::Z::N:X::E:P:Vh::o:p:s:d:j:i:fbvw::W::nt:m:xc:g:46";
constexpr int kNonOption = 1;

struct LongOpt {
  std::string name;
  int has_arg;  // 0 no, 1 required, 2 optional
  int val;
};

// original_opts (iptables/xshared.c, 1.8.9)
const std::vector<LongOpt>& original_opts() {
  static const std::vector<LongOpt> opts = {
      {"append", 1, 'A'},       {"delete", 1, 'D'},        {"check", 1, 'C'},         {"insert", 1, 'I'},
      {"replace", 1, 'R'},      {"list", 2, 'L'},          {"list-rules", 2, 'S'},    {"flush", 2, 'F'},
      {"zero", 2, 'Z'},         {"new-chain", 1, 'N'},     {"delete-chain", 2, 'X'},  {"rename-chain", 1, 'E'},
      {"policy", 1, 'P'},       {"source", 1, 's'},        {"destination", 1, 'd'},   {"src", 1, 's'},
      {"dst", 1, 'd'},          {"protocol", 1, 'p'},      {"in-interface", 1, 'i'},  {"jump", 1, 'j'},
      {"table", 1, 't'},        {"match", 1, 'm'},         {"numeric", 0, 'n'},       {"out-interface", 1, 'o'},
      {"verbose", 0, 'v'},      {"wait", 2, 'w'},          {"wait-interval", 2, 'W'}, {"exact", 0, 'x'},
      {"fragments", 0, 'f'},    {"version", 0, 'V'},       {"help", 2, 'h'},          {"line-numbers", 0, '0'},
      {"modprobe", 1, 'M'},     {"set-counters", 1, 'c'},  {"goto", 1, 'g'},          {"ipv4", 0, '4'},
      {"ipv6", 0, '6'},
  };
  return opts;
}

class Getopt {
 public:
  explicit Getopt(const std::vector<std::string>& argv) : argv_(argv) {}

  int optind = 0;
  int optopt = 0;
  std::optional<std::string> optarg;
  int optarg_word = -1;   // word holding optarg
  size_t optarg_col = 0;  // where in it optarg starts
  int opt_word = -1;      // word holding the option itself

  int next(const std::vector<LongOpt>& longopts) {
    optarg.reset();
    optarg_word = -1;
    optarg_col = 0;
    const int argc = static_cast<int>(argv_.size());
    if (nextchar_.empty()) {
      if (optind >= argc) return -1;
      const std::string& a = argv_[static_cast<size_t>(optind)];
      if (a == "--") {
        ++optind;  // the words after "--" stay unparsed ("unknown arguments found on commandline")
        return -1;
      }
      if (a.size() < 2 || a[0] != '-') {
        opt_word = optind;
        set_arg(a, optind, 0);
        ++optind;
        return kNonOption;
      }
      if (a[1] == '-') return long_option(longopts);
      cur_word_ = optind;
      nextchar_ = std::string_view(a).substr(1);
      cur_col_ = 1;
    }
    opt_word = cur_word_;
    const char c = nextchar_[0];
    nextchar_.remove_prefix(1);
    ++cur_col_;
    const size_t pos = kOptstring.find(c, 2);
    if (nextchar_.empty()) ++optind;
    if (c == ':' || pos == std::string_view::npos) {
      optopt = static_cast<unsigned char>(c);
      return '?';
    }
    const int has_arg = pos + 1 < kOptstring.size() && kOptstring[pos + 1] == ':'
                            ? (pos + 2 < kOptstring.size() && kOptstring[pos + 2] == ':' ? 2 : 1)
                            : 0;
    if (has_arg == 1) {
      if (!nextchar_.empty()) {
        set_arg(std::string(nextchar_), cur_word_, cur_col_);
        nextchar_ = {};
        ++optind;
      } else if (optind >= argc) {
        optopt = static_cast<unsigned char>(c);
        return ':';
      } else {
        set_arg(argv_[static_cast<size_t>(optind)], optind, 0);
        ++optind;
      }
    } else if (has_arg == 2 && !nextchar_.empty()) {
      set_arg(std::string(nextchar_), cur_word_, cur_col_);
      nextchar_ = {};
      ++optind;
    }
    return static_cast<unsigned char>(c);
  }

  bool in_cluster() const { return !nextchar_.empty(); }

 private:
  void set_arg(std::string v, int word, size_t col) {
    optarg = std::move(v);
    optarg_word = word;
    optarg_col = col;
  }

  int long_option(const std::vector<LongOpt>& longopts) {
    const int argc = static_cast<int>(argv_.size());
    const std::string& a = argv_[static_cast<size_t>(optind)];
    opt_word = optind;
    const std::string_view body = std::string_view(a).substr(2);
    const size_t eq = body.find('=');
    const std::string_view name = body.substr(0, eq);
    const LongOpt* found = nullptr;
    for (const LongOpt& o : longopts)
      if (o.name == name) { found = &o; break; }
    if (!found) {
      bool ambiguous = false;
      for (const LongOpt& o : longopts) {
        if (o.name.compare(0, name.size(), name) != 0) continue;
        if (!found) found = &o;
        else if (found->has_arg != o.has_arg || found->val != o.val) ambiguous = true;
      }
      if (ambiguous) found = nullptr;
    }
    const int word = optind++;
    if (!found) {
      optopt = 0;
      return '?';
    }
    if (eq != std::string_view::npos) {
      if (!found->has_arg) {
        optopt = found->val;
        return '?';
      }
      set_arg(std::string(body.substr(eq + 1)), word, 2 + eq + 1);
    } else if (found->has_arg == 1) {
      if (optind >= argc) {
        optopt = found->val;
        return ':';
      }
      set_arg(argv_[static_cast<size_t>(optind)], optind, 0);
      ++optind;
    }
    return found->val;
  }

  const std::vector<std::string>& argv_;
  std::string_view nextchar_;
  int cur_word_ = -1;
  size_t cur_col_ = 0;
};

constexpr int XT_OPTION_OFFSET_SCALE = 256;
constexpr size_t XT_EXTENSION_MAXNAMELEN = 29;

struct MatchInst {
  const xt::MatchExt* ext;
  XtMatchData data;
  uint32_t xflags = 0;
  bool completed = false;
  SourceLoc loc;
  int offset = 0;
};
struct TargetInst {
  const xt::TargetExt* ext;
  XtTargetData data;
  uint32_t xflags = 0;
  SourceLoc loc;
  int offset = 0;
};

SourceLoc shift(SourceLoc loc, size_t cols) {
  if (loc.col) loc.col += static_cast<uint32_t>(cols);
  return loc;
}

std::string to_lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::optional<XtTableId> table_by_name(std::string_view name) {
  for (size_t i = 0; i < kXtTableNames.size(); ++i)
    if (kXtTableNames[i] == name) return static_cast<XtTableId>(i);
  return std::nullopt;
}

std::string chain_list(const XtTable& t) {
  std::string s;
  for (const XtChain& c : t.chains) s += (s.empty() ? "" : ", ") + c.name;
  return s;
}

// ---- iptables -S text ----
std::string mask_to_str(uint8_t len) { return std::to_string(len); }

void save_ipv4_addr(std::string& out, char letter, const Prefix& p, bool invert) {
  if (p.len == 0 && !invert && p.addr.v == 0) return;
  out += fmt::format("{} -{} {}/{}", invert ? " !" : "", letter, p.addr, mask_to_str(p.len));
}

void save_iface(std::string& out, char letter, const std::string& iface, bool invert) {
  if (!iface.empty() && (iface != "+" || invert)) out += fmt::format("{} -{} {}", invert ? " !" : "", letter, iface);
}

}  // namespace

// The rule as `iptables -S` prints it (nft_ipv4_save_rule, save_matches_and_target).
std::string iptables_rule_text(std::string_view chain, const IptEntry& e, bool legacy) {
  std::string s = fmt::format("-A {}", chain);
  save_ipv4_addr(s, 's', e.ip.src, e.ip.inv_src);
  save_ipv4_addr(s, 'd', e.ip.dst, e.ip.inv_dst);
  save_iface(s, 'i', e.ip.iniface, e.ip.inv_in);
  save_iface(s, 'o', e.ip.outiface, e.ip.inv_out);
  if (e.ip.proto > 0) s += fmt::format("{} -p {}", e.ip.inv_proto ? " !" : "", xt::proto_name(e.ip.proto));
  if (e.ip.frag) s += e.ip.frag < 0 ? " ! -f" : " -f";
  // iptables-nft turns tcp/udp port and flag matches into native payload expressions and, when
  // listing, parses them back into the first tcp/udp match of the rule: later ones are folded
  // into it (values overwrite, inversions add up). --tcp-option stays an xt match of its own.
  auto native = [legacy](const XtMatchData& d) {
    const auto* t = std::get_if<XtTcpUdp>(&d);
    return !legacy && t && t->option == 0 && !t->inv_option ? t : nullptr;
  };
  std::optional<XtTcpUdp> folded;
  size_t first_native = e.matches.size();
  for (size_t i = 0; i < e.matches.size(); ++i) {
    const XtTcpUdp* t = native(e.matches[i].data);
    if (!t) continue;
    if (!folded) {
      folded = *t;
      first_native = i;
      continue;
    }
    if (t->spts.start != 0 || t->spts.end != 0xffff) folded->spts = t->spts;
    if (t->dpts.start != 0 || t->dpts.end != 0xffff) folded->dpts = t->dpts;
    folded->inv_sport |= t->inv_sport;
    folded->inv_dport |= t->inv_dport;
    if (t->flg_mask || t->inv_flags) {
      folded->flg_mask = t->flg_mask;
      folded->flg_cmp = t->flg_cmp;
      folded->inv_flags |= t->inv_flags;
    }
  }
  for (size_t i = 0; i < e.matches.size(); ++i) {
    if (i != first_native && native(e.matches[i].data)) continue;
    const XtMatchData& d = i == first_native ? XtMatchData{*folded} : e.matches[i].data;
    const xt::MatchExt& ext = xt::match_ext_of(d);
    s += " -m ";
    s += ext.alias ? ext.alias(d) : ext.name;
    ext.save(d, e.ip, s);
  }
  std::visit([&](auto&& d) {
    using D = std::decay_t<decltype(d)>;
    if constexpr (std::is_same_v<D, XtStandard>) {
      switch (d.verdict) {
        case XtVerdict::ACCEPT: s += " -j ACCEPT"; break;
        case XtVerdict::DROP: s += " -j DROP"; break;
        case XtVerdict::RETURN: s += " -j RETURN"; break;
        case XtVerdict::CONTINUE: break;
      }
    } else if constexpr (std::is_same_v<D, XtJump>) {
      s += fmt::format(" -{} {}", d.is_goto ? 'g' : 'j', d.chain);
    } else {
      const xt::TargetExt* t = xt::target_ext_of(e.target.data);
      s += fmt::format(" -j {}", t->name);
      if (t->save) t->save(e.target.data, e.ip, s);
    }
  }, e.target.data);
  return s;
}

namespace {

// ---- the kernel's view: nft table validation (nf_tables_api.c nft_table_validate) with
// xt_check_match / xt_check_target for the xt extensions ----
struct KernelFault {
  std::string errno_text;  // "Invalid argument"
  std::string why;         // what the kernel logs, for kpath's explanation
  int chain = -1;
  size_t rule = 0;
  SourceLoc loc;           // the element at fault
  bool in_new_rule = false;
};

// `legacy`: ip_tables (iptables-legacy) instead of nf_tables with xt compat.
std::optional<KernelFault> check_entry(const XtTable& tbl, int chain, size_t idx, const IptEntry& e, uint8_t hook_mask, bool legacy) {
  const std::string_view tname = kXtTableNames[static_cast<size_t>(tbl.id)];
  auto fault = [&](std::string why, SourceLoc loc) {
    return KernelFault{"Invalid argument", std::move(why), chain, idx, loc};
  };
  for (const XtMatch& m : e.matches) {
    const xt::MatchExt& ext = xt::match_ext_of(m.data);
    const xt::KernelReg& k = ext.kreg;
    if (k.hooks && (hook_mask & ~k.hooks))
      return fault(fmt::format("x_tables: ip_tables: {} match: used from hooks {}, but only valid from {}", ext.name,
                               xt::hook_names(hook_mask), xt::hook_names(k.hooks)), m.origin);
    // tcp/udp are nft payload expressions with iptables-nft; ip_tables checks xt_tcpudp's .proto
    const uint8_t proto = k.proto ? k.proto : legacy && std::holds_alternative<XtTcpUdp>(m.data) ? std::get<XtTcpUdp>(m.data).proto : 0;
    if (proto && (proto != e.ip.proto || e.ip.inv_proto))
      return fault(fmt::format("x_tables: ip_tables: {} match: only valid for protocol {}", ext.name, proto), m.origin);
    if (ext.checkentry) {
      const xt::CheckParam par{e, tname, hook_mask, !legacy};
      std::string why = ext.checkentry(m.data, par);
      if (!why.empty()) {
        KernelFault f = fault(std::move(why), m.origin);
        f.errno_text = std::string(par.errno_text);
        return f;
      }
    }
  }
  if (const xt::TargetExt* t = xt::target_ext_of(e.target.data)) {
    const xt::KernelReg& k = t->kreg;
    if (!k.table.empty() && k.table != tname)
      return fault(fmt::format("x_tables: ip_tables: {} target: only valid in {} table, not {}", t->name, k.table, tname), e.target.origin);
    if (k.hooks && (hook_mask & ~k.hooks))
      return fault(fmt::format("x_tables: ip_tables: {} target: used from hooks {}, but only usable from {}", t->name,
                               xt::hook_names(hook_mask), xt::hook_names(k.hooks)), e.target.origin);
    if (k.proto && (k.proto != e.ip.proto || e.ip.inv_proto))
      return fault(fmt::format("x_tables: ip_tables: {} target: only valid for protocol {}", t->name, k.proto), e.target.origin);
    if (t->checkentry) {
      const xt::CheckParam par{e, tname, hook_mask, !legacy};
      std::string why = t->checkentry(e.target.data, par);
      if (!why.empty()) {
        KernelFault f = fault(std::move(why), e.target.origin);
        f.errno_text = std::string(par.errno_text);
        return f;
      }
    }
  }
  if (!legacy && e.ip.inv_src && e.ip.src.len == 0)
    return fault("iptables-nft cannot express ! -s 0.0.0.0/0 (an inverted match on zero address bits)", e.origin);
  if (!legacy && e.ip.inv_dst && e.ip.dst.len == 0)
    return fault("iptables-nft cannot express ! -d 0.0.0.0/0 (an inverted match on zero address bits)", e.origin);
  if (auto* j = std::get_if<XtJump>(&e.target.data)) {
    const int to = tbl.find_chain(j->chain);
    if (to >= 0 && tbl.chains[static_cast<size_t>(to)].builtin) {
      const bool from_base = tbl.chains[static_cast<size_t>(chain)].builtin;
      return KernelFault{legacy ? "Invalid argument" : from_base ? "Operation not supported" : "No such file or directory",
                         fmt::format("nf_tables: a rule cannot jump to the base chain {}", j->chain), chain, idx, e.target.origin};
    }
  }
  return std::nullopt;
}

// The hooks a chain is reached from (the mask nft_chain_validate checks its rules with).
uint8_t reaching_hooks(const XtTable& tbl, int chain) {
  auto base_hook = [&](int c) -> uint8_t {
    const XtChain& ch = tbl.chains[static_cast<size_t>(c)];
    if (!ch.builtin) return 0;
    for (int h = 0; h < NF_INET_NUMHOOKS; ++h)
      if (kHookChainNames[static_cast<size_t>(h)] == ch.name && tbl.hook_chain(static_cast<NfHook>(h)) == c) return static_cast<uint8_t>(1 << h);
    return 0;
  };
  if (tbl.chains[static_cast<size_t>(chain)].builtin) return base_hook(chain);  // nothing can jump to a base chain
  const size_t n = tbl.chains.size();
  std::unordered_map<std::string_view, int> index;
  for (size_t c = 0; c < n; ++c) index.emplace(tbl.chains[c].name, static_cast<int>(c));
  std::vector<std::vector<int>> callers(n);
  for (size_t c = 0; c < n; ++c)
    for (const IptEntry& e : tbl.chains[c].rules)
      if (auto* j = std::get_if<XtJump>(&e.target.data))
        if (auto it = index.find(j->chain); it != index.end()) callers[static_cast<size_t>(it->second)].push_back(static_cast<int>(c));
  uint8_t mask = 0;
  std::vector<bool> seen(n, false);
  std::vector<int> todo{chain};
  seen[static_cast<size_t>(chain)] = true;
  while (!todo.empty()) {
    const int c = todo.back();
    todo.pop_back();
    mask |= base_hook(c);
    for (int caller : callers[static_cast<size_t>(c)])
      if (!seen[static_cast<size_t>(caller)]) {
        seen[static_cast<size_t>(caller)] = true;
        todo.push_back(caller);
      }
  }
  return mask;
}

// nft table validation for a rule about to go into chain `chain`: the rule itself with the
// chain's hooks, and, when it jumps, every rule it makes reachable, and no loop
// (nft_chain_validate: -EMLINK). Existing rules were valid for the hooks they had, and the
// checks are per hook, so checking the added hooks is enough.
std::optional<KernelFault> validate_new_rule(const XtTable& tbl, int chain, size_t idx, const IptEntry& e, bool legacy) {
  const uint8_t hooks = reaching_hooks(tbl, chain);
  if (auto f = check_entry(tbl, chain, idx, e, hooks, legacy)) {
    f->in_new_rule = true;
    return f;
  }
  auto* j = std::get_if<XtJump>(&e.target.data);
  if (!j || hooks == 0) return std::nullopt;
  const int to = tbl.find_chain(j->chain);
  if (to < 0 || tbl.chains[static_cast<size_t>(to)].builtin) return std::nullopt;
  const size_t n = tbl.chains.size();
  std::vector<int> state(n, 0);  // 0 new, 1 on the DFS stack, 2 done
  std::optional<KernelFault> fault;
  std::function<void(int)> visit = [&](int c) {
    state[static_cast<size_t>(c)] = 1;
    const XtChain& ch = tbl.chains[static_cast<size_t>(c)];
    for (size_t i = 0; i < ch.rules.size() && !fault; ++i) {
      const IptEntry& r = ch.rules[i];
      if ((fault = check_entry(tbl, c, i, r, hooks, legacy))) return;
      auto* rj = std::get_if<XtJump>(&r.target.data);
      if (!rj) continue;
      const int next = tbl.find_chain(rj->chain);
      if (next < 0 || tbl.chains[static_cast<size_t>(next)].builtin) continue;
      if (next == chain || state[static_cast<size_t>(next)] == 1) {
        fault = KernelFault{legacy ? "Too many levels of symbolic links" : "Too many links",
                            fmt::format("nf_tables: chain {} jumps back into {}: a loop reachable from {}", ch.name, rj->chain, xt::hook_names(hooks)),
                            c, i, r.target.origin};
        return;
      }
      if (state[static_cast<size_t>(next)] == 0) visit(next);
    }
    state[static_cast<size_t>(c)] = 2;
  };
  if (to == chain) {
    return KernelFault{legacy ? "Too many levels of symbolic links" : "Too many links", fmt::format("nf_tables: chain {} jumps to itself, a loop reachable from {}", j->chain, xt::hook_names(hooks)),
                       chain, idx, e.target.origin, true};
  }
  visit(to);
  return fault;
}

// ---- one iptables command ----
class IptablesRun final : public xt::ArgCursor {
 public:
  IptablesRun(HostConfig& host, const std::vector<Word>& words, SourceLoc cmd_loc, Program prog, std::vector<Diagnostic>& notes)
      : host_(host), words_(words), cmd_loc_(cmd_loc), prog_(std::move(prog)), notes_(notes), g_(args_) {
    for (const Word& w : words) args_.push_back(w.text);
    opts_ = original_opts();
  }

  void run() {
    if (!parse()) return;
    post_parse();
    execute();
  }

  // ArgCursor (libxt_tcp's --tcp-flags reads argv[optind] itself)
  const Word* peek() const override {
    return g_.optind < static_cast<int>(words_.size()) ? &words_[static_cast<size_t>(g_.optind)] : nullptr;
  }
  void advance() override { ++g_.optind; }

 private:
  // ---- errors ----
  [[noreturn]] void param(SourceLoc loc, std::string_view msg, std::string_view hint = {}) const {
    xt::param_error(prog_, loc, msg, hint);
  }
  // libiptc-style failures: "iptables: <msg>" (exit 1); iptables-restore: "line N failed: <msg>".
  [[noreturn]] void failed(SourceLoc loc, std::string_view msg, std::string_view hint = {}) const {
    std::string text = prog_.restore ? fmt::format("iptables-restore: line {} failed: {}", prog_.line, msg) : fmt::format("iptables: {}", msg);
    if (!hint.empty()) text += fmt::format("; {}", hint);
    throw ConfigError(loc, text);
  }
  // nft transaction refused by the kernel (exit 4)
  [[noreturn]] void kernel_failed(SourceLoc loc, std::string_view op, std::string_view errno_text, std::string_view chain,
                                  std::string_view why) const {
    std::string text;
    if (prog_.legacy) {  // libiptc: iptc_strerror(errno), exit 1
      const std::string msg = fmt::format("{}.{}", errno_text, errno_text == "Invalid argument" ? " Run `dmesg' for more information." : "");
      text = prog_.restore ? fmt::format("iptables-restore: line {} failed: {}", prog_.line, msg) : fmt::format("iptables: {}", msg);
    } else {
      const std::string what = fmt::format("{} failed ({}): {} {}", op, errno_text, op.starts_with("CHAIN") ? "chain" : "rule in chain", chain);
      text = prog_.restore ? fmt::format("{}line {}: {}", prog_.prefix(), prog_.line, what) : fmt::format("{} {}", prog_.prefix(), what);
    }
    if (!why.empty()) text += fmt::format("; {}", why);
    throw ConfigError(loc, text);
  }
  void note(SourceLoc loc, std::string msg) { notes_.push_back({Diagnostic::Severity::note, loc, std::move(msg)}); }

  SourceLoc word_loc(int i, size_t col = 0) const {
    if (i < 0 || i >= static_cast<int>(words_.size())) return words_.empty() ? cmd_loc_ : words_.back().loc;
    return shift(words_[static_cast<size_t>(i)].loc, col);
  }
  SourceLoc optarg_loc() const { return word_loc(g_.optarg_word, g_.optarg_col); }
  SourceLoc opt_loc() const { return word_loc(g_.opt_word); }
  // argv[optind - 1]: iptables 1.8.9 reads -p -s -d -i -o -j values from there, which is the
  // whole word when the value is attached ("-ptcp" gives "-ptcp").
  std::string prev_word() const { return args_[static_cast<size_t>(g_.optind - 1)]; }
  SourceLoc prev_loc() const { return word_loc(g_.optind - 1); }
  bool xs_has_arg() const {
    return g_.optind < static_cast<int>(args_.size()) &&
           (args_[static_cast<size_t>(g_.optind)].empty() || (args_[static_cast<size_t>(g_.optind)][0] != '-' && args_[static_cast<size_t>(g_.optind)][0] != '!'));
  }

  // ---- do_parse pieces ----
  void add_command(uint32_t newcmd, uint32_t othercmds) {
    if (invert_) param(invert_loc_, "unexpected '!' flag");
    if (command_ & ~othercmds)
      param(opt_loc(), fmt::format("Cannot use -{} with -{}", cmd2char(newcmd), cmd2char(command_ & ~othercmds)),
            "give one command per iptables invocation");
    command_ |= newcmd;
    command_loc_ = opt_loc();
  }

  void set_option(uint32_t option) {
    if (options_ & option) param(opt_loc(), fmt::format("multiple -{} flags not allowed", opt2char(option)));
    options_ |= option;
    if (invert_ && !kInvertible[bit_index(option)]) param(invert_loc_, fmt::format("cannot have ! before -{}", opt2char(option)));
  }

  uint32_t parse_rulenumber(const std::string& s, SourceLoc loc) {
    uint32_t v;
    if (!xt::xtables_strtoui(s, nullptr, &v, 1, 0x7fffffff))
      param(loc, fmt::format("Invalid rule number `{}'", s), "expected a rule number starting at 1");
    return v;
  }

  std::string xt_parse_target(const std::string& name, SourceLoc loc) {
    if (name.empty()) param(loc, "Invalid target name (too short)");
    if (name.size() >= XT_EXTENSION_MAXNAMELEN)
      param(loc, fmt::format("Invalid target name `{}' ({} chars max)", name, XT_EXTENSION_MAXNAMELEN - 1));
    for (char c : name)
      if (std::isspace(static_cast<unsigned char>(c))) param(loc, fmt::format("Invalid target name `{}'", name));
    return name;
  }

  // xtables_options_xfrm / xtables_merge_options: globals, then the new extension, then older ones.
  int merge(std::span<const OptEntry> entries) {
    next_offset_ += XT_OPTION_OFFSET_SCALE;
    std::vector<LongOpt> merged = original_opts();
    for (const OptEntry& e : entries) merged.push_back({std::string(e.name), e.type != xt::OptType::NONE ? 1 : 0, e.id + next_offset_});
    merged.insert(merged.end(), opts_.begin() + static_cast<long>(original_opts().size()), opts_.end());
    opts_ = std::move(merged);
    return next_offset_;
  }

  void add_match(const xt::MatchExt* ext, SourceLoc loc) {
    int offset = 0;
    bool seen = false;
    for (MatchInst& m : matches_)
      if (m.ext == ext) {
        m.completed = true;  // xtables_find_match: a clone takes over the options
        offset = m.offset;
        seen = true;
      }
    if (!seen) offset = merge(ext->opts);
    matches_.push_back({ext, ext->init(), 0, false, loc, offset});
  }

  void command_match(const std::string& name, SourceLoc loc) {
    if (invert_) param(invert_loc_, "unexpected ! flag before --match");
    if (name.size() >= XT_EXTENSION_MAXNAMELEN)
      param(loc, fmt::format("Invalid match name \"{}\" ({} chars max)", name, XT_EXTENSION_MAXNAMELEN - 1));
    if (const xt::MatchExt* ext = xt::find_match(name)) {
      add_match(ext, opt_loc());
      return;
    }
    if (xt::iptables_has_match(name)) {
      const std::string_view why = xt::unmodelled_match_reason(name);
      xt::unmodelled_error(loc, fmt::format("kpath: the \"{}\" match exists in iptables 1.8.9 but is not modelled{}; modelled matches: {}", name,
                                            why.empty() ? "" : fmt::format(" ({})", why), xt::modelled_match_names()));
    }
    std::string hint = "kpath models the matches " + xt::modelled_match_names();
    param(loc, fmt::format("Couldn't load match `{}':No such file or directory\n", name), hint);
  }

  void command_jump(const std::string& raw, SourceLoc loc) {
    jumpto_ = xt_parse_target(raw, loc);
    jump_loc_ = opt_loc();
    jump_value_loc_ = loc;
    if (jumpto_ == "ACCEPT" || jumpto_ == "DROP" || jumpto_ == "RETURN") {
      standard_ = true;
      return;
    }
    if (jumpto_ == "QUEUE" || (xt::iptables_has_target(jumpto_) && !xt::find_target(jumpto_)))
      xt::unmodelled_error(loc, fmt::format("kpath: the {} target exists in iptables 1.8.9 but is not modelled; modelled targets: {}", jumpto_,
                                            xt::modelled_target_names()));
    if (const xt::TargetExt* t = xt::find_target(jumpto_)) {
      const int offset = t->opts.empty() ? 0 : merge(t->opts);
      target_ = TargetInst{t, t->init(), 0, opt_loc(), offset};
    }
  }

  const std::string& program_name() const {
    static const std::string ipt = "iptables", rst = "iptables-restore";
    return prog_.restore ? rst : ipt;
  }

  // load_proto / find_proto: -p NAME loads the match of that name when an unknown option follows.
  const xt::MatchExt* load_proto(std::string_view for_option, SourceLoc loc) {
    if (protocol_.empty() || proto_used_) return nullptr;
    proto_used_ = true;
    std::string name = protocol_;
    uint32_t num;
    if (xt::xtables_strtoui(protocol_, nullptr, &num, 0, 255)) {
      if (num == 0) return nullptr;
      name = xt::proto_name(static_cast<uint8_t>(num));
      if (name == std::to_string(num)) return nullptr;
    }
    if (const xt::MatchExt* m = xt::find_match(name)) return m;
    if (xt::iptables_has_match(name))
      xt::unmodelled_error(loc, fmt::format("kpath: `-p {}` makes iptables load its \"{}\" match for {}, which kpath does not model", protocol_, name,
                                            for_option));
    return nullptr;
  }

  std::string option_word_text() const {
    const int w = g_.opt_word;
    return w >= 0 && w < static_cast<int>(args_.size()) ? args_[static_cast<size_t>(w)] : std::string();
  }

  std::string unknown_option_hint(const std::string& word) const {
    std::string name = word;
    while (!name.empty() && name[0] == '-') name.erase(0, 1);
    if (const size_t eq = name.find('='); eq != std::string::npos) name.resize(eq);
    // Which modelled extensions have it?
    std::vector<std::string> owners;
    for (const xt::MatchExt* m : xt::all_matches())
      for (const OptEntry& e : m->opts)
        if (e.name == name) { owners.push_back(std::string(m->name) + " match"); break; }
    for (const xt::TargetExt* t : xt::all_targets())
      for (const OptEntry& e : t->opts)
        if (e.name == name) { owners.push_back(std::string(t->name) + " target"); break; }
    std::string loaded;
    std::string best;
    size_t best_d = 3;
    for (const LongOpt& o : opts_) {
      const size_t d = xt::edit_distance(name, o.name);
      if (d < best_d && !name.empty()) { best_d = d; best = o.name; }
      if (o.val >= XT_OPTION_OFFSET_SCALE) loaded += (loaded.empty() ? "--" : ", --") + o.name;
    }
    if (!owners.empty()) {
      std::string list;
      for (const std::string& o : owners) list += (list.empty() ? "" : ", ") + o;
      return fmt::format("--{} belongs to the {}: load it first (-p PROTO, -m NAME or -j NAME before it)", name, list);
    }
    std::string hint;
    if (!best.empty() && best != name && name.size() >= 3) hint = fmt::format("did you mean --{}? ", best);
    if (!loaded.empty()) return hint + "expected one of " + loaded + ", or a global option (-s, -d, -p, -i, -o, -j, -g, -m)";
    return hint + "expected a global option (-s, -d, -p, -i, -o, -f, -j, -g, -m) or a command (-A, -I, -D, -R, -N, -X, -F, -P, -E)";
  }

  // command_default: an option of a loaded extension, or the implicit protocol match.
  bool command_default(int c) {
    if (c >= XT_OPTION_OFFSET_SCALE) {
      const int offset = c / XT_OPTION_OFFSET_SCALE * XT_OPTION_OFFSET_SCALE;
      const uint8_t id = static_cast<uint8_t>(c - offset);
      if (target_ && target_->offset == offset) {
        call_ext(target_->ext->name, target_->ext->opts, id, target_->xflags, target_->ext->x6,
                 [&](xt::OptCall& cb) { target_->ext->parse(cb, target_->data); });
        return false;
      }
      for (MatchInst& m : matches_) {
        if (m.completed || m.offset != offset) continue;
        call_ext(m.ext->name, m.ext->opts, id, m.xflags, m.ext->x6, [&](xt::OptCall& cb) { m.ext->parse(cb, m.data); });
        return false;
      }
    }
    const std::string word = option_word_text();
    if (const xt::MatchExt* m = load_proto(word, opt_loc())) {
      add_match(m, opt_loc());
      --g_.optind;
      return true;
    }
    if (c == ':') param(opt_loc(), fmt::format("option \"{}\" requires an argument", word), "give its value as the next word");
    if (c == '?') {
      const std::string shown = g_.optopt > 0 && g_.optopt < 256 ? fmt::format("-{}", static_cast<char>(g_.optopt)) : word;
      param(opt_loc(), fmt::format("unknown option \"{}\"", shown), unknown_option_hint(shown));
    }
    param(opt_loc(), "Unknown arg \"(null)\"");
  }

  template <typename F>
  void call_ext(std::string_view ext_name, std::span<const OptEntry> opts, uint8_t id, uint32_t& xflags, bool x6, F&& parse) {
    const OptEntry* entry = nullptr;
    for (const OptEntry& e : opts)
      if (e.id == id) { entry = &e; break; }
    xt::OptCall cb(prog_, ext_name, entry, xt::RuleView{ip_, table_, &host_.ipsets, prog_.legacy});
    cb.arg = g_.optarg.value_or("");
    cb.has_arg = g_.optarg.has_value();
    cb.opt_loc = opt_loc();
    cb.arg_loc = cb.has_arg ? optarg_loc() : cb.opt_loc;
    cb.invert = invert_;
    cb.xflags = xflags;
    cb.argv = this;
    cb.notes = &notes_;
    if (entry->unmodelled) {
      if (x6) xt::xtables_option_parse(cb);
      xt::unmodelled_error(cb.opt_loc, fmt::format("kpath: {} option --{} is valid iptables but not modelled; kpath reads {}", ext_name, entry->name,
                                                   summary_of(ext_name)));
    }
    parse(cb);
    xflags = cb.xflags;
  }

  static std::string summary_of(std::string_view ext) {
    for (const xt::MatchExt* m : xt::all_matches())
      if (m->name == ext) return std::string(m->summary);
    for (const xt::TargetExt* t : xt::all_targets())
      if (t->name == ext) return std::string(t->summary);
    return std::string(ext);
  }

  // Returns false when the command turns out to be a no-op (-h, -V, ip6tables-only lines).
  bool parse() {
    table_ = XtTableId::filter;
    table_name_ = "filter";
    int wait = 0;
    bool wait_interval_set = false;
    int c;
    while ((c = g_.next(opts_)) != -1) {
      switch (c) {
        case 'A':
          add_command(CMD_APPEND, CMD_NONE);
          set_chain(*g_.optarg, optarg_loc());
          break;
        case 'C':
          add_command(CMD_CHECK, CMD_NONE);
          set_chain(*g_.optarg, optarg_loc());
          break;
        case 'D':
          add_command(CMD_DELETE, CMD_NONE);
          set_chain(*g_.optarg, optarg_loc());
          if (xs_has_arg()) {
            rulenum_ = parse_rulenumber(args_[static_cast<size_t>(g_.optind)], word_loc(g_.optind));
            rulenum_loc_ = word_loc(g_.optind++);
            command_ = CMD_DELETE_NUM;
          }
          break;
        case 'R':
          add_command(CMD_REPLACE, CMD_NONE);
          set_chain(*g_.optarg, optarg_loc());
          if (!xs_has_arg()) param(opt_loc(), "-R requires a rule number", "expected -R CHAIN RULENUM RULE");
          rulenum_ = parse_rulenumber(args_[static_cast<size_t>(g_.optind)], word_loc(g_.optind));
          rulenum_loc_ = word_loc(g_.optind++);
          break;
        case 'I':
          add_command(CMD_INSERT, CMD_NONE);
          set_chain(*g_.optarg, optarg_loc());
          rulenum_ = 1;
          rulenum_loc_ = opt_loc();
          if (xs_has_arg()) {
            rulenum_ = parse_rulenumber(args_[static_cast<size_t>(g_.optind)], word_loc(g_.optind));
            rulenum_loc_ = word_loc(g_.optind++);
          }
          break;
        case 'L':
        case 'S':
          add_command(c == 'L' ? CMD_LIST : CMD_LIST_RULES, CMD_ZERO | CMD_ZERO_NUM);
          optional_chain();
          if (xs_has_arg()) rulenum_ = parse_rulenumber(args_[static_cast<size_t>(g_.optind)], word_loc(g_.optind)), ++g_.optind;
          break;
        case 'F':
          add_command(CMD_FLUSH, CMD_NONE);
          optional_chain();
          break;
        case 'Z':
          add_command(CMD_ZERO, CMD_LIST | CMD_LIST_RULES);
          optional_chain();
          if (xs_has_arg()) {
            rulenum_ = parse_rulenumber(args_[static_cast<size_t>(g_.optind)], word_loc(g_.optind));
            ++g_.optind;
            command_ = CMD_ZERO_NUM;
          }
          break;
        case 'N':
          assert_valid_chain_name(*g_.optarg, optarg_loc());
          add_command(CMD_NEW_CHAIN, CMD_NONE);
          set_chain(*g_.optarg, optarg_loc());
          break;
        case 'X':
          add_command(CMD_DELETE_CHAIN, CMD_NONE);
          optional_chain();
          break;
        case 'E':
          add_command(CMD_RENAME_CHAIN, CMD_NONE);
          set_chain(*g_.optarg, optarg_loc());
          if (!xs_has_arg()) param(opt_loc(), "-E requires old-chain-name and new-chain-name", "expected -E OLD NEW");
          newname_ = args_[static_cast<size_t>(g_.optind)];
          newname_loc_ = word_loc(g_.optind++);
          break;
        case 'P':
          add_command(CMD_SET_POLICY, CMD_NONE);
          set_chain(*g_.optarg, optarg_loc());
          if (!xs_has_arg()) param(opt_loc(), "-P requires a chain and a policy", "expected -P CHAIN ACCEPT|DROP");
          policy_ = args_[static_cast<size_t>(g_.optind)];
          policy_loc_ = word_loc(g_.optind++);
          break;
        case 'h':
          note(opt_loc(), fmt::format("{} -h prints help; nothing to model", program_name()));
          return false;
        case 'V':
          note(opt_loc(), fmt::format("{} -V prints the version; nothing to model", program_name()));
          return false;
        case 'p': {
          set_option(OPT_PROTOCOL);
          protocol_ = to_lower(prev_word());
          const SourceLoc loc = prev_loc();
          auto p = xt::parse_protocol(protocol_);
          if (!p) param(loc, fmt::format("unknown protocol \"{}\" specified", protocol_),
                        "expected a protocol name (tcp, udp, icmp, all, ...) or number 0-255; write -p tcp, not -ptcp");
          if (*p == 0 && invert_) param(loc, "rule would never match protocol");
          ip_.proto = *p;
          ip_.inv_proto = invert_;
          break;
        }
        case 's':
          set_option(OPT_SOURCE);
          shost_ = prev_word();
          shost_loc_ = prev_loc();
          ip_.inv_src = invert_;
          break;
        case 'd':
          set_option(OPT_DESTINATION);
          dhost_ = prev_word();
          dhost_loc_ = prev_loc();
          ip_.inv_dst = invert_;
          break;
        case 'g':
          set_option(OPT_JUMP);
          goto_ = true;
          jumpto_ = xt_parse_target(*g_.optarg, optarg_loc());
          jump_loc_ = opt_loc();
          jump_value_loc_ = optarg_loc();
          break;
        case 'j':
          set_option(OPT_JUMP);
          command_jump(prev_word(), prev_loc());
          break;
        case 'i':
        case 'o': {
          if (g_.optarg->empty()) param(optarg_loc(), "Empty interface is likely to be undesired", "expected an interface name");
          set_option(c == 'i' ? OPT_VIANAMEIN : OPT_VIANAMEOUT);
          const std::string name = prev_word();
          if (name.size() + 1 > 16)
            param(prev_loc(), fmt::format("interface name `{}' must be shorter than IFNAMSIZ (15)", name), "write -i NAME with the name as its own word");
          if (name.find_first_of("/ ") != std::string::npos)
            note(prev_loc(), fmt::format("Warning: weird character in interface `{}' ('/' and ' ' are not allowed by the kernel).", name));
          (c == 'i' ? ip_.iniface : ip_.outiface) = name;
          (c == 'i' ? ip_.inv_in : ip_.inv_out) = invert_;
          (c == 'i' ? iface_in_loc_ : iface_out_loc_) = prev_loc();
          break;
        }
        case 'f':
          set_option(OPT_FRAGMENT);
          ip_.frag = invert_ ? -1 : 1;
          break;
        case 'v':
          if (!verbose_) {
            set_option(OPT_VERBOSE);
            note(opt_loc(), "-v only makes iptables print more; no effect on the model");
          }
          verbose_ = true;
          break;
        case 'm':
          command_match(*g_.optarg, optarg_loc());
          break;
        case 'n': set_option(OPT_NUMERIC); break;
        case 'x': set_option(OPT_EXPANDED); break;
        case '0': set_option(OPT_LINENUMBERS); break;
        case 't': {
          if (invert_) param(invert_loc_, "unexpected ! flag before --table");
          if (prog_.restore && table_set_) param(opt_loc(), "The -t option cannot be used in iptables-restore.\n", "the *TABLE line selects the table");
          auto t = table_by_name(*g_.optarg);
          if (!t) param(optarg_loc(), fmt::format("table '{}' does not exist", *g_.optarg), "expected raw, mangle, nat, filter or security");
          table_ = *t;
          table_name_ = *g_.optarg;
          table_set_ = true;
          break;
        }
        case 'w': {
          if (prog_.restore) param(opt_loc(), "You cannot use `-w' from iptables-restore");
          std::optional<std::string> v = g_.optarg;
          SourceLoc vloc = optarg_loc();
          if (!v && xs_has_arg()) { v = args_[static_cast<size_t>(g_.optind)]; vloc = word_loc(g_.optind++); }
          wait = -1;
          if (v) {
            if (!scanf_int(*v)) param(vloc, "wait seconds not numeric");
            wait = static_cast<int>(std::strtol(v->c_str(), nullptr, 0));
          }
          note(opt_loc(), "-w (wait for the xtables lock) has no effect on the model");
          break;
        }
        case 'W': {
          if (prog_.restore) param(opt_loc(), "You cannot use `-W' from iptables-restore");
          std::optional<std::string> v = g_.optarg;
          SourceLoc vloc = optarg_loc();
          if (!v) {
            if (!xs_has_arg()) param(opt_loc(), "wait interval value required");
            v = args_[static_cast<size_t>(g_.optind)];
            vloc = word_loc(g_.optind++);
          }
          uint32_t usec;
          if (!scanf_uint(*v, usec)) param(vloc, "wait interval not numeric");
          if (usec > 999999) param(vloc, fmt::format("too long usec wait {} > 999999 usec", usec));
          note(opt_loc(), "Ignoring deprecated --wait-interval option.");
          wait_interval_set = true;
          break;
        }
        case 'M':
          note(opt_loc(), "--modprobe has no effect on the model");
          break;
        case 'c': {
          set_option(OPT_COUNTERS);
          const std::string pcnt = *g_.optarg;
          std::string bcnt;
          const size_t comma = pcnt.find(',', pcnt.empty() ? 0 : 1);
          bool have_b = comma != std::string::npos;
          if (have_b) bcnt = pcnt.substr(comma + 1);
          if (!have_b && xs_has_arg()) { bcnt = args_[static_cast<size_t>(g_.optind++)]; have_b = true; }
          if (!have_b) param(opt_loc(), "-c requires packet and byte counter", "expected -c PACKETS BYTES");
          if (!scanf_u64(pcnt)) param(optarg_loc(), "-c packet counter not numeric");
          if (!scanf_u64(bcnt)) param(opt_loc(), "-c byte counter not numeric");
          note(opt_loc(), "-c sets packet/byte counters, which kpath does not model");
          break;
        }
        case '4': break;
        case '6':
          if (prog_.restore) return false;  // iptables-restore skips lines meant for ip6tables
          param(opt_loc(), "-6 is for ip6tables; iptables exits with status 2", "kpath models IPv4 only");
        case kNonOption:
          if (*g_.optarg == "!") {
            if (invert_) param(opt_loc(), "multiple consecutive ! not allowed");
            invert_ = true;
            invert_loc_ = opt_loc();
            continue;
          }
          throw ConfigError(opt_loc(), fmt::format("Bad argument `{}'; expected an option (-s, -d, -p, -j, -m, ...) or a command (-A, -I, ...); "
                                                   "a value must follow its option",
                                                   *g_.optarg));
        default:
          if (command_default(c)) continue;  // implicit protocol match loaded: parse the word again
          break;
      }
      invert_ = false;
    }

    if (table_ == XtTableId::nat && (policy_ == "DROP" || jumpto_ == "DROP"))
      param(policy_ == "DROP" ? policy_loc_ : jump_value_loc_,
            "\nThe \"nat\" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n",
            "drop in the filter (or raw/mangle) table instead");
    if (!wait && wait_interval_set) param(cmd_loc_, "--wait-interval only makes sense with --wait\n");

    const xt::RuleView view{ip_, table_, &host_.ipsets, prog_.legacy};
    for (MatchInst& m : matches_) {
      xt::FcheckCall fc{prog_, m.ext->name, m.xflags, m.loc, view};
      if (m.ext->fcheck) m.ext->fcheck(fc, m.data);
      xt::xtables_options_fcheck(fc, m.ext->opts);
    }
    if (target_) {
      xt::FcheckCall fc{prog_, target_->ext->name, target_->xflags, target_->loc, view};
      if (target_->ext->fcheck) target_->ext->fcheck(fc, target_->data);
      xt::xtables_options_fcheck(fc, target_->ext->opts);
    }

    if (g_.optind < static_cast<int>(args_.size()))
      param(word_loc(g_.optind), "unknown arguments found on commandline", "nothing may follow \"--\"");
    if (!command_)
      param(cmd_loc_, "no command specified", "expected a command: -A, -I, -D, -R, -N, -X, -F, -P, -E, -L, -S, -Z or -C");
    if (invert_) param(invert_loc_, "nothing appropriate following !");
    return true;
  }

  static bool scanf_int(const std::string& s) {  // sscanf("%i")
    size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    return i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]));
  }
  static bool scanf_uint(const std::string& s, uint32_t& v) {  // sscanf("%u")
    size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    uint64_t x = 0;
    for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) x = std::min<uint64_t>(x * 10 + static_cast<uint64_t>(s[i] - '0'), 0xffffffffull);
    v = static_cast<uint32_t>(x);
    return true;
  }
  static bool scanf_u64(const std::string& s) {
    size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i < s.size() && s[i] == '+') ++i;
    return i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]));
  }

  void set_chain(const std::string& name, SourceLoc loc) {
    chain_ = name;
    chain_loc_ = loc;
    has_chain_ = true;
  }
  void optional_chain() {
    if (g_.optarg) set_chain(*g_.optarg, optarg_loc());
    else if (xs_has_arg()) {
      set_chain(args_[static_cast<size_t>(g_.optind)], word_loc(g_.optind));
      ++g_.optind;
    }
  }

  void assert_valid_chain_name(const std::string& name, SourceLoc loc) {
    if (name.size() >= XT_EXTENSION_MAXNAMELEN)
      param(loc, fmt::format("chain name `{}' too long (must be under {} chars)", name, XT_EXTENSION_MAXNAMELEN));
    if (!name.empty() && (name[0] == '-' || name[0] == '!'))
      param(loc, fmt::format("chain name not allowed to start with `{}'", name[0]));
    if (name == "ACCEPT" || name == "DROP" || name == "QUEUE" || name == "RETURN" || name == "standard" || xt::iptables_has_target(name))
      param(loc, "chain name may not clash with target name", fmt::format("{} is a target; pick another chain name", name));
    for (char ch : name)
      if (std::isspace(static_cast<unsigned char>(ch))) param(loc, fmt::format("Invalid chain name `{}'", name));
  }

  // xtables_ipparse_multiple for -s/-d: comma lists, masks as /len or dotted, names from
  // /etc/networks and /etc/hosts only.
  std::vector<Prefix> parse_hosts(const std::string& spec, SourceLoc loc) {
    std::vector<Prefix> out;
    size_t start = 0;
    while (true) {
      const size_t comma = spec.find(',', start);
      const std::string item = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      const SourceLoc iloc = shift(loc, start);
      std::string host = item;
      uint32_t mask = 0xffffffffu;
      if (const size_t slash = item.rfind('/'); slash != std::string::npos) {
        host = item.substr(0, slash);
        const std::string m = item.substr(slash + 1);
        uint32_t bits;
        if (auto dotted = xt::numeric_to_ipmask(m)) mask = *dotted;
        else if (xt::xtables_strtoui(m, nullptr, &bits, 0, 32)) mask = inet_make_mask(static_cast<int>(bits));
        else param(shift(iloc, slash + 1), fmt::format("invalid mask `{}' specified", m), "expected a prefix length 0-32 or a dotted netmask");
      }
      if (mask == 0) host = "0.0.0.0";
      auto a = xt::numeric_to_ipaddr(host);
      if (!a) a = xt::resolve_local_name(host, true);
      if (!a)
        param(iloc, fmt::format("host/network `{}' not found", host), "expected an IPv4 address or network (kpath does not resolve host names)");
      int len = 0;
      uint32_t mm = mask;
      while (mm & 0x80000000u) { ++len; mm <<= 1; }
      if (mm != 0)
        xt::unmodelled_error(iloc, fmt::format("kpath: non-contiguous netmask {} in \"{}\" is valid iptables but not modelled; use a prefix length",
                                               to_string(Ipv4Addr{mask}), item));
      out.push_back(Prefix{Ipv4Addr{a->v & mask}, static_cast<uint8_t>(len)});
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return out;
  }

  void post_parse() {
    const bool rule_cmd = command_ & (CMD_REPLACE | CMD_INSERT | CMD_DELETE | CMD_APPEND | CMD_CHECK);
    if (rule_cmd) {
      srcs_ = (options_ & OPT_SOURCE) ? parse_hosts(shost_, shost_loc_) : std::vector<Prefix>{Prefix{}};
      dsts_ = (options_ & OPT_DESTINATION) ? parse_hosts(dhost_, dhost_loc_) : std::vector<Prefix>{Prefix{}};
      if ((srcs_.size() > 1 || dsts_.size() > 1) && (ip_.inv_src || ip_.inv_dst))
        param(srcs_.size() > 1 ? shost_loc_ : dhost_loc_, "! not allowed with multiple source or destination IP addresses");
    }
    if (command_ == CMD_REPLACE && (srcs_.size() != 1 || dsts_.size() != 1))
      param(srcs_.size() != 1 ? shost_loc_ : dhost_loc_, "Replacement rule does not specify a unique address");
    // generic_opt_check
    for (size_t i = 0; i < sizeof(kOptFlags); ++i) {
      int legal = 0;
      for (size_t j = 0; j < 15; ++j) {
        if (!(command_ & (1u << j)) || !(options_ & (1u << i))) continue;
        if (kCommandsVOptions[j][i] != 'x') legal = 1;
        else if (legal == 0) legal = -1;
      }
      if (legal == -1) param(command_loc_, fmt::format("Illegal option `-{}' with this command\n", kOptFlags[i]));
    }
    if (has_chain_ && chain_.size() >= XT_EXTENSION_MAXNAMELEN)
      param(chain_loc_, fmt::format("chain name `{}' too long (must be under {} chars)", chain_, XT_EXTENSION_MAXNAMELEN));
    if (command_ & (CMD_APPEND | CMD_DELETE | CMD_DELETE_NUM | CMD_CHECK | CMD_INSERT | CMD_REPLACE)) {
      if ((chain_ == "PREROUTING" || chain_ == "INPUT") && (options_ & OPT_VIANAMEOUT))
        param(iface_out_loc_, fmt::format("Can't use -o with {}\n", chain_), "there is no output device yet on that hook");
      if ((chain_ == "POSTROUTING" || chain_ == "OUTPUT") && (options_ & OPT_VIANAMEIN))
        param(iface_in_loc_, fmt::format("Can't use -i with {}\n", chain_), "locally generated packets have no input device");
    }
  }

  // ---- building and executing ----
  std::vector<IptEntry> build_entries() const {
    std::vector<IptEntry> out;
    for (const Prefix& s : srcs_)
      for (const Prefix& d : dsts_) {
        IptEntry e;
        e.ip = ip_;
        e.ip.src = s;
        e.ip.dst = d;
        for (const MatchInst& m : matches_) e.matches.push_back({m.data, m.loc});
        if (target_) e.target = {target_->data, target_->loc};
        else if (standard_)
          e.target = {XtStandard{jumpto_ == "ACCEPT" ? XtVerdict::ACCEPT : jumpto_ == "DROP" ? XtVerdict::DROP : XtVerdict::RETURN}, jump_loc_};
        else if (!jumpto_.empty())
          e.target = {XtJump{jumpto_, goto_, -1}, jump_loc_};
        else
          e.target = {XtStandard{XtVerdict::CONTINUE}, cmd_loc_};
        e.origin = cmd_loc_;
        e.text = iptables_rule_text(chain_, e, prog_.legacy);
        ipset_bind(host_, e);  // the rule holds the sets it names (xt_set keeps the set's index)
        out.push_back(std::move(e));
      }
    return out;
  }

  // Checks iptables-nft makes before it sends a rule (nft.c / nft-shared.c).
  void nft_rule_checks(const XtTable& tbl) const {
    if (!target_ && !standard_ && !jumpto_.empty() && tbl.find_chain(jumpto_) < 0) {
      std::string hint = fmt::format("table {} has chains {}", table_name_, chain_list(tbl));
      for (const xt::TargetExt* t : xt::all_targets())
        if (xt::edit_distance(to_lower(std::string(t->name)), to_lower(jumpto_)) <= 1) hint = fmt::format("did you mean the {} target? ", t->name) + hint;
      if (prog_.legacy) param(jump_value_loc_, fmt::format("Couldn't load target `{}':No such file or directory\n", jumpto_), hint);
      param(jump_value_loc_, fmt::format("Chain '{}' does not exist", jumpto_), hint);
    }
    if (prog_.legacy) return;  // ip_tables checks tcp/udp in the kernel (xt_tcpudp .proto)
    for (const MatchInst& m : matches_) {
      if (m.ext->name == "tcp" && ip_.proto != 6) param(m.loc, "TCP match requires '-p tcp'");
      if (m.ext->name == "udp" && ip_.proto != 17) param(m.loc, "UDP match requires '-p udp'");
    }
  }

  int need_chain(const XtTable& tbl) const {
    const int c = tbl.find_chain(chain_);
    if (c < 0)
      failed(chain_loc_, "No chain/target/match by that name.",
             fmt::format("table {} has no chain {} (chains: {})", table_name_, chain_, chain_list(tbl)));
    return c;
  }

  // The kernel's verdict on the new rules for chain c (nothing is changed when it refuses).
  void validate_rules(const XtTable& tbl, std::string_view op, int c, size_t at, const std::vector<IptEntry>& added) {
    for (const IptEntry& e : added) {
      auto f = validate_new_rule(tbl, c, at, e, prog_.legacy);
      if (!f) continue;
      const bool is_new = f->in_new_rule;
      std::string why = "the kernel logs \"" + f->why + "\"";
      SourceLoc loc = f->loc;
      if (!is_new) {
        why += fmt::format(" for the rule \"{}\", which this rule's jump makes reachable from {}",
                           tbl.chains[static_cast<size_t>(f->chain)].rules[f->rule].text, xt::hook_names(reaching_hooks(tbl, c)));
        loc = e.target.origin;
      }
      kernel_failed(loc, op, f->errno_text, chain_, why);
    }
  }

  void execute() {
    XtTable& tbl = host_.table(table_);
    switch (command_) {
      case CMD_APPEND:
      case CMD_INSERT:
      case CMD_REPLACE: {
        nft_rule_checks(tbl);
        const int c = need_chain(tbl);
        const std::vector<IptEntry> entries = build_entries();
        auto& rules = tbl.chains[static_cast<size_t>(c)].rules;
        if (command_ == CMD_APPEND) {
          validate_rules(tbl, "RULE_APPEND", c, rules.size(), entries);
          rules.insert(rules.end(), entries.begin(), entries.end());
        } else if (command_ == CMD_INSERT) {
          if (rulenum_ > rules.size() + 1) failed(rulenum_loc_, "Index of insertion too big.", fmt::format("chain {} has {} rules", chain_, rules.size()));
          validate_rules(tbl, "RULE_INSERT", c, rulenum_ - 1, entries);
          for (const IptEntry& e : entries) rules.insert(rules.begin() + static_cast<long>(rulenum_ - 1), e);  // each at N: the list ends up reversed
        } else {
          if (rulenum_ > rules.size()) failed(rulenum_loc_, "Index of replacement too big.", fmt::format("chain {} has {} rules", chain_, rules.size()));
          validate_rules(tbl, "RULE_REPLACE", c, rulenum_ - 1, entries);
          rules[rulenum_ - 1] = entries.front();
        }
        return;
      }
      case CMD_DELETE:
      case CMD_CHECK: {
        nft_rule_checks(tbl);
        const int c = tbl.find_chain(chain_);
        const std::vector<IptEntry> entries = build_entries();
        if (command_ == CMD_CHECK) {
          bool all = c >= 0;
          for (const IptEntry& e : entries) {
            if (!all) break;
            const auto& rules = tbl.chains[static_cast<size_t>(c)].rules;
            all = std::any_of(rules.begin(), rules.end(), [&](const IptEntry& r) { return r.text == e.text; });
          }
          note(command_loc_, fmt::format("iptables -C: the rule {} in chain {} at this point (exit status {}); kpath does not act on it",
                                         all ? "exists" : "does not exist", chain_, all ? 0 : 1));
          return;
        }
        XtTable next = tbl;
        for (const IptEntry& e : entries) {
          auto no_rule = [&] {
            failed(command_loc_, "Bad rule (does a matching rule exist in that chain?).",
                   fmt::format("no rule \"{}\" in table {}", e.text, table_name_));
          };
          if (c < 0) no_rule();
          auto& rules = next.chains[static_cast<size_t>(c)].rules;
          auto it = std::find_if(rules.begin(), rules.end(), [&](const IptEntry& r) { return r.text == e.text; });
          if (it == rules.end()) no_rule();
          rules.erase(it);
        }
        tbl = std::move(next);
        return;
      }
      case CMD_DELETE_NUM: {
        const int c = need_chain(tbl);
        auto& rules = tbl.chains[static_cast<size_t>(c)].rules;
        if (rulenum_ > rules.size()) failed(rulenum_loc_, "Index of deletion too big.", fmt::format("chain {} has {} rules", chain_, rules.size()));
        rules.erase(rules.begin() + static_cast<long>(rulenum_ - 1));
        return;
      }
      case CMD_FLUSH:
        if (has_chain_) tbl.chains[static_cast<size_t>(need_chain(tbl))].rules.clear();
        else
          for (XtChain& ch : tbl.chains) ch.rules.clear();
        return;
      case CMD_ZERO:
      case CMD_ZERO_NUM:
        if (has_chain_) need_chain(tbl);
        note(command_loc_, "-Z zeroes counters, which kpath does not model");
        return;
      case CMD_NEW_CHAIN: {
        if (tbl.find_chain(chain_) >= 0) failed(chain_loc_, "Chain already exists.", fmt::format("table {} has chains {}", table_name_, chain_list(tbl)));
        XtChain ch;
        ch.name = chain_;
        ch.origin = cmd_loc_;
        tbl.chains.push_back(std::move(ch));
        return;
      }
      case CMD_DELETE_CHAIN: {
        auto busy = [&](const XtChain& ch) {
          if (!ch.rules.empty()) return true;
          for (const XtChain& o : tbl.chains)
            for (const IptEntry& e : o.rules)
              if (auto* j = std::get_if<XtJump>(&e.target.data); j && j->chain == ch.name) return true;
          return false;
        };
        // nf_tables: -EBUSY; libiptc: ENOTEMPTY for rules, EMLINK for references
        auto busy_errno = [&](const XtChain& ch) -> std::string_view {
          return !prog_.legacy ? "Device or resource busy" : ch.rules.empty() ? "Too many links" : "Directory not empty";
        };
        auto why = [&](const XtChain& ch) {
          return ch.rules.empty() ? std::string("the chain is still the target of a -j/-g rule")
                                  : fmt::format("the chain still has {} rule(s); flush it with -F first", ch.rules.size());
        };
        if (has_chain_) {
          const int c = tbl.find_chain(chain_);
          if (c < 0 || tbl.chains[static_cast<size_t>(c)].builtin)
            failed(chain_loc_, "No chain/target/match by that name.",
                   c >= 0 ? "built-in chains cannot be deleted" : fmt::format("table {} has chains {}", table_name_, chain_list(tbl)));
          const XtChain& ch = tbl.chains[static_cast<size_t>(c)];
          if (busy(ch)) kernel_failed(chain_loc_, "CHAIN_DEL", busy_errno(ch), chain_, why(ch));
          tbl.chains.erase(tbl.chains.begin() + c);
          return;
        }
        for (const XtChain& ch : tbl.chains)
          if (!ch.builtin && busy(ch)) kernel_failed(command_loc_, "CHAIN_DEL", busy_errno(ch), ch.name, why(ch));
        std::erase_if(tbl.chains, [](const XtChain& ch) { return !ch.builtin; });
        return;
      }
      case CMD_SET_POLICY: {
        const int c = tbl.find_chain(chain_);
        if (c < 0 || !tbl.chains[static_cast<size_t>(c)].builtin)
          failed(chain_loc_, "Bad built-in chain name.",
                 fmt::format("policies exist only on the built-in chains of table {}: {}", table_name_, builtin_list(tbl)));
        if (policy_ != "ACCEPT" && policy_ != "DROP")
          failed(policy_loc_, "Bad policy name. Run `dmesg' for more information.", "expected ACCEPT or DROP");
        XtChain& ch = tbl.chains[static_cast<size_t>(c)];
        ch.policy = policy_ == "ACCEPT" ? XtVerdict::ACCEPT : XtVerdict::DROP;
        ch.policy_origin = policy_loc_;
        return;
      }
      case CMD_RENAME_CHAIN: {
        const int c = tbl.find_chain(chain_);
        if (c < 0) failed(chain_loc_, "No chain/target/match by that name.", fmt::format("table {} has chains {}", table_name_, chain_list(tbl)));
        if (tbl.find_chain(newname_) >= 0) failed(newname_loc_, "File exists.", fmt::format("table {} already has a chain {}", table_name_, newname_));
        if (tbl.chains[static_cast<size_t>(c)].builtin)
          xt::unmodelled_error(chain_loc_, fmt::format("kpath: renaming the built-in chain {} is not modelled (iptables-nft renames the nft base "
                                                       "chain and the table becomes incompatible with iptables)", chain_));
        const std::string old = chain_;
        tbl.chains[static_cast<size_t>(c)].name = newname_;
        for (XtChain& ch : tbl.chains)
          for (IptEntry& e : ch.rules) {
            if (auto* j = std::get_if<XtJump>(&e.target.data); j && j->chain == old) j->chain = newname_;
            e.text = iptables_rule_text(ch.name, e, prog_.legacy);
          }
        return;
      }
      case CMD_LIST:
      case CMD_LIST_RULES:
      case CMD_LIST | CMD_ZERO:
      case CMD_LIST_RULES | CMD_ZERO:
      case CMD_LIST | CMD_ZERO_NUM:
      case CMD_LIST_RULES | CMD_ZERO_NUM:
        if (has_chain_ && tbl.find_chain(chain_) < 0)
          throw ConfigError(chain_loc_, fmt::format("{}chain `{}' in table `{}' is incompatible, use 'nft' tool.; table {} has chains {}",
                                                    prog_.prefix(), chain_, table_name_, table_name_, chain_list(tbl)));
        note(command_loc_, fmt::format("{} lists rules; listing has no effect on the model", (command_ & CMD_LIST) ? "-L" : "-S"));
        return;
      default:
        return;
    }
  }

  static std::string builtin_list(const XtTable& t) {
    std::string s;
    for (const XtChain& c : t.chains)
      if (c.builtin) s += (s.empty() ? "" : ", ") + c.name;
    return s;
  }

  HostConfig& host_;
  const std::vector<Word>& words_;
  std::vector<std::string> args_;
  SourceLoc cmd_loc_;
  Program prog_;
  std::vector<Diagnostic>& notes_;
  Getopt g_;
  std::vector<LongOpt> opts_;
  int next_offset_ = 0;

  uint32_t command_ = CMD_NONE;
  SourceLoc command_loc_;
  uint32_t options_ = 0;
  bool invert_ = false;
  SourceLoc invert_loc_;
  XtTableId table_ = XtTableId::filter;
  std::string table_name_ = "filter";
  bool table_set_ = false;
  std::string chain_;
  SourceLoc chain_loc_;
  bool has_chain_ = false;
  uint32_t rulenum_ = 0;
  SourceLoc rulenum_loc_;
  std::string newname_, policy_;
  SourceLoc newname_loc_, policy_loc_;
  bool verbose_ = false;

  IptIp ip_;
  std::string protocol_;
  bool proto_used_ = false;
  std::string shost_, dhost_;
  SourceLoc shost_loc_, dhost_loc_, iface_in_loc_, iface_out_loc_;
  std::vector<Prefix> srcs_, dsts_;
  std::vector<MatchInst> matches_;
  std::optional<TargetInst> target_;
  std::string jumpto_;
  bool standard_ = false, goto_ = false;
  SourceLoc jump_loc_, jump_value_loc_;
};

// add_param_to_argv (iptables/xshared.c): iptables-restore's own word splitting. Double quotes
// group, a backslash escapes only inside quotes, a closing quote ends the word.
std::vector<Word> split_restore_line(std::string_view line, SourceLoc loc0, std::vector<Diagnostic>& notes) {
  std::vector<Word> out;
  std::string param;
  bool quote_open = false, escaped = false, have = false;
  size_t start = 0;
  auto begin_at = [&](size_t i) {
    if (!have) { start = i; have = true; }
  };
  auto flush = [&] {
    out.push_back({param, shift(loc0, start)});
    param.clear();
    have = false;
  };
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote_open) {
      if (escaped) { param += c; escaped = false; continue; }
      if (c == '\\') { escaped = true; continue; }
      if (c != '"') { param += c; continue; }
      quote_open = false;
      flush();  // the closing quote ends the parameter, even an empty one ("")
      continue;
    }
    if (c == '"') {
      begin_at(i);
      quote_open = true;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n') {
      if (have) flush();
      continue;
    }
    begin_at(i);
    param += c;
  }
  if (quote_open)
    notes.push_back({Diagnostic::Severity::warning, shift(loc0, start),
                     "iptables-restore: unterminated double quote; the word runs to the end of the line (newline included)"});
  if (have) flush();
  return out;
}

}  // namespace

namespace {
// --lenient: a rule kpath recognises but does not model is skipped with a warning.
void lenient_skip(const xt::UnmodelledError& e, std::vector<Diagnostic>& notes, std::string_view what) {
  notes.push_back({Diagnostic::Severity::warning, e.loc(), fmt::format("{}; --lenient: this {} is skipped", e.what(), what)});
}
}  // namespace

void iptables_command(HostConfig& host, const std::vector<Word>& argv, const Command& cmd, std::vector<Diagnostic>& notes, bool lenient) {
  Program prog;
  prog.legacy = host.xt_legacy;
  try {
    IptablesRun(host, argv, cmd.loc, prog, notes).run();
  } catch (const xt::UnmodelledError& e) {
    if (!lenient) throw xt::UnmodelledError(e.loc(), std::string(e.what()) + " (use --lenient to skip such rules with a warning)");
    lenient_skip(e, notes, "rule");
  }
}

void iptables_restore(HostConfig& host, const std::string& text, SourceLoc first_line, bool noflush, std::vector<Diagnostic>& notes,
                      bool lenient) {
  Program prog;
  prog.restore = true;
  prog.legacy = host.xt_legacy;
  bool in_table = false;
  std::string table_name;
  unsigned line = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    const bool has_nl = nl != std::string::npos;
    if (!has_nl) nl = text.size();
    std::string buffer = text.substr(pos, nl - pos) + (has_nl ? "\n" : "");
    pos = has_nl ? nl + 1 : text.size();
    ++line;
    prog.line = line;
    const SourceLoc loc{first_line.file_id, first_line.line + line - 1, 1};
    auto token = [&](size_t from, size_t& end) -> std::optional<std::string> {  // strtok(" \t\n")
      size_t b = buffer.find_first_not_of(" \t\n", from);
      if (b == std::string::npos) return std::nullopt;
      end = buffer.find_first_of(" \t\n", b);
      if (end == std::string::npos) end = buffer.size();
      return buffer.substr(b, end - b);
    };

    if (buffer[0] == '\n') continue;
    if (buffer[0] == '#') continue;
    if (in_table && buffer.compare(0, 6, "COMMIT") == 0 && (buffer.size() == 6 || buffer[6] == '\n')) {
      in_table = false;
      continue;
    }
    if (buffer[0] == '*' && !in_table) {
      size_t end = 0;
      auto table = token(1, end);
      if (!table) xt::param_error(prog, loc, fmt::format("iptables-restore: line {} table name invalid\n", line), "expected *TABLE");
      auto id = table_by_name(*table);
      if (!id)
        xt::param_error(prog, shift(loc, 1), fmt::format("iptables-restore: line {} table name '{}' invalid\n", line, *table),
                        "expected raw, mangle, nat, filter or security");
      table_name = *table;
      if (!noflush) host.table(*id) = xt_table_new(*id);  // the table is flushed: rules, user chains and policies
      in_table = true;
      continue;
    }
    if (buffer[0] == ':' && in_table) {
      size_t end = 0;
      auto chain = token(1, end);
      if (!chain) xt::param_error(prog, loc, fmt::format("iptables-restore: line {} chain name invalid\n", line), "expected :CHAIN POLICY [packets:bytes]");
      const SourceLoc chain_loc = shift(loc, 1);
      if (chain->size() >= XT_EXTENSION_MAXNAMELEN)
        xt::param_error(prog, chain_loc, fmt::format("chain name `{}' too long (must be under {} chars)", *chain, XT_EXTENSION_MAXNAMELEN));
      if ((*chain)[0] == '-' || (*chain)[0] == '!')
        xt::param_error(prog, chain_loc, fmt::format("chain name not allowed to start with `{}'", (*chain)[0]));
      if (*chain == "ACCEPT" || *chain == "DROP" || *chain == "QUEUE" || *chain == "RETURN" || xt::iptables_has_target(*chain))
        xt::param_error(prog, chain_loc, "chain name may not clash with target name");
      const size_t policy_at = buffer.find_first_not_of(" \t\n", end);
      auto policy = token(end, end);
      if (!policy) xt::param_error(prog, loc, fmt::format("iptables-restore: line {} policy invalid\n", line), "expected :CHAIN POLICY [packets:bytes]");
      XtTable& tbl = host.table(*table_by_name(table_name));
      const int c = tbl.find_chain(*chain);
      if (c >= 0 && tbl.chains[static_cast<size_t>(c)].builtin) {
        if (*policy == "ACCEPT" || *policy == "DROP") {
          tbl.chains[static_cast<size_t>(c)].policy = *policy == "ACCEPT" ? XtVerdict::ACCEPT : XtVerdict::DROP;
          tbl.chains[static_cast<size_t>(c)].policy_origin = shift(loc, policy_at);
        } else if (*policy != "-") {
          throw ConfigError(shift(loc, policy_at), fmt::format("iptables-restore: line {} failed: Bad policy name.; expected ACCEPT, DROP or -", line));
        }
      } else if (c < 0) {
        XtChain ch;
        ch.name = *chain;
        ch.origin = chain_loc;
        tbl.chains.push_back(std::move(ch));
      }
      continue;
    }
    if (!in_table) {
      throw ConfigError(loc, fmt::format("iptables-restore: line {} failed; expected *TABLE, :CHAIN POLICY, a rule, COMMIT or a # comment "
                                         "(rules and COMMIT only inside a *TABLE ... COMMIT block)", line));
    }
    // A rule line: optional [packets:bytes], then iptables arguments.
    size_t rule_at = 0;
    if (buffer[0] == '[') {
      const size_t close = buffer.find(']');
      const size_t colon = buffer.find(':', 1);
      if (close == std::string::npos || colon == std::string::npos)
        xt::param_error(prog, loc, fmt::format("Bad line {}: need ]", line), "expected [packets:bytes] before the rule");
      rule_at = close + 1;
    }
    std::vector<Word> words;
    words.push_back({"-t", loc});
    words.push_back({table_name, loc});
    for (Word& w : split_restore_line(std::string_view(buffer).substr(rule_at), shift(loc, rule_at), notes)) words.push_back(std::move(w));
    try {
      IptablesRun(host, words, loc, prog, notes).run();
    } catch (const xt::UnmodelledError& e) {
      if (!lenient) throw xt::UnmodelledError(e.loc(), std::string(e.what()) + " (use --lenient to skip such rules with a warning)");
      lenient_skip(e, notes, "rule");
    }
  }
  if (in_table)
    throw ConfigError(SourceLoc{first_line.file_id, first_line.line + line, 1},
                      fmt::format("iptables-restore: COMMIT expected at line {}; expected COMMIT to end the *{} block", line + 1, table_name));
}

}  // namespace kpath
