// apps/serve/server.h — the HTTP side of `nabla serve`: routes, the session table, and the
// workers that train the playing sessions. Numerics live in session/session.h; this file
// parses requests, calls a Session and formats its JSON.
//
//   PlaygroundServer server({.host = "127.0.0.1", .port = 0});
//   int port = server.start();   // listening now, on an ephemeral port
//   server.stop();
//
// The pace. A playing session trains at its pace, in optimizer steps per second:
//   POST /api/sessions/{id}/pace   {"steps_per_second": X}     X a number in [0.1, 100000]
//                                  {"steps_per_second": null}  as fast as it goes
// (anything else: 400 naming the field). GET .../state then holds
//   "pace": {"steps_per_second": X or null, "measured": M}
// with M the steps per second over the last second or so of playing (0 when paused), next to
// "epoch" and "steps". The default, kDefaultPace, is TensorFlow Playground's: its player runs
// one epoch per animation frame (oneStep() from d3.timer, about 60 frames a second), which at its
// defaults (500 points, half for training, batch 10: 25 steps an epoch) is 25 × 60 = 1 500 steps
// a second. A pace the machine cannot keep (many sessions, few cores) is not caught up later:
// each session gets its fair share of the workers.
//
// State updates. GET .../state?grid=50&neurons=20&points=1 returns everything, with a "version";
// the same request with &since=VERSION returns "delta": true and only what changed since that
// version: the scalars (epoch, steps, losses, accuracies, playing, pace) always; the history's
// new epochs ("history_mode": "append"; "replace" when it was reset or thinned); the weights,
// gradient norms and grids only when the weights changed; the points only when the data changed;
// the configuration and shapes only when they changed; the heatmaps when recomputed (for new
// weights, at most every kGridInterval while training: each recomputation is a new version). The fields, one by one:
// StateOptions in session/session.h. A version the session never had gets the full state; since=-1, a fraction or a
// word is a 400. The page's poll (grid 50, neurons 20, points) on the default session: README's classroom section has
// the bytes per poll, full and as deltas.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "session/session.h"

namespace httplib {
class Server;
}

namespace nabla::serve {

// TensorFlow Playground's pace at its defaults, in steps per second (above).
inline constexpr double kDefaultPace = 1500;
inline constexpr double kMinPace = 0.1, kMaxPace = 100000;
inline constexpr size_t kMaxSessionsLimit = 10000;  // --max-sessions at most
inline constexpr size_t kMaxWorkers = 256;          // --workers at most
// While a session's weights keep changing, its heatmaps are recomputed at most this often
// (StateOptions::grid_interval): ten times a second, whatever the polling rate.
inline constexpr std::chrono::milliseconds kGridInterval{100};

// The grid values a state request may ask for: grid² × outputs + neurons² × every neuron
// (inputs, hidden, outputs). The page asks for 50² and 20²; 200² and 64² on an 8 × 64 net would
// be 2 149 440, and is refused (200² and 20² there: 246 000 values, a 2.0 MB reply).
inline constexpr int64_t kMaxStateValues = int64_t(1) << 20;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  size_t max_sessions = 16;
  // Threads that train the playing sessions (0: the machine's hardware threads). Each session
  // trains on one worker at a time; the workers take the sessions in turn (round robin), each
  // when its pace says a step is due.
  size_t workers = 0;
  size_t max_body_bytes = 1 << 20;
  std::chrono::seconds idle_timeout{300};  // a session nobody polled for this long is dropped
  // Names the Host header may carry besides the loopback ones (localhost, 127.0.0.1, [::1]) and
  // `host` itself; "*" accepts any. Any other Host is refused with 403 (DNS rebinding).
  std::vector<std::string> allowed_hosts;
  // Connections served at once (one thread each; more wait for a free one). A client that sends
  // nothing for `read_timeout` (or reads nothing for `write_timeout`) is dropped, an idle
  // keep-alive connection after `keep_alive_timeout`.
  size_t threads = 64;  // at least max_sessions + 16 (a keep-alive connection per tab)
  std::chrono::seconds read_timeout{2};
  std::chrono::seconds write_timeout{5};
  std::chrono::seconds keep_alive_timeout{2};
  // The most time one connection may take, all its requests together: a client that trickles a
  // request a byte at a time (never idle for read_timeout) is cut off after this.
  std::chrono::seconds connection_timeout{30};
  // Requests that compute a state or an export at once, over all sessions; more wait their turn.
  size_t max_heavy_requests = 2;
  // The work one request may cause, below the session's own limits (session/session.h): the
  // grid values of a state (max_state_values), the points of a session's dataset, generated or
  // uploaded (max_points, which also bounds what one epoch, a "step" request, trains), and the
  // neurons of a hidden layer (max_neurons). More is a 400 naming the limit. The defaults are
  // the session's limits; fuzz/serve_target.h sets them small, so that every input is cheap and
  // these refusals are reached often.
  int64_t max_state_values = kMaxStateValues;
  int64_t max_points = kMaxPoints;
  int64_t max_neurons = kMaxNeurons;
};

// A state request with more grid values than this takes one of the max_heavy_requests slots; the
// page's (50² and 20² on the default 2-4-2-1 net: 6 100 values) does not, so a classroom's polls
// are not queued behind each other.
inline constexpr int64_t kLightStateValues = 16384;

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
  size_t worker_count() const;  // the training threads started

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
  void worker_loop();  // trains the queued sessions (workers.cpp)
  void expire_loop();  // drops sessions nobody polled for idle_timeout
  // Puts a playing session in the workers' queue (when it is not there or on a worker already).
  void enqueue(const std::shared_ptr<SessionEntry>& e);
  std::shared_ptr<SessionEntry> find(const std::string& id);
  // Whether the request may go on: its Host names this server, and a state-changing request
  // comes from no page or from this server's own (Origin). Otherwise the reason to refuse it.
  std::string refusal(const std::string& method, const std::string& host, const std::string* origin) const;

  ServerOptions options_;
  std::unique_ptr<httplib::Server> http_;
  std::thread listener_, expirer_;
  std::vector<std::thread> workers_;
  std::mutex queue_mutex_;  // with queue_ready_: the playing sessions waiting for a worker
  std::condition_variable queue_ready_;
  std::deque<std::shared_ptr<SessionEntry>> queue_;
  std::atomic<bool> running_{false};
  std::mutex sessions_mutex_;
  std::map<std::string, std::shared_ptr<SessionEntry>> sessions_;
  std::mutex heavy_mutex_;  // with heavy_free_: the slots for heavy requests
  std::condition_variable heavy_free_;
  size_t heavy_running_ = 0;
};

}  // namespace nabla::serve
