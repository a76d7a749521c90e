// `nabla serve` for a classroom: the pace (POST .../pace, the state's "pace": the rate a session
// trains at, measured by a client over real sockets on 127.0.0.1), the workers, --max-sessions,
// and state deltas (GET .../state?since=VERSION).
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "server.h"
#include "server_fixture.h"
#include "session/session.h"

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

// ---- state?since=: only what changed ----

class DeltaTest : public PaceTest {
 protected:
  json get(const std::string& path, int expect = 200) {
    auto res = client().Get(path);
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, expect) << path << ": " << res->body;
    last_bytes_ = res->body.size();
    return json::parse(res->body);
  }
  size_t last_bytes_ = 0;
};

TEST_F(DeltaTest, SinceSendsOnlyWhatChanged) {
  start();
  const std::string base = "/api/sessions/" + create({{"points", 100}});
  const json full = get(base + "/state");
  EXPECT_FALSE(full["delta"].get<bool>());
  for (const char* key : {"weights", "boundary", "neurons", "points", "config", "layer_sizes", "history", "pace"})
    EXPECT_TRUE(full.contains(key)) << key;
  EXPECT_EQ(full["history_mode"], "replace");
  const int64_t v0 = full["version"];

  // Nothing changed: the scalars and an empty history to append.
  json d = get(base + "/state?since=" + std::to_string(v0));
  EXPECT_TRUE(d["delta"].get<bool>());
  EXPECT_EQ(d["version"], v0);
  for (const char* key : {"weights", "boundary", "neurons", "points", "config", "layer_sizes", "grad_norms"})
    EXPECT_FALSE(d.contains(key)) << key;
  EXPECT_EQ(d["history_mode"], "append");
  EXPECT_TRUE(d["history"]["epoch"].empty());
  EXPECT_EQ(d["epoch"], 0);
  EXPECT_TRUE(d.contains("pace") && d.contains("playing") && d.contains("train_loss"));
  EXPECT_LT(last_bytes_, 600u) << d.dump();

  // One epoch: new weights, grids and one history point; the same data and configuration.
  post(base + "/step", "");
  // (The heatmaps are recomputed at most every kGridInterval while the weights change.)
  std::this_thread::sleep_for(kGridInterval + std::chrono::milliseconds(20));
  d = get(base + "/state?since=" + std::to_string(v0));
  EXPECT_GT(d["version"].get<int64_t>(), v0);
  for (const char* key : {"weights", "boundary", "neurons", "grad_norms"}) EXPECT_TRUE(d.contains(key)) << key;
  // Asked again at once: nothing new (the heatmaps are those of the current weights).
  const json again = get(base + "/state?since=" + std::to_string(d["version"].get<int64_t>()));
  EXPECT_FALSE(again.contains("boundary") || again.contains("weights")) << again.dump().substr(0, 200);
  for (const char* key : {"points", "config", "layer_sizes"}) EXPECT_FALSE(d.contains(key)) << key;
  EXPECT_EQ(d["history_mode"], "append");
  EXPECT_EQ(d["history"]["epoch"], json({1}));
  // The history put together from the deltas is the full one, number for number.
  json h = full["history"];
  for (const char* k : {"epoch", "train", "test", "grad_norms"})
    for (const json& v : d["history"][k]) h[k].push_back(v);
  const json now = get(base + "/state");
  EXPECT_EQ(h, now["history"]);
  EXPECT_EQ(d["weights"], now["weights"]);
  EXPECT_EQ(d["boundary"], now["boundary"]);

  // New data: the points and the configuration again, and a new history.
  const int64_t v1 = now["version"];
  post(base + "/regenerate", "");
  d = get(base + "/state?since=" + std::to_string(v1));
  for (const char* key : {"points", "config", "layer_sizes", "weights"}) EXPECT_TRUE(d.contains(key)) << key;
  EXPECT_EQ(d["history_mode"], "replace");
  EXPECT_EQ(d["history"]["epoch"], json({0}));

  // A version the session never had gets everything; a malformed one is a 400.
  d = get(base + "/state?since=" + std::to_string(d["version"].get<int64_t>() + 1000));
  EXPECT_FALSE(d["delta"].get<bool>());
  EXPECT_TRUE(d.contains("points") && d.contains("config"));
  for (const char* bad : {"-1", "x", "1.5", ""}) {
    auto res = client().Get(base + "/state?since=" + bad);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << bad;
    EXPECT_NE(res->body.find("since"), std::string::npos) << res->body;
  }
}

