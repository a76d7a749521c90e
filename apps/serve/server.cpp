// The playground's HTTP server: JSON in, Session call, JSON out. Every handler turns a bad
// request into a 400 with {"error": ...}; nothing a client sends can stop the server.
#include "server.h"

#include <httplib.h>
#include <malloc.h>
#include <netdb.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <stdexcept>

#include "assets.h"
#include "nabla/error.h"
#include "nabla/serve/session.h"

namespace nabla::serve {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// One browser tab's session, and what the server knows about it.
struct SessionEntry {
  explicit SessionEntry(SessionConfig c) : session(std::move(c)) {}
  std::mutex mutex;  // guards everything below
  // Requests waiting for the mutex: the trainer lets them go first (std::mutex is not fair, and
  // on a busy machine a training loop that re-locks at once could starve them).
  std::atomic<int> waiting{0};
  Session session;
  bool playing = false;
  std::string error;  // why training stopped, when it did
  Clock::time_point last_seen = Clock::now();
  // steps per second, measured over windows of about half a second
  double steps_per_second = 0;
  int64_t window_steps = 0;
  Clock::time_point window_start = Clock::now();
};

namespace {

// A request the client got wrong: 400 (or `status`) with the message.
struct RequestError : std::runtime_error {
  RequestError(int status, const std::string& message) : std::runtime_error(message), status(status) {}
  int status;
};

// Messages may quote what a client sent (a Host header, a session id, a file name), which need
// not be UTF-8: invalid bytes become U+FFFD instead of making dump() throw (a 500; found by
// fuzz_serve, tests/regression/serve/invalid_utf8_in_host).
void send_json(httplib::Response& res, const json& j, int status = 200) {
  res.status = status;
  res.set_content(j.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, {{"error", message}}, status);
}

// 128 random bits from the OS, as hex: session ids nobody can guess.
std::string new_session_id() {
  std::random_device rd;
  std::string id;
  static const char* hex = "0123456789abcdef";
  for (int i = 0; i < 8; ++i) {
    uint32_t v = rd();
    for (int k = 0; k < 4; ++k, v >>= 4) id += hex[v & 15];
  }
  return id;
}

// The body as a JSON object ({} when empty). Refuses deep nesting before parsing it.
json body_json(const httplib::Request& req) {
  if (req.body.empty()) return json::object();
  int depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char ch : req.body) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (ch == '\\')
        escaped = true;
      else if (ch == '"')
        in_string = false;
    } else if (ch == '"') {
      in_string = true;
    } else if (ch == '[' || ch == '{') {
      max_depth = std::max(max_depth, ++depth);
    } else if (ch == ']' || ch == '}') {
      --depth;
    }
  }
  if (max_depth > 16) throw RequestError(400, "the JSON body is nested too deeply");
  json j = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw RequestError(400, "the body is not valid JSON");
  if (!j.is_object()) throw RequestError(400, "the body must be a JSON object");
  return j;
}

int64_t int_field(const json& j, const char* key) {
  if (!j.contains(key) || !j.at(key).is_number_integer())
    throw RequestError(400, std::string("\"") + key + "\" must be an integer");
  return j.at(key).get<int64_t>();
}

double number_field(const json& j, const char* key) {
  if (!j.contains(key) || !j.at(key).is_number())
    throw RequestError(400, std::string("\"") + key + "\" must be a number");
  return j.at(key).get<double>();
}

int64_t query_int(const httplib::Request& req, const char* key, int64_t fallback, int64_t lo, int64_t hi) {
  if (!req.has_param(key)) return fallback;
  try {
    size_t used = 0;
    const std::string v = req.get_param_value(key);
    const long long n = std::stoll(v, &used);
    if (used != v.size() || n < lo || n > hi) throw std::out_of_range(v);
    return n;
  } catch (const std::exception&) {
    throw RequestError(400, std::string("query parameter ") + key + " must be an integer in [" + std::to_string(lo) +
                                ", " + std::to_string(hi) + "]");
  }
}

