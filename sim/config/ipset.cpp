// ipset(8) 7.17 userspace (src/ipset.c, lib/parse.c, lib/session.c) over kpath's set model
// (models/netfilter/ipset.hpp), with the kernel's answers for what it refuses (ip_set_core.c:
// -EEXIST, -IPSET_ERR_EXIST, -IPSET_ERR_REFERENCED, "Hash is full"). Words as the real tool
// prints them, e.g. "ipset v7.17: Element cannot be added to the set: it's already added".
#include "sim/config/ipset.hpp"
#include <algorithm>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <fmt/format.h>
#include "sim/config/iptables/iptables_cmd.hpp"
#include "sim/config/iptables/xt/xt_registry.hpp"

namespace kpath {
namespace {

using kernel::IpSet;
using kernel::IpSetElem;
using kernel::IpSetFamily;
using kernel::IpSetType;

constexpr std::string_view kIpsetPrefix = "ipset v7.17: ";
constexpr size_t IPSET_MAXNAMELEN = 32;

enum class Cmd : uint8_t { create, add, del, test, destroy, list, save, restore, flush, rename, swap, help, version };
struct CmdName { std::string_view name; char short_opt; Cmd cmd; };
// ipset_commands (lib/ipset.c), in matching order: a prefix ("a", "cr") selects the first.
constexpr CmdName kCommands[] = {
    {"create", 'N', Cmd::create}, {"add", 'A', Cmd::add},         {"del", 'D', Cmd::del},         {"test", 'T', Cmd::test},
    {"destroy", 'X', Cmd::destroy}, {"list", 'L', Cmd::list},     {"save", 'S', Cmd::save},       {"restore", 'R', Cmd::restore},
    {"flush", 'F', Cmd::flush},     {"rename", 'E', Cmd::rename}, {"swap", 'W', Cmd::swap},       {"help", 'H', Cmd::help},
    {"version", 'V', Cmd::version},
};

struct TypeName { std::string_view name, alias; IpSetType type; };
// The set types of ipset 7.17 (lib/ipset_*.c) with their old names; four are modelled.
constexpr TypeName kTypes[] = {
    {"hash:ip", "iphash", IpSetType::hash_ip},           {"hash:net", "nethash", IpSetType::hash_net},
    {"hash:ip,port", "ipporthash", IpSetType::hash_ip_port}, {"bitmap:port", "portmap", IpSetType::bitmap_port},
    {"bitmap:ip", "ipmap", IpSetType::unmodelled},       {"bitmap:ip,mac", "macipmap", IpSetType::unmodelled},
    {"hash:mac", "", IpSetType::unmodelled},             {"hash:ip,mac", "", IpSetType::unmodelled},
    {"hash:net,net", "", IpSetType::unmodelled},         {"hash:net,port", "", IpSetType::unmodelled},
    {"hash:ip,port,ip", "ipportiphash", IpSetType::unmodelled}, {"hash:ip,port,net", "ipportnethash", IpSetType::unmodelled},
    {"hash:net,port,net", "", IpSetType::unmodelled},    {"hash:net,iface", "", IpSetType::unmodelled},
    {"hash:ipmark", "", IpSetType::unmodelled},          {"hash:ip,mark", "", IpSetType::unmodelled},
    {"list:set", "setlist", IpSetType::unmodelled},
};
constexpr std::string_view kModelledTypes = "hash:ip, hash:net, hash:ip,port and bitmap:port";

struct IcmpName { std::string_view name; uint8_t type, code; };
// icmp_typecodes (lib/icmp.c)
constexpr IcmpName kIcmpNames[] = {
    {"echo-reply", 0, 0}, {"pong", 0, 0}, {"network-unreachable", 3, 0}, {"host-unreachable", 3, 1},
    {"protocol-unreachable", 3, 2}, {"port-unreachable", 3, 3}, {"fragmentation-needed", 3, 4}, {"source-route-failed", 3, 5},
    {"network-unknown", 3, 6}, {"host-unknown", 3, 7}, {"network-prohibited", 3, 9}, {"host-prohibited", 3, 10},
    {"TOS-network-unreachable", 3, 11}, {"TOS-host-unreachable", 3, 12}, {"communication-prohibited", 3, 13},
    {"host-precedence-violation", 3, 14}, {"precedence-cutoff", 3, 15}, {"source-quench", 4, 0}, {"network-redirect", 5, 0},
    {"host-redirect", 5, 1}, {"TOS-network-redirect", 5, 2}, {"TOS-host-redirect", 5, 3}, {"echo-request", 8, 0},
    {"ping", 8, 0}, {"router-advertisement", 9, 0}, {"router-solicitation", 10, 0}, {"ttl-zero-during-transit", 11, 0},
    {"ttl-zero-during-reassembly", 11, 1}, {"ip-header-bad", 12, 0}, {"required-option-missing", 12, 1},
    {"timestamp-request", 13, 0}, {"timestamp-reply", 14, 0}, {"address-mask-request", 17, 0}, {"address-mask-reply", 18, 0},
};

SourceLoc shift(SourceLoc loc, size_t cols) {
  if (loc.col) loc.col += static_cast<uint32_t>(cols);
  return loc;
}

// Every reference to a set held by the rules of a host (xt_set match, SET target).
void for_each_ref(HostConfig& host, const std::function<void(kernel::XtSetInfo&, kernel::IptEntry&, const kernel::XtChain&)>& f) {
  for (kernel::XtTable& tbl : host.xt)
    for (kernel::XtChain& ch : tbl.chains)
      for (kernel::IptEntry& e : ch.rules) {
        for (kernel::XtMatch& m : e.matches)
          if (auto* s = std::get_if<kernel::XtSetMatch>(&m.data)) f(s->match_set, e, ch);
        if (auto* st = std::get_if<kernel::XtSetTarget>(&e.target.data))
          for (kernel::XtSetInfo* si : {&st->add_set, &st->del_set, &st->map_set})
            if (si->dim) f(*si, e, ch);
      }
}

bool referenced(HostConfig& host, const std::string& name) {
  bool used = false;
  for_each_ref(host, [&](kernel::XtSetInfo& si, kernel::IptEntry&, const kernel::XtChain&) { used |= si.name == name; });
  return used;
}

// The set changed: rules that hold it get the new contents.
void refresh(HostConfig& host, const std::string& name) {
  auto it = host.ipsets.find(name);
  if (it == host.ipsets.end()) return;
  it->second.shared.reset();
  for_each_ref(host, [&](kernel::XtSetInfo& si, kernel::IptEntry&, const kernel::XtChain&) {
    if (si.name == name) si.set = ipset_snapshot(host, name);
  });
}

class Ipset {
 public:
  Ipset(HostConfig& host, std::vector<Diagnostic>& notes, unsigned line, bool exist, bool lenient)
      : host_(host), notes_(notes), line_(line), exist_(exist), lenient_(lenient) {}

