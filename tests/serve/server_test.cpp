// `nabla serve`: the session API over HTTP (a server on an ephemeral loopback port, in-process)
// and the session's step-through against nabla's autograd.
#include "server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "nabla/autograd/engine.h"
#include "nabla/nn/linear.h"
#include "nabla/ops/ops.h"
#include "nabla/serve/session.h"

namespace nabla::serve {
namespace {

using nlohmann::json;

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.max_sessions = 6;
    server_ = std::make_unique<PlaygroundServer>(o);
    port_ = server_->start();
    ASSERT_GT(port_, 0);
  }
  void TearDown() override { server_->stop(); }

  httplib::Client client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    return c;
  }
  std::string create(const json& config = json::object()) {
    auto res = client().Post("/api/sessions", config.dump(), "application/json");
    EXPECT_TRUE(res);
    if (!res) return "";
    EXPECT_EQ(res->status, 201) << res->body;
    return json::parse(res->body).value("id", "");
  }
  json post(const std::string& path, const json& body = json::object(), int expect = 200) {
    auto res = client().Post(path, body.dump(), "application/json");
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, expect) << path << ": " << res->body;
    return json::parse(res->body);
  }
  json get(const std::string& path, int expect = 200) {
    auto res = client().Get(path);
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, expect) << path << ": " << res->body;
    return json::parse(res->body);
  }

  std::unique_ptr<PlaygroundServer> server_;
  int port_ = 0;
};

