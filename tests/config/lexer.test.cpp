// Shell-style lexer: bash's word splitting, quoting, redirections, here-documents and variable
// expansion for straight-line config scripts, with exact file:line:column for every word.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include "sim/config/lexer.hpp"

using namespace kpath;

namespace {

constexpr uint32_t kFile = 7;

// The process environment is off by default so tests do not depend on the runner's variables.
VarEnv no_env(std::map<std::string, std::string> overrides = {}) {
  VarEnv env;
  env.overrides = std::move(overrides);
  env.use_environment = false;
  return env;
}

LexedScript lex(const std::string& text, const VarEnv& env = no_env()) {
  return lex_script(text, kFile, env);
}

std::vector<std::string> texts(const std::vector<Word>& words) {
  std::vector<std::string> out;
  for (const auto& w : words) out.push_back(w.text);
  return out;
}
std::vector<std::string> argv(const Command& c) { return texts(c.argv); }

// "line:col", so that a failed check prints both; another file id shows up as a mismatch.
std::string lc(SourceLoc l) {
  std::string s = std::to_string(l.line) + ":" + std::to_string(l.col);
  return l.file_id == kFile ? s : "file " + std::to_string(l.file_id) + " " + s;
}

struct Failure {
  SourceLoc loc;
  std::string message;
};

Failure lex_error(const std::string& text, const VarEnv& env = no_env()) {
  try {
    lex(text, env);
  } catch (const ConfigError& e) {
    return Failure{e.loc(), e.what()};
  }
  FAIL("expected a ConfigError for:\n" << text);
  return {};
}

using Strings = std::vector<std::string>;

}  // namespace

// --- lines and comments ---------------------------------------------------------------------