  std::set<std::string> changed;  // sets whose contents changed (refresh the rules afterwards)
  std::string file;               // -file F
  SourceLoc file_loc;
  bool is_restore = false;

  [[noreturn]] void fail(SourceLoc loc, std::string_view msg, std::string_view hint = {}) const {
    std::string text = fmt::format("{}{}{}", kIpsetPrefix, line_ ? fmt::format("Error in line {}: ", line_) : "", msg);
    if (!hint.empty()) text += fmt::format("; {}", hint);
    throw ConfigError(loc, text);
  }

  // One command line: `words` are the words after "ipset" (or a restore line's words).
  void run(const std::vector<Word>& words, SourceLoc cmd_loc) {
    std::vector<const Word*> pos;
    bool exist = exist_;
    for (size_t i = 0; i < words.size(); ++i) {
      const std::string& t = words[i].text;
      const std::string_view o = std::string_view(t).substr(t.rfind("--", 0) == 0 ? 1 : 0);
      if (o == "-exist" || o == "-!") { exist = true; continue; }
      if (o == "-q" || o == "-quiet" || o == "-r" || o == "-resolve" || o == "-s" || o == "-sorted" || o == "-n" || o == "-name" ||
          o == "-t" || o == "-terse")
        continue;
      if (o == "-o" || o == "-output" || o == "-f" || o == "-file") {
        if (i + 1 >= words.size()) fail(words[i].loc, fmt::format("Missing mandatory argument to option {}", t));
        if (o == "-f" || o == "-file") { file = words[i + 1].text; file_loc = words[i + 1].loc; }
        ++i;
        continue;
      }
      pos.push_back(&words[i]);
    }
    if (pos.empty()) {
      if (!file.empty()) return;  // `ipset -file F` alone does nothing useful
      throw ConfigError(cmd_loc, fmt::format("{}No command specified.; expected create, add, del, test, destroy, flush, rename, swap, "
                                             "list, save or restore", kIpsetPrefix));
    }
    const Word& cw = *pos[0];
    auto cmd = match_cmd(cw.text);
    if (!cmd)
      throw ConfigError(cw.loc, fmt::format("{}No command specified: unknown argument {}; expected create, add, del, test, destroy, "
                                            "flush, rename, swap, list, save or restore", kIpsetPrefix, cw.text));
    exist_cmd_ = exist;
    std::vector<const Word*> args(pos.begin() + 1, pos.end());
    cmd_word_ = &cw;
    switch (*cmd) {
      case Cmd::create: create(args); break;
      case Cmd::add:
      case Cmd::del:
      case Cmd::test: adt(*cmd, args); break;
      case Cmd::destroy: destroy(args); break;
      case Cmd::flush: flush(args); break;
      case Cmd::rename: rename(args); break;
      case Cmd::swap: swap(args); break;
      case Cmd::list:
      case Cmd::save:
        if (!args.empty()) need_set(*args[0]);
        note(cw.loc, fmt::format("ipset {}: listing has no effect on the model", cw.text));
        break;
      case Cmd::help:
      case Cmd::version: note(cw.loc, fmt::format("ipset {}: nothing to model", cw.text)); break;
      case Cmd::restore:
        if (line_) fail(cw.loc, "restore command is not supported in restore mode");
        is_restore = true;
        break;
    }
  }

