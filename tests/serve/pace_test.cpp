// `nabla serve`'s pace (POST .../pace, the state's "pace"), its workers and --max-sessions: the
// rate a session trains at, measured by a client over real sockets on 127.0.0.1.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "server.h"
#include "server_fixture.h"

namespace nabla::serve {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

class PaceTest : public ServerFixture {
 protected:
  httplib::Result post(const std::string& path, const std::string& body) {
    return client().Post(path, body, "application/json");
  }
  json state(const std::string& id) {
    auto res = client().Get("/api/sessions/" + id + "/state?grid=0&neurons=0&points=0");
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, 200) << res->body;
    return json::parse(res->body);
  }
  // The steps session `id` takes over `seconds` of playing, measured from the client's side.
  double steps_per_second(const std::string& id, double seconds) {
    const int64_t s0 = state(id)["steps"];
    const auto t0 = Clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    const int64_t s1 = state(id)["steps"];
    return double(s1 - s0) / std::chrono::duration<double>(Clock::now() - t0).count();
  }
};

TEST_F(PaceTest, BadPacesAre400sNamingTheField) {
  start();
  const std::string base = "/api/sessions/" + create();
  for (const char* body :
       {R"({"steps_per_second": 0})", R"({"steps_per_second": 0.09})", R"({"steps_per_second": -1})",
        R"({"steps_per_second": 100001})", R"({"steps_per_second": 1e308})", R"({"steps_per_second": "30"})",
        R"({"steps_per_second": true})", R"({"steps_per_second": [30]})", R"({})",
        R"({"steps_per_second": 30, "epochs": 2})", R"([30])", "30", "not json"}) {
    auto res = post(base + "/pace", body);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << body;
    const json j = json::parse(res->body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << res->body;
    if (body[0] == '{') EXPECT_NE(j.value("error", "").find("steps_per_second"), std::string::npos) << res->body;
  }
  // The pace is unchanged by the refused requests: the default.
  EXPECT_EQ(state(create())["pace"]["steps_per_second"], kDefaultPace);
  EXPECT_EQ(state(base.substr(14))["pace"]["steps_per_second"], kDefaultPace);
}

TEST_F(PaceTest, DefaultsAreTensorFlowPlaygrounds) {
  start();
  const std::string id = create();
  const json s = state(id);
  EXPECT_EQ(s["pace"]["steps_per_second"], 1500.0);  // 25 steps an epoch × 60 frames a second
  EXPECT_EQ(s["pace"]["measured"], 0.0);             // not playing
  EXPECT_EQ(s["batches_per_epoch"], 25);
  const json& c = s["config"];
  EXPECT_EQ(c["optimizer"], "sgd");
  EXPECT_EQ(c["learning_rate"], 0.03);
  EXPECT_EQ(c["activations"], json({"tanh"}));
  EXPECT_EQ(c["hidden"], json({4, 2}));
  EXPECT_EQ(c["batch_size"], 10);
  EXPECT_EQ(c["train_ratio"], 50.0);
  EXPECT_EQ(c["noise"], 0.0);
  EXPECT_EQ(c["regularization"], "none");
}

// A session at 30 steps/s advances 30 ± 20 % steps a second; at 2, 2 ± 20 %; null runs free
// (far faster); the state reports the pace set and the rate measured.
TEST_F(PaceTest, ASessionTrainsAtItsPace) {
  start({.workers = 2});
  const std::string id = create(), base = "/api/sessions/" + id;
  auto res = post(base + "/pace", R"({"steps_per_second": 30})");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  ASSERT_TRUE(post(base + "/play", ""));
  EXPECT_NEAR(steps_per_second(id, 2.0), 30, 6);
  const json s = state(id);
  EXPECT_EQ(s["pace"]["steps_per_second"], 30.0);
  EXPECT_NEAR(s["pace"]["measured"].get<double>(), 30, 6);
  EXPECT_EQ(s["steps_per_second"], s["pace"]["measured"]);

  ASSERT_TRUE(post(base + "/pace", R"({"steps_per_second": 2})"));
  EXPECT_NEAR(steps_per_second(id, 3.0), 2, 0.4);

  ASSERT_TRUE(post(base + "/pace", R"({"steps_per_second": null})"));
  EXPECT_TRUE(state(id)["pace"]["steps_per_second"].is_null());
  EXPECT_GT(steps_per_second(id, 0.5), 200);

  ASSERT_TRUE(post(base + "/pause", ""));
  const int64_t paused = state(id)["steps"];
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(state(id)["steps"], paused);
  EXPECT_EQ(state(id)["pace"]["measured"], 0.0);
}

// The pace holds with many sessions playing: 59 at the default pace (more than two cores
// can train) and one at 30 steps/s, which still gets its 30 ± 20 %.
TEST_F(PaceTest, ThePaceHoldsWithSixtySessionsPlaying) {
  start({.max_sessions = 60, .workers = 2});
  std::vector<std::string> ids;
  for (int i = 0; i < 60; ++i) ids.push_back(create());
  ASSERT_TRUE(post("/api/sessions/" + ids[0] + "/pace", R"({"steps_per_second": 30})"));
  for (const std::string& id : ids) ASSERT_TRUE(post("/api/sessions/" + id + "/play", ""));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_NEAR(steps_per_second(ids[0], 3.0), 30, 6);
  // Every other session moves too (round robin: none starves).
  for (size_t i = 1; i < ids.size(); ++i) EXPECT_GT(state(ids[i])["steps"].get<int64_t>(), 0) << i;
}

TEST_F(PaceTest, WorkersAndMaxSessionsAreOptions) {
  start({.max_sessions = 40, .workers = 3});
  EXPECT_EQ(server_->worker_count(), 3u);
  for (int i = 0; i < 40; ++i) ASSERT_FALSE(create().empty()) << i;
  auto res = client().Post("/api/sessions", "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_NE(res->body.find("too many sessions (40)"), std::string::npos) << res->body;
  server_->stop();
  server_.reset();
  start();  // the defaults: 16 sessions, one worker per hardware thread
  EXPECT_EQ(server_->worker_count(), size_t(std::max(1u, std::thread::hardware_concurrency())));
}

}  // namespace
}  // namespace nabla::serve
