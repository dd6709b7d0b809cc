#include "sim/live/inject.hpp"
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdexcept>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fmt/format.h>
#include "sim/live/interrupt.hpp"
#include "sim/live/netns.hpp"

namespace kpath::live {

LinkInfo link_info(const std::string& netns, const std::string& dev) {
  NetnsEnter in(netns);
  const int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) throw std::runtime_error(fmt::format("socket in {}: {}", netns, strerror(errno)));
  ifreq ifr{};
  std::snprintf(ifr.ifr_name, IFNAMSIZ, "%s", dev.c_str());
  LinkInfo li;
  if (ioctl(s, SIOCGIFINDEX, &ifr) != 0) {
    close(s);
    throw std::runtime_error(fmt::format("no device {} in {}", dev, netns));
  }
  li.ifindex = ifr.ifr_ifindex;
  if (ioctl(s, SIOCGIFHWADDR, &ifr) == 0) std::memcpy(li.mac.data(), ifr.ifr_hwaddr.sa_data, 6);
  close(s);
  return li;
}

PacketSocket::PacketSocket(const std::string& netns, const std::string& dev) {
  NetnsEnter in(netns);
  fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ALL));
  if (fd_ < 0) throw std::runtime_error(fmt::format("AF_PACKET socket in {}: {}", netns, strerror(errno)));
  if (!dev.empty()) {
    ifindex_ = static_cast<int>(if_nametoindex(dev.c_str()));
    if (!ifindex_) {
      close(fd_);
      throw std::runtime_error(fmt::format("no device {} in {}", dev, netns));
    }
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = ifindex_;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0) {
      const int e = errno;
      close(fd_);
      throw std::runtime_error(fmt::format("bind AF_PACKET to {} in {}: {}", dev, netns, strerror(e)));
    }
  }
}

PacketSocket::~PacketSocket() {
  if (fd_ >= 0) close(fd_);
}

void PacketSocket::send(const std::vector<uint8_t>& frame, int ifindex) {
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_ifindex = ifindex ? ifindex : ifindex_;
  sll.sll_halen = 6;
  std::memcpy(sll.sll_addr, frame.data(), 6);
  const ssize_t n = sendto(fd_, frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&sll), sizeof sll);
  if (n != static_cast<ssize_t>(frame.size()))
    throw std::runtime_error(fmt::format("sending the frame failed: {}", n < 0 ? strerror(errno) : "short write"));
}

static void read_all(int fd, std::vector<Captured>& out, size_t i, const OnFrame& on_frame) {
  for (;;) {
    uint8_t buf[65536];
    sockaddr_ll from{};
    socklen_t fl = sizeof from;
    const ssize_t n = recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
    if (n < 0) return;
    if (from.sll_pkttype == PACKET_OUTGOING) continue;
    out.push_back(Captured{from.sll_ifindex, from.sll_pkttype, std::chrono::steady_clock::now(), std::vector<uint8_t>(buf, buf + n)});
    if (on_frame) on_frame(i, out.back());
  }
}

void capture(const std::vector<PacketSocket*>& socks, std::chrono::steady_clock::time_point until, std::vector<std::vector<Captured>>& out,
             const OnFrame& on_frame) {
  out.resize(socks.size());
  for (;;) {
    check_interrupted();
    const auto now = std::chrono::steady_clock::now();
    std::vector<pollfd> fds;
    for (auto* s : socks) fds.push_back({s->fd(), POLLIN, 0});
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count();
    const int rc = poll(fds.data(), fds.size(), left > 0 ? static_cast<int>(std::min<long long>(left, 50)) : 0);
    for (size_t i = 0; i < socks.size(); ++i)
      if (rc > 0 && (fds[i].revents & POLLIN)) read_all(socks[i]->fd(), out[i], i, on_frame);
    if (left <= 0) break;
  }
}

std::vector<Captured> PacketSocket::drain(std::chrono::steady_clock::time_point until) {
  std::vector<std::vector<Captured>> out;
  capture({this}, until, out);
  return out[0];
}

}  // namespace kpath::live

namespace kpath::live {

std::optional<kernel::Ipv4Addr> arp_request_target(const std::vector<uint8_t>& rq) {
  // Ethernet + ARP (htype 1, ptype 0x0800, hlen 6, plen 4, op 1 = request)
  if (rq.size() < 42 || rq[12] != 0x08 || rq[13] != 0x06 || rq[14] != 0 || rq[15] != 1 || rq[16] != 0x08 || rq[17] != 0x00 || rq[21] != 1)
    return std::nullopt;
  return kernel::Ipv4Addr{static_cast<uint32_t>(rq[38]) << 24 | static_cast<uint32_t>(rq[39]) << 16 | static_cast<uint32_t>(rq[40]) << 8 | rq[41]};
}

std::vector<uint8_t> arp_reply(const std::vector<uint8_t>& rq, const Mac& mac) {
  std::vector<uint8_t> r(42, 0);
  std::copy(rq.begin() + 6, rq.begin() + 12, r.begin());       // to the requester
  std::copy(mac.begin(), mac.end(), r.begin() + 6);
  r[12] = 0x08; r[13] = 0x06;
  r[14] = 0; r[15] = 1; r[16] = 0x08; r[17] = 0x00; r[18] = 6; r[19] = 4; r[20] = 0; r[21] = 2;  // op 2 = reply
  std::copy(mac.begin(), mac.end(), r.begin() + 22);            // sender hw = the answer
  std::copy(rq.begin() + 38, rq.begin() + 42, r.begin() + 28);  // sender ip = the requested address
  std::copy(rq.begin() + 22, rq.begin() + 28, r.begin() + 32);  // target hw = requester
  std::copy(rq.begin() + 28, rq.begin() + 32, r.begin() + 38);  // target ip = requester's
  return r;
}

}  // namespace kpath::live
