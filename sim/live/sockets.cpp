#include "sim/live/sockets.hpp"
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fmt/format.h>
#include "sim/live/interrupt.hpp"
#include "sim/live/netns.hpp"

namespace kpath::live {

using namespace kernel;

namespace {
constexpr int kIpTransparent = 19;  // IP_TRANSPARENT
constexpr int kIpFreebind = 15;     // IP_FREEBIND

sockaddr_in sin_of(Ipv4Addr a, uint16_t port) {
  sockaddr_in s{};
  s.sin_family = AF_INET;
  s.sin_port = htons(port);
  s.sin_addr.s_addr = htonl(a.v);
  return s;
}

std::string describe(const Sock& s) {
  const char* st = s.state == SockState::Listen ? "listen" : s.state == SockState::Bound ? "bind" : s.state == SockState::Connected ? "connected" : "established";
  return fmt::format("{} {} {}:{}", s.proto == IPPROTO_TCP_ ? "tcp" : "udp", st, s.laddr, s.lport);
}
}  // namespace

LiveSockets::LiveSockets(const std::string& netns, const HostConfig& h) {
  for (const Sock& s : h.socks)
    if (s.proto == IPPROTO_TCP_ && s.state == SockState::Established)
      throw Unsupported(fmt::format("cannot stand up an established TCP socket ({} -> {}:{}) on a real kernel yet", describe(s), s.raddr, s.rport));
  NetnsEnter in(netns);
  try {
    open_sockets(h);
  } catch (...) {
    for (auto& o : open_) close(o.fd);  // no destructor runs for a half-built object
    throw;
  }
}

void LiveSockets::open_sockets(const HostConfig& h) {
  for (size_t i = 0; i < h.socks.size(); ++i) {
    const Sock& s = h.socks[i];
    const bool tcp = s.proto == IPPROTO_TCP_;
    const int fd = socket(AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(fmt::format("socket: {}", strerror(errno)));
    open_.push_back({fd, i, s.proto});
    const int one = 1;
    auto opt = [&](int level, int name, const void* v, socklen_t len, const char* what) {
      if (setsockopt(fd, level, name, v, len) != 0) throw std::runtime_error(fmt::format("{} on {}: {}", what, describe(s), strerror(errno)));
    };
    opt(SOL_SOCKET, SO_REUSEADDR, &one, sizeof one, "SO_REUSEADDR");
    // The model's socket table has no bind-time address check: bind what was declared.
    opt(SOL_IP, kIpFreebind, &one, sizeof one, "IP_FREEBIND");
    if (s.transparent) opt(SOL_IP, kIpTransparent, &one, sizeof one, "IP_TRANSPARENT");
    if (s.mark) opt(SOL_SOCKET, SO_MARK, &s.mark, sizeof s.mark, "SO_MARK");
    if (s.bound_dev) {
      std::string dev;
      for (auto& d : h.devices) if (d.ifindex == s.bound_dev) dev = d.name;
      opt(SOL_SOCKET, SO_BINDTODEVICE, dev.c_str(), static_cast<socklen_t>(dev.size()), "SO_BINDTODEVICE");
    }
    sockaddr_in a = sin_of(s.laddr, s.lport);
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      throw std::runtime_error(fmt::format("bind {}: {}", describe(s), strerror(errno)));
    if (tcp && listen(fd, 8) != 0) throw std::runtime_error(fmt::format("listen {}: {}", describe(s), strerror(errno)));
    if (!tcp && s.state == SockState::Connected) {
      sockaddr_in r = sin_of(s.raddr, s.rport);
      if (connect(fd, reinterpret_cast<sockaddr*>(&r), sizeof r) != 0)
        notes.push_back(fmt::format("{}: connect to {}:{} failed ({}); the socket stays unconnected", describe(s), s.raddr, s.rport, strerror(errno)));
    }
  }
}

LiveSockets::~LiveSockets() {
  for (auto& o : open_) close(o.fd);
}

std::optional<LiveSockets::Hit> LiveSockets::which_received(int wait_ms) {
  for (int waited = 0;; waited += 20) {
    for (auto& o : open_) {
      if (o.proto == IPPROTO_TCP_) {
        sockaddr_in peer{}, local{};
        socklen_t pl = sizeof peer, ll = sizeof local;
        const int c = accept4(o.fd, reinterpret_cast<sockaddr*>(&peer), &pl, SOCK_CLOEXEC);
        if (c < 0) continue;
        getsockname(c, reinterpret_cast<sockaddr*>(&local), &ll);
        close(c);
        return Hit{o.index, fmt::format("accept() returned a connection from {}:{} to {}:{}", Ipv4Addr{ntohl(peer.sin_addr.s_addr)},
                                        ntohs(peer.sin_port), Ipv4Addr{ntohl(local.sin_addr.s_addr)}, ntohs(local.sin_port))};
      }
      char buf[2048];
      sockaddr_in peer{};
      socklen_t pl = sizeof peer;
      const ssize_t n = recvfrom(o.fd, buf, sizeof buf, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&peer), &pl);
      if (n >= 0)
        return Hit{o.index, fmt::format("recvfrom() returned {} bytes from {}:{}", n, Ipv4Addr{ntohl(peer.sin_addr.s_addr)}, ntohs(peer.sin_port))};
    }
    if (waited >= wait_ms) return std::nullopt;
    sleep_ms(20);
  }
}

}  // namespace kpath::live
