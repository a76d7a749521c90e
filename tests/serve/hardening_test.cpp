// `nabla serve` under attack (issue #16, items 10 to 13), over real sockets on 127.0.0.1: a port
// in use is refused; slow and idle clients do not block the others; no other site's page can
// drive the server (Host, Origin); a state request's work and memory are bounded.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cli/subprocess.h"
#include "server.h"
#include "server_fixture.h"

namespace nabla::serve {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A TCP connection to 127.0.0.1:port, or -1.
int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Whether the server closed `fd` within `limit` (reads until EOF or error).
bool closed_within(int fd, std::chrono::milliseconds limit) {
  timeval tv{.tv_sec = limit.count() / 1000, .tv_usec = (limit.count() % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  char buf[4096];
  const auto start = Clock::now();
  while (Clock::now() - start < limit) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n == 0) return true;
    if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
  }
  return false;
}

// This process's resident memory in kB (VmRSS, or VmHWM for the peak).
int64_t memory_kb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::stoll(line.substr(std::string(field).size() + 1));
  return -1;
}

class ServeHardening : public ServerFixture {};

// ---- 10: a port in use ----

TEST_F(ServeHardening, ASecondServerOnTheSamePortIsRefused) {
  start();
  PlaygroundServer second({.host = "127.0.0.1", .port = port_});
  try {
    second.start();
    ADD_FAILURE() << "a second server started on port " << port_;
    second.stop();
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("port " + std::to_string(port_) + " is in use"), std::string::npos) << what;
  }
  // The first one still has every session.
  const std::string id = create();
  for (int i = 0; i < 8; ++i) {
    auto res = client().Get("/api/sessions/" + id + "/state?grid=0&neurons=0&points=0");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
  }
}

TEST(ServeCli, APortInUseOrAForeignHostExitsTwoSayingSo) {
  // Another program listens on the port (no SO_REUSEPORT, as most do).
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const std::string port = std::to_string(ntohs(a.sin_port));
  const nabla::testing::CliResult r = nabla::testing::run_cli({"serve", "--port", port}, {{"LANG", "C"}});
  ::close(fd);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("cannot listen on 127.0.0.1:" + port + ": port " + port + " is in use"), std::string::npos)
      << r.err;
  // 192.0.2.1 (TEST-NET-1) is nobody's address.
  const nabla::testing::CliResult h = nabla::testing::run_cli({"serve", "--host", "192.0.2.1", "--port", "0"});
  EXPECT_EQ(h.exit_code, 2) << h.err;
  EXPECT_NE(h.err.find("192.0.2.1 is not an address of this machine"), std::string::npos) << h.err;
  EXPECT_EQ(h.err.find("in use"), std::string::npos) << h.err;
}

// ---- 11: slow and idle clients ----

TEST_F(ServeHardening, SlowClientsDoNotBlockOthers) {
  start();
  const std::string id = create({{"points", 50}});
  // 16 clients (twice the issue's 8) send a request's header a byte every 100 ms.
  std::atomic<bool> done{false};
  std::vector<std::thread> slow;
  for (int i = 0; i < 16; ++i)
    slow.emplace_back([&] {
      const int fd = connect_to(port_);
      if (fd < 0) return;
      const std::string header = "GET /api/sessions/" + id + "/state HTTP/1.1\r\nHost: " + host() +
                                 "\r\nX-Padding: " + std::string(200, 'a') + "\r\n\r\n";
      for (size_t k = 0; k < header.size() && !done; ++k) {
        if (::send(fd, &header[k], 1, MSG_NOSIGNAL) != 1) break;
        std::this_thread::sleep_for(100ms);
      }
      ::close(fd);
    });
  std::this_thread::sleep_for(500ms);  // all connected and trickling
  for (int k = 0; k < 3; ++k) {
    const auto t0 = Clock::now();
    auto res = client().Get("/api/sessions/" + id + "/state?grid=10&neurons=0&points=0");
    const double took = seconds_since(t0);
    EXPECT_TRUE(res) << "no answer behind 16 slow clients (" << took << " s)";  // not ASSERT: join them first
    if (!res) break;
    EXPECT_EQ(res->status, 200);
    EXPECT_LT(took, 1.0) << "a request behind 16 slow clients took " << took << " s";
  }
  done = true;
  for (auto& t : slow) t.join();
}