 private:
  static std::optional<Cmd> match_cmd(std::string_view arg) {
    if (arg.size() == 2 && arg[0] == '-') {
      for (const CmdName& c : kCommands)
        if (c.short_opt == arg[1]) return c.cmd;
      return std::nullopt;
    }
    if (arg.size() > 2 && arg.substr(0, 2) == "--") arg.remove_prefix(2);
    if (arg.empty() || arg[0] == '-') return std::nullopt;
    for (const CmdName& c : kCommands)
      if (arg.size() <= c.name.size() && c.name.substr(0, arg.size()) == arg) return c.cmd;
    return std::nullopt;
  }

  void note(SourceLoc loc, std::string msg) { notes_.push_back({Diagnostic::Severity::note, loc, std::move(msg)}); }

  std::string cmd_name() const { return cmd_word_ ? cmd_word_->text : std::string(); }
  [[noreturn]] void missing(bool second) const {
    const std::string full = [&] {
      for (const CmdName& c : kCommands)
        if (match_cmd(cmd_word_->text) == c.cmd) return std::string(c.name);
      return cmd_name();
    }();
    fail(cmd_word_->loc, fmt::format("Missing {}mandatory argument to command {}", second ? "second " : "", full));
  }

  IpSet& need_set(const Word& w) {
    auto it = host_.ipsets.find(w.text);
    if (it == host_.ipsets.end()) {
      std::string have;
      for (const auto& [n, s] : host_.ipsets) have += (have.empty() ? "" : ", ") + n;
      fail(w.loc, "The set with the given name does not exist", have.empty() ? "no set has been created" : "sets: " + have);
    }
    return it->second;
  }

  void check_name(const Word& w) const {
    if (w.text.size() > IPSET_MAXNAMELEN - 1)
      fail(w.loc, fmt::format("Syntax error: setname '{}' is longer than {} characters", w.text, IPSET_MAXNAMELEN - 1));
  }

  uint32_t number(std::string_view text, uint64_t min, uint64_t max, SourceLoc loc) const {
    uint64_t v = 0;
    size_t end = 0;
    if (text.empty() || !xt::xtables_strtoul(text, &end, &v, 0, UINT64_MAX) || end != text.size())
      fail(loc, fmt::format("Syntax error: '{}' is invalid as number", text));
    if (v < min || v > max) fail(loc, fmt::format("Syntax error: '{}' is out of range {}-{}", text, min, max));
    return static_cast<uint32_t>(v);
  }

  // ---- create ----
  void create(const std::vector<const Word*>& args) {
    if (args.empty()) missing(false);
    if (args.size() < 2) missing(true);
    const Word& nw = *args[0];
    const Word& tw = *args[1];
    check_name(nw);
    const TypeName* tn = nullptr;
    for (const TypeName& t : kTypes)
      if (t.name == tw.text || (!t.alias.empty() && t.alias == tw.text)) { tn = &t; break; }
    if (!tn) fail(tw.loc, fmt::format("Syntax error: typename '{}' is unknown", tw.text), fmt::format("kpath models {}", kModelledTypes));
    IpSet s;
    s.name = nw.text;
    s.type = tn->type;
    s.type_name = std::string(tn->name);
    s.origin = nw.loc;
    if (tn->type == IpSetType::bitmap_port) s.family = IpSetFamily::unspec;
    if (tn->type == IpSetType::unmodelled) {
      const std::string msg = fmt::format("kpath: ipset type {} is not modelled (kpath models {}); rules that match this set cannot be evaluated",
                                          tn->name, kModelledTypes);
      if (!lenient_) throw xt::UnmodelledError(tw.loc, msg + " (use --lenient to continue with a warning)");
      notes_.push_back({Diagnostic::Severity::warning, tw.loc, msg});
    } else {
      create_options(s, std::vector<const Word*>(args.begin() + 2, args.end()));
    }
    auto it = host_.ipsets.find(s.name);
    if (it != host_.ipsets.end()) {
      if (exist_cmd_ && same_set(it->second, s)) return;
      fail(nw.loc, "Set cannot be created: set with the same name already exists",
           exist_cmd_ ? "-exist accepts only a set of the same type and options" : "");
    }
    s.init_bitmap();
    if (s.family == IpSetFamily::inet6)
      note(nw.loc, fmt::format("ipset {}: an IPv6 set is outside kpath's IPv4 model; it is kept without entries", s.name));
    host_.ipsets.emplace(s.name, std::move(s));
  }

