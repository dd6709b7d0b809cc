// Signals during `kpath live`: SIGINT, SIGTERM and SIGHUP only record themselves (installed
// without SA_RESTART, so a blocking call returns EINTR); the code polls check_interrupted()
// between steps and unwinds with Interrupted, so every RAII guard (namespaces, trace instance,
// sockets) cleans up on the way out; the command then re-raises the signal with its default
// action, so the caller sees the process die of it (exit status 128+N).
#pragma once
#include <csignal>
#include <exception>
#include <string>

namespace kpath::live {

struct Interrupted : std::exception {
  int sig;
  explicit Interrupted(int s) : sig(s) {}
  const char* what() const noexcept override { return "interrupted by a signal"; }
};

// Installs the recording handlers for its lifetime (and ignores SIGPIPE, so a closed stdout
// becomes an error that unwinds instead of killing the process before cleanup).
class SignalScope {
 public:
  SignalScope();
  ~SignalScope();
  SignalScope(const SignalScope&) = delete;
  SignalScope& operator=(const SignalScope&) = delete;
 private:
  struct sigaction old_[4];
};

int pending_signal();          // 0 when none arrived
void check_interrupted();      // throws Interrupted when a signal arrived
void sleep_ms(int ms);         // sleeps in slices, checking for signals

// Blocks the handled signals for its lifetime: cleanup runs to the end even when the user
// presses ^C again; the pending signal is delivered (recorded) when it ends.
class SignalBlock {
 public:
  SignalBlock();
  ~SignalBlock();
 private:
  sigset_t old_;
};

// Restores the default action of `sig` and raises it: the process ends as that signal says.
[[noreturn]] void reraise(int sig);

// Last-resort cleanup when kpath itself crashes (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT): the
// guards register what they created here, and the crash handler removes it with plain syscalls
// (umount2 + unlink for a namespace, rmdir for a trace instance) before dying of the signal.
enum class CrashCleanup { netns, trace_instance };
int crash_register(CrashCleanup kind, const std::string& path);  // slot id, -1 when full
void crash_unregister(int slot);

}  // namespace kpath::live
