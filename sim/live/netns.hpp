// Network namespaces owned by one `kpath live` process. Names carry the owner's pid
// (`kpl-<pid>-dut`), so a run killed with SIGKILL is reaped by the next one: reap_stale()
// deletes every `kpl-<pid>-*` namespace and `kpl-<pid>` trace instance whose pid is no longer
// a running kpath. Only names with this prefix are ever deleted; the host's own namespace is
// never changed.
#pragma once
#include <string>
#include <sys/types.h>
#include <vector>

namespace kpath::live {

inline constexpr const char* kNetnsDir = "/var/run/netns";
inline constexpr const char* kNamePrefix = "kpl-";

// "kpl-<pid>" (namespaces add "-dut", "-cli", ...; the trace instance is exactly this).
std::string owner_tag(pid_t pid);
// The owning pid of a kpath-made name, 0 when the name is not one of ours.
pid_t owner_of(const std::string& name);
// Is `pid` a running kpath (a reused pid of another program does not count)?
bool owner_alive(pid_t pid);
// Deletes leftovers of dead owners; returns what it removed (for a note on stderr).
std::vector<std::string> reap_stale();
// Every kpath-made namespace that exists now.
std::vector<std::string> list_ours();

// Removes a named namespace as `ip netns del` does (umount2 MNT_DETACH + unlink): only
// syscalls, so it cannot fail half-way or throw. The namespace dies once nothing uses it.
void netns_delete(const std::string& name) noexcept;

// `ip netns add NAME` for the lifetime of the guard; deleted in the destructor unless kept.
class Netns {
 public:
  explicit Netns(std::string name);
  ~Netns();
  Netns(const Netns&) = delete;
  Netns& operator=(const Netns&) = delete;
  const std::string& name() const { return name_; }
  void keep();
 private:
  std::string name_;
  bool keep_ = false;
  int crash_slot_ = -1;
};

// setns(2) this thread into a named namespace for the guard's lifetime (sockets created
// meanwhile stay in it); back to the namespace kpath started in afterwards.
class NetnsEnter {
 public:
  explicit NetnsEnter(const std::string& name);
  ~NetnsEnter();
  NetnsEnter(const NetnsEnter&) = delete;
  NetnsEnter& operator=(const NetnsEnter&) = delete;
 private:
  int home_ = -1;
};

}  // namespace kpath::live
