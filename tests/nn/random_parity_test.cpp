// What depends on the random stream, against PyTorch bit for bit (values from
// tests/golden/gen_nn_golden.py): Linear's default initialisation after manual_seed (and where
// the stream is left afterwards), the seed-002 nets, the nn::init functions, and Dropout's masks.
// Also BatchNorm1d over several training steps, then in evaluation mode.
#include "nn_test_util.h"

namespace nabla::testing {
namespace {

TEST(NnLinearInit, DefaultInitEqualsTorchAfterManualSeed) {
  ASSERT_FALSE(nn_section("linear_init").empty());
  for (const auto& c : nn_section("linear_init")) {
    const DType dtype = dtype_named(c["dtype"]);
    manual_seed(c["seed"].get<uint64_t>());
    std::vector<std::shared_ptr<nn::Linear>> layers;
    for (const auto& io : c["sizes"])
      layers.push_back(std::make_shared<nn::Linear>(
          nn::LinearOptions(io[0].get<int64_t>(), io[1].get<int64_t>()).bias(c["bias"].get<bool>()).dtype(dtype)));
    // The stream position after the layers: same number of draws consumed, in the same order.
    Tensor after = rand({3}, DType::float64);
    const std::string what = "seed " + std::to_string(c["seed"].get<int>()) + " " + c["dtype"].get<std::string>();
    for (size_t i = 0; i < layers.size(); ++i) {
      const auto& expected = c["layers"][i];
      const auto named = layers[i]->named_parameters();
      ASSERT_EQ(named.size(), expected.size()) << what;
      for (size_t k = 0; k < named.size(); ++k) {
        EXPECT_EQ(named[k].first, expected[k][0].get<std::string>());
        expect_bitwise(named[k].second, decode(expected[k][1]),
                       what + " layer " + std::to_string(i) + " " + named[k].first);
      }
    }
    expect_bitwise(after, decode(c["rand_after"]), what + " rand() after the layers");
  }
}

TEST(NnLinearInit, ExplicitGeneratorMatchesTheDefaultOneSeededAlike) {
  Generator g(5);
  nn::Linear a(nn::LinearOptions(4, 3).generator(&g));
  manual_seed(5);
  nn::Linear b(4, 3);
  expect_bitwise(a.weight, b.weight, "weight");
  expect_bitwise(a.bias, b.bias, "bias");
}

TEST(NnLinearInit, Seed002NetsEqualTorch) {
  // Made in float64 on both sides (the generator sets torch's default dtype to float64).
  manual_seed(2);
  auto mlp = seed002_mlp(DType::float64);
  EXPECT_EQ(mlp->to_string(), nn_golden()["seed002"]["repr"].get<std::string>());
  nn::StateDict expected = decode_state(nn_golden()["seed002"]["state"]);
  nn::StateDict got = mlp->state_dict();
  ASSERT_EQ(got.keys(), expected.keys());
  for (size_t i = 0; i < got.size(); ++i) expect_bitwise(got[i].second, expected[i].second, got[i].first);

  manual_seed(2);
  auto res = std::make_shared<ResidualNet>(DType::float64);
  EXPECT_EQ(res->to_string(), nn_golden()["residual"]["repr"].get<std::string>());
  expected = decode_state(nn_golden()["residual"]["state"]);
  got = res->state_dict();
  ASSERT_EQ(got.keys(), expected.keys());
  for (size_t i = 0; i < got.size(); ++i) expect_bitwise(got[i].second, expected[i].second, got[i].first);
}

TEST(NnLinearInit, InitFunctionsEqualTorch) {
  ASSERT_FALSE(nn_section("init").empty());
  using nn::FanMode;
  using nn::Nonlinearity;
  for (const auto& c : nn_section("init")) {
    const std::string name = c["name"];
    manual_seed(c["seed"].get<uint64_t>());
    Tensor t = Tensor::empty(Shape(c["shape"].get<std::vector<int64_t>>()), dtype_named(c["dtype"]));
    if (name == "xavier_uniform")
      nn::init::xavier_uniform_(t);
    else if (name == "xavier_uniform_gain")
      nn::init::xavier_uniform_(t, nn::init::calculate_gain(Nonlinearity::tanh));
    else if (name == "xavier_normal")
      nn::init::xavier_normal_(t);
    else if (name == "kaiming_uniform_relu")
      nn::init::kaiming_uniform_(t, 0, FanMode::fan_in, Nonlinearity::relu);
    else if (name == "kaiming_normal_fan_out")
      nn::init::kaiming_normal_(t, 0, FanMode::fan_out, Nonlinearity::relu);
    else if (name == "kaiming_uniform_leaky")
      nn::init::kaiming_uniform_(t, 0.1);
    else if (name == "normal")
      nn::init::normal_(t, 0.5, 2.0);
    else if (name == "uniform")
      nn::init::uniform_(t, -0.3, 0.7);
    else
      FAIL() << "unknown init case " << name;
    expect_bitwise(t, decode(c["value"]), name + " " + c["dtype"].get<std::string>() + " " + c["shape"].dump());
  }
}

TEST(NnLinearInit, InitOptionsDrawWeightThenBias) {
  // LinearOptions::init / bias_init apply the same functions, weight first.
  manual_seed(11);
  nn::Linear a(
      nn::LinearOptions(6, 4).dtype(DType::float64).init(nn::Init::xavier_normal()).bias_init(nn::Init::zeros()));
  manual_seed(11);
  Tensor w = Tensor::empty({4, 6}, DType::float64);
  nn::init::xavier_normal_(w);
  expect_bitwise(a.weight, w, "xavier_normal weight");
  EXPECT_EQ(a.bias.to_vector<double>(), std::vector<double>(4, 0.0));
  EXPECT_TRUE(a.weight.requires_grad());
  EXPECT_TRUE(a.weight.is_leaf());

  nn::Linear c(nn::LinearOptions(3, 2).init(nn::Init::constant(0.25)).bias_init(nn::Init::constant(-1)));
  EXPECT_EQ(c.weight.to_vector<double>(), std::vector<double>(6, 0.25));
  EXPECT_EQ(c.bias.to_vector<double>(), std::vector<double>(2, -1.0));
}

TEST(NnDropout, MasksEqualTorchAfterTheSameSeed) {
  ASSERT_FALSE(nn_section("dropout").empty());
  for (const auto& c : nn_section("dropout")) {
    const std::string name = c["name"];
    manual_seed(c["seed"].get<uint64_t>());
    nn::Dropout drop(c["p"].get<double>());
    Tensor x = decode(c["input"]);
    for (size_t k = 0; k < c["calls"].size(); ++k) {
      Tensor xi = x.clone().requires_grad_();
      Tensor y = drop.forward(xi);
      y.backward(ones_like(y));
      expect_bitwise(y, decode(c["calls"][k]["output"]), name + " call " + std::to_string(k) + " output");
      expect_bitwise(xi.grad(), decode(c["calls"][k]["input_grad"]), name + " call " + std::to_string(k) + " grad");
    }
  }
}

TEST(NnDropout, EvalIsIdentityAndTrainScales) {
  Generator gen(0);
  nn::Dropout drop(nn::DropoutOptions(0.5).generator(&gen));
  Tensor x = ones({1000}, DType::float64);
  Tensor y = drop.forward(x);
  int zeros_seen = 0;
  for (double v : y.to_vector<double>()) {
    EXPECT_TRUE(v == 0.0 || v == 2.0) << v;
    zeros_seen += v == 0.0;
  }
  EXPECT_GT(zeros_seen, 400);
  EXPECT_LT(zeros_seen, 600);
  drop.eval();
  EXPECT_TRUE(drop.forward(x).same(x));
  EXPECT_THROW(nn::Dropout(1.5), ValueError);
  EXPECT_THROW(nn::Dropout(-0.1), ValueError);
}

TEST(NnBatchNorm, RunningStatsOverTrainingStepsThenEval) {
  ASSERT_FALSE(nn_section("bn_steps").empty());
  for (const auto& c : nn_section("bn_steps")) {
    const std::string name = c["name"];
    nn::StateDict init = decode_state(c["init"]);
    auto opts = nn::BatchNormOptions(init.at("weight").shape()[0]).dtype(DType::float64);
    if (c["momentum"].is_null())
      opts.momentum(std::nullopt);
    else
      opts.momentum(c["momentum"].get<double>());
    nn::BatchNorm1d bn(opts);
    bn.load_state_dict(init);
    for (size_t k = 0; k < c["steps"].size(); ++k) {
      const json& step = c["steps"][k];
      const std::string what = name + " step " + std::to_string(k);
      Tensor x = decode(step["input"]).requires_grad_();
      Tensor y = bn.forward(x);
      sum(y * linspace(0.5, 1.5, y.numel(), DType::float64).reshape(y.shape())).backward();
      expect_close(y, decode(step["output"]), what + " output");
      expect_close(x.grad(), decode(step["input_grad"]), what + " input grad");
      for (const auto& [key, value] : decode_state(step["state"])) {
        if (value.dtype() == DType::int64)
          EXPECT_EQ(bn.state_dict().at(key).to_vector<int64_t>(), value.to_vector<int64_t>()) << what << " " << key;
        else
          expect_close(bn.state_dict().at(key), value, what + " " + key);
      }
    }
    bn.eval();
    Tensor x = decode(c["eval_input"]).requires_grad_();
    Tensor y = bn.forward(x);
    sum(y * linspace(0.5, 1.5, y.numel(), DType::float64).reshape(y.shape())).backward();
    expect_close(y, decode(c["eval_output"]), name + " eval output");
    expect_close(x.grad(), decode(c["eval_input_grad"]), name + " eval input grad");
    EXPECT_EQ(bn.num_batches_tracked.item(), double(c["steps"].size()));  // eval does not count
  }
}

}  // namespace
}  // namespace nabla::testing