TEST_F(ServeHardening, IdleAndSilentConnectionsAreDroppedAndDoNotDelayOthers) {
  start();
  const std::string id = create({{"points", 50}});
  // 16 keep-alive connections that made one request and then say nothing, and 16 that never
  // send anything at all.
  std::vector<int> idle, silent;
  const std::string request =
      "GET /api/sessions/" + id + "/state?grid=0&neurons=0&points=0 HTTP/1.1\r\nHost: " + host() + "\r\n\r\n";
  for (int i = 0; i < 16; ++i) {
    const int fd = connect_to(port_);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL), ssize_t(request.size()));
    char buf[64];
    ASSERT_GT(::recv(fd, buf, sizeof(buf), 0), 0);  // the reply starts; the connection stays open
    idle.push_back(fd);
    silent.push_back(connect_to(port_));
  }
  const auto t0 = Clock::now();
  auto res = client().Get("/api/sessions/" + id + "/state?grid=10&neurons=0&points=0");
  const double took = seconds_since(t0);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_LT(took, 1.0) << "a request behind 32 idle connections took " << took << " s";
  // The server lets go of them: keep-alive 2 s, read timeout 2 s (4 s allowed here).
  for (int fd : idle) EXPECT_TRUE(closed_within(fd, 4000ms)) << "an idle keep-alive connection stayed open";
  for (int fd : silent) EXPECT_TRUE(closed_within(fd, 4000ms)) << "a silent connection stayed open";
  for (int fd : idle) ::close(fd);
  for (int fd : silent) ::close(fd);
}

TEST_F(ServeHardening, AClientTricklingARequestForeverIsCutOffAtTheConnectionDeadline) {
  ServerOptions o;
  o.connection_timeout = 2s;  // read_timeout is 2 s: a byte every 200 ms never times a read out
  start(o);
  const std::string id = create({{"points", 50}});
  // Valid, and long enough to take a minute at 5 bytes a second.
  const std::string request = "GET /api/sessions/" + id +
                              "/state?grid=0&neurons=0&points=0 HTTP/1.1\r\nHost: " + host() +
                              "\r\nX-Padding: " + std::string(300, 'a') + "\r\n\r\n";
  const int fd = connect_to(port_);
  ASSERT_GE(fd, 0);
  const auto t0 = Clock::now();
  std::atomic<double> cut_off{-1};
  std::thread trickler([&] {
    for (size_t k = 0; k < request.size() && seconds_since(t0) < 20; ++k) {
      if (::send(fd, &request[k], 1, MSG_NOSIGNAL) != 1) break;
      char c;
      if (::recv(fd, &c, 1, MSG_DONTWAIT) == 0) break;  // the server closed the connection
      std::this_thread::sleep_for(200ms);
    }
    cut_off = seconds_since(t0);
  });
  // Meanwhile the others are served at once.
  for (int k = 0; k < 3; ++k) {
    const auto t1 = Clock::now();
    auto res = client().Get("/api/sessions/" + id + "/state?grid=10&neurons=0&points=0");
    EXPECT_TRUE(res);
    if (res) EXPECT_EQ(res->status, 200);
    EXPECT_LT(seconds_since(t1), 1.0);
    std::this_thread::sleep_for(300ms);
  }
  trickler.join();
  ::close(fd);
  EXPECT_GE(cut_off, 1.5) << "cut off before the deadline";
  EXPECT_LT(cut_off, 5.0) << "a trickling client kept its connection for " << cut_off << " s (deadline 2 s)";
}

