#include "sim/live/interrupt.hpp"
#include <cerrno>
#include <ctime>
#include <cstring>
#include <sys/mount.h>
#include <unistd.h>

namespace kpath::live {

namespace {
volatile sig_atomic_t g_signal = 0;
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
extern "C" void on_signal(int sig) {
  if (!g_signal) g_signal = sig;
}

struct Slot {
  volatile sig_atomic_t used;
  CrashCleanup kind;
  char path[512];
};
Slot g_slots[32];
constexpr int kCrashSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
struct sigaction g_old_crash[5];

extern "C" void on_crash(int sig) {
  for (auto& s : g_slots) {
    if (!s.used) continue;
    if (s.kind == CrashCleanup::netns) {
      umount2(s.path, MNT_DETACH);
      unlink(s.path);
    } else {
      rmdir(s.path);
    }
    s.used = 0;
  }
  signal(sig, SIG_DFL);
  raise(sig);
}
}  // namespace

int crash_register(CrashCleanup kind, const std::string& path) {
  for (int i = 0; i < 32; ++i) {
    if (g_slots[i].used || path.size() >= sizeof g_slots[i].path) continue;
    g_slots[i].kind = kind;
    std::memcpy(g_slots[i].path, path.c_str(), path.size() + 1);
    g_slots[i].used = 1;
    return i;
  }
  return -1;
}

void crash_unregister(int slot) {
  if (slot >= 0 && slot < 32) g_slots[slot].used = 0;
}

SignalScope::SignalScope() {
  g_signal = 0;
  for (size_t i = 0; i < 4; ++i) {
    struct sigaction sa {};
    sa.sa_handler = kSignals[i] == SIGPIPE ? SIG_IGN : on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: blocking calls return EINTR
    sigaction(kSignals[i], &sa, &old_[i]);
  }
  for (size_t i = 0; i < 5; ++i) {
    struct sigaction sa {};
    sa.sa_handler = on_crash;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    sigaction(kCrashSignals[i], &sa, &g_old_crash[i]);
  }
}

SignalScope::~SignalScope() {
  for (size_t i = 0; i < 4; ++i) sigaction(kSignals[i], &old_[i], nullptr);
  for (size_t i = 0; i < 5; ++i) sigaction(kCrashSignals[i], &g_old_crash[i], nullptr);
}

int pending_signal() { return g_signal; }

void check_interrupted() {
  if (g_signal) throw Interrupted(g_signal);
}

void sleep_ms(int ms) {
  while (ms > 0) {
    check_interrupted();
    const int slice = ms < 50 ? ms : 50;
    struct timespec ts {0, slice * 1000000L};
    nanosleep(&ts, nullptr);
    ms -= slice;
  }
  check_interrupted();
}

SignalBlock::SignalBlock() {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGINT);
  sigaddset(&s, SIGTERM);
  sigaddset(&s, SIGHUP);
  sigprocmask(SIG_BLOCK, &s, &old_);
}

SignalBlock::~SignalBlock() { sigprocmask(SIG_SETMASK, &old_, nullptr); }

void reraise(int sig) {
  struct sigaction sa {};
  sa.sa_handler = SIG_DFL;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, nullptr);
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, sig);
  sigprocmask(SIG_UNBLOCK, &s, nullptr);
  raise(sig);
  _exit(128 + sig);
}

}  // namespace kpath::live
