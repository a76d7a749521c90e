// The server's connections: deadlines on every read and write and on the whole connection,
// handle_raw's in-memory connection, and why a bind failed.
#include "connection.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace nabla::serve {

using Clock = std::chrono::steady_clock;

std::string host_name(const std::string& value) {
  std::string host = value, port;
  if (!host.empty() && host[0] == '[') {
    const size_t close = host.find(']');
    if (close == std::string::npos) return "";
    port = host.substr(close + 1);
    host = host.substr(0, close + 1);
    if (!port.empty() && port[0] != ':') return "";
    if (!port.empty()) port = port.substr(1);
  } else if (const size_t colon = host.find(':'); colon != std::string::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (host.empty() || !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }))
    return "";
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return host;
}

// Why binding host:port fails, found by trying it the way the server does (SO_REUSEADDR, no
// SO_REUSEPORT): cpp-httplib only says that it failed.
std::string bind_problem(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0)
    return "the host " + host + " does not resolve (" + ::gai_strerror(rc) + ")";
  int error = 0;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) {
      error = errno;
      continue;
    }
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    const bool bound = ::bind(fd, a->ai_addr, a->ai_addrlen) == 0;
    error = bound ? 0 : errno;
    ::close(fd);
    if (bound) break;
  }
  ::freeaddrinfo(found);
  const std::string p = std::to_string(port);
  switch (error) {
    case 0:
      return "it could not be bound";
    case EADDRINUSE:
      return "port " + p + " is in use (by another program, or another nabla serve): choose another with --port";
    case EADDRNOTAVAIL:
      return host + " is not an address of this machine";
    case EACCES:
      return "port " + p + " needs privileges: choose one above 1023 with --port";
    default:
      return std::strerror(error);
  }
}

namespace {

// A connection's socket as httplib reads and writes it, with the server's timeouts: each wait
// for the client is at most read_timeout (write_timeout to write), and all of them together end
// at the connection's deadline, so that a client sending a byte now and then is cut off too.
class DeadlineStream : public httplib::Stream {
 public:
  DeadlineStream(int sock, Clock::time_point deadline, std::chrono::milliseconds read_timeout,
                 std::chrono::milliseconds write_timeout)
      : sock_(sock), deadline_(deadline), read_timeout_(read_timeout), write_timeout_(write_timeout) {}

  bool is_readable() const override { return pos_ < end_ || wait(POLLIN, read_timeout_); }
  bool is_writable() const override { return wait(POLLOUT, write_timeout_); }
  ssize_t read(char* ptr, size_t size) override {
    if (pos_ == end_) {
      if (!wait(POLLIN, read_timeout_)) return -1;
      ssize_t n;
      do n = ::recv(sock_, buffer_, sizeof buffer_, 0);
      while (n < 0 && errno == EINTR);
      if (n <= 0) return n;
      pos_ = 0, end_ = size_t(n);
    }
    const size_t k = std::min(size, end_ - pos_);
    std::memcpy(ptr, buffer_ + pos_, k);
    pos_ += k;
    return ssize_t(k);
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (!wait(POLLOUT, write_timeout_)) return -1;
    ssize_t n;
    do n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n;
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override { address(true, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { address(false, ip, port); }
  socket_t socket() const override { return sock_; }

  // Waits up to `timeout` (and the deadline) for the next request, in short slices so that a
  // stopping server (`stopping` true) does not wait for idle clients.
  template <class Stopping>
  bool wait_for_request(std::chrono::milliseconds timeout, Stopping stopping) const {
    if (pos_ < end_) return true;
    const auto until = Clock::now() + timeout;
    while (!stopping()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      if (left.count() <= 0) return false;
      if (wait(POLLIN, std::min(left, std::chrono::milliseconds(100)))) return true;
      if (Clock::now() >= deadline_) return false;
    }
    return false;
  }

 private:
  bool wait(short events, std::chrono::milliseconds timeout) const {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
    const auto ms = std::min(timeout, left).count();
    if (ms <= 0) return false;
    pollfd p{sock_, events, 0};
    int rc;
    do rc = ::poll(&p, 1, int(ms));
    while (rc < 0 && errno == EINTR);
    return rc > 0;
  }
  void address(bool remote, std::string& ip, int& port) const {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    char host[NI_MAXHOST] = "", serv[NI_MAXSERV] = "0";
    const int rc = remote ? ::getpeername(sock_, reinterpret_cast<sockaddr*>(&a), &len)
                          : ::getsockname(sock_, reinterpret_cast<sockaddr*>(&a), &len);
    if (rc == 0)
      ::getnameinfo(reinterpret_cast<sockaddr*>(&a), len, host, sizeof host, serv, sizeof serv,
                    NI_NUMERICHOST | NI_NUMERICSERV);
    ip = host;
    port = std::atoi(serv);
  }

  int sock_;
  Clock::time_point deadline_;
  std::chrono::milliseconds read_timeout_, write_timeout_;
  char buffer_[4096];
  size_t pos_ = 0, end_ = 0;
};

// A request's bytes in, the reply's bytes out: handle_raw's connection.
class MemoryStream : public httplib::Stream {
 public:
  explicit MemoryStream(const std::string& request) : in_(request) {}
  bool is_readable() const override { return pos_ < in_.size(); }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    const size_t k = std::min(size, in_.size() - pos_);
    std::memcpy(ptr, in_.data() + pos_, k);
    pos_ += k;
    return ssize_t(k);
  }
  ssize_t write(const char* ptr, size_t size) override {
    out_.append(ptr, size);
    return ssize_t(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override { ip = "127.0.0.1", port = 0; }
  void get_local_ip_and_port(std::string& ip, int& port) const override { ip = "127.0.0.1", port = 0; }
  socket_t socket() const override { return INVALID_SOCKET; }
  const std::string& out() const { return out_; }

 private:
  const std::string& in_;
  size_t pos_ = 0;
  std::string out_;
};

}  // namespace

std::string HttpServer::process(const std::string& request) {
  MemoryStream stream(request);
  bool closed = false;
  process_request(stream, /*close_connection=*/true, closed, nullptr);
  return stream.out();
}

bool HttpServer::process_and_close_socket(socket_t sock) {
  using std::chrono::milliseconds;
  DeadlineStream stream(sock, Clock::now() + options_.connection_timeout, milliseconds(options_.read_timeout),
                        milliseconds(options_.write_timeout));
  bool ok = false;
  for (size_t count = keep_alive_max_count_; count > 0; --count) {
    if (!stream.wait_for_request(milliseconds(options_.keep_alive_timeout),
                                 [this] { return svr_sock_ == INVALID_SOCKET; }))
      break;
    bool closed = false;
    ok = process_request(stream, count == 1, closed, nullptr);
    if (!ok || closed) break;
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace nabla::serve
