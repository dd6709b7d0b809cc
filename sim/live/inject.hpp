// AF_PACKET sockets: the injector in the client namespace (one hand-built frame, straight onto
// the veth whose peer is the DUT's in-device) and the sniffers (the client's veth: replies and
// packets forwarded back; every device of the upstream namespace: what left the DUT elsewhere).
#pragma once
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>
#include "models/inet.hpp"
#include "sim/live/frame.hpp"

namespace kpath::live {

struct LinkInfo {
  int ifindex = 0;
  Mac mac{};
};
// Looks a device up inside a namespace (ioctl on a socket made there).
LinkInfo link_info(const std::string& netns, const std::string& dev);

struct Captured {
  int ifindex = 0;
  uint8_t pkt_type = 0;  // PACKET_HOST, PACKET_OTHERHOST, ...
  std::chrono::steady_clock::time_point when;
  std::vector<uint8_t> data;
};

// An ETH_P_ALL packet socket made in `netns`, bound to `dev` ("" = every device there).
class PacketSocket {
 public:
  PacketSocket(const std::string& netns, const std::string& dev);
  ~PacketSocket();
  PacketSocket(const PacketSocket&) = delete;
  PacketSocket& operator=(const PacketSocket&) = delete;
  // On the bound device, or on `ifindex` (for a socket bound to every device).
  void send(const std::vector<uint8_t>& frame, int ifindex = 0);
  // Frames received (not our own outgoing ones) until `until`; checks for signals meanwhile.
  std::vector<Captured> drain(std::chrono::steady_clock::time_point until);
  int fd() const { return fd_; }
 private:
  int fd_ = -1;
  int ifindex_ = 0;
};

// Waits on several sniffers at once until `until`, appending to `out[i]` for sniffer i;
// `on_frame(i, frame)` may answer a frame (the ARP responder).
using OnFrame = std::function<void(size_t, const Captured&)>;
void capture(const std::vector<PacketSocket*>& socks, std::chrono::steady_clock::time_point until, std::vector<std::vector<Captured>>& out,
             const OnFrame& on_frame = {});

// The address an ARP request asks for; nullopt when the frame is not an IPv4 ARP request.
std::optional<kernel::Ipv4Addr> arp_request_target(const std::vector<uint8_t>& frame);
// The ARP reply to `request` saying its target address is at `mac`.
std::vector<uint8_t> arp_reply(const std::vector<uint8_t>& request, const Mac& mac);

}  // namespace kpath::live
