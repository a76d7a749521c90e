// `nabla serve`: the session API over HTTP (a server on an ephemeral loopback port, in-process),
// CSV uploads, the multi-class and regression tasks, TF Playground's regression datasets, and the
// session's step-through against nabla's autograd.
#include "server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "nabla/autograd/engine.h"
#include "nabla/error.h"
#include "nabla/nn/linear.h"
#include "nabla/ops/ops.h"
#include "nabla/train/config.h"
#include "server_fixture.h"
#include "session/session.h"

namespace nabla::serve {
namespace {

using nlohmann::json;

class ServeTest : public ServerFixture {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.max_sessions = 6;
    start(o);
  }
  json post(const std::string& path, const json& body = json::object(), int expect = 200) {
    auto res = client().Post(path, body.dump(), "application/json");
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, expect) << path << ": " << res->body;
    return json::parse(res->body);
  }
  // Posts CSV text as an upload; the reply's JSON.
  json upload(const std::string& id, const std::string& csv, int expect = 200) {
    auto res = client().Post("/api/sessions/" + id + "/data", csv, "text/csv");
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, expect) << csv.substr(0, 80) << " -> " << res->body;
    return json::parse(res->body);
  }
  json get(const std::string& path, int expect = 200) {
    auto res = client().Get(path);
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, expect) << path << ": " << res->body;
    return json::parse(res->body);
  }
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
                                           "{\"activations\": [\"tanh\", \"relu\"], \"hidden\": [2,2,2]}",
                                           "{\"classes\": 9}",
                                           "{\"classes\": 1}",
                                           "{\"classes\": 2.5}",
                                           "{\"dataset\": \"csv\"}",  // nothing uploaded
                                           "{\"dataset\": \"reg-plane\"}"};
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

