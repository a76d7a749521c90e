// apps/serve/connection.h — the server's connections (internal to apps/serve): cpp-httplib's
// server with nabla's connection loop (per-read, per-write and per-connection deadlines), a way to
// run one request without a socket, and the address checks that need the socket layer.
#pragma once
#include <httplib.h>

#include <string>

#include "server.h"

namespace nabla::serve {

// cpp-httplib's server with nabla's connection loop: the same keep-alive rules as httplib's own
// (a request at most every keep_alive_timeout, at most keep_alive_max_count per connection), on a
// DeadlineStream; and a way to run one request without a socket (handle_raw).
class HttpServer : public httplib::Server {
 public:
  explicit HttpServer(const ServerOptions& o) : options_(o) {}
  // The bytes of one request in, the bytes of the reply out (empty when httplib drops it).
  std::string process(const std::string& request);

 private:
  bool process_and_close_socket(socket_t sock) override;
  const ServerOptions& options_;
};

// The host part of a Host header value ("name", "name:port", "[v6]", "[v6]:port"), lower-case;
// empty when the value is malformed.
std::string host_name(const std::string& value);

// Why binding host:port fails, found by trying it the way the server does (SO_REUSEADDR, no
// SO_REUSEPORT): cpp-httplib only says that it failed.
std::string bind_problem(const std::string& host, int port);

}  // namespace nabla::serve