  // The kernel's same_set for `create -exist`: type, family and the options that matter.
  static bool same_set(const IpSet& a, const IpSet& b) {
    return a.type_name == b.type_name && a.family == b.family && a.netmask == b.netmask && a.maxelem == b.maxelem &&
           a.with_timeout == b.with_timeout && a.counters == b.counters && a.comment == b.comment && a.skbinfo == b.skbinfo &&
           a.first_port == b.first_port && a.last_port == b.last_port;
  }

  void create_options(IpSet& s, const std::vector<const Word*>& opts) {
    const bool hash = s.type != IpSetType::bitmap_port;
    bool have_range = false;
    for (size_t i = 0; i < opts.size(); ++i) {
      const Word& w = *opts[i];
      const std::string& o = w.text;
      auto value = [&]() -> const Word& {
        if (i + 1 >= opts.size()) fail(w.loc, fmt::format("Missing mandatory argument of option `{}'", o));
        return *opts[++i];
      };
      if (hash && o == "family") {
        const Word& v = value();
        if (v.text == "inet" || v.text == "ipv4") s.family = IpSetFamily::inet;
        else if (v.text == "inet6" || v.text == "ipv6") s.family = IpSetFamily::inet6;
        else fail(v.loc, fmt::format("Syntax error: unknown inet family {}", v.text), "expected inet or inet6");
      } else if (hash && (o == "hashsize" || o == "bucketsize" || o == "initval" || o == "probes" || o == "resize")) {
        const Word& v = value();
        number(v.text, 0, UINT32_MAX, v.loc);
      } else if (hash && o == "maxelem") {
        const Word& v = value();
        const uint32_t n = number(v.text, 0, UINT32_MAX, v.loc);
        s.maxelem = n ? n : 65536;
      } else if (s.type == IpSetType::hash_ip && o == "netmask") {
        const Word& v = value();
        s.netmask = static_cast<uint8_t>(number(v.text, 1, 32, v.loc));
      } else if (!hash && o == "range") {
        const Word& v = value();
        const size_t dash = v.text.find('-');
        const uint32_t a = port_number(v.text.substr(0, dash), "tcp", v.loc);
        const uint32_t b = dash == std::string::npos ? a : port_number(v.text.substr(dash + 1), "tcp", shift(v.loc, dash + 1));
        s.first_port = static_cast<uint16_t>(std::min(a, b));
        s.last_port = static_cast<uint16_t>(std::max(a, b));
        have_range = true;
      } else if (o == "timeout") {
        const Word& v = value();
        number(v.text, 0, UINT32_MAX, v.loc);
        s.with_timeout = true;
      } else if (o == "counters") {
        s.counters = true;
      } else if (o == "comment") {
        s.comment = true;
      } else if (o == "skbinfo") {
        s.skbinfo = true;
      } else if (hash && o == "forceadd") {
        s.forceadd = true;
      } else {
        fail(w.loc, fmt::format("Unknown argument: `{}'", o), create_hint(s));
      }
    }
    if (!hash && !have_range) fail(cmd_word_->loc, "Mandatory option `range' is missing", "e.g. ipset create NAME bitmap:port range 0-1023");
  }

  static std::string create_hint(const IpSet& s) {
    if (s.type == IpSetType::bitmap_port) return "bitmap:port takes range FROM-TO, timeout N, counters, comment, skbinfo";
    return fmt::format("{} takes family inet|inet6, hashsize N, maxelem N, bucketsize N, timeout N, counters, comment, skbinfo, forceadd{}",
                       s.type_name, s.type == IpSetType::hash_ip ? ", netmask N" : "");
  }

  // ---- elements ----
  kernel::Ipv4Addr ipv4(std::string_view text, SourceLoc loc) const {
    auto a = xt::inet_aton(text);
    if (!a) a = xt::resolve_local_name(text, false);
    if (!a) fail(loc, fmt::format("Syntax error: cannot parse {}: resolving to IPv4 address failed", text),
                 "expected an IPv4 address (kpath does not resolve host names)");
    return *a;
  }