TEST_CASE("lexer: blank lines and comments produce no commands") {
  auto s = lex("\n   \n# a comment\n\t# indented comment\nip link set lo up # trailing comment\n\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(argv(s.commands[0]) == Strings{"ip", "link", "set", "lo", "up"});
  CHECK(lc(s.commands[0].loc) == "5:1");
  CHECK(s.notes.empty());
}

TEST_CASE("lexer: # starts a comment only at the start of a word") {
  auto s = lex("echo a#b 'c'#d;#gone\necho x #y\n");
  REQUIRE(s.commands.size() == 2);
  CHECK(argv(s.commands[0]) == Strings{"echo", "a#b", "c#d"});
  CHECK(argv(s.commands[1]) == Strings{"echo", "x"});
}

TEST_CASE("lexer: a #! first line is ignored with a note") {
  auto s = lex("#!/bin/bash\nip link set lo up\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(lc(s.commands[0].loc) == "2:1");
  REQUIRE(s.notes.size() == 1);
  CHECK(s.notes[0].severity == Diagnostic::Severity::note);
  CHECK(lc(s.notes[0].loc) == "1:1");
  CHECK(s.notes[0].message.find("#!") != std::string::npos);
}

TEST_CASE("lexer: the last line needs no newline; CRLF line ends are read as LF") {
  auto s = lex("a 1\r\nb 2 <<EOF\r\nx\r\nEOF\r\n");
  REQUIRE(s.commands.size() == 2);
  REQUIRE(s.commands[1].heredoc);
  CHECK(s.commands[1].heredoc->body == "x\r\n");
  CHECK(argv(s.commands[0]) == Strings{"a", "1"});
  CHECK(argv(s.commands[1]) == Strings{"b", "2"});
  CHECK(lc(s.commands[1].loc) == "2:1");
}

// --- #kpath directives ----------------------------------------------------------------------

TEST_CASE("lexer: #kpath and # kpath comments are directives") {
  auto s = lex("#kpath socket tcp listen 0.0.0.0:9999 transparent\n"
               "# kpath expect: deliver\n"
               "  #kpath  trace   on\n");
  REQUIRE(s.commands.size() == 3);
  const Command& a = s.commands[0];
  CHECK(a.directive);
  CHECK(argv(a) == Strings{"socket", "tcp", "listen", "0.0.0.0:9999", "transparent"});
  CHECK(lc(a.loc) == "1:1");
  CHECK(lc(a.argv[0].loc) == "1:8");
  CHECK(lc(a.argv[3].loc) == "1:26");
  CHECK(s.commands[1].directive);
  CHECK(argv(s.commands[1]) == Strings{"expect:", "deliver"});
  CHECK(lc(s.commands[1].argv[0].loc) == "2:9");
  CHECK(argv(s.commands[2]) == Strings{"trace", "on"});
  CHECK(lc(s.commands[2].loc) == "3:3");
  CHECK(lc(s.commands[2].argv[1].loc) == "3:19");
}

TEST_CASE("lexer: directive words expand variables, honour quotes and split only on whitespace") {
  auto s = lex("PORT=9999\n"
               "#kpath expect tcp 10.0.0.1:40000->1.2.3.4:80 \"sock :$PORT\" 'a|b' ${PORT};x <in\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(s.commands[0].directive);
  CHECK(argv(s.commands[0]) ==
        Strings{"expect", "tcp", "10.0.0.1:40000->1.2.3.4:80", "sock :9999", "a|b", "9999;x", "<in"});
  CHECK(s.commands[0].redirects.empty());
}

TEST_CASE("lexer: only whole-line comments are directives") {
  auto s = lex("ip route add local 0.0.0.0/0 dev lo table 100 # kpath expect ok\n"
               "true; #kpath x\n"
               "#kpathology is a comment\n"
               "#  kpath two spaces is a comment\n"
               "## kpath too\n");
  REQUIRE(s.commands.size() == 2);
  CHECK_FALSE(s.commands[0].directive);
  CHECK(argv(s.commands[0]).size() == 9);
  CHECK(argv(s.commands[1]) == Strings{"true"});
}

TEST_CASE("lexer: #kpath: with a colon; an empty directive is passed on") {
  auto s = lex("#kpath: a b\n#kpath\n");
  REQUIRE(s.commands.size() == 2);
  CHECK(argv(s.commands[0]) == Strings{"a", "b"});
  CHECK(s.commands[1].directive);  // the dispatcher reports what a directive needs
  CHECK(s.commands[1].argv.empty());
  CHECK(lc(s.commands[1].loc) == "2:1");
}

TEST_CASE("lexer: a directive ends at its line") {
  auto e = lex_error("#kpath expect \"open\nip link\n");
  CHECK(lc(e.loc) == "1:15");
  CHECK(e.message.find("unterminated double quote") != std::string::npos);
  auto s = lex("#kpath a \\\nb c\n");  // no continuation inside a comment
  REQUIRE(s.commands.size() == 2);
  CHECK(argv(s.commands[0]) == Strings{"a", "\\"});
  CHECK(argv(s.commands[1]) == Strings{"b", "c"});
}

// --- quoting --------------------------------------------------------------------------------

TEST_CASE("lexer: single quotes are literal") {
  auto s = lex("X=1\necho 'a $X \\n \"q\" `c` $(d)' 'multi\nline'\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(argv(s.commands[0]) == Strings{"echo", "a $X \\n \"q\" `c` $(d)", "multi\nline"});
}

TEST_CASE("lexer: double quotes expand variables and keep other backslashes") {
  auto s = lex("X=val\necho \"a $X ${X}b \\\" \\\\ \\$X \\` \\n 'q'\"\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(argv(s.commands[0]) == Strings{"echo", "a val valb \" \\ $X ` \\n 'q'"});
}

TEST_CASE("lexer: backslash outside quotes escapes the next character") {
  auto s = lex("echo a\\ b \\$X \\' \\\" \\\\ \\#x \\;\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(argv(s.commands[0]) == Strings{"echo", "a b", "$X", "'", "\"", "\\", "#x", ";"});
}

TEST_CASE("lexer: adjacent quoted and unquoted parts form one word") {
  auto s = lex("X=b\necho a\"$X\"'c'd\"\" '' \"\"\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(argv(s.commands[0]) == Strings{"echo", "abcd", "", ""});
}

TEST_CASE("lexer: $'...' strings decode escapes") {
  auto s = lex("printf $'a\\tb\\n\\x41\\101\\'' \"$'x'\"\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(argv(s.commands[0]) == Strings{"printf", "a\tb\nAA'", "$'x'"});
}

TEST_CASE("lexer: backslash-newline continues a line and locations stay exact") {
  auto s = lex("ip route add \\\n    local 0.0.0.0/0 \\\n\tdev lo\nnext\n");
  REQUIRE(s.commands.size() == 2);
  const Command& c = s.commands[0];
  CHECK(argv(c) == Strings{"ip", "route", "add", "local", "0.0.0.0/0", "dev", "lo"});
  CHECK(lc(c.argv[2].loc) == "1:10");
  CHECK(lc(c.argv[3].loc) == "2:5");
  CHECK(lc(c.argv[4].loc) == "2:11");
  CHECK(lc(c.argv[5].loc) == "3:2");
  CHECK(lc(c.argv[6].loc) == "3:6");
  CHECK(lc(s.commands[1].loc) == "4:1");
}

TEST_CASE("lexer: backslash-newline inside a word and inside double quotes joins") {
  auto s = lex("ec\\\nho \"a\\\nb\" 'c\\\nd'\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(argv(s.commands[0]) == Strings{"echo", "ab", "c\\\nd"});
  CHECK(lc(s.commands[0].argv[1].loc) == "2:4");
}

TEST_CASE("lexer: quoted strings may span lines and later lines keep their numbers") {
  auto s = lex("echo \"one\ntwo\" x\nafter\n");
  REQUIRE(s.commands.size() == 2);
  CHECK(argv(s.commands[0]) == Strings{"echo", "one\ntwo", "x"});
  CHECK(lc(s.commands[0].argv[2].loc) == "2:6");
  CHECK(lc(s.commands[1].loc) == "3:1");
}

TEST_CASE("lexer: columns count characters, tabs as one") {
  auto s = lex("\techo \"é\" x\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(lc(s.commands[0].argv[0].loc) == "1:2");
  CHECK(lc(s.commands[0].argv[1].loc) == "1:7");
  CHECK(lc(s.commands[0].argv[2].loc) == "1:11");
}

TEST_CASE("lexer: unterminated quotes are errors at the opening quote") {
  auto a = lex_error("echo ok\necho 'abc\n\n");
  CHECK(lc(a.loc) == "2:6");
  CHECK(a.message.find("unterminated single quote") != std::string::npos);
  auto b = lex_error("echo \"abc");
  CHECK(lc(b.loc) == "1:6");
  auto c = lex_error("echo ${X:-abc");
  CHECK(lc(c.loc) == "1:6");
}

// --- separators -----------------------------------------------------------------------------

TEST_CASE("lexer: ; && || and & separate commands") {
  auto s = lex("a 1; b 2 && c 3 || d 4 & e 5\n");
  REQUIRE(s.commands.size() == 5);
  CHECK(argv(s.commands[0]) == Strings{"a", "1"});
  CHECK(argv(s.commands[4]) == Strings{"e", "5"});
  CHECK(lc(s.commands[1].loc) == "1:6");
  CHECK_FALSE(s.commands[0].after_or);
  CHECK_FALSE(s.commands[1].after_or);
  CHECK_FALSE(s.commands[2].after_or);
  CHECK(s.commands[3].after_or);
  CHECK_FALSE(s.commands[4].after_or);
  REQUIRE(s.notes.size() == 1);  // the `&`
  CHECK(lc(s.notes[0].loc) == "1:24");
}

TEST_CASE("lexer: separators need no spaces") {
  auto s = lex("a;b&&c||d&\n");
  REQUIRE(s.commands.size() == 4);
  CHECK(argv(s.commands[2]) == Strings{"c"});
  CHECK(s.commands[3].after_or);
}

TEST_CASE("lexer: the command after && or || may start on a later line") {
  auto s = lex("a ||\n  # why\n\n  b\nc\n");
  REQUIRE(s.commands.size() == 3);
  CHECK(argv(s.commands[1]) == Strings{"b"});
  CHECK(s.commands[1].after_or);
  CHECK(lc(s.commands[1].loc) == "4:3");
  CHECK_FALSE(s.commands[2].after_or);
}

TEST_CASE("lexer: a separator without a command before it is a syntax error") {
  auto a = lex_error("a\n  ; b\n");
  CHECK(lc(a.loc) == "2:3");
  CHECK(a.message.find("unexpected token `;`") != std::string::npos);
  auto b = lex_error("a && && b\n");
  CHECK(lc(b.loc) == "1:6");
  auto c = lex_error("a &&\n\n");
  CHECK(lc(c.loc) == "1:3");
  CHECK(c.message.find("expected a command after `&&`") != std::string::npos);
}

TEST_CASE("lexer: pipes are not supported") {
  auto e = lex_error("ip route show table 100 | grep local\n");
  CHECK(lc(e.loc) == "1:25");
  CHECK(e.message.find("pipes are not supported") != std::string::npos);
  CHECK(lc(lex_error("a |& b").loc) == "1:3");
  CHECK(lc(lex_error("a|b").loc) == "1:2");
}

// --- redirections ---------------------------------------------------------------------------

TEST_CASE("lexer: output redirections are recorded and removed from argv") {
  auto s = lex("echo 1 > /proc/sys/net/ipv4/ip_forward\n"
               "echo 2 >>log\n"
               "cmd 2>/dev/null\n"
               "sysctl -w net.ipv4.ip_forward=1 >/dev/null 2>&1\n");
  REQUIRE(s.commands.size() == 4);

  const Command& echo = s.commands[0];
  CHECK(argv(echo) == Strings{"echo", "1"});
  REQUIRE(echo.redirects.size() == 1);
  CHECK(echo.redirects[0].fd == 1);
  CHECK_FALSE(echo.redirects[0].append);
  CHECK(echo.redirects[0].target.text == "/proc/sys/net/ipv4/ip_forward");
  CHECK(lc(echo.redirects[0].target.loc) == "1:10");

  REQUIRE(s.commands[1].redirects.size() == 1);
  CHECK(s.commands[1].redirects[0].append);
  CHECK(s.commands[1].redirects[0].fd == 1);
  CHECK(s.commands[1].redirects[0].target.text == "log");

  REQUIRE(s.commands[2].redirects.size() == 1);
  CHECK(s.commands[2].redirects[0].fd == 2);
  CHECK(s.commands[2].redirects[0].target.text == "/dev/null");
  CHECK(lc(s.commands[2].redirects[0].target.loc) == "3:7");

  const Command& sysctl = s.commands[3];
  CHECK(argv(sysctl) == Strings{"sysctl", "-w", "net.ipv4.ip_forward=1"});
  REQUIRE(sysctl.redirects.size() == 2);
  CHECK(sysctl.redirects[0].fd == 1);
  CHECK(sysctl.redirects[0].target.text == "/dev/null");
  CHECK(sysctl.redirects[1].fd == 2);
  CHECK(sysctl.redirects[1].target.text == "&1");
  CHECK(lc(sysctl.redirects[1].target.loc) == "4:46");
}

TEST_CASE("lexer: &> is > plus 2>&1; input and dup redirections") {
  auto s = lex("a &>/dev/null\nb &>> log\nc <in.txt\nd >&2\ne 2>& 1 x\n");
  REQUIRE(s.commands.size() == 5);
  const auto& a = s.commands[0].redirects;
  REQUIRE(a.size() == 2);
  CHECK(a[0].fd == 1);
  CHECK(a[0].target.text == "/dev/null");
  CHECK(a[1].fd == 2);
  CHECK(a[1].target.text == "&1");
  CHECK(lc(a[1].target.loc) == "1:3");
  REQUIRE(s.commands[1].redirects.size() == 2);
  CHECK(s.commands[1].redirects[0].append);
  const auto& c = s.commands[2].redirects;
  REQUIRE(c.size() == 1);
  CHECK(c[0].fd == 0);
  CHECK(c[0].target.text == "in.txt");
  REQUIRE(s.commands[3].redirects.size() == 1);
  CHECK(s.commands[3].redirects[0].fd == 1);
  CHECK(s.commands[3].redirects[0].target.text == "&2");
  CHECK(argv(s.commands[4]) == Strings{"e", "x"});
  CHECK(s.commands[4].redirects[0].target.text == "&1");
}

TEST_CASE("lexer: redirections may come first and targets expand") {
  auto s = lex("LOG=/tmp/x.log\n>$LOG 2>>\"$LOG\" echo hi\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(argv(s.commands[0]) == Strings{"echo", "hi"});
  CHECK(lc(s.commands[0].loc) == "2:1");
  REQUIRE(s.commands[0].redirects.size() == 2);
  CHECK(s.commands[0].redirects[0].target.text == "/tmp/x.log");
  CHECK(s.commands[0].redirects[1].fd == 2);
  CHECK(s.commands[0].redirects[1].append);
}

TEST_CASE("lexer: digits are a file descriptor only directly before > or <") {
  auto s = lex("echo 2 >x a2>y\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(argv(s.commands[0]) == Strings{"echo", "2", "a2"});
  CHECK(s.commands[0].redirects[0].fd == 1);
  CHECK(s.commands[0].redirects[1].fd == 1);  auto t = lex("exec 10>/tmp/lock\n");
  CHECK(t.commands[0].redirects[0].fd == 10);
  CHECK(lc(lex_error("a 99999999999>x").loc) == "1:3");
}

TEST_CASE("lexer: a redirection needs a file name") {
  auto e = lex_error("echo hi >\n");
  CHECK(lc(e.loc) == "1:9");
  CHECK(e.message.find("expected a file name after `>`") != std::string::npos);
  auto f = lex_error("E=\necho hi > $E\n");
  CHECK(lc(f.loc) == "2:11");
  CHECK(f.message.find("ambiguous redirect") != std::string::npos);
}

// --- here-documents -------------------------------------------------------------------------

TEST_CASE("lexer: an unquoted here-document expands variables") {
  auto s = lex("T=mangle\n"
               "cat <<EOF\n"
               "*$T\n"
               "  \"${T}\" \\$T \\\\ 'x'\n"
               "EOF\n"
               "after\n");
  REQUIRE(s.commands.size() == 2);
  const Command& c = s.commands[0];
  CHECK(argv(c) == Strings{"cat"});
  REQUIRE(c.heredoc);
  CHECK(c.heredoc->body == "*mangle\n  \"mangle\" $T \\ 'x'\n");
  CHECK(c.heredoc->expanded);
  CHECK(lc(c.heredoc->loc) == "3:1");
  CHECK(c.redirects.empty());
  CHECK(lc(s.commands[1].loc) == "6:1");
}

TEST_CASE("lexer: a quoted delimiter keeps the body literal") {
  for (std::string op : {"<<'EOF'", "<<\"EOF\"", "<< \\EOF", "<<E'O'F"}) {
    auto s = lex("cat " + op + "\n$UNSET `x` $(y) \\\nEOF\n");
    INFO(op);
    REQUIRE(s.commands.size() == 1);
    REQUIRE(s.commands[0].heredoc);
    CHECK(s.commands[0].heredoc->body == "$UNSET `x` $(y) \\\n");
    CHECK_FALSE(s.commands[0].heredoc->expanded);
  }
}

TEST_CASE("lexer: <<- strips leading tabs from body and delimiter") {
  auto s = lex("cat <<-END\n\t\tone\n  two\n\tEND\nx\n");
  REQUIRE(s.commands.size() == 2);
  REQUIRE(s.commands[0].heredoc);
  CHECK(s.commands[0].heredoc->body == "one\n  two\n");
  CHECK(lc(s.commands[1].loc) == "5:1");
}

TEST_CASE("lexer: in an unquoted here-document backslash-newline joins lines") {
  auto s = lex("cat <<EOF\na\\\nEOF\nEOF\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(s.commands[0].heredoc->body == "aEOF\n");
}

TEST_CASE("lexer: here-documents of one line are read in order after it") {
  auto s = lex("a <<A; b x <<B && c\n1\nA\n2\nB\nd\n");
  REQUIRE(s.commands.size() == 4);
  REQUIRE(s.commands[0].heredoc);
  CHECK(s.commands[0].heredoc->body == "1\n");
  CHECK(lc(s.commands[0].heredoc->loc) == "2:1");
  REQUIRE(s.commands[1].heredoc);
  CHECK(argv(s.commands[1]) == Strings{"b", "x"});
  CHECK(s.commands[1].heredoc->body == "2\n");
  CHECK(lc(s.commands[1].heredoc->loc) == "4:1");
  CHECK_FALSE(s.commands[2].heredoc);
  CHECK(argv(s.commands[3]) == Strings{"d"});
  CHECK(lc(s.commands[3].loc) == "6:1");
}

TEST_CASE("lexer: an empty here-document and one at the end of the file") {
  auto s = lex("cat <<EOF\nEOF");
  REQUIRE(s.commands.size() == 1);
  REQUIRE(s.commands[0].heredoc);
  CHECK(s.commands[0].heredoc->body.empty());
}

TEST_CASE("lexer: an unterminated here-document is an error at the <<") {
  auto e = lex_error("echo start\nnft -f - <<'EOF'\ntable inet x {}\nEOF \n");
  CHECK(lc(e.loc) == "2:10");
  CHECK(e.message.find("unterminated here-document") != std::string::npos);
  CHECK(e.message.find("EOF") != std::string::npos);
  CHECK(lc(lex_error("cat <<EOF").loc) == "1:5");
  CHECK(lc(lex_error("cat <<\n").loc) == "1:5");
}

TEST_CASE("lexer: a here-string is a here-document of one word") {
  auto s = lex("X=\"a b\"\nnft -f - <<< \"add table $X\"\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(argv(s.commands[0]) == Strings{"nft", "-f", "-"});
  REQUIRE(s.commands[0].heredoc);
  CHECK(s.commands[0].heredoc->body == "add table a b\n");
  CHECK(lc(s.commands[0].heredoc->loc) == "2:14");
}

TEST_CASE("lexer: errors inside a here-document point into its body") {
  auto e = lex_error("cat <<EOF\nok\n  -j TPROXY --on-port $PORT\nEOF\n");
  CHECK(lc(e.loc) == "3:23");
  CHECK(e.message.find("variable PORT is not set") != std::string::npos);
  CHECK(lc(lex_error("cat <<EOF\n\t$(id)\nEOF\n").loc) == "2:2");
}

// --- assignments ----------------------------------------------------------------------------

TEST_CASE("lexer: NAME=value lines set variables and produce no command") {
  auto s = lex("A=1\nB='two words'\nC=\"$A-$B\" D=${C}x\nE=\necho $A \"$B\" $C $D \"$E\"\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(argv(s.commands[0]) == Strings{"echo", "1", "two words", "1-two words", "1-two wordsx", ""});
}

TEST_CASE("lexer: a variable applies from its assignment on") {
  auto e = lex_error("echo $A\nA=1\n");
  CHECK(lc(e.loc) == "1:6");
  auto s = lex("A=1\necho $A\nA=2; echo $A\nA+=3\necho $A\n");
  REQUIRE(s.commands.size() == 3);
  CHECK(argv(s.commands[0])[1] == "1");
  CHECK(argv(s.commands[1])[1] == "2");
  CHECK(argv(s.commands[2])[1] == "23");
}

TEST_CASE("lexer: assignments on one line apply left to right") {
  auto s = lex("A=0\nA=1 B=$A\necho $B\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(argv(s.commands[0]) == Strings{"echo", "1"});
}

TEST_CASE("lexer: export, readonly, local and declare assign") {
  auto s = lex("export A=1\nexport B\nreadonly C=\"$A\"3\nlocal D=4\ndeclare -x E=5 F=6\n"
               "echo $A $C $D $E $F\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(argv(s.commands[0]) == Strings{"echo", "1", "13", "4", "5", "6"});
}

TEST_CASE("lexer: export expands all its words before assigning, as bash does") {
  auto s = lex("A=0\nexport A=1 B=$A\necho $B\n");
  CHECK(argv(s.commands[0]) == Strings{"echo", "0"});
  auto e = lex_error("export 1X=2\n");
  CHECK(lc(e.loc) == "1:8");
  CHECK(e.message.find("not a valid identifier") != std::string::npos);
}

TEST_CASE("lexer: unset removes a variable, including the environment's") {
  ::setenv("KPATH_LEXER_TEST_U", "env", 1);
  VarEnv env;
  auto e = lex_error("A=1\nunset A KPATH_LEXER_TEST_U\necho $KPATH_LEXER_TEST_U\n", env);
  CHECK(lc(e.loc) == "3:6");
  ::unsetenv("KPATH_LEXER_TEST_U");
  CHECK(lc(lex_error("A=1\nunset -v A\necho $A\n").loc) == "3:6");
  auto s = lex("A=1\nunset -f A\nunset B\nB=2\necho $A $B\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(argv(s.commands[0]) == Strings{"echo", "1", "2"});
}

TEST_CASE("lexer: a prefix assignment is for that command only") {
  auto s = lex("X=0\nX=1 Y=$X ip route show\necho $X\n");
  REQUIRE(s.commands.size() == 2);
  const Command& c = s.commands[0];
  CHECK(argv(c) == Strings{"ip", "route", "show"});
  CHECK(lc(c.loc) == "2:1");
  CHECK(texts(c.prefix_assigns) == Strings{"X=1", "Y=1"});  // later ones see earlier ones
  CHECK(lc(c.prefix_assigns[1].loc) == "2:5");
  CHECK(argv(s.commands[1]) == Strings{"echo", "0"});
  auto t = lex("X=0\nX=5 echo $X\n");  // the command's own words see the old value
  CHECK(argv(t.commands[0]) == Strings{"echo", "0"});
  auto e = lex_error("TMP=1 echo ok\necho $TMP\n");
  CHECK(lc(e.loc) == "2:6");
}

TEST_CASE("lexer: NAME=value after the command name is an argument") {
  auto s = lex("sysctl -w net.ipv4.conf.all.rp_filter=0 A=1\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(argv(s.commands[0]) == Strings{"sysctl", "-w", "net.ipv4.conf.all.rp_filter=0", "A=1"});
  CHECK(s.commands[0].prefix_assigns.empty());
  auto q = lex("\"A\"=1\n");  // a quoted name is not an assignment
  CHECK(argv(q.commands[0]) == Strings{"A=1"});
}

TEST_CASE("lexer: an assignment after || is applied with a note") {
  auto s = lex("test -n \"$X\" || X=default\necho \"$X\"\n", no_env({{"X", ""}}));
  REQUIRE(s.commands.size() == 2);
  CHECK(argv(s.commands[1]) == Strings{"echo", ""});  // --set X= wins
  bool noted = false;
  for (const auto& n : s.notes) noted |= n.message.find("applied unconditionally") != std::string::npos;
  CHECK(noted);
}

// --- expansion ------------------------------------------------------------------------------

TEST_CASE("lexer: $VAR and ${VAR} forms") {
  auto s = lex("A=x\nE=\necho $A ${A}y ${A-d} ${U-d} ${E-d} ${E:-d} ${U:-d} ${A:+alt} ${U:+alt}. $A.b $A/c\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(argv(s.commands[0]) == Strings{"echo", "x", "xy", "x", "d", "d", "d", "alt", ".", "x.b", "x/c"});
}

TEST_CASE("lexer: ${VAR:=default} also assigns") {
  auto s = lex("echo ${PORT:=9999}\necho $PORT ${#PORT}\nE=\necho ${E:=x} $E ${N=} \"$N\"\n");
  REQUIRE(s.commands.size() == 3);
  CHECK(argv(s.commands[0]) == Strings{"echo", "9999"});
  CHECK(argv(s.commands[1]) == Strings{"echo", "9999", "4"});
  CHECK(argv(s.commands[2]) == Strings{"echo", "x", "x", ""});
  CHECK(argv(lex("D=dé\necho ${#D}\n").commands[0]) == Strings{"echo", "2"});
}

TEST_CASE("lexer: defaults may hold quotes and expansions, evaluated only when used") {
  auto s = lex("A=set\necho ${A:-$UNSET} ${U:-\"a b\"} \"${U:-$A x}\" ${U:-'$lit'}\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(argv(s.commands[0]) == Strings{"echo", "set", "a b", "set x", "$lit"});
}

TEST_CASE("lexer: an unset variable names itself, how to set it, and where") {
  auto e = lex_error("ip addr add 10.0.0.1/24 dev ${VETH_SERVER_INNER}\n");
  CHECK(lc(e.loc) == "1:29");
  CHECK(std::string(e.message) ==
        "variable VETH_SERVER_INNER is not set (set it in the file, with --set "
        "VETH_SERVER_INNER=VALUE, or in the environment)");
  CHECK(lc(lex_error("x \"a $B\"").loc) == "1:6");
  CHECK(lex_error("x ${U:?need U}").message == "U: need U");
}

TEST_CASE("lexer: --set wins over the file, the file over the environment") {
  ::setenv("KPATH_LEXER_TEST_A", "env", 1);
  ::setenv("KPATH_LEXER_TEST_B", "env", 1);
  ::setenv("KPATH_LEXER_TEST_C", "env", 1);
  VarEnv env;
  env.overrides = {{"KPATH_LEXER_TEST_A", "set"}};
  auto s = lex("KPATH_LEXER_TEST_A=file\nKPATH_LEXER_TEST_B=file\n"
               "echo $KPATH_LEXER_TEST_A $KPATH_LEXER_TEST_B $KPATH_LEXER_TEST_C\n",
               env);
  REQUIRE(s.commands.size() == 1);
  CHECK(argv(s.commands[0]) == Strings{"echo", "set", "file", "env"});
  REQUIRE(s.notes.size() == 1);  // the file's A=file is overridden
  CHECK(lc(s.notes[0].loc) == "1:1");

  env.use_environment = false;
  auto e = lex_error("echo $KPATH_LEXER_TEST_C\n", env);
  CHECK(lc(e.loc) == "1:6");
  ::unsetenv("KPATH_LEXER_TEST_A");
  ::unsetenv("KPATH_LEXER_TEST_B");
  ::unsetenv("KPATH_LEXER_TEST_C");
}

TEST_CASE("lexer: script arguments are errors unless given with --set") {
  auto e = lex_error("ip link set $1 up\n");
  CHECK(lc(e.loc) == "1:13");
  CHECK(e.message.find("script arguments are not supported") != std::string::npos);
  CHECK(lc(lex_error("echo \"$@\"").loc) == "1:7");
  CHECK(lc(lex_error("echo $#").loc) == "1:6");
  CHECK(lc(lex_error("echo ${2}").loc) == "1:6");
  CHECK(lex_error("echo $?").message.find("special parameter") != std::string::npos);
  auto s = lex("ip link set $1 up ${2:-dflt} $10\n", no_env({{"1", "eth0"}}));
  CHECK(argv(s.commands[0]) == Strings{"ip", "link", "set", "eth0", "up", "dflt", "eth00"});
}

TEST_CASE("lexer: expansions are not word-split; an empty unquoted one is no word") {
  auto s = lex("OPTS='a  b'\nE=\nx $OPTS $E \"$E\" $E$E '' z$E\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(argv(s.commands[0]) == Strings{"x", "a  b", "", "", "z"});
  CHECK(lc(s.commands[0].argv[2].loc) == "3:12");
  auto t = lex("E=\n$E ip link\n");
  CHECK(argv(t.commands[0]) == Strings{"ip", "link"});
  CHECK(lc(t.commands[0].loc) == "2:1");
}

TEST_CASE("lexer: a lone $ is literal; no tilde or glob expansion") {
  auto s = lex("echo $ a$ \"$\" ~/x *.sh {a,b}\n");
  CHECK(argv(s.commands[0]) == Strings{"echo", "$", "a$", "$", "~/x", "*.sh", "{a,b}"});
}

TEST_CASE("lexer: unsupported parameter expansions are errors") {
  auto e = lex_error("A=x.y\necho ${A%.*}\n");
  CHECK(lc(e.loc) == "2:6");
  CHECK(e.message.find("unsupported parameter expansion") != std::string::npos);
  CHECK(lex_error("echo ${}").message.find("bad substitution") != std::string::npos);
}

TEST_CASE("lexer: command substitution is not supported") {
  auto a = lex_error("IP=$(hostname -I)\n");
  CHECK(lc(a.loc) == "1:4");
  CHECK(a.message.find("command substitution is not supported") != std::string::npos);
  CHECK(lc(lex_error("echo \"x `id`\"").loc) == "1:9");
  CHECK(lc(lex_error("echo `id`").loc) == "1:6");
  CHECK(lc(lex_error("echo $((1+2))").loc) == "1:6");
  CHECK(lc(lex_error("A=1\necho ${A:-$(id)}").loc) == "2:11");  // even when not used
}

// --- control flow ---------------------------------------------------------------------------

TEST_CASE("lexer: shell control flow is rejected at the keyword") {
  auto e = lex_error("A=1\n  if [ -n \"$A\" ]; then\n");
  CHECK(lc(e.loc) == "2:3");
  CHECK(e.message ==
        "shell control flow (`if`) is not supported: kpath reads straight-line scripts");
  for (std::string kw : {"for", "while", "until", "case", "function", "then", "fi", "done", "{"}) {
    INFO(kw);
    auto f = lex_error("true; " + kw + " x\n");
    CHECK(lc(f.loc) == "1:7");
    CHECK(f.message.find("(`" + kw + "`)") != std::string::npos);
  }
  CHECK(lc(lex_error("a && while x\n").loc) == "1:6");
}

TEST_CASE("lexer: keywords are ordinary words outside command position or when quoted") {
  auto s = lex("echo if then fi\n\"if\" x\nA=1 done=2 echo\n");
  REQUIRE(s.commands.size() == 3);
  CHECK(argv(s.commands[0]) == Strings{"echo", "if", "then", "fi"});
  CHECK(argv(s.commands[1]) == Strings{"if", "x"});
  CHECK(texts(s.commands[2].prefix_assigns) == Strings{"A=1", "done=2"});
}

TEST_CASE("lexer: function definitions, subshells and case arms are rejected") {
  auto f = lex_error("setup() {\n  ip link\n}\n");
  CHECK(lc(f.loc) == "1:1");
  CHECK(f.message.find("function definition `setup()`") != std::string::npos);
  CHECK(lc(lex_error("setup () {").loc) == "1:1");
  CHECK(lc(lex_error("(cd /tmp; ls)").loc) == "1:1");
  CHECK(lc(lex_error("a;;").loc) == "1:2");
  CHECK(lex_error("diff <(a) b").message.find("process substitution") != std::string::npos);
}

TEST_CASE("lexer: set -e and friends are lexed as ordinary commands") {
  auto s = lex("set -e\nset -eu\nset -x\nset -o pipefail\n");
  REQUIRE(s.commands.size() == 4);
  CHECK(argv(s.commands[0]) == Strings{"set", "-e"});
  CHECK(argv(s.commands[3]) == Strings{"set", "-o", "pipefail"});
  CHECK(lc(s.commands[3].loc) == "4:1");
}

// --- realistic scripts ----------------------------------------------------------------------

TEST_CASE("lexer: a TPROXY setup script") {
  const std::string script = R"(#!/usr/bin/env bash
# TPROXY: redirect all TCP to a local transparent listener
set -euo pipefail

LISTEN_PORT=9999
VETH_SERVER_INNER=veth-server
MARK=0x1

#kpath socket tcp listen 0.0.0.0:${LISTEN_PORT} transparent

echo 1 > /proc/sys/net/ipv4/ip_forward
sysctl -w net.ipv4.conf.${VETH_SERVER_INNER}.rp_filter=0 >/dev/null 2>&1
ip rule add fwmark $MARK lookup 100 2>/dev/null || true
ip route add local 0.0.0.0/0 dev lo table 100   # broken.sh: was "dev ${VETH_SERVER_INNER}"
iptables -t mangle -A PREROUTING -i "${VETH_SERVER_INNER}" -p tcp \
    -j TPROXY --on-port "$LISTEN_PORT" --tproxy-mark $MARK/$MARK   # broken.sh
# kpath expect: tcp 10.200.0.1:40000 -> 1.2.3.4:80 deliver port ${LISTEN_PORT}
)";
  auto s = lex(script);
  REQUIRE(s.commands.size() == 9);

  CHECK(argv(s.commands[0]) == Strings{"set", "-euo", "pipefail"});
  CHECK(lc(s.commands[0].loc) == "3:1");

  const Command& sock = s.commands[1];
  CHECK(sock.directive);
  CHECK(argv(sock) == Strings{"socket", "tcp", "listen", "0.0.0.0:9999", "transparent"});
  CHECK(lc(sock.loc) == "9:1");

  const Command& fwd = s.commands[2];
  CHECK(argv(fwd) == Strings{"echo", "1"});
  REQUIRE(fwd.redirects.size() == 1);
  CHECK(fwd.redirects[0].target.text == "/proc/sys/net/ipv4/ip_forward");

  const Command& sysctl = s.commands[3];
  CHECK(argv(sysctl) == Strings{"sysctl", "-w", "net.ipv4.conf.veth-server.rp_filter=0"});
  CHECK(sysctl.redirects.size() == 2);

  CHECK(argv(s.commands[4]) == Strings{"ip", "rule", "add", "fwmark", "0x1", "lookup", "100"});
  REQUIRE(s.commands[4].redirects.size() == 1);
  CHECK(s.commands[4].redirects[0].fd == 2);
  CHECK(argv(s.commands[5]) == Strings{"true"});
  CHECK(s.commands[5].after_or);
  CHECK(lc(s.commands[5].loc) == "13:52");

  CHECK(argv(s.commands[6]) ==
        Strings{"ip", "route", "add", "local", "0.0.0.0/0", "dev", "lo", "table", "100"});
  CHECK_FALSE(s.commands[6].directive);

  const Command& ipt = s.commands[7];
  CHECK(argv(ipt) == Strings{"iptables", "-t", "mangle", "-A", "PREROUTING", "-i", "veth-server",
                             "-p", "tcp", "-j", "TPROXY", "--on-port", "9999", "--tproxy-mark",
                             "0x1/0x1"});
  CHECK(lc(ipt.loc) == "15:1");
  CHECK(lc(ipt.argv[6].loc) == "15:37");
  CHECK(lc(ipt.argv[9].loc) == "16:5");
  CHECK(lc(ipt.argv[12].loc) == "16:25");

  const Command& expect = s.commands[8];
  CHECK(expect.directive);
  CHECK(argv(expect) == Strings{"expect:", "tcp", "10.200.0.1:40000", "->", "1.2.3.4:80", "deliver",
                                "port", "9999"});
  CHECK(lc(expect.loc) == "17:1");

  REQUIRE(s.notes.size() == 1);  // the #! line
}

TEST_CASE("lexer: the expect directive at the end of the TPROXY script") {
  auto s = lex("LISTEN_PORT=9999\n# kpath expect: tcp 10.200.0.1:40000 -> 1.2.3.4:80 deliver port ${LISTEN_PORT}\n");
  REQUIRE(s.commands.size() == 1);
  CHECK(s.commands[0].directive);
  CHECK(argv(s.commands[0]) == Strings{"expect:", "tcp", "10.200.0.1:40000", "->", "1.2.3.4:80",
                                       "deliver", "port", "9999"});
  CHECK(lc(s.commands[0].argv[7].loc) == "2:65");
}

TEST_CASE("lexer: nft -f - with a quoted here-document") {
  const std::string script = "nft -f - <<'EOF'\n"
                             "table inet tproxy {\n"
                             "\tchain prerouting {\n"
                             "\t\ttype filter hook prerouting priority mangle; policy accept;\n"
                             "\t\tmeta l4proto tcp tproxy ip to :$port meta mark set 1\n"
                             "\t}\n"
                             "}\n"
                             "EOF\n"
                             "ip rule add fwmark 1 lookup 100\n";
  auto s = lex(script);
  REQUIRE(s.commands.size() == 2);
  const Command& nft = s.commands[0];
  CHECK(argv(nft) == Strings{"nft", "-f", "-"});
  REQUIRE(nft.heredoc);
  CHECK_FALSE(nft.heredoc->expanded);
  CHECK(lc(nft.heredoc->loc) == "2:1");
  CHECK(nft.heredoc->body.starts_with("table inet tproxy {\n\tchain prerouting {\n"));
  CHECK(nft.heredoc->body.find("to :$port meta") != std::string::npos);
  CHECK(nft.heredoc->body.ends_with("\t}\n}\n"));
  CHECK(lc(s.commands[1].loc) == "9:1");
}

TEST_CASE("lexer: iptables-restore --noflush with an expanded here-document") {
  const std::string script = "LISTEN_PORT=9999\n"
                             "VETH_SERVER_INNER=veth-server\n"
                             "iptables-restore --noflush <<EOF\n"
                             "*mangle\n"
                             ":DIVERT - [0:0]\n"
                             "-A PREROUTING -i ${VETH_SERVER_INNER} -p tcp -m socket -j DIVERT\n"
                             "-A PREROUTING -p tcp -j TPROXY --on-port $LISTEN_PORT --tproxy-mark 0x1/0x1\n"
                             "COMMIT\n"
                             "EOF\n"
                             "ip route add local 0.0.0.0/0 dev lo table 100\n";
  auto s = lex(script);
  REQUIRE(s.commands.size() == 2);
  const Command& r = s.commands[0];
  CHECK(argv(r) == Strings{"iptables-restore", "--noflush"});
  CHECK(lc(r.loc) == "3:1");
  REQUIRE(r.heredoc);
  CHECK(r.heredoc->expanded);
  CHECK(lc(r.heredoc->loc) == "4:1");
  CHECK(r.heredoc->body ==
        "*mangle\n"
        ":DIVERT - [0:0]\n"
        "-A PREROUTING -i veth-server -p tcp -m socket -j DIVERT\n"
        "-A PREROUTING -p tcp -j TPROXY --on-port 9999 --tproxy-mark 0x1/0x1\n"
        "COMMIT\n");
  CHECK(lc(s.commands[1].loc) == "10:1");
}
