// A private tracefs instance (/sys/kernel/tracing/instances/kpl-<pid>) with the events kpath
// live reads: skb:kfree_skb (drop reason and location), skb:consume_skb, net:netif_receive_skb,
// net:net_dev_xmit (to follow one skb by address) and fib:fib_table_lookup (the table that
// answered). A private instance keeps concurrent runs and other tracers apart; it is removed on
// every exit path (and by reap_stale after SIGKILL).
#pragma once
#include <string>
#include <vector>

namespace kpath::live {

// The tracefs mount point, mounting tracefs there when it is not mounted yet; "" when tracefs
// is not available at all.
std::string tracefs_root();
std::vector<std::string> trace_instances_ours();
// Disables the instance's events and removes it; false when it does not exist.
bool trace_instance_remove(const std::string& name) noexcept;

struct TraceEvent {
  int cpu = -1;
  double ts = 0;
  std::string event;   // "kfree_skb", "netif_receive_skb", ...
  std::string body;    // the formatted fields after "event: "
  // One field of the body: "skbaddr", "dev", "location", "reason" (after "reason: "), ...
  std::string field(const std::string& key) const;
};
std::vector<TraceEvent> parse_trace(const std::string& text);

class TraceInstance {
 public:
  explicit TraceInstance(std::string name);   // creates it and selects the events (tracing off)
  ~TraceInstance();
  TraceInstance(const TraceInstance&) = delete;
  TraceInstance& operator=(const TraceInstance&) = delete;
  void start();               // clears the buffer, tracing on
  std::string stop();         // tracing off, returns the buffer
  const std::string& path() const { return dir_; }
  void keep();
 private:
  std::string name_, dir_;
  bool keep_ = false;
  int crash_slot_ = -1;
};

}  // namespace kpath::live