  uint32_t port_number(std::string_view text, std::string_view proto, SourceLoc loc) const {
    uint64_t v = 0;
    size_t end = 0;
    if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0]))) {
      if (!xt::xtables_strtoul(text, &end, &v, 0, UINT64_MAX) || end != text.size())
        fail(loc, fmt::format("Syntax error: '{}' is invalid as number", text));
      if (v > 65535) fail(loc, fmt::format("Syntax error: '{}' is out of range 0-65535", text));
      return static_cast<uint32_t>(v);
    }
    if (auto p = xt::service_port(text, proto)) return *p;
    fail(loc, fmt::format("Syntax error: '{}' is invalid as number", text), fmt::format("cannot parse '{}' as a {} port", text, proto));
  }

  // IP[/cidr|-IP] of hash:ip, hash:net and the first part of hash:ip,port, as the kernel's
  // uadt functions expand it (hash:net turns a range into prefixes, ip_set_range_to_cidr).
  std::vector<IpSetElem> parse_ips(const IpSet& s, std::string_view text, SourceLoc loc, bool want_one) const {
    std::vector<IpSetElem> out;
    const size_t slash = text.find('/'), dash = text.find('-');
    if (slash != std::string_view::npos) {
      const kernel::Ipv4Addr a = ipv4(text.substr(0, slash), loc);
      const std::string_view cs = text.substr(slash + 1);
      const uint32_t cidr = number(cs, 0, 32, shift(loc, slash + 1));
      if (cidr == 0) fail(loc, "The value of the CIDR parameter of the IP address is invalid");
      if (s.type == IpSetType::hash_net) {
        out.push_back(IpSetElem{kernel::Ipv4Addr{a.v & kernel::inet_make_mask(static_cast<int>(cidr))}, static_cast<uint8_t>(cidr)});
        return out;
      }
      const uint32_t lo = a.v & kernel::inet_make_mask(static_cast<int>(cidr));
      const uint32_t hi = lo | ~kernel::inet_make_mask(static_cast<int>(cidr));
      return expand(s, lo, hi, loc, want_one);
    }
    if (dash != std::string_view::npos) {
      uint32_t lo = ipv4(text.substr(0, dash), loc).v, hi = ipv4(text.substr(dash + 1), shift(loc, dash + 1)).v;
      if (lo > hi) std::swap(lo, hi);
      if (s.type == IpSetType::hash_net) {  // ip_set_range_to_cidr: the largest aligned blocks
        uint64_t cur = lo;
        while (cur <= hi) {
          int len = 32;
          while (len > 0) {
            const uint32_t m = kernel::inet_make_mask(len - 1);
            if ((cur & ~uint64_t{m}) != 0 || (cur | (~uint64_t{m} & 0xffffffffull)) > hi) break;
            --len;
          }
          out.push_back(IpSetElem{kernel::Ipv4Addr{static_cast<uint32_t>(cur)}, static_cast<uint8_t>(len)});
          cur += uint64_t{1} << (32 - len);
        }
        return out;
      }
      return expand(s, lo, hi, loc, want_one);
    }
    const kernel::Ipv4Addr a = ipv4(text, loc);
    out.push_back(IpSetElem{a, 32});
    return out;
  }

  std::vector<IpSetElem> expand(const IpSet& s, uint32_t lo, uint32_t hi, SourceLoc loc, bool want_one) const {
    std::vector<IpSetElem> out;
    const uint32_t step_bits = s.type == IpSetType::hash_ip ? 32u - s.netmask : 0u;
    const uint64_t step = uint64_t{1} << step_bits;
    const uint64_t count = ((uint64_t{hi} - lo) >> step_bits) + 1;
    if (want_one && count > 1) fail(loc, "Syntax error: a range or a network is not allowed here", "ipset test takes one element");
    if (count > s.maxelem + uint64_t{1}) fail(loc, "Hash is full, cannot add more elements", fmt::format("{} elements, maxelem {}", count, s.maxelem));
    for (uint64_t v = lo & ~(step - 1); v <= hi; v += step) out.push_back(IpSetElem{kernel::Ipv4Addr{static_cast<uint32_t>(v)}, 32});
    return out;
  }

  // [proto:]port[-port] of hash:ip,port and bitmap:port.
  std::vector<IpSetElem> parse_ports(const IpSet& s, std::string_view text, SourceLoc loc) const {
    uint8_t proto = 6;
    std::string_view pname = "tcp";
    const size_t colon = text.find(':');
    if (colon != std::string_view::npos) {
      pname = text.substr(0, colon);
      auto p = xt::parse_protocol(pname);
      if (!p || pname.empty()) fail(loc, fmt::format("Syntax error: cannot parse '{}' as a protocol", pname));
      proto = *p;
      text.remove_prefix(colon + 1);
      loc = shift(loc, colon + 1);
    }
    std::vector<IpSetElem> out;
    if (s.type == IpSetType::hash_ip_port && proto == 1) {  // icmp:TYPE/CODE or a name
      for (const IcmpName& n : kIcmpNames)
        if (n.name == text) {
          out.push_back(IpSetElem{{}, 32, proto, static_cast<uint16_t>(n.type << 8 | n.code)});
          return out;
        }
      const size_t sl = text.find('/');
      if (sl == std::string_view::npos) fail(loc, fmt::format("Cannot parse {} as an ICMP type/code.", text));
      const uint32_t type = number(text.substr(0, sl), 0, 255, loc);
      const uint32_t code = number(text.substr(sl + 1), 0, 255, shift(loc, sl + 1));
      out.push_back(IpSetElem{{}, 32, proto, static_cast<uint16_t>(type << 8 | code)});
      return out;
    }
    const bool has_ports = proto == 6 || proto == 17 || proto == 132 || proto == 136;
    const size_t dash = text.find('-');
    const std::string pn(pname);
    uint32_t lo = port_number(text.substr(0, dash), has_ports ? pn : "tcp", loc);
    uint32_t hi = dash == std::string_view::npos ? lo : port_number(text.substr(dash + 1), has_ports ? pn : "tcp", shift(loc, dash + 1));
    if (lo > hi) std::swap(lo, hi);
    if (s.type == IpSetType::hash_ip_port && !has_ports && (lo != 0 || hi != 0))
      fail(loc, fmt::format("Syntax error: Protocol {} can be used with pseudo port value 0 only.", pname));
    for (uint32_t p = lo; p <= hi; ++p) out.push_back(IpSetElem{{}, 32, s.type == IpSetType::hash_ip_port ? proto : uint8_t{0}, static_cast<uint16_t>(p)});
    return out;
  }

  std::vector<IpSetElem> parse_elem(const IpSet& s, const Word& w, bool want_one) const {
    const std::string_view text = w.text;
    switch (s.type) {
      case IpSetType::hash_ip:
      case IpSetType::hash_net:
        if (text.find(',') != std::string_view::npos)
          fail(w.loc, fmt::format("Syntax error: Elem separator in {}, but settype {} supports none.", text, s.type_name));
        return parse_ips(s, text, w.loc, want_one);
      case IpSetType::hash_ip_port: {
        const size_t comma = text.find(',');
        if (comma == std::string_view::npos) fail(w.loc, fmt::format("Syntax error: Second element is missing from {}.", text));
        const auto ips = parse_ips(s, text.substr(0, comma), w.loc, want_one);
        const auto ports = parse_ports(s, text.substr(comma + 1), shift(w.loc, comma + 1));
        if (ips.size() * ports.size() > s.maxelem + size_t{1}) fail(w.loc, "Hash is full, cannot add more elements");
        std::vector<IpSetElem> out;
        for (const IpSetElem& i : ips)
          for (const IpSetElem& p : ports) out.push_back(IpSetElem{i.ip, 32, p.proto, p.port});
        return out;
      }
      case IpSetType::bitmap_port: return parse_ports(s, text, w.loc);
      default: return {};
    }
  }

  // ---- add / del / test ----
  void adt(Cmd cmd, const std::vector<const Word*>& args) {
    if (args.empty()) missing(false);
    if (args.size() < 2) missing(true);
    IpSet& s = need_set(*args[0]);
    const Word& ew = *args[1];
    if (s.type == IpSetType::unmodelled) return;  // the create line already said so
    if (s.family == IpSetFamily::inet6) {
      note(ew.loc, fmt::format("ipset {}: IPv6 set {}: ignored (outside kpath's IPv4 model)", cmd_name(), s.name));
      return;
    }
    std::vector<IpSetElem> elems = parse_elem(s, ew, cmd == Cmd::test);
    bool nomatch = false;
    for (size_t i = 2; i < args.size(); ++i) {
      const Word& w = *args[i];
      const std::string& o = w.text;
      auto value = [&]() -> const Word& {
        if (i + 1 >= args.size()) fail(w.loc, fmt::format("Missing mandatory argument of option `{}'", o));
        return *args[++i];
      };
      if (o == "nomatch" && s.type == IpSetType::hash_net) nomatch = true;
      else if (o == "timeout" && cmd == Cmd::add) {
        const Word& v = value();
        if (!s.with_timeout) fail(w.loc, "Timeout cannot be used: set was created without timeout support");
        number(v.text, 0, UINT32_MAX, v.loc);
      } else if ((o == "packets" || o == "bytes") && cmd == Cmd::add) {
        const Word& v = value();
        if (!s.counters) fail(w.loc, "Packet/byte counters cannot be used: set was created without counter support");
        number(v.text, 0, UINT32_MAX, v.loc);
      } else if (o == "comment" && cmd == Cmd::add) {
        value();
        if (!s.comment) fail(w.loc, "Comment cannot be used: set was created without comment support");
      } else if ((o == "skbmark" || o == "skbprio" || o == "skbqueue") && cmd == Cmd::add) {
        value();
        if (!s.skbinfo) fail(w.loc, "Skbinfo mapping cannot be used: set was created without skbinfo support");
      } else {
        fail(w.loc, fmt::format("Unknown argument: `{}'", o), s.type == IpSetType::hash_net ? "hash:net elements take nomatch" : "");
      }
    }
    if (cmd == Cmd::test) {
      const IpSetElem e = elems.at(0);
      // a host address in a hash:net is tested against every prefix length (mtype_test_cidrs)
      const bool in = s.type == IpSetType::hash_net && e.cidr == 32 ? s.lookup(e, nullptr) > 0 : s.contains(e);
      note(ew.loc, in ? fmt::format("Warning: {} is in set {}.", ew.text, s.name)
                      : fmt::format("{} is NOT in set {}. (ipset test only reports; kpath does not act on it)", ew.text, s.name));
      return;
    }
    for (IpSetElem& e : elems) {
      e.nomatch = nomatch;
      if (s.type == IpSetType::hash_ip && s.normalise(e).ip.is_zero())
        fail(ew.loc, "Null-valued element, cannot be stored in a hash type of set");
      if (s.type == IpSetType::bitmap_port && (e.port < s.first_port || e.port > s.last_port))
        fail(ew.loc, "Element is out of the range of the set", fmt::format("set {} holds ports {}-{}", s.name, s.first_port, s.last_port));
      if (cmd == Cmd::add) {
        if (s.contains(e)) {
          if (!exist_cmd_) fail(ew.loc, "Element cannot be added to the set: it's already added", "-exist (or -!) ignores that");
        } else if (s.type != IpSetType::bitmap_port && s.size() >= s.maxelem) {
          fail(ew.loc, "Hash is full, cannot add more elements", fmt::format("set {} has maxelem {}", s.name, s.maxelem));
        }
        s.insert(e);
      } else if (!s.erase(e) && !exist_cmd_) {
        fail(ew.loc, "Element cannot be deleted from the set: it's not added");
      }
    }
    changed.insert(s.name);
  }

  // ---- destroy / flush / rename / swap ----
  void destroy(const std::vector<const Word*>& args) {
    if (!args.empty()) {
      IpSet& s = need_set(*args[0]);
      if (referenced(host_, s.name))
        fail(args[0]->loc, "Set cannot be destroyed: it is in use by a kernel component",
             fmt::format("a rule still uses set {}: delete it (iptables -D) first", s.name));
      host_.ipsets.erase(s.name);
      return;
    }
    for (const auto& [name, s] : host_.ipsets)
      if (referenced(host_, name))
        fail(cmd_word_->loc, "Set cannot be destroyed: it is in use by a kernel component", fmt::format("a rule still uses set {}", name));
    host_.ipsets.clear();
  }

  void flush(const std::vector<const Word*>& args) {
    if (!args.empty()) {
      IpSet& s = need_set(*args[0]);
      s.clear();
      changed.insert(s.name);
      return;
    }
    for (auto& [name, s] : host_.ipsets) {
      s.clear();
      changed.insert(name);
    }
  }

  void rename(const std::vector<const Word*>& args) {
    if (args.empty()) missing(false);
    if (args.size() < 2) missing(true);
    IpSet& s = need_set(*args[0]);
    check_name(*args[1]);
    const std::string from = s.name, to = args[1]->text;
    if (host_.ipsets.count(to)) fail(args[1]->loc, "Set cannot be renamed: a set with the new name already exists");
    auto node = host_.ipsets.extract(from);
    node.key() = to;
    node.mapped().name = to;
    node.mapped().shared.reset();
    host_.ipsets.insert(std::move(node));
    // Rules hold the set, not its name: they now print and use the new name.
    for_each_ref(host_, [&](kernel::XtSetInfo& si, kernel::IptEntry& e, const kernel::XtChain& ch) {
      if (si.name != from) return;
      si.name = to;
      e.text = iptables_rule_text(ch.name, e, host_.xt_legacy);
    });
    changed.insert(to);
  }

  void swap(const std::vector<const Word*>& args) {
    if (args.empty()) missing(false);
    if (args.size() < 2) missing(true);
    IpSet& a = need_set(*args[0]);
    auto it = host_.ipsets.find(args[1]->text);
    if (it == host_.ipsets.end()) fail(args[1]->loc, "Sets cannot be swapped: the second set does not exist");
    IpSet& b = it->second;
    if (a.type_name != b.type_name || a.family != b.family) fail(args[1]->loc, "The sets cannot be swapped: their type does not match",
                                                                 fmt::format("{} is {}, {} is {}", a.name, a.type_name, b.name, b.type_name));
    a.swap_contents(b);
    changed.insert(a.name);
    changed.insert(b.name);
  }

  HostConfig& host_;
  std::vector<Diagnostic>& notes_;
  unsigned line_;
  bool exist_;
  bool lenient_;
  bool exist_cmd_ = false;
  const Word* cmd_word_ = nullptr;
};

