// The nft front end (nftables src/main.c): options, then one batch — a command line or an
// `nft -f` input — parsed, applied and validated as one transaction.
#include "sim/config/nft/nft.hpp"
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include "sim/config/nft/nft_parser.hpp"

namespace kpath {

namespace {

struct Define { std::string name; nft::Source value; SourceLoc loc; };

void run_batch(HostConfig& host, const nft::Source& src, const std::vector<Define>& defs, std::vector<Diagnostic>& notes, bool lenient) {
  nft::Parser p(host, notes, src);
  p.lenient = lenient;
  for (const Define& d : defs) {
    std::vector<nft::Token> v = nft::scan(d.value);
    v.pop_back();  // eof
    if (v.empty()) throw ConfigError(d.loc, fmt::format("nft: -D {}: empty value; expected NAME=VALUE", d.name));
    p.add_define(d.name, std::move(v), d.loc, false);
  }
  p.parse_input();
  nft::commit(host);
}

// Options nft accepts without an argument that do not change what a batch does.
bool harmless_flag(char c) { return std::string_view("aesnNtSuyTp").find(c) != std::string_view::npos; }

}  // namespace

void nft_apply_ruleset(HostConfig& host, const std::string& text, SourceLoc first_line, std::vector<Diagnostic>& notes, const FileTable* files,
                       bool lenient) {
  run_batch(host, nft::source_from_text(text, first_line, files), {}, notes, lenient);
}

void nft_command(FileTable& files, HostConfig& host, const std::vector<Word>& argv, const Command& cmd, std::vector<Diagnostic>& notes, bool lenient) {
  bool check = false, json = false, has_file = false;
  std::string file;
  SourceLoc file_loc;
  std::vector<Define> defs;
  size_t i = 0;
  auto arg = [&](size_t k, std::string_view opt) -> const Word& {
    if (k >= argv.size()) throw ConfigError(argv[k - 1].loc, fmt::format("nft: option '{}' requires an argument", opt));
    return argv[k];
  };
  auto add_define = [&](const Word& w, size_t off) {
    const std::string s = w.text.substr(off);
    const size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0) throw ConfigError(w.loc, fmt::format("nft: -D expects NAME=VALUE, not \"{}\"", s));
    Word v{s.substr(eq + 1), w.loc};
    if (v.loc.col) v.loc.col += static_cast<uint32_t>(off + eq + 1);
    defs.push_back(Define{s.substr(0, eq), nft::source_from_words({v}, nullptr), w.loc});
  };
  for (; i < argv.size(); ++i) {
    const std::string& o = argv[i].text;
    if (o.size() < 2 || o[0] != '-') break;
    if (o == "--") { ++i; break; }
    if (o == "-f" || o == "--file") { const Word& w = arg(++i, o); file = w.text; file_loc = w.loc; has_file = true; continue; }
    if (o.rfind("--file=", 0) == 0) { file = o.substr(7); file_loc = argv[i].loc; has_file = true; continue; }
    if (o == "-c" || o == "--check") { check = true; continue; }
    if (o == "-j" || o == "--json") { json = true; continue; }
    if (o == "-D" || o == "--define") { add_define(arg(++i, o), 0); continue; }
    if (o.rfind("--define=", 0) == 0) { add_define(argv[i], 9); continue; }
    if (o == "-I" || o == "--includepath") { arg(++i, o); continue; }
    if (o == "-o" || o == "--optimize") {
      notes.push_back({Diagnostic::Severity::note, argv[i].loc, "nft -o: kpath reads the rules as written (the optimizer merges them without changing verdicts)"});
      continue;
    }
    if (o == "--handle" || o == "--echo" || o == "--stateless" || o == "--numeric" || o == "--terse" || o == "--service" ||
        o == "--reversedns" || o == "--numeric-priority" || o == "--numeric-protocol" || o == "--numeric-time" || o == "--guid")
      continue;
    if (o == "-v" || o == "--version" || o == "-h" || o == "--help" || o == "-i" || o == "--interactive")
      throw ConfigError(argv[i].loc, fmt::format("nft {}: kpath reads nft batches (`nft -f FILE`, `nft -f - <<EOF`, `nft add ...`), not {}", o,
                                                 o == "-i" || o == "--interactive" ? "interactive sessions" : "this option"));
    if (o[1] != '-') {
      for (size_t k = 1; k < o.size(); ++k)
        if (!harmless_flag(o[k]))
          throw ConfigError(argv[i].loc, fmt::format("nft: invalid option -- '{}' (a negative number in a rule must follow `--`, e.g. `nft -- add "
                                                     "chain ... priority -150`, or sit inside a quoted word)", o[k]));
      continue;
    }
    throw ConfigError(argv[i].loc, fmt::format("nft: unrecognized option '{}'; kpath reads -f, -c, -D, -j and the listing flags", o));
  }
  std::vector<Word> rest(argv.begin() + static_cast<std::ptrdiff_t>(i), argv.end());
  const bool listing = !rest.empty() && (rest[0].text == "list" || rest[0].text == "monitor" || rest[0].text == "describe");
  if (json && !listing) {
    const std::string m = "nft -j: kpath does not read nft's JSON format yet; give the rule set in nft syntax (`nft list ruleset` prints it)";
    const SourceLoc at = argv.empty() ? cmd.loc : argv[0].loc;
    if (!lenient) throw ConfigError(at, m + " (use --lenient to skip it with a warning)");
    notes.push_back({Diagnostic::Severity::warning, at, m + "; --lenient: this command is skipped"});
    return;
  }

  nft::Source src;
  if (has_file) {
    if (!rest.empty())
      throw ConfigError(rest[0].loc, fmt::format("nft: -f reads the whole batch from {}; unexpected \"{}\"", file == "-" ? "standard input" : file, rest[0].text));
    if (file == "-" || file == "/dev/stdin") {
      if (cmd.heredoc) {
        src = nft::source_from_text(cmd.heredoc->body, cmd.heredoc->loc, &files);
      } else {
        std::string in;
        for (auto& r : cmd.redirects)
          if (r.fd == 0) in = r.target.text;
        if (in.empty())
          throw ConfigError(file_loc, "nft -f - reads standard input; give the rule set in a here-document (<<'EOF') or a file kpath can read");
        file = in;
      }
    }
    if (src.text.empty() && file != "-" && file != "/dev/stdin") {
      std::ifstream f(file);
      if (!f) throw ConfigError(file_loc, fmt::format("Error: Could not open file \"{}\": No such file or directory", file));
      std::stringstream ss;
      ss << f.rdbuf();
      const uint32_t id = files.add(file, ss.str());
      src = nft::source_from_text(ss.str(), SourceLoc{id, 1, 1}, &files);
    }
  } else {
    if (rest.empty())
      throw ConfigError(argv.empty() ? cmd.loc : argv.back().loc, "nft: no command; kpath reads `nft -f FILE`, `nft -f - <<'EOF' ... EOF` and `nft add|insert|delete|flush ...`");
    src = nft::source_from_words(rest, &files);
  }
  if (check) {
    HostConfig scratch = host;
    run_batch(scratch, src, defs, notes, lenient);
    notes.push_back({Diagnostic::Severity::note, argv.empty() ? cmd.loc : argv[0].loc, "nft -c: the batch was checked, not applied"});
    return;
  }
  run_batch(host, src, defs, notes, lenient);
}

}  // namespace kpath