// ---- the in-process entry point (fuzz/fuzz_serve.cpp): the same routes and checks ----

TEST(ServeInProcess, HandleRunsTheRealRoutesAndChecks) {
  PlaygroundServer server({.host = "127.0.0.1", .port = 0});
  const Reply created = server.handle("POST", "/api/sessions", {}, R"({"points": 50})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = json::parse(created.body).at("id");
  EXPECT_EQ(server.session_count(), 1u);
  const Reply state = server.handle("GET", "/api/sessions/" + id + "/state?grid=5&neurons=0", {}, "");
  ASSERT_EQ(state.status, 200) << state.body;
  EXPECT_EQ(json::parse(state.body).at("playing"), false);
  const Reply bad = server.handle("GET", "/api/sessions/" + id + "/state?grid=999", {}, "");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("grid"), std::string::npos) << bad.body;
  EXPECT_EQ(server.handle("POST", "/api/sessions/" + id + "/weight", {}, "[").status, 400);
  EXPECT_EQ(server.handle("GET", "/api/nothing", {}, "").status, 404);
  // The Host and Origin checks run too.
  EXPECT_EQ(server.handle("GET", "/api/sessions/" + id + "/state", {{"Host", "evil.example"}}, "").status, 403);
  EXPECT_EQ(server.handle("POST", "/api/sessions", {{"Origin", "http://evil.example"}}, "{}").status, 403);
  EXPECT_EQ(server.handle("DELETE", "/api/sessions/" + id, {}, "").status, 200);
  EXPECT_EQ(server.session_count(), 0u);
  // Raw bytes go through httplib's own request parser.
  const std::string raw = server.handle_raw("GET /api/sessions/x/state HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 404", 0), 0u) << raw;
  EXPECT_THROW(server.handle("GET", "/\r\nX: y", {}, ""), std::invalid_argument);
}

