#include "sim/live/tracefs.hpp"
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fmt/format.h>
#include "sim/live/interrupt.hpp"
#include "sim/live/netns.hpp"

namespace kpath::live {

namespace {

constexpr const char* kEvents[] = {"skb/kfree_skb", "skb/consume_skb", "net/netif_receive_skb", "net/net_dev_xmit", "fib/fib_table_lookup"};

bool exists(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}

bool write_file(const std::string& path, const std::string& value) {
  const int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = write(fd, value.data(), value.size()) == static_cast<ssize_t>(value.size());
  close(fd);
  return ok;
}

}  // namespace

std::string tracefs_root() {
  for (const char* p : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"})
    if (exists(std::string(p) + "/instances")) return p;
  // Not mounted yet: mount it where the kernel documents it (left mounted, like scripts/setup.sh).
  if (exists("/sys/kernel/tracing") && mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nullptr) == 0 &&
      exists("/sys/kernel/tracing/instances"))
    return "/sys/kernel/tracing";
  return "";
}

std::vector<std::string> trace_instances_ours() {
  std::vector<std::string> v;
  const std::string root = tracefs_root();
  if (root.empty()) return v;
  if (DIR* d = opendir((root + "/instances").c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (owner_of(n) && n == owner_tag(owner_of(n))) v.push_back(n);
    }
    closedir(d);
  }
  return v;
}

bool trace_instance_remove(const std::string& name) noexcept {
  const std::string root = tracefs_root();
  if (root.empty()) return false;
  const std::string dir = root + "/instances/" + name;
  if (!exists(dir)) return false;
  write_file(dir + "/tracing_on", "0");
  for (const char* e : kEvents) write_file(dir + "/events/" + e + "/enable", "0");
  return rmdir(dir.c_str()) == 0;
}

std::string TraceEvent::field(const std::string& key) const {
  if (key == "reason") {
    auto p = body.find("reason: ");
    if (p == std::string::npos) return "";
    auto e = body.find(' ', p + 8);
    return body.substr(p + 8, e == std::string::npos ? std::string::npos : e - p - 8);
  }
  // key=value (kfree_skb, netif_receive_skb, net_dev_xmit) or "key value" (fib_table_lookup)
  for (const std::string sep : {"=", " "}) {
    const std::string k = key + sep;
    size_t p = 0;
    while ((p = body.find(k, p)) != std::string::npos) {
      if (p == 0 || body[p - 1] == ' ') {
        const size_t s = p + k.size();
        const size_t e = body.find(' ', s);
        return body.substr(s, e == std::string::npos ? std::string::npos : e - s);
      }
      p += k.size();
    }
  }
  return "";
}

std::vector<TraceEvent> parse_trace(const std::string& text) {
  // "          <idle>-0       [001] ..s1.  1234.567890: netif_receive_skb: dev=eth0 skbaddr=... len=40"
  std::vector<TraceEvent> v;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t lb = line.find("] ");
    const size_t cb = line.rfind('[', lb);
    if (lb == std::string::npos || cb == std::string::npos) continue;
    TraceEvent ev;
    ev.cpu = std::atoi(line.c_str() + cb + 1);
    // the timestamp ends with ": " followed by the event name and ": "
    size_t p = lb + 2;
    size_t colon = line.find(": ", p);
    if (colon == std::string::npos) continue;
    size_t ts_start = line.rfind(' ', colon);
    ev.ts = std::atof(line.c_str() + (ts_start == std::string::npos ? p : ts_start + 1));
    const size_t name_end = line.find(": ", colon + 2);
    if (name_end == std::string::npos) continue;
    ev.event = line.substr(colon + 2, name_end - colon - 2);
    ev.body = line.substr(name_end + 2);
    v.push_back(std::move(ev));
  }
  return v;
}

TraceInstance::TraceInstance(std::string name) : name_(std::move(name)) {
  const std::string root = tracefs_root();
  if (root.empty()) throw std::runtime_error("tracefs is not available");
  dir_ = root + "/instances/" + name_;
  if (!exists(dir_) && mkdir(dir_.c_str(), 0700) != 0)
    throw std::runtime_error(fmt::format("cannot create trace instance {}: {}", dir_, strerror(errno)));
  crash_slot_ = crash_register(CrashCleanup::trace_instance, dir_);
  write_file(dir_ + "/tracing_on", "0");
  write_file(dir_ + "/buffer_size_kb", "2048");
  for (const char* e : kEvents)
    if (!write_file(dir_ + "/events/" + e + "/enable", "1")) {
      trace_instance_remove(name_);  // no destructor runs for a half-built object
      crash_unregister(crash_slot_);
      throw std::runtime_error(fmt::format("cannot enable trace event {} in {}", e, dir_));
    }
}

TraceInstance::~TraceInstance() {
  if (!keep_) trace_instance_remove(name_);
  crash_unregister(crash_slot_);
}

void TraceInstance::keep() {
  keep_ = true;
  crash_unregister(crash_slot_);
  crash_slot_ = -1;
}

void TraceInstance::start() {
  write_file(dir_ + "/tracing_on", "0");
  write_file(dir_ + "/trace", "");
  if (!write_file(dir_ + "/tracing_on", "1")) throw std::runtime_error("cannot switch tracing on in " + dir_);
}

std::string TraceInstance::stop() {
  write_file(dir_ + "/tracing_on", "0");
  std::ifstream in(dir_ + "/trace");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace kpath::live