// build_argv (ipset.c restore): words split on blanks, double quotes group (comments).
std::vector<Word> split_line(std::string_view line, SourceLoc loc0) {
  std::vector<Word> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    const size_t start = i;
    std::string text;
    bool quoted = false;
    while (i < line.size() && (quoted || (line[i] != ' ' && line[i] != '\t'))) {
      if (line[i] == '"') { quoted = !quoted; ++i; continue; }
      text += line[i++];
    }
    out.push_back(Word{text, shift(loc0, start)});
  }
  return out;
}

void restore_text(HostConfig& host, const std::string& text, SourceLoc first_line, bool exist, bool lenient, std::vector<Diagnostic>& notes) {
  std::set<std::string> changed;
  std::istringstream in(text);
  std::string line;
  unsigned n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    if (line.compare(first, 6, "COMMIT") == 0) continue;
    const SourceLoc loc{first_line.file_id, first_line.line + n - 1, 1};
    Ipset run(host, notes, n, exist, lenient);
    run.run(split_line(line, loc), loc);
    changed.insert(run.changed.begin(), run.changed.end());
  }
  for (const std::string& name : changed) refresh(host, name);
}

}  // namespace

std::shared_ptr<const kernel::IpSet> ipset_snapshot(HostConfig& host, const std::string& name) {
  auto it = host.ipsets.find(name);
  if (it == host.ipsets.end()) return nullptr;
  IpSet& s = it->second;
  if (!s.shared) {
    auto copy = std::make_shared<IpSet>(s);
    copy->shared.reset();
    s.shared = std::move(copy);
  }
  return s.shared;
}