// The work one request may cause is bounded by ServerOptions (max_points, max_neurons,
// max_state_values): a fuzzer-sized server refuses more with a 400 naming the limit, by the same
// routes; the defaults are the session's limits, as before.
TEST(ServeInProcess, RequestLimitsAreOptions) {
  PlaygroundServer small(
      {.host = "127.0.0.1", .port = 0, .max_state_values = 2000, .max_points = 200, .max_neurons = 8});
  auto error_of = [](const Reply& r) { return json::parse(r.body).value("error", ""); };
  Reply r = small.handle("POST", "/api/sessions", {}, R"({"points": 201})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(error_of(r).find("\"points\": 201 points; this server takes at most 200"), std::string::npos) << r.body;
  r = small.handle("POST", "/api/sessions", {}, R"({"points": 100, "hidden": [4, 9]})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(error_of(r).find("at most 8 neurons a layer"), std::string::npos) << r.body;
  EXPECT_EQ(small.session_count(), 0u);

  r = small.handle("POST", "/api/sessions", {}, R"({"points": 200, "hidden": [8, 8]})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string base = "/api/sessions/" + json::parse(r.body).at("id").get<std::string>();
  r = small.handle("POST", base + "/config", {}, R"({"points": 1000})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(error_of(r).find("at most 200"), std::string::npos) << r.body;
  r = small.handle("POST", base + "/config", {}, R"({"hidden": [64]})");
  EXPECT_EQ(r.status, 400) << r.body;
  // A state: 40² × 1 output = 1 600 values is within 2 000, 50² is not.
  r = small.handle("GET", base + "/state?grid=40&neurons=0", {}, "");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("num_points"), 200);
  r = small.handle("GET", base + "/state?grid=50&neurons=0", {}, "");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(error_of(r).find("ask for 2500 values; at most 2000"), std::string::npos) << r.body;
  // Uploaded points: 201 are refused naming the file, 200 taken.
  auto csv = [](int n) {
    std::string text = "x1,x2,label\n";
    for (int i = 0; i < n; ++i)
      text += std::to_string(i % 7) + "," + std::to_string(i % 5) + "," + std::to_string(i % 2) + "\n";
    return text;
  };
  r = small.handle("POST", base + "/data?name=big.csv", {}, csv(201));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(error_of(r).find("big.csv: 201 points; this server takes at most 200"), std::string::npos) << r.body;
  r = small.handle("POST", base + "/data?name=ok.csv", {}, csv(200));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("points"), 200);

  // The default server takes what it took before: 10 000 points, 64 neurons, large states.
  PlaygroundServer server({.host = "127.0.0.1", .port = 0});
  EXPECT_EQ(ServerOptions{}.max_state_values, kMaxStateValues);
  r = server.handle("POST", "/api/sessions", {}, R"({"points": 10000, "hidden": [64]})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = json::parse(r.body).at("id");
  r = server.handle("GET", "/api/sessions/" + id + "/state?grid=100&neurons=8&points=0", {}, "");
  EXPECT_EQ(r.status, 200) << r.body.substr(0, 300);
  r = server.handle("POST", "/api/sessions/" + id + "/data", {}, csv(201));
  EXPECT_EQ(r.status, 200) << r.body;
}

// ---- 12: Host and Origin ----

TEST_F(ServeHardening, ACrossOriginPostIsRefused) {
  start();
  // What a page on another site sends with fetch(..., {method: "POST", mode: "no-cors", body}):
  // text/plain needs no preflight, but the browser names the page in Origin.
  for (const std::string& origin :
       std::vector<std::string>{"http://evil.example", "null", "http://127.0.0.1:1", "https://" + host()}) {
    auto res = client().Post("/api/sessions", {{"Origin", origin}}, "{}", "text/plain");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403) << origin << " -> " << res->body;
    const std::string error = json::parse(res->body).value("error", "");
    EXPECT_NE(error.find("Origin"), std::string::npos) << error;
    EXPECT_NE(error.find(origin), std::string::npos) << error;
  }
  EXPECT_EQ(server_->session_count(), 0u);
  // The playground's own page (same origin) and clients that send no Origin (curl) may.
  auto res = client().Post("/api/sessions", {{"Origin", "http://" + host()}}, "{}", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201) << res->body;
  const std::string id = json::parse(res->body)["id"];
  const std::string base = "/api/sessions/" + id;
  for (const char* action : {"/play", "/pause", "/step", "/reset"}) {
    auto r = client().Post(base + action, {{"Origin", "http://evil.example"}}, "", "text/plain");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << action;
  }
  auto del = client().Delete(base, {{"Origin", "http://evil.example"}});
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 403);
  EXPECT_EQ(server_->session_count(), 1u);
  auto ok = client().Post(base + "/step", "", "text/plain");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
}

