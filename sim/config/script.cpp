#include "sim/config/script.hpp"
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include "sim/config/ip/ip.hpp"
#include "sim/config/ipset.hpp"
#include "sim/config/iptables/iptables_cmd.hpp"
#include "sim/config/kpath_directive.hpp"
#include "sim/config/nft/nft.hpp"
#include "sim/config/sysctl.hpp"

namespace kpath {

namespace {

bool base_is(const std::string& s, std::string_view name) {
  auto slash = s.rfind('/');
  return std::string_view(s).substr(slash == std::string::npos ? 0 : slash + 1) == name;
}
std::string basename_of(const std::string& s) {
  auto slash = s.rfind('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

struct Dispatcher {
  ConfigSet& set;
  const LoadOptions& opt;
  std::vector<Diagnostic>& notes;

  void note(SourceLoc loc, std::string msg) { notes.push_back({Diagnostic::Severity::note, loc, std::move(msg)}); }

  void unmodelled(SourceLoc loc, std::string msg) {
    if (!opt.lenient) throw ConfigError(loc, msg + " (use --lenient to continue with a warning)");
    notes.push_back({Diagnostic::Severity::warning, loc, std::move(msg)});
  }

  // Runs one command in `host`. argv[0] is the command name.
  void run(HostConfig& host, std::vector<Word> argv, const Command& cmd) {
    while (!argv.empty() && (argv[0].text == "sudo" || argv[0].text == "command" || argv[0].text == "exec" || argv[0].text == "nohup")) argv.erase(argv.begin());
    if (argv.empty()) return;
    const std::string name = basename_of(argv[0].text);
    std::vector<Word> rest(argv.begin() + 1, argv.end());
    if (name == "ip") {
      ExecInHost exec = [this](HostConfig& h, std::vector<Word> a, const Command& c) { run(h, std::move(a), c); };
      if (!rest.empty() && (rest[0].text == "-6" || rest[0].text == "-family" && rest.size() > 1 && rest[1].text == "inet6")) {
        note(argv[0].loc, "IPv6 (ip -6) is outside kpath's IPv4 model; ignored");
        return;
      }
      ip_command(set, host, rest, cmd, notes, exec);
      return;
    }
    if (name == "iptables" || name == "iptables-nft" || name == "iptables-legacy") {
      if (name == "iptables-legacy") host.xt_legacy = true;
      iptables_command(host, rest, cmd, notes, opt.lenient);
      return;
    }
    if (name == "iptables-restore" || name == "iptables-nft-restore" || name == "iptables-legacy-restore") {
      if (name == "iptables-legacy-restore") host.xt_legacy = true;
      bool noflush = false;
      std::string file;
      SourceLoc file_loc;
      for (auto& w : rest) {
        if (w.text == "-n" || w.text == "--noflush") noflush = true;
        else if (w.text == "-w" || w.text == "--wait" || w.text == "-v" || w.text == "--verbose" || w.text == "-c" || w.text == "--counters") continue;
        else if (!w.text.empty() && w.text[0] == '-') throw ConfigError(w.loc, fmt::format("iptables-restore: unknown option \"{}\"; expected --noflush, --wait, --counters or a file", w.text));
        else { file = w.text; file_loc = w.loc; }
      }
      if (cmd.heredoc) {
        iptables_restore(host, cmd.heredoc->body, cmd.heredoc->loc, noflush, notes, opt.lenient);
        return;
      }
      for (auto& r : cmd.redirects)
        if (r.fd == 0) { file = r.target.text; file_loc = r.target.loc; }
      if (file.empty()) throw ConfigError(cmd.loc, "iptables-restore reads standard input; give the rules in a here-document (<<EOF) or a file kpath can read");
      restore_from_file(host, file, file_loc, noflush);
      return;
    }
    if (name == "ip6tables" || name == "ip6tables-nft" || name == "ip6tables-legacy" || name == "ip6tables-restore" ||
        name == "ip6tables-nft-restore" || name == "ip6tables-legacy-restore") {
      note(argv[0].loc, fmt::format("{}: IPv6 is outside kpath's IPv4 model; ignored", name));
      return;
    }
    if (name == "sysctl") { sysctl_command(host, rest, cmd, notes); return; }
    if (name == "echo" || name == "printf") { echo_command(host, name, rest, cmd); return; }
    if (name == "set" || name == "true" || name == ":" || name == "ulimit" || name == "sleep" || name == "cd" || name == "umask" ||
        name == "trap" || name == "shopt" || name == "wait") {
      return;  // shell bookkeeping: no effect on the network state
    }
    if (name == "exit") return;
    if (name == "modprobe" || name == "insmod") {
      note(argv[0].loc, fmt::format("{}: kpath models the netfilter and routing modules as loaded", name));
      return;
    }
    if (name == "nft") {
      nft_command(set.files, host, rest, cmd, notes, opt.lenient);
      return;
    }
    if (name == "ipset") {
      ipset_command(set.files, host, rest, cmd, notes, opt.lenient);
      return;
    }
    if (name == "ebtables" || name == "arptables" || name == "tc" || name == "ethtool" || name == "brctl" || name == "bridge") {
      unmodelled(argv[0].loc, fmt::format("{}: not modelled by kpath", name));
      return;
    }
    throw ConfigError(argv[0].loc, fmt::format("unknown command \"{}\"; kpath reads ip, iptables, iptables-restore, sysctl, "
                                               "`echo V > /proc/sys/...`, variable assignments and #kpath directives", argv[0].text));
  }

  void restore_from_file(HostConfig& host, const std::string& file, SourceLoc loc, bool noflush) {
    std::ifstream in(file);
    if (!in) throw ConfigError(loc, fmt::format("iptables-restore: cannot open \"{}\"", file));
    std::stringstream ss;
    ss << in.rdbuf();
    const uint32_t id = set.files.add(file, ss.str());
    iptables_restore(host, ss.str(), SourceLoc{id, 1, 1}, noflush, notes, opt.lenient);
  }

  // echo V > /proc/sys/net/..., echo "100 name" >> /etc/iproute2/rt_tables
  void echo_command(HostConfig& host, const std::string& name, const std::vector<Word>& rest, const Command& cmd) {
    const Redirect* out = nullptr;
    for (auto& r : cmd.redirects) if (r.fd == 1) out = &r;
    std::vector<const Word*> words;
    for (auto& w : rest) if (!(name == "echo" && (w.text == "-n" || w.text == "-e"))) words.push_back(&w);
    if (!out || out->target.text == "/dev/null" || out->target.text == "/dev/stderr") return;  // plain output: no effect
    std::string value;
    for (size_t i = 0; i < words.size(); ++i) value += (i ? " " : "") + words[i]->text;
    const std::string& path = out->target.text;
    if (path.rfind("/proc/sys/", 0) == 0) {
      if (words.empty()) throw ConfigError(cmd.loc, "echo writes nothing to a sysctl file; expected a value");
      sysctl_write(host, path.substr(10), value, out->target.loc, words[0]->loc, notes);
      return;
    }
    if (base_is(path, "rt_tables")) {
      std::istringstream in(value);
      std::string num, tname;
      in >> num >> tname;
      auto id = kernel::parse_u32(num);
      if (!id || tname.empty()) throw ConfigError(words.empty() ? cmd.loc : words[0]->loc, "rt_tables line must be \"NUMBER NAME\"");
      host.rt_tables[tname] = *id;
      return;
    }
    note(out->target.loc, fmt::format("write to {} has no effect on the modelled path; ignored", path));
  }
};

}  // namespace

void load_script_text(ConfigSet& set, const std::string& path, const std::string& text, const LoadOptions& opt) {
  const uint32_t id = set.files.add(path, text);
  VarEnv env;
  env.overrides = opt.set_vars;
  env.use_environment = opt.use_environment;
  LexedScript ls = lex_script(text, id, env);
  for (auto& n : ls.notes) set.diagnostics.push_back(n);
  if (set.hosts.empty()) set.hosts.push_back(HostConfig::running_host());
  Dispatcher d{set, opt, set.diagnostics};
  for (size_t i = 0; i < ls.commands.size(); ++i) {
    const Command& cmd = ls.commands[i];
    HostConfig& host = set.hosts[0];
    // `cmd || true` and `cmd 2>/dev/null` say the author expects it may fail: a failure
    // leaves the state unchanged and becomes a note, as it does under bash.
    bool tolerated = (i + 1 < ls.commands.size() && ls.commands[i + 1].after_or);
    for (auto& r : cmd.redirects) if (r.fd == 2 && r.target.text == "/dev/null") tolerated = true;
    if (cmd.after_or && !cmd.argv.empty() && (cmd.argv[0].text == "true" || cmd.argv[0].text == ":")) continue;
    std::vector<HostConfig> backup;
    if (tolerated) backup = set.hosts;  // a failing command must leave the state unchanged
    try {
      if (cmd.directive) kpath_directive(set, host, cmd, set.diagnostics);
      else d.run(host, cmd.argv, cmd);
    } catch (const ConfigError& e) {
      if (!tolerated || cmd.directive) {
        std::string msg = e.what();
        // A device the host has but the script never creates is the commonest surprise.
        if (msg.rfind("Cannot find device", 0) == 0 && msg.find("kpath") == std::string::npos)
          throw ConfigError(e.loc(), msg + " (kpath sees only the devices a config creates: add e.g. `ip link add NAME type dummy`, "
                                           "`ip addr add A/LEN dev NAME` and `ip link set NAME up` before this line)");
        throw;
      }
      set.hosts = std::move(backup);
      set.diagnostics.push_back({Diagnostic::Severity::note, e.loc(), fmt::format("this command fails ({}); the script tolerates it (|| or 2>/dev/null), so kpath continues with the state unchanged", e.what())});
    }
  }
}

ConfigSet load_configs(const std::vector<std::string>& paths, const LoadOptions& opt) {
  ConfigSet set;
  set.hosts.push_back(HostConfig::running_host());
  for (const auto& p : paths) {
    std::ifstream in(p);
    if (!in) throw ConfigError(SourceLoc{}, fmt::format("{}: cannot open config file", p));
    std::stringstream ss;
    ss << in.rdbuf();
    load_script_text(set, p, ss.str(), opt);
  }
  return set;
}

}  // namespace kpath