json state_of(SessionEntry& e, const httplib::Request& req) {
  StateOptions o;
  o.grid = query_int(req, "grid", 50, 0, 200);
  o.neuron_grid = query_int(req, "neurons", 20, 0, 64);
  o.points = query_int(req, "points", 1, 0, 1) == 1;
  // Bound the reply: every value of every grid is a JSON number the server builds and sends.
  const Session& session = e.session;
  const int64_t outputs = session.task() == Task::multiclass ? session.num_classes() : 1;
  int64_t neurons = int64_t(session.config().features.size()) + outputs;
  for (int64_t h : session.config().hidden) neurons += h;
  const int64_t values = o.grid * o.grid * outputs + o.neuron_grid * o.neuron_grid * neurons;
  if (values > kMaxStateValues)
    throw RequestError(400, "grid=" + std::to_string(o.grid) + " and neurons=" + std::to_string(o.neuron_grid) +
                                " on this network (" + std::to_string(neurons) + " neurons) ask for " +
                                std::to_string(values) + " values; at most " + std::to_string(kMaxStateValues) +
                                ": ask for smaller grids");
  json s = e.session.state(o);
  s["playing"] = e.playing;
  s["steps_per_second"] = e.steps_per_second;
  if (!e.error.empty()) s["error"] = e.error;
  return s;
}

// The host part of a Host header value ("name", "name:port", "[v6]", "[v6]:port"), lower-case;
// empty when the value is malformed.
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

