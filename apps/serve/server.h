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
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

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
};

struct SessionEntry;

class PlaygroundServer {
 public:
  explicit PlaygroundServer(ServerOptions options = {});
  ~PlaygroundServer();
  PlaygroundServer(const PlaygroundServer&) = delete;
  PlaygroundServer& operator=(const PlaygroundServer&) = delete;

  // Binds and starts serving on background threads; returns the port. Throws
  // std::runtime_error when the address cannot be bound.
  int start();
  // Blocks until stop() is called (from another thread or a signal handler's flag).
  void wait();
  void stop();
  size_t session_count();

 private:
  void routes();
  void train_loop();
  std::shared_ptr<SessionEntry> find(const std::string& id);

  ServerOptions options_;
  std::unique_ptr<httplib::Server> http_;
  std::thread listener_, trainer_;
  std::atomic<bool> running_{false};
  std::mutex sessions_mutex_;
  std::map<std::string, std::shared_ptr<SessionEntry>> sessions_;
};

}  // namespace nabla::serve
