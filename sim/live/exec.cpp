#include "sim/live/exec.hpp"
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <stdexcept>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fmt/format.h>
#include "sim/live/interrupt.hpp"

namespace kpath::live {

std::string argv_text(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) {
    if (!s.empty()) s += ' ';
    const bool plain = !a.empty() && a.find_first_of(" \t\n'\"\\$`*?;&|<>(){}[]!#~") == std::string::npos;
    if (plain) { s += a; continue; }
    s += '\'';
    for (char c : a) s += c == '\'' ? std::string("'\\''") : std::string(1, c);
    s += '\'';
  }
  return s;
}

std::vector<std::string> in_netns(const std::string& ns, std::vector<std::string> argv) {
  std::vector<std::string> v = {"ip", "netns", "exec", ns};
  v.insert(v.end(), argv.begin(), argv.end());
  return v;
}

bool have_program(const std::string& prog) {
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/sbin:/usr/bin:/sbin:/bin";
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find(':', i);
    if (j == std::string::npos) j = p.size();
    std::string f = p.substr(i, j - i) + "/" + prog;
    if (access(f.c_str(), X_OK) == 0) return true;
    i = j + 1;
  }
  return false;
}

ExecResult run(const std::vector<std::string>& argv, const std::string& input, int timeout_ms) {
  ExecResult r;
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) throw std::runtime_error("pipe: " + std::string(strerror(errno)));
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork: " + std::string(strerror(errno)));
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    // The tools get default signal dispositions and an unblocked mask.
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) signal(s, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execvp(args[0], args.data());
    const std::string msg = fmt::format("{}: {}\n", argv[0], strerror(errno));
    ssize_t ignored = write(2, msg.data(), msg.size());
    (void)ignored;
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  size_t written = 0;
  if (input.empty()) { close(in[1]); in[1] = -1; }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  bool killed = false;
  int open_fds = 2;
  while (open_fds > 0 || in[1] >= 0) {
    pollfd fds[3];
    nfds_t n = 0;
    if (out[0] >= 0) fds[n++] = {out[0], POLLIN, 0};
    if (err[0] >= 0) fds[n++] = {err[0], POLLIN, 0};
    if (in[1] >= 0) fds[n++] = {in[1], POLLOUT, 0};
    const int rc = poll(fds, n, 100);
    if (rc < 0 && errno != EINTR) break;
    if (!killed && std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      killed = true;
    }
    if (rc <= 0) continue;
    for (nfds_t k = 0; k < n; ++k) {
      if (!fds[k].revents) continue;
      if (fds[k].fd == in[1]) {
        ssize_t w = write(in[1], input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 || written >= input.size()) { close(in[1]); in[1] = -1; }
        continue;
      }
      char buf[4096];
      ssize_t got = read(fds[k].fd, buf, sizeof buf);
      if (got > 0) {
        (fds[k].fd == out[0] ? r.out : r.err).append(buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        if (fds[k].fd == out[0]) { close(out[0]); out[0] = -1; }
        else { close(err[0]); err[0] = -1; }
        --open_fds;
      }
    }
  }
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  if (killed) r.err += fmt::format("\n(kpath killed it after {} ms)", timeout_ms);
  check_interrupted();
  return r;
}

ExecResult run_checked(const std::vector<std::string>& argv, const std::string& input) {
  ExecResult r = run(argv, input);
  if (!r.ok()) {
    std::string e = r.err;
    while (!e.empty() && (e.back() == '\n' || e.back() == ' ')) e.pop_back();
    throw std::runtime_error(fmt::format("`{}` failed (exit {}){}{}", argv_text(argv), r.status, e.empty() ? "" : ": ", e));
  }
  return r;
}

}  // namespace kpath::live