TEST_F(ServeHardening, ADnsRebindingHostIsRefused) {
  start();
  const std::string id = create({{"points", 50}});
  const std::string port = std::to_string(port_);
  // A page at http://evil.example:PORT whose name now resolves to 127.0.0.1: same origin for the
  // browser, but the Host header still says evil.example.
  for (const std::string& path : std::vector<std::string>{"/", "/app.js", "/api/sessions/" + id + "/state",
                                                          "/api/sessions/" + id + "/export/points.csv"}) {
    auto res = client().Get(path, {{"Host", "evil.example:" + port}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403) << path;
    const std::string error = json::parse(res->body).value("error", "");
    EXPECT_NE(error.find("Host"), std::string::npos) << error;
    EXPECT_NE(error.find("evil.example"), std::string::npos) << error;
    EXPECT_EQ(res->body.find("train"), std::string::npos);
  }
  auto post =
      client().Post("/api/sessions", {{"Host", "evil.example:" + port}, {"Origin", "http://evil.example:" + port}},
                    "{}", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 403);
  for (const std::string& bad :
       std::vector<std::string>{"127.0.0.1.evil.example", "localhost.evil.example:" + port, "127.0.0.1:x", "[::1"}) {
    auto res = client().Get("/", {{"Host", bad}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403) << bad;
  }
  // The loopback names, with or without the port, in any case.
  for (const std::string& good :
       std::vector<std::string>{"127.0.0.1:" + port, "localhost:" + port, "LocalHost", "[::1]:" + port}) {
    auto res = client().Get("/api/sessions/" + id + "/state?grid=0&neurons=0&points=0", {{"Host", good}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << good;
  }
  EXPECT_EQ(server_->session_count(), 1u);
}

TEST_F(ServeHardening, AllowedHostsAreAnOption) {
  start({.allowed_hosts = {"playground.lan"}});
  const std::string port = std::to_string(port_);
  auto res =
      client().Post("/api/sessions", {{"Host", "playground.lan:" + port}, {"Origin", "http://playground.lan:" + port}},
                    "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201) << res->body;
  res = client().Get("/", {{"Host", "other.lan:" + port}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  server_->stop();
  start({.allowed_hosts = {"*"}});
  res = client().Get("/", {{"Host", "anything.example"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  // Any Host, but still no other page's POST.
  res = client().Post("/api/sessions", {{"Host", "anything.example"}, {"Origin", "http://evil.example"}}, "{}",
                      "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
}

// ---- 13: work and memory per request ----

TEST_F(ServeHardening, ConcurrentLargeStatesStayWithinTheMemoryBound) {
  start();
  // Eight tabs, each with the largest net (8 × 64), each asking for a 200 × 200 boundary and
  // 20 × 20 neuron maps at the same time.
  std::vector<std::string> ids;
  for (int i = 0; i < 8; ++i) ids.push_back(create({{"hidden", std::vector<int64_t>(8, 64)}, {"points", 200}}));
  const std::string query = "/state?grid=200&neurons=20&points=1";
  {
    auto warm = client().Get("/api/sessions/" + ids[0] + query);  // first use: the model's buffers
    ASSERT_TRUE(warm);
    ASSERT_EQ(warm->status, 200) << warm->body.substr(0, 200);
  }
  const int64_t before = memory_kb("VmRSS");
  std::ofstream("/proc/self/clear_refs") << "5";  // VmHWM := VmRSS, where the kernel allows
  const bool peak_known = memory_kb("VmHWM") <= before + 1024;
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i)
    clients.emplace_back([&, i] {
      auto res = client().Get("/api/sessions/" + ids[size_t(i)] + query);
      // (Not parsed here: the test's own memory would blur the server's.)
      if (res && res->status == 200 && res->body.find(R"("boundary":{"side":200,"values":[)") != std::string::npos)
        ++ok;
    });
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok, 8);
  const int64_t after = memory_kb("VmRSS"), peak = memory_kb("VmHWM");
  // README: at most 2 state requests computed at once; their memory goes back to the system
  // after. The test's own 8 replies (about 3 MB each) are counted too.
#ifndef __SANITIZE_ADDRESS__
  EXPECT_LT(after - before, 48 * 1024) << "kept " << (after - before) / 1024 << " MB";
  if (peak_known) EXPECT_LT(peak - before, 160 * 1024) << "peak +" << (peak - before) / 1024 << " MB";
#else
  // Under AddressSanitizer freed blocks wait in its quarantine (256 MB) and every block carries
  // redzones, so resident memory says nothing about the server's own bound: the normal build
  // checks it; here the concurrent requests run for the sanitizer's sake.
  (void)after, (void)peak, (void)peak_known;
#endif
  // The largest grids on the largest net are too much for one reply: a 400 naming the numbers.
  auto res = client().Get("/api/sessions/" + ids[0] + "/state?grid=200&neurons=64");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("neurons=64"), std::string::npos) << res->body.substr(0, 200);
}

}  // namespace
}  // namespace nabla::serve
