// Real sockets for the config's `#kpath socket` statements, opened inside the DUT namespace by
// kpath itself (setns), so they die with the process on every exit path, SIGKILL included:
// TCP listeners (listen backlog 8) and UDP sockets, with IP_TRANSPARENT, SO_MARK and
// SO_BINDTODEVICE as declared, and afterwards the question "which of them got the packet?".
#pragma once
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>
#include "sim/config/host_config.hpp"

namespace kpath::live {

// A config construct kpath live cannot stand up on a real kernel (exit 3 with the sentence).
struct Unsupported : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class LiveSockets {
 public:
  LiveSockets(const std::string& netns, const HostConfig& h);
  ~LiveSockets();
  LiveSockets(const LiveSockets&) = delete;
  LiveSockets& operator=(const LiveSockets&) = delete;
  // Index into HostConfig::socks of the socket that received something (a UDP datagram, or a
  // TCP connection ready to accept), waiting up to `wait_ms`; nullopt when none did.
  struct Hit { size_t index; std::string detail; };
  std::optional<Hit> which_received(int wait_ms);
  std::vector<std::string> notes;  // declared sockets the kernel refused, and why
 private:
  struct Open { int fd; size_t index; uint8_t proto; };
  void open_sockets(const HostConfig& h);
  std::vector<Open> open_;
};

}  // namespace kpath::live
