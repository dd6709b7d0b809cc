#include "sim/live/netns.hpp"
#include <cerrno>
#include <csignal>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <sched.h>
#include <stdexcept>
#include <sys/mount.h>
#include <unistd.h>
#include <fmt/format.h>
#include "sim/live/exec.hpp"
#include "sim/live/interrupt.hpp"
#include "sim/live/tracefs.hpp"

namespace kpath::live {

std::string owner_tag(pid_t pid) { return fmt::format("{}{}", kNamePrefix, pid); }

pid_t owner_of(const std::string& name) {
  if (name.rfind(kNamePrefix, 0) != 0) return 0;
  size_t i = 4, j = i;
  while (j < name.size() && name[j] >= '0' && name[j] <= '9') ++j;
  if (j == i || (j < name.size() && name[j] != '-')) return 0;
  return static_cast<pid_t>(std::stol(name.substr(i, j - i)));
}

bool owner_alive(pid_t pid) {
  if (pid <= 0) return false;
  if (kill(pid, 0) != 0 && errno == ESRCH) return false;
  // A pid reused by another program does not keep the leftovers alive; a kpath run under a
  // wrapper (valgrind, gdb) does: look for "kpath" in its command line.
  std::ifstream in(fmt::format("/proc/{}/cmdline", pid), std::ios::binary);
  if (!in) return true;
  std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return cmdline.empty() || cmdline.find("kpath") != std::string::npos;
}

static std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> v;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") v.push_back(n);
    }
    closedir(d);
  }
  return v;
}

std::vector<std::string> list_ours() {
  std::vector<std::string> v;
  for (auto& n : list_dir(kNetnsDir))
    if (owner_of(n)) v.push_back(n);
  return v;
}

void netns_delete(const std::string& name) noexcept {
  const std::string path = std::string(kNetnsDir) + "/" + name;
  umount2(path.c_str(), MNT_DETACH);
  unlink(path.c_str());
}

std::vector<std::string> reap_stale() {
  std::vector<std::string> gone;
  for (auto& n : list_ours()) {
    if (owner_alive(owner_of(n))) continue;
    netns_delete(n);
    gone.push_back("netns " + n);
  }
  for (auto& n : trace_instances_ours()) {
    if (owner_alive(owner_of(n))) continue;
    if (trace_instance_remove(n)) gone.push_back("trace instance " + n);
  }
  return gone;
}

Netns::Netns(std::string name) : name_(std::move(name)) {
  crash_slot_ = crash_register(CrashCleanup::netns, std::string(kNetnsDir) + "/" + name_);
  ExecResult r;
  try {
    r = run({"ip", "netns", "add", name_});
  } catch (...) {
    // A signal during `ip netns add`: the namespace may exist, and no destructor will run.
    netns_delete(name_);
    crash_unregister(crash_slot_);
    throw;
  }
  if (!r.ok()) {
    std::string e = r.err;
    while (!e.empty() && (e.back() == '\n' || e.back() == ' ')) e.pop_back();
    crash_unregister(crash_slot_);
    throw std::runtime_error(fmt::format("cannot create network namespace {}: {}", name_, e));
  }
}

Netns::~Netns() {
  if (!keep_) netns_delete(name_);
  crash_unregister(crash_slot_);
}

void Netns::keep() {
  keep_ = true;
  crash_unregister(crash_slot_);
  crash_slot_ = -1;
}

NetnsEnter::NetnsEnter(const std::string& name) {
  home_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home_ < 0) throw std::runtime_error(fmt::format("cannot open /proc/thread-self/ns/net: {}", strerror(errno)));
  const std::string path = std::string(kNetnsDir) + "/" + name;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
    const int e = errno;
    if (fd >= 0) close(fd);
    close(home_);
    throw std::runtime_error(fmt::format("cannot enter network namespace {}: {}", name, strerror(e)));
  }
  close(fd);
}

NetnsEnter::~NetnsEnter() {
  if (setns(home_, CLONE_NEWNET) != 0) {
    // Staying in a test namespace would make every later step lie: stop hard.
    fmt::print(stderr, "kpath: fatal: cannot return to the original network namespace: {}\n", strerror(errno));
    std::abort();
  }
  close(home_);
}

}  // namespace kpath::live
