// The training configuration: defaults, overrides, validation errors naming key and line,
// and the resolved TOML round trip.
#include "nabla/train/config.h"

#include <gtest/gtest.h>

namespace nabla::train {
namespace {

const char* kXor = R"(seed = 3
dtype = "float64"
[data]
name = "xor"
n = 4
noise = 0.0
[model]
inputs = 2
layers = [
  { type = "linear", out = 2, id = "h1" },
  { type = "sigmoid" },
  { type = "linear", out = 1 },
  { type = "sigmoid" },
]
[loss]
name = "mse"
[optim]
name = "sgd"
lr = 0.5
[train]
epochs = 10000
log_every = 1000
)";

std::string error_of(const std::string& text, std::vector<std::string> overrides = {}) {
  try {
    parse_train_config(text, "cfg.toml", overrides);
  } catch (const ParseError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TrainConfig, ParsesValuesAndFillsDefaults) {
  TrainConfig c = parse_train_config(kXor, "cfg.toml");
  EXPECT_EQ(c.seed, 3u);
  EXPECT_EQ(c.dtype, DType::float64);
  EXPECT_EQ(c.model.layers.size(), 4u);
  EXPECT_EQ(c.model.layers[0].out, 2);
  EXPECT_EQ(c.model.layers[0].id, "h1");
  EXPECT_EQ(c.optim.lr, 0.5);
  EXPECT_EQ(c.train.epochs, 10000);
  EXPECT_EQ(c.train.batch_size, 0);
  EXPECT_EQ(c.loss.reduction, "mean");
  EXPECT_EQ(layer_widths(c), (std::vector<int64_t>{2, 2, 1, 1}));
}

TEST(TrainConfig, OverridesApplyOnTop) {
  TrainConfig c = parse_train_config(
      kXor, "cfg.toml",
      {"optim.lr=0.25", "train.epochs=5", "optim.name=adam", "model.layers.0.out=8", "data.name=moons"});
  EXPECT_EQ(c.optim.lr, 0.25);
  EXPECT_EQ(c.train.epochs, 5);
  EXPECT_EQ(c.optim.name, "adam");
  EXPECT_EQ(c.model.layers[0].out, 8);
  EXPECT_EQ(c.data.name, "moons");
  EXPECT_NE(error_of(kXor, {"optim.lr"}).find("key=value"), std::string::npos);
  EXPECT_NE(error_of(kXor, {"optim.lrr=1"}).find("optim.lrr: unknown key"), std::string::npos);
}

TEST(TrainConfig, ErrorsNameKeyAndLine) {
  std::string text = kXor;
  EXPECT_NE(error_of(std::string(text).replace(text.find("lr = 0.5"), 8, "lr = -1"))
                .find("cfg.toml:19:6: optim.lr: must be positive, got -1"),
            std::string::npos)
      << error_of(std::string(text).replace(text.find("lr = 0.5"), 8, "lr = -1"));
  EXPECT_NE(error_of(std::string(text).replace(text.find("lr = 0.5"), 8, "lr = \"x\""))
                .find("optim.lr: expected a number, got a string"),
            std::string::npos);
  EXPECT_NE(error_of(std::string(text) + "bogus = 1\n").find("bogus: unknown key"), std::string::npos);
  EXPECT_NE(error_of(std::string(text).replace(text.find("\"mse\""), 5, "\"mse2\""))
                .find("loss.name: unknown value \"mse2\""),
            std::string::npos);
  EXPECT_NE(error_of(std::string(text).replace(text.find("type = \"sigmoid\""), 16, "type = \"sigmod\""))
                .find("model.layers[1].type"),
            std::string::npos);
  EXPECT_NE(error_of("seed = [").find("cfg.toml:1:"), std::string::npos);
  EXPECT_NE(error_of(std::string(text).replace(text.find("out = 1 }"), 9, "out = 1, slope = 2 }"))
                .find("model.layers[2].slope: unknown key"),
            std::string::npos);
}

TEST(TrainConfig, LayersMustChain) {
  std::string residual = R"([model]
inputs = 2
layers = [
  { type = "linear", out = 4, id = "h1" },
  { type = "relu" },
  { type = "linear", out = 3 },
  { type = "add", from = "h1" },
]
)";
  std::string msg = error_of(residual);
  EXPECT_NE(msg.find("cannot add the output of \"h1\" (4 features) to the current value (3 features)"),
            std::string::npos)
      << msg;
  EXPECT_NE(error_of(R"([model]
layers = [{ type = "add", from = "nope" }]
)")
                .find("names no earlier layer id"),
            std::string::npos);
  EXPECT_NE(error_of(R"([model]
layers = [{ type = "linear", out = 6 }, { type = "groupnorm", groups = 4 }]
)")
                .find("cannot be split into 4 groups"),
            std::string::npos);
  EXPECT_NE(error_of("[model]\nlayers = []\n").find("at least one layer"), std::string::npos);
}

TEST(TrainConfig, ResolvedTomlRoundTrips) {
  TrainConfig c = parse_train_config(kXor, "cfg.toml", {"optim.lr=0.1234567890123"});
  std::string text = to_toml(c);
  TrainConfig back = parse_train_config(text, "resolved.toml");
  EXPECT_EQ(to_toml(back), text);
  EXPECT_EQ(back.optim.lr, 0.1234567890123);
  EXPECT_EQ(back.model.layers[0].id, "h1");
}

// [data] features: the playground's inputs (nabla/data/features.h), their number is model.inputs.
TEST(TrainConfig, FeaturesOfPoints) {
  const TrainConfig c =
      parse_train_config(kXor, "cfg.toml", {"data.features=[\"x1\", \"x2\", \"x1sq\", \"sinx1\"]", "model.inputs=4"});
  EXPECT_EQ(c.data.features, (std::vector<std::string>{"x1", "x2", "x1sq", "sinx1"}));
  EXPECT_EQ(layer_widths(c).front(), 2);
  const std::string text = to_toml(c);
  EXPECT_NE(text.find("features = [\"x1\", \"x2\", \"x1sq\", \"sinx1\"]"), std::string::npos) << text;
  EXPECT_EQ(parse_train_config(text, "resolved.toml").data.features, c.data.features);
  EXPECT_TRUE(parse_train_config(kXor, "cfg.toml").data.features.empty());

  const std::string bad = error_of(std::string(kXor) + "", {"data.features=[\"x1\", \"cosx1\"]", "model.inputs=2"});
  EXPECT_NE(bad.find("data.features: unknown feature \"cosx1\" (known: x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2)"),
            std::string::npos)
      << bad;
  const std::string count = error_of(kXor, {"data.features=[\"x1\", \"x2\", \"x1sq\"]"});
  EXPECT_NE(count.find("model.inputs: the network's inputs are data.features' 3 columns, but inputs = 2"),
            std::string::npos)
      << count;
  EXPECT_NE(error_of(kXor, {"data.features=3"}).find("data.features: expected an array"), std::string::npos);
}

// [data] scale, shift, box: where the playground puts its points (x · scale + shift).
TEST(TrainConfig, PlacementOfThePoints) {
  const TrainConfig c = parse_train_config(kXor, "cfg.toml", {"data.scale=2", "data.shift=[-1, -1.5]", "data.box=1"});
  EXPECT_EQ(c.data.scale, 2.0);
  EXPECT_EQ(c.data.shift, (std::vector<double>{-1, -1.5}));
  EXPECT_EQ(c.data.box, 1.0);
  const TrainConfig back = parse_train_config(to_toml(c), "resolved.toml");
  EXPECT_EQ(back.data.shift, c.data.shift);
  EXPECT_EQ(back.data.scale, 2.0);
  EXPECT_NE(error_of(kXor, {"data.scale=0"}).find("data.scale: must not be 0"), std::string::npos);
  EXPECT_NE(error_of(kXor, {"data.shift=[1, \"a\"]"}).find("data.shift: expected finite numbers"), std::string::npos);
  EXPECT_NE(error_of(kXor, {"data.box=-1"}).find("data.box: must be positive"), std::string::npos);
}

// Numbers are written the shortest way that reads back exactly (issue #19: the playground's
// export wrote noise = 0.029999999999999999), and every double survives the round trip.
TEST(TrainConfig, NumbersAreWrittenShortestAndReadBackExactly) {
  TrainConfig c = parse_train_config(kXor, "cfg.toml", {"data.noise=0.03", "optim.lr=0.1", "optim.l2=1e-05"});
  c.scheduler.start_factor = 1.0 / 3.0;
  c.model.layers[0].weight_values = {{0.1 + 0.2, -2.5e-300}, {1e22, 3.0}};
  const std::string text = to_toml(c);
  EXPECT_NE(text.find("noise = 0.03\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lr = 0.1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("l2 = 1e-05\n"), std::string::npos) << text;
  EXPECT_NE(text.find("start_factor = 0.3333333333333333\n"), std::string::npos) << text;  // 16 digits suffice
  EXPECT_NE(text.find("[[0.30000000000000004, -2.5e-300], [1e+22, 3.0]]"), std::string::npos) << text;
  EXPECT_NE(text.find("test_fraction = 0.0\n"), std::string::npos) << text;  // a float stays a float
  EXPECT_EQ(text.find("99999999"), std::string::npos) << text;
  const TrainConfig back = parse_train_config(text, "resolved.toml");
  EXPECT_EQ(back.data.noise, 0.03);
  EXPECT_EQ(back.optim.l2, 1e-05);
  EXPECT_EQ(back.scheduler.start_factor, 1.0 / 3.0);
  EXPECT_EQ(back.model.layers[0].weight_values, c.model.layers[0].weight_values);
  EXPECT_EQ(to_toml(back), text);
}

}  // namespace
}  // namespace nabla::train

namespace nabla::train {
namespace {

TEST(TrainConfig, ExplicitStartingWeights) {
  const char* text = R"([model]
inputs = 2
layers = [
  { type = "linear", out = 2, weight = [[0.37, 0.73], [0.95, 0.60]], bias = [0.156, 0.155] },
  { type = "sigmoid" },
  { type = "linear", out = 1, weight = [[0.058, 0.866]], bias = [0.601] },
]
)";
  TrainConfig c = parse_train_config(text, "w.toml");
  EXPECT_EQ(c.model.layers[0].weight_values[1][0], 0.95);
  EXPECT_EQ(c.model.layers[2].bias_values, (std::vector<double>{0.601}));
  TrainConfig back = parse_train_config(to_toml(c), "resolved.toml");
  EXPECT_EQ(back.model.layers[0].weight_values, c.model.layers[0].weight_values);
  std::string bad = text;
  bad.replace(bad.find("[[0.058, 0.866]]"), 16, "[[0.058]]");
  try {
    parse_train_config(bad, "w.toml");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("weight row 0 has 1 values, but the layer has 2 inputs"), std::string::npos)
        << e.what();
  }
}

// Sizes have documented upper bounds (README, "Configuration"): a huge value is an error
// naming the key, not a crash (2^62 outputs overflowed every size computed from it) or an
// allocation failure (1e9 outputs, 1e11 points, 1e9 classes).
TEST(TrainConfig, SizesHaveUpperBoundsNamingTheKey) {
  auto expect = [](const std::string& err, const std::string& key, const std::string& rule) {
    EXPECT_NE(err.find(key), std::string::npos) << err;
    EXPECT_NE(err.find(rule), std::string::npos) << err;
  };
  expect(error_of(kXor, {"model.layers.0.out=4611686018427387904"}), "model.layers[0].out", "must be in [1, 2^20]");
  expect(error_of(kXor, {"model.layers.2.out=1000000000"}), "model.layers[2].out", "must be in [1, 2^20]");
  expect(error_of(kXor, {"model.inputs=1048577"}), "model.inputs", "must be in [1, 2^20]");
  expect(error_of(kXor, {"data.n=100000000000"}), "data.n", "must be in [1, 10^8]");
  expect(error_of(kXor, {"data.name=blobs", "data.classes=1000000000"}), "data.classes", "must be in [2, 65536]");
  expect(error_of(kXor, {"train.batch_size=4611686018427387904"}), "train.batch_size", "must be in [0, 10^8]");
  // Each width is fine, but their product is a 2^20 x 2^20 weight.
  expect(error_of(kXor, {"model.layers.0.out=1048576", "model.layers.2.out=1048576"}), "model.layers[2]",
         "more than the 2^28 elements");
  // boundary.gif keeps every frame: at most 2000 of them (epochs / gif_every).
  expect(error_of(kXor, {"train.epochs=1000000", "train.gif_every=1"}), "train.gif_every", "2000 boundary.gif frames");
  EXPECT_NO_THROW(parse_train_config(kXor, "cfg.toml", {"train.epochs=1000000", "train.gif_every=1000"}));
  EXPECT_NO_THROW(parse_train_config(kXor, "cfg.toml", {"train.epochs=1000000", "train.gif_every=0"}));
  // The bounds themselves are accepted.
  TrainConfig c = parse_train_config(kXor, "cfg.toml", {"model.layers.0.out=1048576", "data.n=100000000"});
  EXPECT_EQ(c.model.layers[0].out, 1048576);
  EXPECT_EQ(c.data.n, 100000000);
}

}  // namespace
}  // namespace nabla::train
