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
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <stdexcept>

#include "assets.h"
#include "connection.h"
#include "entry.h"
#include "nabla/error.h"
#include "session/session.h"

namespace nabla::serve {

using nlohmann::json;

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

// {"steps_per_second": X} with X in [kMinPace, kMaxPace], or null (as fast as it goes).
std::optional<double> pace_field(const json& j) {
  const std::string what =
      "\"steps_per_second\" must be a number of steps per second in [0.1, 100000], or null for as fast as it goes";
  static_assert(kMinPace == 0.1 && kMaxPace == 100000, "the message above names them");
  for (const auto& [key, _] : j.items())
    if (key != "steps_per_second") throw RequestError(400, "unknown field \"" + key + "\": " + what);
  if (!j.contains("steps_per_second")) throw RequestError(400, "missing field: " + what);
  const json& v = j.at("steps_per_second");
  if (v.is_null()) return std::nullopt;
  if (!v.is_number() || !(v.get<double>() >= kMinPace && v.get<double>() <= kMaxPace))
    throw RequestError(400, what + " (got " + v.dump(-1, ' ', false, json::error_handler_t::replace) + ")");
  return v.get<double>();
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

// The grid values a state request asks for on a network with `outputs` outputs and `neurons`
// neurons (every neuron: inputs, hidden, outputs); a malformed query counts as heavy (state_of
// refuses it anyway).
int64_t state_values(const httplib::Request& req, int64_t outputs, int64_t neurons) {
  try {
    const int64_t grid = query_int(req, "grid", 50, 0, 200), neuron_grid = query_int(req, "neurons", 20, 0, 64);
    return grid * grid * outputs + neuron_grid * neuron_grid * neurons;
  } catch (const RequestError&) {
    return std::numeric_limits<int64_t>::max();
  }
}

// A configuration within the server's limits (ServerOptions: max_points, max_neurons); the
// session's own limits are checked by session_config_from_json.
const SessionConfig& within_limits(const SessionConfig& c, const ServerOptions& o) {
  if (c.points > o.max_points)
    throw RequestError(400, "\"points\": " + std::to_string(c.points) + " points; this server takes at most " +
                                std::to_string(o.max_points));
  for (int64_t h : c.hidden)
    if (h > o.max_neurons)
      throw RequestError(400, "\"hidden\": a layer of " + std::to_string(h) + " neurons; this server takes at most " +
                                  std::to_string(o.max_neurons) + " neurons a layer");
  return c;
}

json state_of(SessionEntry& e, const httplib::Request& req, int64_t max_values) {
  StateOptions o;
  o.grid = query_int(req, "grid", 50, 0, 200);
  o.neuron_grid = query_int(req, "neurons", 20, 0, 64);
  o.points = query_int(req, "points", 1, 0, 1) == 1;
  o.since = query_int(req, "since", -1, 0, std::numeric_limits<int64_t>::max());
  o.grid_interval = kGridInterval;
  // Bound the reply: every value of every grid is a JSON number the server builds and sends.
  const Session& session = e.session;
  const int64_t outputs = session.task() == Task::multiclass ? session.num_classes() : 1;
  int64_t neurons = int64_t(session.config().features.size()) + outputs;
  for (int64_t h : session.config().hidden) neurons += h;
  const int64_t values = o.grid * o.grid * outputs + o.neuron_grid * o.neuron_grid * neurons;
  if (values > max_values)
    throw RequestError(400, "grid=" + std::to_string(o.grid) + " and neurons=" + std::to_string(o.neuron_grid) +
                                " on this network (" + std::to_string(neurons) + " neurons) ask for " +
                                std::to_string(values) + " values; at most " + std::to_string(max_values) +
                                ": ask for smaller grids");
  if (e.playing) train_due_locked(e, std::chrono::milliseconds(1));
  json s = e.session.state(o);
  s["playing"] = e.playing;
  const double measured = e.playing ? e.measured : 0.0;
  s["pace"] = {{"steps_per_second", e.pace ? json(*e.pace) : json(nullptr)}, {"measured", measured}};
  s["steps_per_second"] = measured;  // the same as pace.measured (older pages read it here)
  if (!e.error.empty()) s["error"] = e.error;
  return s;
}

// At most `n` bytes of what a client sent, for a message.
std::string excerpt(const std::string& text, size_t n = 80) {
  return text.size() <= n ? text : text.substr(0, n) + "...";
}

}  // namespace

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
  // A classroom keeps one keep-alive connection per tab: at least max_sessions + 16 threads.
  s.new_task_queue = [n = std::max<size_t>({options_.threads, options_.max_sessions + 16, 1})] {
    return new httplib::ThreadPool(n);
  };
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
  auto with_session = [this, api](auto fn, bool state_request = false) {
    return api([this, fn, state_request](const httplib::Request& req, httplib::Response& res) {
      std::shared_ptr<SessionEntry> e = find(req.matches[1]);
      // A heavy request (a state with more than kLightStateValues grid values: not the page's
      // 50² and 20² on a small net) waits for a slot before it takes the session (the workers
      // take no slot), and gives the memory it used back to the system when it is the last one.
      // The size is judged from the session's last known shape; state_of checks the bound.
      const bool heavy = state_request && state_values(req, e->outputs, e->neurons) > kLightStateValues;
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
      e->note_shape();
      if (e->playing) enqueue(e);
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
           SessionConfig config = within_limits(session_config_from_json(body_json(req)), options_);
           {
             std::lock_guard lock(sessions_mutex_);
             if (sessions_.size() >= options_.max_sessions)
               throw RequestError(503, "too many sessions (" + std::to_string(options_.max_sessions) +
                                           "): close another tab or wait for idle ones to expire");
           }
           auto entry = std::make_shared<SessionEntry>(std::move(config));
           entry->note_shape();
           std::string id = new_session_id();
           {
             std::lock_guard lock(sessions_mutex_);
             if (sessions_.size() >= options_.max_sessions) throw RequestError(503, "too many sessions");
             sessions_[id] = entry;
           }
           send_json(res, {{"id", id}, {"config", to_json(entry->session.config())}}, 201);
         }));
  s.Get(sid + "/state", with_session([max = options_.max_state_values](
                                         SessionEntry& e, const httplib::Request& req,
                                         httplib::Response& res) { send_json(res, state_of(e, req, max)); },
                                     /*state_request=*/true));
  s.Post(sid + "/config", with_session([this](SessionEntry& e, const httplib::Request& req, httplib::Response& res) {
           e.session.configure(within_limits(session_config_from_json(body_json(req), e.session.config()), options_));
           e.error.clear();
           send_json(res, {{"config", to_json(e.session.config())}});
         }));
  s.Post(sid + "/(play|pause|step|reset|regenerate)",
         with_session([](SessionEntry& e, const httplib::Request& req, httplib::Response& res) {
           const std::string action = req.matches[2];
           if (action == "play") {
             if (!e.playing) e.start_pace(Clock::now());
             e.playing = true;
             e.error.clear();
           } else if (action == "pause") {
             e.playing = false;
             e.measured = 0;
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
  s.Post(sid + "/pace", with_session([](SessionEntry& e, const httplib::Request& req, httplib::Response& res) {
           e.pace = pace_field(body_json(req));
           if (e.playing) e.start_pace(Clock::now());
           send_json(res, {{"steps_per_second", e.pace ? json(*e.pace) : json(nullptr)}});
         }));
  // Uploaded points: the body is the CSV text itself (x1,x2,label), at most 1 MB.
  s.Post(sid + "/data", with_session([this](SessionEntry& e, const httplib::Request& req, httplib::Response& res) {
           const std::string name = req.has_param("name") ? req.get_param_value("name") : "upload.csv";
           if (name.empty() || name.size() > 200 || name.find_first_of("\r\n\"<>") != std::string::npos)
             throw RequestError(400, "query parameter name must be a plain file name of at most 200 bytes");
           PointsData points = parse_points_csv(req.body, name);
           if (points.xy.size(0) > options_.max_points)
             throw RequestError(400, name + ": " + std::to_string(points.xy.size(0)) +
                                         " points; this server takes at most " + std::to_string(options_.max_points));
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
             std::shared_ptr<SessionEntry> e;
             {
               std::lock_guard lock(sessions_mutex_);
               auto it = sessions_.find(req.matches[1]);
               if (it == sessions_.end()) throw RequestError(404, "no such session");
               e = it->second;
               sessions_.erase(it);
             }
             std::lock_guard lock(e->mutex);
             e->playing = false;  // a worker holding it lets it go
             send_json(res, {{"ok", true}});
           }));
}

}  // namespace nabla::serve
