// apps/serve/server.h — the HTTP side of `nabla serve`: routes, the session table, and the
// thread that trains the playing sessions. Numerics live in nabla/serve/session.h; this file
// parses requests, calls a Session and formats its JSON.
//
//   PlaygroundServer server({.host = "127.0.0.1", .port = 0});
//   int port = server.start();   // listening now, on an ephemeral port
//   server.stop();
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace nabla::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  size_t max_sessions = 16;
  size_t max_body_bytes = 1 << 20;
  std::chrono::seconds idle_timeout{300};  // a session nobody polled for this long is dropped
  // Names the Host header may carry besides the loopback ones (localhost, 127.0.0.1, [::1]) and
  // `host` itself; "*" accepts any. Any other Host is refused with 403 (DNS rebinding).
  std::vector<std::string> allowed_hosts;
  // Connections served at once (one thread each; more wait for a free one). A client that sends
  // nothing for `read_timeout` (or reads nothing for `write_timeout`) is dropped, an idle
  // keep-alive connection after `keep_alive_timeout`.
  size_t threads = 64;
  std::chrono::seconds read_timeout{2};
  std::chrono::seconds write_timeout{5};
  std::chrono::seconds keep_alive_timeout{2};
  // The most time one connection may take, all its requests together: a client that trickles a
  // request a byte at a time (never idle for read_timeout) is cut off after this.
  std::chrono::seconds connection_timeout{30};
  // Requests that compute a state or an export at once, over all sessions; more wait their turn.
  size_t max_heavy_requests = 2;
};

// The grid values a state request may ask for: grid² × outputs + neurons² × every neuron
// (inputs, hidden, outputs). The page asks for 50² and 20²; 200² and 64² on an 8 × 64 net would
// be 2 149 440, and is refused (200² and 20² there: 246 000 values, a 2.0 MB reply).
inline constexpr int64_t kMaxStateValues = int64_t(1) << 20;

struct SessionEntry;

// What handle() answers: the HTTP status and the body of the reply (JSON for /api routes).
struct Reply {
  int status = 0;
  std::string body;
};

class PlaygroundServer {
 public:
  explicit PlaygroundServer(ServerOptions options = {});
  ~PlaygroundServer();
  PlaygroundServer(const PlaygroundServer&) = delete;
  PlaygroundServer& operator=(const PlaygroundServer&) = delete;

  // Binds and starts serving on background threads; returns the port. Throws
  // std::runtime_error saying why when the address cannot be bound: the port is in use (no
  // SO_REUSEPORT: a second server on the same port is refused), the host does not resolve or
  // is not this machine's.
  int start();
  // Blocks until stop() is called (from another thread or a signal handler's flag).
  void wait();
  void stop();
  size_t session_count();

  // One request through the server's own routes, checks and handlers, without a socket (the
  // fuzzer, fuzz/fuzz_serve.cpp, and tests): `target` is the path with its query string. A Host
  // header naming this server is added unless `headers` has one; Content-Length always.
  //   Reply r = server.handle("POST", "/api/sessions", {}, "{\"points\": 50}");   // r.status 201
  Reply handle(const std::string& method, const std::string& target,
               const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body);
  // The bytes of one HTTP/1.1 request as a client sends them, through the same parser, routes
  // and handlers as a connection; the bytes of the reply (empty when httplib drops the request).
  std::string handle_raw(const std::string& request);

 private:
  void routes();
  void train_loop();
  std::shared_ptr<SessionEntry> find(const std::string& id);
  // Whether the request may go on: its Host names this server, and a state-changing request
  // comes from no page or from this server's own (Origin). Otherwise the reason to refuse it.
  std::string refusal(const std::string& method, const std::string& host, const std::string* origin) const;

  ServerOptions options_;
  std::unique_ptr<httplib::Server> http_;
  std::thread listener_, trainer_;
  std::atomic<bool> running_{false};
  std::mutex sessions_mutex_;
  std::map<std::string, std::shared_ptr<SessionEntry>> sessions_;
  std::mutex heavy_mutex_;  // with heavy_free_: the slots for heavy requests
  std::condition_variable heavy_free_;
  size_t heavy_running_ = 0;
};

}  // namespace nabla::serve