TEST_F(ServeTest, ServesThePageFromTheBinary) {
  auto res = client().Get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->get_header_value("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(res->body.find("<html"), std::string::npos);
  auto js = client().Get("/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
}

TEST_F(ServeTest, UnknownRoutesAre404WithJson) {
  for (const char* path :
       {"/nope", "/api/sessions/0123456789abcdef0123456789abcdef/state", "/api/sessions/xyz/state"}) {
    auto res = client().Get(path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404) << path;
    EXPECT_TRUE(json::parse(res->body).contains("error")) << path;
  }
  const std::string id = create();
  post("/api/sessions/" + id + "/fly", {}, 404);
}

TEST_F(ServeTest, MalformedRequestsAre400AndTheServerKeepsRunning) {
  const std::vector<std::string> bodies = {"{",
                                           "[1,2]",
                                           "\"x\"",
                                           "{\"dataset\": \"moon\"}",
                                           "{\"noise\": 99}",
                                           "{\"hidden\": [65]}",
                                           "{\"hidden\": [1,1,1,1,1,1,1,1,1]}",
                                           "{\"points\": 100000}",
                                           "{\"features\": []}",
                                           "{\"bogus\": 1}",
                                           "{\"learning_rate\": \"fast\"}",
                                           std::string(100, '[') + std::string(100, ']'),
                                           "{\"activations\": [\"tanh\", \"relu\"], \"hidden\": [2,2,2]}"};
  for (const std::string& body : bodies) {
    auto res = client().Post("/api/sessions", body, "application/json");
    ASSERT_TRUE(res) << body;
    EXPECT_EQ(res->status, 400) << body << " -> " << res->body;
    EXPECT_TRUE(json::parse(res->body).contains("error")) << body;
  }
  const std::string id = create();
  const std::string base = "/api/sessions/" + id;
  post(base + "/weight", {{"layer", 9}, {"to", 0}, {"from", 0}, {"value", 1.0}}, 400);
  post(base + "/weight", {{"layer", 0}, {"to", 0}, {"from", 0}}, 400);
  post(base + "/bias", {{"layer", 0}, {"neuron", -1}, {"value", 1.0}}, 400);
  post(base + "/stepthrough", {{"sample", 100000}}, 400);
  get(base + "/state?grid=abc", 400);
  get(base + "/state?grid=5000", 400);
  EXPECT_EQ(get(base + "/state?grid=10&neurons=0&points=0")["boundary"]["values"].size(), 100u);
}

TEST_F(ServeTest, OversizeBodiesAreRefused) {
  auto res = client().Post("/api/sessions", std::string(2 << 20, ' '), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_TRUE(json::parse(res->body).contains("error"));
  create();  // still serving
}

TEST_F(ServeTest, SessionIdsAreUnguessableAndLimited) {
  std::set<std::string> ids;
  for (int i = 0; i < 6; ++i) {
    const std::string id = create({{"points", 50}});
    EXPECT_EQ(id.size(), 32u);
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 6u);
  auto res = client().Post("/api/sessions", "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  auto del = client().Delete("/api/sessions/" + *ids.begin());
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 200);
  create();
}

TEST_F(ServeTest, ConcurrentSessionsTrainIndependently) {
  std::vector<std::string> ids(4);
  std::vector<std::thread> threads;
  const std::vector<std::string> datasets = {"circle", "xor", "moons", "gaussian"};
  for (size_t i = 0; i < ids.size(); ++i)
    threads.emplace_back([&, i] { ids[i] = create({{"dataset", datasets[i]}, {"points", 200}, {"batch_size", 20}}); });
  for (auto& t : threads) t.join();
  for (const auto& id : ids) post("/api/sessions/" + id + "/play");
  threads.clear();
  std::vector<int64_t> epochs(ids.size());
  for (size_t i = 0; i < ids.size(); ++i)
    threads.emplace_back([&, i] {
      for (int k = 0; k < 10; ++k) {
        json s = get("/api/sessions/" + ids[i] + "/state?points=0");
        epochs[i] = s.value("epoch", int64_t(0));
        EXPECT_EQ(s["config"]["dataset"], datasets[i]);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    });
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_GT(epochs[i], 0) << datasets[i];
    post("/api/sessions/" + ids[i] + "/pause");
  }
  json s = get("/api/sessions/" + ids[0] + "/state?points=1&neurons=8");
  EXPECT_FALSE(s["playing"].get<bool>());
  EXPECT_EQ(s["layer_sizes"], json({2, 4, 2, 1}));
  EXPECT_EQ(s["neurons"]["layers"].size(), 4u);             // inputs, two hidden, output
  EXPECT_EQ(s["neurons"]["layers"][1].size(), 4u);          // 4 neurons
  EXPECT_EQ(s["neurons"]["layers"][1][0].size(), 64u);      // 8 × 8 grid
  EXPECT_EQ(s["history"]["grad_norms"].back().size(), 3u);  // per linear layer
  EXPECT_EQ(s["points"]["train"].size() + s["points"]["test"].size(), 200u);
}

TEST_F(ServeTest, ControlsEditsAndExport) {
  const std::string id = create({{"dataset", "xor"}, {"points", 100}});
  const std::string base = "/api/sessions/" + id;
  post(base + "/step");
  EXPECT_EQ(get(base + "/state?points=0")["epoch"], 1);
  post(base + "/reset");
  EXPECT_EQ(get(base + "/state?points=0")["epoch"], 0);
  post(base + "/weight", {{"layer", 1}, {"to", 1}, {"from", 3}, {"value", 0.5}});
  post(base + "/bias", {{"layer", 2}, {"neuron", 0}, {"value", -0.25}});
  json s = get(base + "/state?points=0&grid=0&neurons=0");
  EXPECT_DOUBLE_EQ(s["weights"][1]["w"][1][3].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(s["weights"][2]["b"][0].get<double>(), -0.25);
  post(base + "/config", {{"hidden", {3}}, {"features", {"x1", "x2", "x1x2"}}, {"optimizer", "sgd"}});
  s = get(base + "/state?points=0&grid=0&neurons=0");
  EXPECT_EQ(s["layer_sizes"], json({3, 3, 1}));
  post(base + "/regenerate");

  auto toml = client().Get(base + "/export/config.toml");
  ASSERT_TRUE(toml);
  EXPECT_EQ(toml->status, 200);
  EXPECT_NE(toml->body.find("inputs = 3"), std::string::npos) << toml->body;
  auto st = client().Get(base + "/export/model.safetensors");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->status, 200);
  EXPECT_NE(st->body.find("layers.0.weight"), std::string::npos);
}

TEST_F(ServeTest, StepThroughOverHttpIsConsistent) {
  const std::string id =
      create({{"dataset", "circle"}, {"hidden", {3, 2}}, {"optimizer", "sgd"}, {"learning_rate", 0.1}});
  json t = post("/api/sessions/" + id + "/stepthrough", {{"sample", 5}});
  ASSERT_EQ(t["layers"].size(), 3u);
  std::vector<double> prev = t["features"].get<std::vector<double>>();
  for (const json& L : t["layers"]) {
    const auto delta = L["delta"].get<std::vector<double>>();
    const auto dw = L["dC_dw"];
    for (size_t j = 0; j < delta.size(); ++j)
      for (size_t i = 0; i < prev.size(); ++i)
        EXPECT_NEAR(dw[j][i].get<double>(), delta[j] * prev[i], 1e-4);  // ∂C/∂w = δ·a (dC_dw is rounded)
    EXPECT_EQ(L["dC_db"].get<std::vector<double>>(), delta);
    prev = L["a"].get<std::vector<double>>();
  }
  EXPECT_LT(t["loss_after"].get<double>(), t["loss_before"].get<double>());
}

TEST(ServeServer, IdleSessionsExpire) {
  PlaygroundServer server({.host = "127.0.0.1", .port = 0, .idle_timeout = std::chrono::seconds(1)});
  const int port = server.start();
  httplib::Client c("127.0.0.1", port);
  auto res = c.Post("/api/sessions", "{}", "application/json");
  ASSERT_TRUE(res);
  const std::string id = json::parse(res->body)["id"];
  EXPECT_EQ(server.session_count(), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  EXPECT_EQ(server.session_count(), 0u);
  auto state = c.Get("/api/sessions/" + id + "/state");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->status, 404);
  server.stop();
}

// The step-through's δ and ∂C/∂w equal the gradients nabla's autograd gives for the same sample
// through an independently written forward pass (tanh hidden layers, sigmoid output, BCE).
TEST(ServeSession, StepThroughDeltasEqualAutogradGradients) {
  SessionConfig c = session_config_from_json(json::parse(R"({"dataset": "spiral", "hidden": [5, 3], "points": 80})"));
  Session s(c);
  std::vector<Tensor> W, b;
  for (const auto& [name, p] : s.model().named_parameters())
    (name.find("weight") != std::string::npos ? W : b).push_back(p.detach().clone().requires_grad_());
  ASSERT_EQ(W.size(), 3u);
  const int64_t sample = 7;
  const Tensor x = s.train_set().x.slice(0, sample, sample + 1), y = s.train_set().y.slice(0, sample, sample + 1);
  std::vector<Tensor> zs;
  Tensor a = x;
  for (size_t l = 0; l < W.size(); ++l) {
    zs.push_back(matmul(a, W[l].t()) + b[l]);
    a = l + 1 < W.size() ? tanh(zs.back()) : sigmoid(zs.back());
  }
  const Tensor C = -(y * log(a) + (1.0 - y) * log(1.0 - a)).mean();
  std::vector<Tensor> inputs = zs;
  inputs.insert(inputs.end(), W.begin(), W.end());
  const std::vector<Tensor> g = grad({C}, inputs);

  const json t = s.step_through(sample);
  EXPECT_NEAR(t["loss_before"].get<double>(), C.item(), 1e-12);
  for (size_t l = 0; l < zs.size(); ++l) {
    const auto delta = t["layers"][l]["delta"].get<std::vector<double>>();
    const auto expected = g[l].reshape({-1}).to_vector<double>();
    ASSERT_EQ(delta.size(), expected.size());
    for (size_t j = 0; j < delta.size(); ++j)
      EXPECT_NEAR(delta[j], expected[j], 1e-12) << "layer " << l << " neuron " << j;
    const auto z = t["layers"][l]["z"].get<std::vector<double>>();
    const auto zv = zs[l].reshape({-1}).to_vector<double>();
    for (size_t j = 0; j < z.size(); ++j) EXPECT_NEAR(z[j], zv[j], 1e-12);
    const Tensor& dw = g[zs.size() + l];
    for (int64_t j = 0; j < dw.size(0); ++j)
      for (int64_t i = 0; i < dw.size(1); ++i)
        EXPECT_NEAR(t["layers"][l]["dC_dw"][j][i].get<double>(), dw.at({j, i}), 1e-4);
  }
  // tanh'(z) = 1 - tanh(z)², read from the activation node's backward.
  const auto a0 = t["layers"][0]["a"].get<std::vector<double>>(),
             d0 = t["layers"][0]["da_dz"].get<std::vector<double>>();
  for (size_t j = 0; j < a0.size(); ++j) EXPECT_NEAR(d0[j], 1 - a0[j] * a0[j], 1e-12);
  EXPECT_EQ(s.steps(), 1);
}

TEST(ServeSession, LearnsCircles) {
  Session s(session_config_from_json(json::parse(R"({"dataset": "circle", "noise": 0, "points": 400})")));
  for (int e = 0; e < 60 && s.state({.grid = 0, .neuron_grid = 0, .points = false})["test_loss"].get<double>() > 0.1;
       ++e)
    s.step_epoch();
  EXPECT_LT(s.state({.grid = 0, .neuron_grid = 0, .points = false})["test_loss"].get<double>(), 0.1);
}

TEST(ServeSession, EveryDatasetFeatureAndActivationBuilds) {
  for (const std::string& d : session_dataset_names())
    for (const std::string& act : session_activation_names()) {
      json j = {{"dataset", d},
                {"activation", act},
                {"points", 60},
                {"features", session_feature_names()},
                {"dropout", 0.2},
                {"regularization", "l1"},
                {"regularization_rate", 0.001}};
      Session s(session_config_from_json(j));
      s.train_batches(7);
      json st = s.state({.grid = 4, .neuron_grid = 3, .points = true});
      EXPECT_EQ(st["boundary"]["values"].size(), 16u) << d << " " << act;
      EXPECT_TRUE(std::isfinite(st["train_loss"].get<double>())) << d << " " << act;
      EXPECT_NE(s.export_toml().find("[model]"), std::string::npos);
    }
}

}  // namespace
}  // namespace nabla::serve