// A history thinned to its last kMaxHistory points is sent whole ("replace"), not appended.
TEST(ServeSessionDelta, AThinnedHistoryIsReplaced) {
  Session s(session_config_from_json({{"points", 20}, {"batch_size", 10}, {"train_ratio", 50}}));
  const StateOptions none{.grid = 0, .neuron_grid = 0, .points = false};
  int64_t v = s.state(none)["version"];
  bool replaced = false;
  for (int e = 0; e < 700 && !replaced; ++e) {
    s.step_epoch();
    StateOptions o = none;
    o.since = v;
    const json d = s.state(o);
    if (d["history_mode"] == "replace") {
      replaced = true;
      EXPECT_GT(d["history"]["epoch"].size(), 100u);  // the whole (thinned) history
      EXPECT_EQ(d["history"]["epoch"].back(), s.epoch());
    } else {
      EXPECT_EQ(d["history"]["epoch"], json({s.epoch()}));
    }
    v = d["version"];
  }
  EXPECT_TRUE(replaced);
}

// Bytes per poll of the page's own request (grid 50, neurons 20, points): in full, and as deltas
// while playing and while paused (the numbers in README's classroom section).
TEST_F(DeltaTest, BytesPerPoll) {
  start();
  const std::string base = "/api/sessions/" + create();
  const std::string q = "/state?grid=50&neurons=20&points=1";
  json s = get(base + q);
  const size_t full = last_bytes_;
  post(base + "/play", "");
  size_t playing = 0;
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    s = get(base + q + "&since=" + std::to_string(s["version"].get<int64_t>()));
    playing = std::max(playing, last_bytes_);
  }
  const json late = get(base + q);  // in full, now
  const size_t full_late = last_bytes_;
  post(base + "/pause", "");
  s = get(base + q + "&since=" + std::to_string(s["version"].get<int64_t>()));
  s = get(base + q + "&since=" + std::to_string(s["version"].get<int64_t>()));
  const size_t paused = last_bytes_;
  std::cout << "bytes per poll: full " << full << " (after playing: " << full_late
            << "), delta playing (largest of 10) " << playing << ", delta paused " << paused << "\n";
  RecordProperty("full_bytes", int(full));
  RecordProperty("delta_playing_bytes", int(playing));
  RecordProperty("delta_paused_bytes", int(paused));
  // No points, no configuration, the history appended: the grids and the weights are the rest.
  EXPECT_LT(playing, full_late - late["points"].dump().size());
  EXPECT_GT(late["history"]["epoch"].size(), 2u);
  EXPECT_LT(paused, 600u);
}

// While the weights keep changing, the heatmaps come at most every kGridInterval; the losses and
// weights every time; once the weights stop, the next poll after the interval has their heatmaps.
TEST(ServeSessionDelta, HeatmapsAreRecomputedAtMostEveryInterval) {
  Session s(session_config_from_json({{"points", 100}}));
  StateOptions o{.grid = 10, .neuron_grid = 5, .points = false};
  o.grid_interval = std::chrono::milliseconds(200);
  json d = s.state(o);
  ASSERT_TRUE(d.contains("boundary"));
  int with_grids = 0;
  for (int i = 0; i < 10; ++i) {  // ten polls within ~50 ms, each after a step
    s.train_batches(1);
    o.since = d["version"].get<int64_t>();
    d = s.state(o);
    EXPECT_TRUE(d.contains("weights")) << i;
    with_grids += d.contains("boundary");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(with_grids, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(220));
  o.since = d["version"].get<int64_t>();
  d = s.state(o);  // the weights stopped: the heatmaps of the last ones
  ASSERT_TRUE(d.contains("boundary") && d.contains("neurons"));
  StateOptions fresh{.grid = 10, .neuron_grid = 5, .points = false};
  Session twin(session_config_from_json({{"points", 100}}));
  twin.train_batches(10);
  EXPECT_EQ(d["boundary"], twin.state(fresh)["boundary"]);  // the same seed, the same 10 steps
  o.since = d["version"].get<int64_t>();
  EXPECT_FALSE(s.state(o).contains("boundary"));
}

}  // namespace
}  // namespace nabla::serve