// At most `n` bytes of what a client sent, for a message.
std::string excerpt(const std::string& text, size_t n = 80) {
  return text.size() <= n ? text : text.substr(0, n) + "...";
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

// cpp-httplib's server with nabla's connection loop: the same keep-alive rules as httplib's own
// (a request at most every keep_alive_timeout, at most keep_alive_max_count per connection), on a
// DeadlineStream; and a way to run one request without a socket (handle_raw).
class HttpServer : public httplib::Server {
 public:
  explicit HttpServer(const ServerOptions& o) : options_(o) {}

  std::string process(const std::string& request) {
    MemoryStream stream(request);
    bool closed = false;
    process_request(stream, /*close_connection=*/true, closed, nullptr);
    return stream.out();
  }

 private:
  bool process_and_close_socket(socket_t sock) override {
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

  const ServerOptions& options_;
};

PlaygroundServer::PlaygroundServer(ServerOptions options)
    : options_(std::move(options)), http_(std::make_unique<HttpServer>(options_)) {
  routes();
}

std::string PlaygroundServer::handle_raw(const std::string& request) {
  return static_cast<HttpServer&>(*http_).process(request);
}

Reply PlaygroundServer::handle(const std::string& method, const std::string& target,
                               const std::vector<std::pair<std::string, std::string>>& headers,
                               const std::string& body) {
  auto one_line = [](const std::string& s) { return s.find_first_of("\r\n") == std::string::npos; };
  if (!one_line(method) || !one_line(target))
    throw std::invalid_argument("handle: a method or target with a line break");
  std::string request = method + " " + target + " HTTP/1.1\r\n";
  bool has_host = false;
  for (const auto& [name, value] : headers) {
    if (!one_line(name) || !one_line(value)) throw std::invalid_argument("handle: a header with a line break");
    has_host = has_host || ::strcasecmp(name.c_str(), "Host") == 0;
    request += name + ": " + value + "\r\n";
  }
  if (!has_host) request += "Host: 127.0.0.1\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  const std::string raw = handle_raw(request);
  Reply reply;
  // "HTTP/1.1 200 OK\r\n" headers "\r\n\r\n" body
  const size_t space = raw.find(' '), end = raw.find("\r\n\r\n");
  if (space == std::string::npos || end == std::string::npos) return reply;
  reply.status = std::atoi(raw.c_str() + space + 1);
  reply.body = raw.substr(end + 4);
  return reply;
}

PlaygroundServer::~PlaygroundServer() { stop(); }

std::shared_ptr<SessionEntry> PlaygroundServer::find(const std::string& id) {
  std::lock_guard lock(sessions_mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) throw RequestError(404, "no session " + id + " (it may have expired: reload the page)");
  return it->second;
}

std::string PlaygroundServer::refusal(const std::string& method, const std::string& host,
                                      const std::string* origin) const {
  const bool any =
      std::find(options_.allowed_hosts.begin(), options_.allowed_hosts.end(), "*") != options_.allowed_hosts.end();
  if (!any) {
    const std::string name = host_name(host);
    std::vector<std::string> names = {"localhost", "127.0.0.1", "[::1]", host_name(options_.host),
                                      host_name("[" + options_.host + "]")};
    for (const std::string& h : options_.allowed_hosts)
      names.push_back(host_name(h)), names.push_back(host_name("[" + h + "]"));
    if (name.empty() || std::find(names.begin(), names.end(), name) == names.end())
      return "refused: the Host header \"" + excerpt(host) +
             "\" does not name this server (a page on another site, through DNS rebinding?); "
             "to reach it under that name, start it with --allow-host NAME";
  }
  const bool changes_state = method != "GET" && method != "HEAD" && method != "OPTIONS";
  if (changes_state && origin != nullptr) {
    std::string o = *origin, same = "http://" + host;
    std::transform(o.begin(), o.end(), o.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    std::transform(same.begin(), same.end(), same.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (o != same)
      return "refused: a " + method + " from the page at \"" + excerpt(*origin) + "\" (Origin), not from " + same +
             ": another site's page cannot drive this server";
  }
  return "";
}

size_t PlaygroundServer::session_count() {
  std::lock_guard lock(sessions_mutex_);
  return sessions_.size();
}

void PlaygroundServer::routes() {
  httplib::Server& s = *http_;
  s.set_payload_max_length(options_.max_body_bytes);
  s.set_tcp_nodelay(true);  // small JSON replies: do not wait for delayed ACKs
  // cpp-httplib's default sets SO_REUSEPORT, which lets a second server bind the same port and
  // take half of the connections: SO_REUSEADDR only (a restart may still reuse a port in
  // TIME_WAIT), so a port in use is refused.
  s.set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  // A slow or idle client holds one thread for a bounded time, and there are enough threads
  // for the others.
  s.new_task_queue = [n = std::max<size_t>(options_.threads, 1)] { return new httplib::ThreadPool(n); };
  s.set_read_timeout(options_.read_timeout);
  s.set_write_timeout(options_.write_timeout);
  s.set_keep_alive_timeout(options_.keep_alive_timeout.count());
  // Before anything else (the body is not even read): Host and Origin.
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    const std::string origin = req.get_header_value("Origin");
    const std::string why =
        refusal(req.method, req.get_header_value("Host"), req.has_header("Origin") ? &origin : nullptr);
    if (why.empty()) return httplib::Server::HandlerResponse::Unhandled;
    send_error(res, 403, why);
    res.set_header("Connection", "close");
    return httplib::Server::HandlerResponse::Handled;
  });
  s.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    if (res.status == 404)
      send_error(res, 404, "not found");
    else if (res.status == 413)
      send_error(res, 413, "the request body is larger than 1 MB");
    else
      send_error(res, res.status, "bad request");
    return httplib::Server::HandlerResponse::Handled;
  }));
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      send_error(res, 500, e.what());
    } catch (...) {
      send_error(res, 500, "internal error");
    }
  });

  // Every API handler: look the session up, run `fn` under its lock, map errors to statuses.
  auto api = [this](auto fn) {
    return [this, fn](const httplib::Request& req, httplib::Response& res) {
      try {
        fn(req, res);
      } catch (const RequestError& e) {
        send_error(res, e.status, e.what());
      } catch (const nabla::ParseError& e) {  // a malformed upload: where, as numbers too
        json j = {{"error", e.what()}};
        if (e.line() > 0) j["line"] = e.line(), j["column"] = e.column();
        send_json(res, j, 400);
      } catch (const nabla::Error& e) {
        send_error(res, 400, e.what());
      } catch (const json::exception& e) {
        send_error(res, 400, e.what());
      } catch (const std::bad_alloc&) {
        send_error(res, 503, "out of memory");
      } catch (const std::exception& e) {
        send_error(res, 500, e.what());
      }
    };
  };
  auto with_session = [this, api](auto fn, bool heavy = false) {
    return api([this, fn, heavy](const httplib::Request& req, httplib::Response& res) {
      std::shared_ptr<SessionEntry> e = find(req.matches[1]);
      // A heavy request waits for a slot before it takes the session (the trainer takes no
      // slot), and gives the memory it used back to the system when it is the last one.
      struct Slot {
        PlaygroundServer* server = nullptr;
        ~Slot() {
          if (server == nullptr) return;
          bool last;
          {
            std::lock_guard lock(server->heavy_mutex_);
            last = --server->heavy_running_ == 0;
          }
          server->heavy_free_.notify_one();
          if (last) ::malloc_trim(0);
        }
      } slot;
      if (heavy) {
        std::unique_lock lock(heavy_mutex_);
        heavy_free_.wait(lock, [this] { return heavy_running_ < std::max<size_t>(options_.max_heavy_requests, 1); });
        ++heavy_running_;
        slot.server = this;
      }
      ++e->waiting;
      std::unique_lock lock(e->mutex);
      --e->waiting;
      e->last_seen = Clock::now();
      fn(*e, req, res);
    });
  };
  const std::string sid = "/api/sessions/([0-9a-f]{32})";

  for (const Asset& a : assets()) {
    const std::string path(a.path);
    auto handler = [a](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(a.bytes), std::string(a.mime).c_str());
      res.set_header("Cache-Control", "no-cache");
    };
    s.Get(path, handler);
    if (path == "/index.html") s.Get("/", handler);
  }

  s.Post("/api/sessions", api([this](const httplib::Request& req, httplib::Response& res) {
           SessionConfig config = session_config_from_json(body_json(req));
           {
             std::lock_guard lock(sessions_mutex_);
             if (sessions_.size() >= options_.max_sessions)
               throw RequestError(503, "too many sessions (" + std::to_string(options_.max_sessions) +
                                           "): close another tab or wait for idle ones to expire");
           }
           auto entry = std::make_shared<SessionEntry>(std::move(config));
           std::string id = new_session_id();
           {
             std::lock_guard lock(sessions_mutex_);
             if (sessions_.size() >= options_.max_sessions) throw RequestError(503, "too many sessions");
             sessions_[id] = entry;
           }
           send_json(res, {{"id", id}, {"config", to_json(entry->session.config())}}, 201);
         }));
  s.Get(sid + "/state", with_session([](SessionEntry& e, const httplib::Request& req,
                                        httplib::Response& res) { send_json(res, state_of(e, req)); },
                                     /*heavy=*/true));
  s.Post(sid + "/config", with_session([](SessionEntry& e, const httplib::Request& req, httplib::Response& res) {
           e.session.configure(session_config_from_json(body_json(req), e.session.config()));
           e.error.clear();
           send_json(res, {{"config", to_json(e.session.config())}});
         }));
  s.Post(sid + "/(play|pause|step|reset|regenerate)",
         with_session([](SessionEntry& e, const httplib::Request& req, httplib::Response& res) {
           const std::string action = req.matches[2];
           if (action == "play") {
             e.playing = true;
             e.error.clear();
             e.window_steps = 0;
             e.window_start = Clock::now();
           } else if (action == "pause") {
             e.playing = false;
             e.steps_per_second = 0;
           } else if (action == "step") {
             e.playing = false;
             e.session.step_epoch();
           } else if (action == "reset") {
             e.playing = false;
             e.error.clear();
             e.session.reset();
           } else {
             e.error.clear();
             e.session.regenerate();
           }
           send_json(res, {{"playing", e.playing}, {"epoch", e.session.epoch()}});
         }));
  // Uploaded points: the body is the CSV text itself (x1,x2,label), at most 1 MB.
  s.Post(sid + "/data", with_session([](SessionEntry& e, const httplib::Request& req, httplib::Response& res) {
           const std::string name = req.has_param("name") ? req.get_param_value("name") : "upload.csv";
           if (name.empty() || name.size() > 200 || name.find_first_of("\r\n\"<>") != std::string::npos)
             throw RequestError(400, "query parameter name must be a plain file name of at most 200 bytes");
           PointsData points = parse_points_csv(req.body, name);
           e.playing = false;
           e.error.clear();
           e.session.set_points(std::move(points));
           const Session& s = e.session;
           send_json(res, {{"points", s.train_set().size() + s.test_set().size()},
                           {"task", task_name(s.task())},
                           {"num_classes", s.num_classes()},
                           {"config", to_json(s.config())}});
         }));
  s.Post(sid + "/weight", with_session([](SessionEntry& e, const httplib::Request& req, httplib::Response& res) {
           const json j = body_json(req);
           e.session.set_weight(int_field(j, "layer"), int_field(j, "to"), int_field(j, "from"),
                                number_field(j, "value"));
           send_json(res, {{"ok", true}});
         }));
  s.Post(sid + "/bias", with_session([](SessionEntry& e, const httplib::Request& req, httplib::Response& res) {
           const json j = body_json(req);
           e.session.set_bias(int_field(j, "layer"), int_field(j, "neuron"), number_field(j, "value"));
           send_json(res, {{"ok", true}});
         }));
  s.Post(sid + "/stepthrough", with_session([](SessionEntry& e, const httplib::Request& req, httplib::Response& res) {
           const json j = body_json(req);
           e.playing = false;
           send_json(res, e.session.step_through(j.contains("sample") ? int_field(j, "sample") : 0));
         }));
  s.Get(sid + "/export/model.safetensors",
        with_session([](SessionEntry& e, const httplib::Request&, httplib::Response& res) {
          res.set_content(e.session.export_safetensors(), "application/octet-stream");
          res.set_header("Content-Disposition", "attachment; filename=\"model.safetensors\"");
        }));
  s.Get(sid + "/export/config.toml", with_session([](SessionEntry& e, const httplib::Request&, httplib::Response& res) {
          res.set_content(e.session.export_toml(), "application/toml");
          res.set_header("Content-Disposition", "attachment; filename=\"playground.toml\"");
        }));
  s.Get(sid + "/export/points.csv", with_session([](SessionEntry& e, const httplib::Request&, httplib::Response& res) {
          res.set_content(e.session.export_points_csv(), "text/csv");
          res.set_header("Content-Disposition", "attachment; filename=\"points.csv\"");
        }));
  s.Delete(sid, api([this](const httplib::Request& req, httplib::Response& res) {
             std::lock_guard lock(sessions_mutex_);
             if (sessions_.erase(req.matches[1]) == 0) throw RequestError(404, "no such session");
             send_json(res, {{"ok", true}});
           }));
}

