// fuzz/serve_target.h — the entry point of fuzz_serve: requests to the playground server's JSON
// API, in process (PlaygroundServer::handle: the server's own routes, Host/Origin checks and
// handlers, without a socket). Shared by fuzz/fuzz_serve.cpp and tests/regression.
//
// The input is up to 8 requests separated by NUL bytes, each written as
//   METHOD TARGET\n
//   Name: value\n        (any number of headers)
//   \n
//   BODY
// "{sid}" in a target stands for the id of the last session a request created (POST
// /api/sessions), so that the session routes are reached. Every input starts on an empty
// server: one server per process (building one, its routes' regular expressions, cost more
// than most inputs), from which the sessions an input created are deleted after it; a fresh
// server where that leaves any session behind (a creation whose id the reply did not show).
// The server's limits on one request's work are small (FuzzServer::kOptions: 2 000 state values,
// 200 points, 8 neurons a layer), so that every input is cheap.
// Findings: a 500 (an exception the handlers did not expect), a status outside the API's, or an
// /api reply that is not JSON ({"error": "..."} for every error).
#pragma once
#include <strings.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "fuzz_targets.h"
#include "server.h"

namespace nabla::fuzz {

struct FuzzRequest {
  std::string method, target, body;
  std::vector<std::pair<std::string, std::string>> headers;
};

inline FuzzRequest parse_fuzz_request(std::string_view text) {
  FuzzRequest r;
  auto line = [&] {
    const size_t nl = std::min(text.find('\n'), text.size());
    std::string l(text.substr(0, nl));
    text.remove_prefix(std::min(nl + 1, text.size()));
    std::erase(l, '\r');  // a line break inside a header would split the request differently
    return l;
  };
  const std::string first = line();
  const size_t space = first.find(' ');
  r.method = first.substr(0, space);
  r.target = space == std::string::npos ? "/" : first.substr(space + 1);
  for (std::string h = line(); !h.empty(); h = line()) {
    const size_t colon = h.find(':');
    if (colon == std::string::npos) continue;
    std::string value = h.substr(colon + 1);
    while (!value.empty() && value[0] == ' ') value.erase(0, 1);
    r.headers.emplace_back(h.substr(0, colon), value);
  }
  r.body = std::string(text);
  return r;
}

// The server the inputs share, and the ids of the sessions the current input created.
class FuzzServer {
 public:
  serve::PlaygroundServer& server() { return *server_; }
  void created(const std::string& id) { ids_.push_back(id); }
  // Back to an empty server: the input's sessions deleted (those it deleted itself are a 404).
  void clear() {
    for (const std::string& id : ids_) server_->handle("DELETE", "/api/sessions/" + id, {}, "");
    ids_.clear();
    if (server_->session_count() != 0) server_ = make();
  }

 private:
  static std::unique_ptr<serve::PlaygroundServer> make() { return std::make_unique<serve::PlaygroundServer>(kOptions); }
  // A fuzzer-sized server: the same routes and checks, with limits small enough that no input
  // is expensive (a state of 10^5 numbers, an epoch over 10 000 points would hold the rate near
  // 150 inputs a second), and the refusals over those limits reached often.
  static inline const serve::ServerOptions kOptions{
      .host = "127.0.0.1", .port = 0, .max_state_values = 2000, .max_points = 200, .max_neurons = 8};
  std::unique_ptr<serve::PlaygroundServer> server_ = make();
  std::vector<std::string> ids_;
};

inline Outcome run_serve(const uint8_t* data, size_t size) {
  static FuzzServer shared;
  struct Clear {
    FuzzServer& s;
    ~Clear() { s.clear(); }
  } clear{shared};
  serve::PlaygroundServer& server = shared.server();
  static const std::set<int> kStatuses = {200, 201, 206, 400, 403, 404, 405, 413, 414, 416, 503};
  const std::string_view all = as_text(data, size);
  std::string sid = "00000000000000000000000000000000";
  bool accepted = false;
  for (size_t pos = 0, n = 0; pos <= all.size() && n < 8; ++n) {
    const size_t next = std::min(all.find('\0', pos), all.size());
    FuzzRequest r = parse_fuzz_request(all.substr(pos, next - pos));
    pos = next + 1;
    if (r.method.empty() || r.target.empty()) continue;
    for (size_t at; (at = r.target.find("{sid}")) != std::string::npos;) r.target.replace(at, 5, sid);
    const serve::Reply reply = server.handle(r.method, r.target, r.headers, r.body);
    const std::string what =
        r.method + " " + r.target + " -> " + std::to_string(reply.status) + " " + reply.body.substr(0, 300);
    if (reply.status == 0) continue;  // httplib refused to parse the request (a bad method or target)
    require(kStatuses.count(reply.status) == 1, "serve: unexpected status: " + what);
    const bool api = r.target.rfind("/api/", 0) == 0 && r.target.find("/export/") == std::string::npos;
    // A Range header gets part of any reply from httplib, an error's included (found by the
    // fuzzer: tests/regression/serve/range_header_on_an_error): not JSON, and not a bug.
    const bool range = std::any_of(r.headers.begin(), r.headers.end(), [](const auto& h) {
      return h.first.size() == 5 && ::strncasecmp(h.first.c_str(), "range", 5) == 0;
    });
    // httplib trims spaces and tabs around the request line's words: "HEAD\t" is a HEAD, whose
    // reply has no body (found by the fuzzer: tests/regression/serve/head_method_with_tabs).
    const size_t first = r.method.find_first_not_of(" \t"), last = r.method.find_last_not_of(" \t");
    const bool head = first != std::string::npos && r.method.substr(first, last - first + 1) == "HEAD";
    if (!api || head || range || reply.status == 206 || reply.status == 416) continue;
    if (reply.status == 200) {
      // Only checked (a state reply can hold 10^5 numbers: building its tree cost as much as
      // the request).
      const size_t open = reply.body.find_first_not_of(" \t\r\n");
      require(open != std::string::npos && reply.body[open] == '{' && nlohmann::json::accept(reply.body),
              "serve: the reply is not a JSON object: " + what);
      accepted = true;
      continue;
    }
    const nlohmann::json j = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
    require(j.is_object(), "serve: the reply is not a JSON object: " + what);
    if (reply.status >= 400) {
      require(j.contains("error") && j["error"].is_string(), "serve: an error without \"error\": " + what);
    } else {
      accepted = true;
      if (reply.status == 201 && j.contains("id") && j["id"].is_string()) {
        sid = j["id"];
        shared.created(sid);
      }
    }
  }
  return accepted ? Outcome::accepted : Outcome::rejected;
}

}  // namespace nabla::fuzz