void ipset_bind(HostConfig& host, kernel::IptEntry& e) {
  for (kernel::XtMatch& m : e.matches)
    if (auto* s = std::get_if<kernel::XtSetMatch>(&m.data)) s->match_set.set = ipset_snapshot(host, s->match_set.name);
  if (auto* st = std::get_if<kernel::XtSetTarget>(&e.target.data))
    for (kernel::XtSetInfo* si : {&st->add_set, &st->del_set, &st->map_set})
      if (si->dim) si->set = ipset_snapshot(host, si->name);
}

void ipset_restore(HostConfig& host, const std::string& text, SourceLoc first_line, bool exist, std::vector<Diagnostic>& notes) {
  restore_text(host, text, first_line, exist, false, notes);
}

void ipset_command(FileTable& files, HostConfig& host, const std::vector<Word>& argv, const Command& cmd, std::vector<Diagnostic>& notes,
                   bool lenient) {
  Ipset run(host, notes, 0, false, lenient);
  run.run(argv, cmd.loc);
  if (!run.is_restore) {
    for (const std::string& name : run.changed) refresh(host, name);
    return;
  }
  bool exist = false;
  for (const Word& w : argv)
    if (w.text == "-exist" || w.text == "--exist" || w.text == "-!") exist = true;
  if (cmd.heredoc) {
    restore_text(host, cmd.heredoc->body, cmd.heredoc->loc, exist, lenient, notes);
    return;
  }
  std::string file = run.file;
  SourceLoc file_loc = run.file_loc;
  for (const Redirect& r : cmd.redirects)
    if (r.fd == 0) { file = r.target.text; file_loc = r.target.loc; }
  if (file.empty()) throw ConfigError(cmd.loc, "ipset restore reads standard input; give the sets in a here-document (<<EOF) or a file kpath can read");
  std::ifstream in(file);
  if (!in) throw ConfigError(file_loc, fmt::format("ipset restore: cannot open \"{}\"", file));
  std::stringstream ss;
  ss << in.rdbuf();
  const uint32_t id = files.add(file, ss.str());
  restore_text(host, ss.str(), SourceLoc{id, 1, 1}, exist, lenient, notes);
}

}  // namespace kpath