int PlaygroundServer::start() {
  const int port = options_.port == 0 ? http_->bind_to_any_port(options_.host)
                                      : (http_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port <= 0)
    throw std::runtime_error("cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " +
                             bind_problem(options_.host, options_.port));
  running_ = true;
  listener_ = std::thread([this] { http_->listen_after_bind(); });
  trainer_ = std::thread([this] { train_loop(); });
  // httplib's stop() does nothing before the listener runs: a stop() right after start() would
  // then wait for it forever.
  while (!http_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return port;
}

void PlaygroundServer::wait() {
  if (listener_.joinable()) listener_.join();
}

void PlaygroundServer::stop() {
  running_ = false;
  http_->stop();
  if (listener_.joinable()) listener_.join();
  if (trainer_.joinable()) trainer_.join();
}

// Trains every playing session in turn, a few milliseconds each, so that polling (which takes
// the same lock) always gets a turn; drops sessions idle for longer than the timeout.
void PlaygroundServer::train_loop() {
  using namespace std::chrono_literals;
  while (running_) {
    std::vector<std::shared_ptr<SessionEntry>> playing;
    {
      std::lock_guard lock(sessions_mutex_);
      const auto now = Clock::now();
      for (auto it = sessions_.begin(); it != sessions_.end();) {
        bool expired;
        {
          std::lock_guard entry_lock(it->second->mutex);
          expired = now - it->second->last_seen > options_.idle_timeout;
          if (!expired && it->second->playing) playing.push_back(it->second);
        }
        it = expired ? sessions_.erase(it) : std::next(it);
      }
    }
    if (playing.empty()) {
      std::this_thread::sleep_for(10ms);
      continue;
    }
    const auto slice = std::max<Clock::duration>(2ms, 24ms / int(playing.size()));
    for (auto& e : playing) {
      if (e->waiting > 0) continue;  // a request first; this session trains next round
      std::lock_guard lock(e->mutex);
      if (!e->playing) continue;
      const auto start = Clock::now();
      try {
        while (Clock::now() - start < slice && e->waiting == 0) {
          e->session.train_batches(1);
          ++e->window_steps;
        }
      } catch (const std::exception& ex) {
        e->playing = false;
        e->error = ex.what();
      }
      const auto now = Clock::now();
      const double window = std::chrono::duration<double>(now - e->window_start).count();
      if (window >= 0.5) {
        e->steps_per_second = double(e->window_steps) / window;
        e->window_steps = 0;
        e->window_start = now;
      }
    }
    std::this_thread::sleep_for(1ms);  // let pollers take the locks
  }
}

}  // namespace nabla::serve