// The limits of issue #8 with the default options: 16 sessions, bodies of 1 MB, 8 × 64 layers.
TEST(ServeServer, DefaultLimits) {
  PlaygroundServer server({.host = "127.0.0.1", .port = 0});
  const int port = server.start();
  httplib::Client c("127.0.0.1", port);
  for (int i = 0; i < 16; ++i) {
    auto res = c.Post("/api/sessions", R"({"points": 20})", "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 201) << i;
  }
  auto res = c.Post("/api/sessions", "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  res = c.Post("/api/sessions", std::string((1 << 20) + 1, ' '), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  server.stop();
  EXPECT_NO_THROW(session_config_from_json({{"hidden", std::vector<int64_t>(8, 64)}}));
  EXPECT_THROW(session_config_from_json({{"hidden", std::vector<int64_t>(9, 1)}}), ValueError);
  EXPECT_THROW(session_config_from_json({{"hidden", {65}}}), ValueError);
  EXPECT_NO_THROW(session_config_from_json({{"points", 10000}}));
  EXPECT_THROW(session_config_from_json({{"points", 10001}}), ValueError);
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
  Session s(session_config_from_json(
      json::parse(R"({"dataset": "circle", "noise": 0, "points": 400, "optimizer": "adam"})")));
  for (int e = 0; e < 60 && s.state({.grid = 0, .neuron_grid = 0, .points = false})["test_loss"].get<double>() > 0.1;
       ++e)
    s.step_epoch();
  EXPECT_LT(s.state({.grid = 0, .neuron_grid = 0, .points = false})["test_loss"].get<double>(), 0.1);
}

TEST(ServeSession, EveryDatasetFeatureAndActivationBuilds) {
  for (const std::string& d : session_dataset_names())
    for (const std::string& act : session_activation_names()) {
      json j = {{"dataset", d},   {"activation", act}, {"points", 60},           {"features", session_feature_names()},
                {"dropout", 0.2}, {"classes", 3},      {"regularization", "l1"}, {"regularization_rate", 0.001}};
      Session s(session_config_from_json(j));
      s.train_batches(7);
      json st = s.state({.grid = 4, .neuron_grid = 3, .points = true});
      EXPECT_EQ(st["boundary"]["values"].size(), 16u) << d << " " << act;
      EXPECT_TRUE(std::isfinite(st["train_loss"].get<double>())) << d << " " << act;
      EXPECT_NE(s.export_toml().find("[model]"), std::string::npos);
    }
}

// ---- uploaded points (CSV) ----

TEST_F(ServeTest, CsvUploadOfGoodFiles) {
  const std::string id = create();
  const std::string base = "/api/sessions/" + id;

  // No header, the playground's labels -1/1: two classes, -1 first. Positive x1 is class 1.
  std::string two;
  for (int i = 0; i < 40; ++i)
    two += std::to_string(i % 2 ? 10 + i : -i) + "," + std::to_string(0.5 * i) + "," + (i % 2 ? "1" : "-1") + "\n";
  json r = upload(id, two);
  EXPECT_EQ(r["points"], 40);
  EXPECT_EQ(r["task"], "binary");
  EXPECT_EQ(r["num_classes"], 2);
  json s = get(base + "/state?grid=4&neurons=3");
  EXPECT_EQ(s["config"]["dataset"], "csv");
  EXPECT_EQ(s["class_names"], json({"-1", "1"}));
  EXPECT_EQ(s["num_points"], 40);
  ASSERT_EQ(s["points"]["train"].size() + s["points"]["test"].size(), 40u);
  double most = 0;
  for (const char* part : {"train", "test"})
    for (const json& p : s["points"][part]) {
      // x1 runs from -38 to 49: centre 5.5, and the wider axis sets the scale (43.5).
      EXPECT_EQ(p[2].get<int>(), p[0].get<double>() > 0 ? 1 : 0) << p;
      most = std::max({most, std::abs(p[0].get<double>()), std::abs(p[1].get<double>())});
    }
  EXPECT_NEAR(most, 1.0, 1e-4);  // rescaled to [-1, 1]
  EXPECT_NEAR(s["upload"]["centre"][0].get<double>(), 5.5, 1e-12);
  EXPECT_NEAR(s["upload"]["scale"].get<double>(), 43.5, 1e-12);

  // A header (any names), a byte order mark, CRLF, quotes and words as labels: three classes.
  const std::vector<std::string> words = {"red", "green", "blue"};
  std::string three =
      "\xEF\xBB\xBF"
      "east,\"north\",kind\r\n";
  for (int i = 0; i < 90; ++i) {
    const int c = i % 3;
    three += std::to_string(3 * c + 0.1 * (i % 5)) + ",\"" + std::to_string((c == 1 ? 2 : 0) + 0.1 * (i % 7)) + "\"," +
             words[size_t(c)] + "\r\n";
  }
  r = upload(id, three);
  EXPECT_EQ(r["task"], "multiclass");
  EXPECT_EQ(r["num_classes"], 3);
  s = get(base + "/state?grid=5&neurons=4");
  EXPECT_EQ(s["class_names"], json({"blue", "green", "red"}));  // sorted
  EXPECT_EQ(s["loss_name"], "cross_entropy");
  EXPECT_EQ(s["layer_sizes"].back(), 3);
  EXPECT_EQ(s["boundary"]["values"].size(), 25u);
  EXPECT_EQ(s["boundary"]["confidence"].size(), 25u);
  std::set<int> seen;
  for (const json& p : s["points"]["train"]) seen.insert(p[2].get<int>());
  EXPECT_EQ(seen, std::set<int>({0, 1, 2}));
  const double before = s["train_loss"].get<double>();
  for (int k = 0; k < 150 && s["train_accuracy"].get<double>() < 0.95; ++k) {
    post(base + "/step");
    s = get(base + "/state?points=0&grid=0&neurons=0");
  }
  EXPECT_LT(s["train_loss"].get<double>(), 0.5 * before);
  EXPECT_GE(s["train_accuracy"].get<double>(), 0.95);

  // Real numbers as labels: a regression.
  std::string reg = "x1,x2,y\n";
  for (int i = 0; i < 50; ++i)
    reg += std::to_string(i) + "," + std::to_string(i % 5) + "," + std::to_string(0.25 * i - 3) + "\n";
  r = upload(id, reg);
  EXPECT_EQ(r["task"], "regression");
  EXPECT_EQ(r["num_classes"], 0);
  s = get(base + "/state?grid=3&neurons=0");
  EXPECT_EQ(s["loss_name"], "mse");
  EXPECT_TRUE(s["test_accuracy"].is_null());
  EXPECT_NEAR(s["value_scale"].get<double>(), 9.25, 1e-12);  // the largest |label|: 0.25·49 − 3
  EXPECT_EQ(s["layer_sizes"].back(), 1);

  // The exported points read back as the same number of points, and the TOML points at them.
  auto pts = client().Get(base + "/export/points.csv");
  ASSERT_TRUE(pts);
  EXPECT_EQ(pts->status, 200);
  const PointsData back = parse_points_csv(pts->body);
  EXPECT_EQ(back.xy.size(0), 50);
  EXPECT_EQ(back.num_classes, 0);
  auto toml = client().Get(base + "/export/config.toml");
  ASSERT_TRUE(toml);
  const train::TrainConfig t = train::parse_train_config(toml->body);
  EXPECT_EQ(t.data.name, "csv");
  EXPECT_EQ(t.data.path, "points.csv");
  EXPECT_EQ(t.loss.name, "mse");

  // Another dataset, then "csv" again: the uploaded points are still there.
  post(base + "/config", {{"dataset", "moons"}});
  EXPECT_EQ(get(base + "/state?points=0&grid=0&neurons=0")["task"], "binary");
  post(base + "/config", {{"dataset", "csv"}});
  EXPECT_EQ(get(base + "/state?points=0&grid=0&neurons=0")["num_points"], 50);
}

TEST_F(ServeTest, BadCsvIs400NamingLineAndColumn) {
  const std::string id = create({{"dataset", "xor"}});
  const std::string base = "/api/sessions/" + id;
  post(base + "/config", {{"dataset", "csv"}}, 400);  // nothing uploaded yet
  struct Case {
    std::string csv;
    int line, column;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"1,2,0\n3,x,1\n", 2, 3, "expected a number, got 'x'"},
      {"1,2,0\n\n1,2,0,4\n", 3, 7, "4 fields"},
      {"x1,x2,label\n1,2,0\n1,2\n", 3, 4, "missing 'label'"},
      {"a,b,c,d\n1,2,3,4\n", 1, 7, "the header has 4 columns"},
      {"\xEF\xBB\xBF"
       "1,y,0\n",
       1, 6, "got 'y'"},  // the byte order mark counts: bytes on the line
      {"x1,x2,label\n1,\"2,0\n", 2, 3, "never closed"},
      {"  \n\n", 1, 1, "empty file"},
      {"1,2,0\n3,4,1\n5,6,\n", 3, 5, "empty"},
  };
  for (const Case& c : cases) {
    const json r = upload(id, c.csv, 400);
    ASSERT_TRUE(r.contains("error")) << c.csv;
    const std::string error = r["error"];
    EXPECT_EQ(r.value("line", 0), c.line) << c.csv << " -> " << error;
    EXPECT_EQ(r.value("column", 0), c.column) << c.csv << " -> " << error;
    EXPECT_NE(error.find("upload.csv:" + std::to_string(c.line) + ":" + std::to_string(c.column) + ": "),
              std::string::npos)
        << error;
    EXPECT_NE(error.find(c.says), std::string::npos) << error;
  }
  // Well-formed, but not usable: one label, nine classes, too many points.
  std::string one = "1,2,5\n3,4,5\n", nine, many;
  for (int i = 0; i < 18; ++i) nine += std::to_string(i) + ",0,w" + std::to_string(i % 9) + "\n";
  for (int i = 0; i <= kMaxPoints; ++i) many += std::to_string(i % 100) + ",1," + std::to_string(i % 2) + "\n";
  EXPECT_NE(upload(id, one, 400)["error"].get<std::string>().find("nothing to learn"), std::string::npos);
  EXPECT_NE(upload(id, nine, 400)["error"].get<std::string>().find("at most 8 classes"), std::string::npos);
  EXPECT_NE(upload(id, many, 400)["error"].get<std::string>().find("at most 10000"), std::string::npos);
  auto big = client().Post(base + "/data", std::string(kMaxCsvBytes + 10, '1'), "text/csv");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_TRUE(json::parse(big->body).contains("error"));
  auto named = client().Post(base + "/data?name=%3Cscript%3E.csv", "1,2,0\n3,4,1\n", "text/csv");
  ASSERT_TRUE(named);
  EXPECT_EQ(named->status, 400);
  // The session kept its data and still trains.
  json s = get(base + "/state?points=0&grid=0&neurons=0");
  EXPECT_EQ(s["config"]["dataset"], "xor");
  EXPECT_FALSE(s["has_points"].get<bool>());
  post(base + "/step");
  EXPECT_EQ(get(base + "/state?points=0&grid=0&neurons=0")["epoch"], 1);
}

TEST(ServeCsv, HeaderDetectionAndLabelKinds) {
  // 0/1 without a header: binary, labels as they are.
  PointsData p = parse_points_csv("0,0,0\n1,1,1\n2,0,0\n");
  EXPECT_EQ(p.num_classes, 2);
  EXPECT_EQ(p.y.to_vector<double>(), std::vector<double>({0, 1, 0}));
  // Integers 1, 2, 10 are three classes in numeric order (not "1" < "10" < "2").
  p = parse_points_csv("x,y,c\n0,0,10\n1,1,2\n2,0,1\n3,3,2\n");
  EXPECT_EQ(p.num_classes, 3);
  EXPECT_EQ(p.class_names, std::vector<std::string>({"1", "2", "10"}));
  EXPECT_EQ(p.y.to_vector<int64_t>(), std::vector<int64_t>({2, 1, 0, 1}));
  // Nine distinct integers, or any fraction: a regression.
  std::string nine;
  for (int i = 0; i < 9; ++i) nine += std::to_string(i) + ",0," + std::to_string(i) + "\n";
  EXPECT_EQ(parse_points_csv(nine).num_classes, 0);
  EXPECT_EQ(parse_points_csv("0,0,0.5\n1,1,1\n").num_classes, 0);
  // Blank lines before the header; numbers written with a '+' are data, not a header.
  p = parse_points_csv("\n \nx1,x2,label\n+1,2,a\n3,4,b\n");
  EXPECT_EQ(p.xy.to_vector<double>(), std::vector<double>({1, 2, 3, 4}));
  EXPECT_EQ(parse_points_csv("+1,2,0\n3,4,1\n").xy.size(0), 2);
  EXPECT_THROW(parse_points_csv("1,2,0\n3,nan,1\n"), ParseError);
}

// ---- multi-class and regression ----

TEST(ServeSession, MulticlassBlobsTrainWithSoftmaxCrossEntropy) {
  Session s(session_config_from_json(
      json::parse(R"({"dataset": "blobs", "classes": 4, "points": 400, "noise": 0, "hidden": [8]})")));
  ASSERT_EQ(s.task(), Task::multiclass);
  EXPECT_EQ(s.num_classes(), 4);
  EXPECT_EQ(s.loss_name(), "cross_entropy");
  json st = s.state({.grid = 6, .neuron_grid = 5, .points = true});
  EXPECT_EQ(st["layer_sizes"], json({2, 8, 4}));
  // The output neurons are softmax probabilities: they add up to 1 at every grid point.
  const json& out = st["neurons"]["layers"].back();
  ASSERT_EQ(out.size(), 4u);
  for (size_t i = 0; i < 25; ++i) {
    double total = 0;
    for (const json& k : out) total += k[i].get<double>();
    EXPECT_NEAR(total, 1.0, 5e-4);
  }
  for (size_t i = 0; i < 36; ++i) {
    const int cls = st["boundary"]["values"][i];
    EXPECT_TRUE(cls >= 0 && cls < 4);
    EXPECT_GE(st["boundary"]["confidence"][i].get<double>(), 0.25 - 1e-4);
  }
  const double loss0 = st["train_loss"];
  for (int e = 0; e < 40; ++e) s.step_epoch();
  st = s.state({.grid = 0, .neuron_grid = 0, .points = false});
  EXPECT_LT(st["train_loss"].get<double>(), 0.5 * loss0);
  EXPECT_GT(st["train_accuracy"].get<double>(), 0.7);  // chance: 0.25
  EXPECT_GT(st["test_accuracy"].get<double>(), 0.7);

  // The step-through's output δ is softmax(z) − onehot(target), from an independent forward pass.
  std::vector<Tensor> W, b;
  for (const auto& [name, p] : s.model().named_parameters())
    (name.find("weight") != std::string::npos ? W : b).push_back(p.detach().clone());
  const int64_t sample = 11;
  const Tensor x = s.train_set().x.slice(0, sample, sample + 1);
  const int64_t target = s.train_set().y.to_vector<int64_t>()[sample];
  const Tensor logits = matmul(tanh(matmul(x, W[0].t()) + b[0]), W[1].t()) + b[1];
  const std::vector<double> p = softmax(logits, 1).to_vector<double>();
  const json t = s.step_through(sample);
  EXPECT_EQ(t["task"], "multiclass");
  EXPECT_EQ(t["target"].get<double>(), double(target));
  EXPECT_NEAR(t["loss_before"].get<double>(), -std::log(p[size_t(target)]), 1e-12);
  const json& last = t["layers"].back();
  EXPECT_TRUE(last["softmax"].get<bool>());
  for (size_t k = 0; k < 4; ++k) {
    EXPECT_NEAR(last["a"][k].get<double>(), p[k], 1e-12);
    EXPECT_NEAR(last["delta"][k].get<double>(), p[k] - (int64_t(k) == target ? 1.0 : 0.0), 1e-12);
  }
  // The exported configuration is a `nabla train` one with 4 logits and cross-entropy.
  const train::TrainConfig cfg = train::parse_train_config(s.export_toml());
  EXPECT_EQ(cfg.loss.name, "cross_entropy");
  EXPECT_EQ(cfg.data.name, "blobs");
  EXPECT_EQ(cfg.data.classes, 4);
  EXPECT_EQ(train::layer_widths(cfg).back(), 4);
}

// The labels of TF Playground's src/dataset.ts at points worked out by hand.
TEST(ServeDatasets, PlaygroundLabelFunctions) {
  EXPECT_DOUBLE_EQ(playground_plane_label(3, 2), 0.5);  // (x + y) / 10
  EXPECT_DOUBLE_EQ(playground_plane_label(-6, -6), -1.2);
  EXPECT_DOUBLE_EQ(playground_plane_label(4, -4), 0.0);
  EXPECT_DOUBLE_EQ(playground_multi_gaussian_label(-4, 2.5), 1.0);   // on a positive centre
  EXPECT_DOUBLE_EQ(playground_multi_gaussian_label(0, 2.5), -1.0);   // on a negative one
  EXPECT_DOUBLE_EQ(playground_multi_gaussian_label(4, -1.5), -0.5);  // 1 from (4, -2.5), sign −
  EXPECT_DOUBLE_EQ(playground_multi_gaussian_label(1, 2.5), -0.5);   // 1 from (0, 2.5), 3 from (4, 2.5)
  EXPECT_DOUBLE_EQ(playground_multi_gaussian_label(-3.5, 2.5), 0.75);
  EXPECT_DOUBLE_EQ(playground_multi_gaussian_label(0, 0), 0.0);    // 2.5 from the nearest: out of reach
  EXPECT_DOUBLE_EQ(playground_multi_gaussian_label(2, 2.5), 0.0);  // 2 from both neighbours
  EXPECT_DOUBLE_EQ(playground_multi_gaussian_label(6, 6), 0.0);
}

TEST(ServeDatasets, RegressionDatasetsFollowThePlayground) {
  for (const bool plane : {true, false}) {
    auto make = plane ? make_playground_plane : make_playground_multi_gaussian;
    auto label = plane ? playground_plane_label : playground_multi_gaussian_label;
    const Dataset d = make(2000, 0.0, 7);
    EXPECT_EQ(d.num_classes, 0);
    ASSERT_EQ(d.x.shape().to_string(), "[2000, 2]");
    ASSERT_EQ(d.y.shape().to_string(), "[2000, 1]");
    const std::vector<double> xy = d.x.to_vector<double>(), y = d.y.to_vector<double>();
    double lo = 0, hi = 0, mean = 0;
    int positive = 0;
    for (size_t i = 0; i < y.size(); ++i) {
      EXPECT_EQ(y[i], label(xy[2 * i], xy[2 * i + 1]));  // noise 0: the label of the point itself
      lo = std::min({lo, xy[2 * i], xy[2 * i + 1]});
      hi = std::max({hi, xy[2 * i], xy[2 * i + 1]});
      mean += xy[2 * i] / double(y.size());
      positive += y[i] > 0;
    }
    EXPECT_GE(lo, -6.0);  // uniform on [-6, 6]²
    EXPECT_LE(hi, 6.0);
    EXPECT_LT(lo, -5.9);
    EXPECT_GT(hi, 5.9);
    EXPECT_NEAR(mean, 0.0, 0.3);
    EXPECT_GT(positive, 200);
    EXPECT_LT(positive, 1800);
    // Noise moves the point a label is read at, not the point: same points, other labels.
    const Dataset noisy = make(2000, 0.5, 7);
    EXPECT_EQ(noisy.x.to_vector<double>(), xy);
    const std::vector<double> yn = noisy.y.to_vector<double>();
    int changed = 0;
    for (size_t i = 0; i < y.size(); ++i) {
      changed += yn[i] != y[i];
      EXPECT_LE(std::abs(yn[i]), plane ? 1.8 : 1.0);  // x + y + noise stays within ±18 for the plane
    }
    EXPECT_GT(changed, 1000);
    EXPECT_NE(make(2000, 0.0, 8).x.to_vector<double>(), xy);  // the seed matters
  }
}

TEST(ServeSession, RegressionSessionsTrainOnMse) {
  for (const std::string name : {"plane", "multi-gaussian"}) {
    Session s(session_config_from_json({{"dataset", name},
                                        {"noise", 0},
                                        {"points", 400},
                                        {"hidden", {8, 8}},
                                        {"loss", "bce"},
                                        {"optimizer", "adam"}}));
    ASSERT_EQ(s.task(), Task::regression) << name;
    EXPECT_EQ(s.loss_name(), "mse");  // whatever the loss control says
    json st = s.state({.grid = 5, .neuron_grid = 0, .points = true});
    EXPECT_TRUE(st["train_accuracy"].is_null());
    EXPECT_EQ(st["boundary"]["values"].size(), 25u);
    auto label = name == "plane" ? playground_plane_label : playground_multi_gaussian_label;
    for (const json& p : st["points"]["train"])  // the session shows the playground's ±6 as ±1
      EXPECT_NEAR(p[2].get<double>(), label(6 * p[0].get<double>(), 6 * p[1].get<double>()), 5e-4) << p;
    const double loss0 = st["train_loss"];
    double loss = loss0;
    for (int e = 0; e < 300 && loss > 0.2 * loss0; ++e) {
      s.step_epoch();
      loss = s.state({.grid = 0, .neuron_grid = 0, .points = false})["train_loss"];
    }
    EXPECT_LT(loss, 0.2 * loss0) << name;

    // The output δ of MSE on one sample is 2 (ŷ − y).
    const json t = s.step_through(3);
    EXPECT_EQ(t["task"], "regression");
    const double yhat = t["output"], target = t["target"];
    EXPECT_NEAR(t["layers"].back()["delta"][0].get<double>(), 2 * (yhat - target), 1e-12);
    EXPECT_NEAR(t["loss_before"].get<double>(), (yhat - target) * (yhat - target), 1e-12);
    const train::TrainConfig cfg = train::parse_train_config(s.export_toml());
    EXPECT_EQ(cfg.loss.name, "mse");
    EXPECT_EQ(cfg.model.layers.back().type, "identity");
  }
}

TEST(ServeSession, EditingAWeightChangesTheLossShown) {
  Session s(session_config_from_json(json::parse(R"({"dataset": "circle", "points": 100})")));
  const double before = s.state({.grid = 0, .neuron_grid = 0, .points = false})["train_loss"];
  s.set_bias(2, 0, 5.0);  // push every output towards class 1
  const double after = s.state({.grid = 0, .neuron_grid = 0, .points = false})["train_loss"];
  EXPECT_GT(after, before + 0.5);
}

}  // namespace
}  // namespace nabla::serve
