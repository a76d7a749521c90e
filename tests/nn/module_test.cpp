// nn::Module's bookkeeping: names and shapes in state_dict, load_state_dict and its errors,
// train/eval, zero_grad, to(dtype), printing, Sequential, and per-layer gradient norms.
#include <sstream>

#include "nn_test_util.h"

namespace nabla::testing {
namespace {

using ModulePtr = std::shared_ptr<nn::Module>;

std::vector<std::pair<std::string, Shape>> names_and_shapes(const nn::StateDict& sd) {
  std::vector<std::pair<std::string, Shape>> out;
  for (const auto& [k, v] : sd) out.emplace_back(k, v.shape());
  return out;
}

TEST(NnModule, SequentialStateDictNamesAndShapes) {
  auto net = seed002_mlp();
  std::vector<std::pair<std::string, Shape>> expected = {
      {"0.weight", {64, 2}},  {"0.bias", {64}}, {"2.weight", {64, 64}}, {"2.bias", {64}},
      {"4.weight", {64, 64}}, {"4.bias", {64}}, {"6.weight", {1, 64}},  {"6.bias", {1}}};
  EXPECT_EQ(names_and_shapes(net->state_dict()), expected);
  EXPECT_EQ(net->parameters().size(), 8u);
  EXPECT_EQ(net->size(), 7u);
  EXPECT_EQ(net->at<nn::Linear>(2)->options().in_features(), 64);
  EXPECT_THROW(net->at<nn::Linear>(1), ValueError);  // a ReLU
  EXPECT_THROW((*net)[7], ValueError);
}

TEST(NnModule, ResidualNetStateDictNamesAndShapes) {
  ResidualNet net;
  std::vector<std::pair<std::string, Shape>> expected = {
      {"fc1.weight", {64, 2}},  {"fc1.bias", {64}}, {"fc2.weight", {64, 64}}, {"fc2.bias", {64}},
      {"fc3.weight", {64, 64}}, {"fc3.bias", {64}}, {"out.weight", {1, 64}},  {"out.bias", {1}}};
  EXPECT_EQ(names_and_shapes(net.state_dict()), expected);
  // The skip really is in the graph: the gradient reaches fc1 through both paths.
  Tensor x = Tensor::from_vector({0.5, -1.0, 2.0, 0.25}, {2, 2}, DType::float32);
  net.forward(x).sum().backward();
  EXPECT_TRUE(net.fc1->weight.grad().defined());
  EXPECT_EQ(net.parameter("fc3.bias").shape(), Shape{64});
  EXPECT_TRUE(net.parameter("out.weight").same(net.out->weight));
  EXPECT_THROW(net.parameter("fc4.weight"), ValueError);
  EXPECT_THROW(net.parameter("fc1.gamma"), ValueError);
}

TEST(NnModule, BatchNormStateDictHasBuffersInTorchOrder) {
  auto net = std::make_shared<nn::Sequential>(std::vector<ModulePtr>{
      std::make_shared<nn::Linear>(3, 4), std::make_shared<nn::BatchNorm1d>(4), std::make_shared<nn::ReLU>()});
  std::vector<std::string> keys = {
      "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked"};
  EXPECT_EQ(net->state_dict().keys(), keys);
  auto params = net->named_parameters();
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[3].first, "1.bias");
  auto buffers = net->named_buffers();
  ASSERT_EQ(buffers.size(), 3u);
  EXPECT_EQ(buffers[2].first, "1.num_batches_tracked");
  EXPECT_EQ(buffers[2].second.dtype(), DType::int64);
}

TEST(NnModule, NamedModulesPreOrder) {
  auto inner = std::make_shared<nn::Sequential>(std::vector<ModulePtr>{std::make_shared<nn::Tanh>()});
  auto net = std::make_shared<nn::Sequential>(
      std::vector<std::pair<std::string, ModulePtr>>{{"encoder", inner}, {"head", std::make_shared<nn::Linear>(2, 2)}});
  std::vector<std::string> names;
  for (const auto& [name, m] : net->named_modules()) names.push_back(name + ":" + m->type_name());
  EXPECT_EQ(names, (std::vector<std::string>{":Sequential", "encoder:Sequential", "encoder.0:Tanh", "head:Linear"}));
  EXPECT_TRUE(net->submodule("encoder.0") == (*inner)[0]);
  EXPECT_THROW(net->submodule("decoder"), ValueError);
}

TEST(NnModule, SharedModuleIsListedOnce) {
  auto shared = std::make_shared<nn::Linear>(2, 2);
  auto net = std::make_shared<nn::Sequential>(std::vector<ModulePtr>{shared, std::make_shared<nn::Tanh>(), shared});
  EXPECT_EQ(net->parameters().size(), 2u);                  // as PyTorch: deduplicated
  EXPECT_EQ(net->state_dict().size(), 4u);                  // state_dict keeps both names
  EXPECT_EQ(net->named_parameters()[0].first, "0.weight");  // the first name wins
}

TEST(NnModule, LoadStateDictCopiesValuesAndKeepsIdentity) {
  manual_seed(1);
  auto a = seed002_mlp(DType::float64);
  manual_seed(2);
  auto b = seed002_mlp(DType::float64);
  Tensor w_before = b->parameter("0.weight");
  b->load_state_dict(a->state_dict());
  EXPECT_TRUE(b->parameter("0.weight").same(w_before));  // same tensor, new values
  for (const auto& [k, v] : a->state_dict()) expect_bitwise(b->state_dict().at(k), v, k);
  // The state_dict aliases the parameters: a snapshot needs clone().
  nn::StateDict alias = a->state_dict();
  nn::StateDict snapshot;
  for (const auto& [k, v] : alias) snapshot.emplace_back(k, v.clone());
  a->parameter("0.bias").detach().fill_(7.0);
  EXPECT_EQ(alias.at("0.bias").at({0}), 7.0);
  EXPECT_NE(snapshot.at("0.bias").at({0}), 7.0);
}

TEST(NnModule, LoadStateDictErrorsNameTheKeys) {
  auto net = seed002_mlp(DType::float64);
  nn::StateDict sd = net->state_dict();

  nn::StateDict missing(sd);
  missing.erase(missing.begin() + 1);  // 0.bias
  try {
    net->load_state_dict(missing);
    FAIL() << "expected an error";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("Missing key(s) in state_dict: \"0.bias\""), std::string::npos) << e.what();
  }

  nn::StateDict extra(sd);
  extra.emplace_back("7.weight", zeros({1}, DType::float64));
  try {
    net->load_state_dict(extra);
    FAIL() << "expected an error";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("Unexpected key(s) in state_dict: \"7.weight\""), std::string::npos)
        << e.what();
  }

  nn::StateDict wrong(sd);
  wrong[2].second = zeros({64, 32}, DType::float64);  // 2.weight
  try {
    net->load_state_dict(wrong);
    FAIL() << "expected an error";
  } catch (const ShapeError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("2.weight"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[64, 32]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[64, 64]"), std::string::npos) << msg;
  }

  // Non-strict: missing and unexpected keys are reported, matching ones loaded.
  nn::StateDict partial;
  partial.emplace_back("0.bias", full({64}, 3.0, DType::float64));
  partial.emplace_back("head.weight", zeros({1}, DType::float64));
  nn::LoadResult r = net->load_state_dict(partial, /*strict=*/false);
  EXPECT_EQ(r.unexpected_keys, std::vector<std::string>{"head.weight"});
  EXPECT_EQ(r.missing_keys.size(), 7u);
  EXPECT_EQ(net->parameter("0.bias").at({5}), 3.0);
  // A shape mismatch is an error even when not strict, and nothing is half-loaded.
  nn::StateDict bad;
  bad.emplace_back("0.bias", full({64}, 5.0, DType::float64));
  bad.emplace_back("2.bias", zeros({3}, DType::float64));
  EXPECT_THROW(net->load_state_dict(bad, false), ShapeError);
  EXPECT_EQ(net->parameter("0.bias").at({5}), 3.0);
}

TEST(NnModule, TrainEvalIsRecursive) {
  auto inner = std::make_shared<nn::Sequential>(std::vector<ModulePtr>{std::make_shared<nn::Dropout>(0.5)});
  auto net = std::make_shared<nn::Sequential>(std::vector<ModulePtr>{inner, std::make_shared<nn::BatchNorm1d>(2)});
  EXPECT_TRUE(net->is_training());
  net->eval();
  for (const auto& [name, m] : net->named_modules()) EXPECT_FALSE(m->is_training()) << name;
  Tensor x = Tensor::from_vector(std::vector<float>{1.0f, 2.0f, 3.0f, 4.0f}, {2, 2});
  // Eval: dropout is the identity and BatchNorm uses the initial running stats (0, 1).
  auto y = net->forward(x).to_vector<float>();
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(y[i], (i + 1) / std::sqrt(1 + 1e-5), 1e-6);
  net->train();
  for (const auto& [name, m] : net->named_modules()) EXPECT_TRUE(m->is_training()) << name;
}

TEST(NnModule, ZeroGradAndGradNorms) {
  auto net = seed002_mlp(DType::float64);
  Tensor x = Tensor::from_vector({0.1, 0.2, -0.3, 0.4, 1.0, -1.0}, {3, 2});
  nn::functional::mse_loss(net->forward(x), zeros({3, 1}, DType::float64)).backward();
  auto norms = nn::grad_norms(*net);
  ASSERT_EQ(norms.size(), 8u);
  EXPECT_EQ(norms[0].first, "0.weight");
  EXPECT_EQ(norms[7].first, "6.bias");
  double total_sq = 0;
  for (size_t i = 0; i < norms.size(); ++i) {
    double sq = 0;
    for (double g : net->named_parameters()[i].second.grad().to_vector<double>()) sq += g * g;
    EXPECT_DOUBLE_EQ(norms[i].second, std::sqrt(sq)) << norms[i].first;
    total_sq += sq;
  }
  EXPECT_GT(norms[7].second, 0.0);
  EXPECT_DOUBLE_EQ(nn::total_grad_norm(*net), std::sqrt(total_sq));
  net->zero_grad(/*set_to_none=*/false);
  for (const auto& p : net->parameters()) {
    ASSERT_TRUE(p.grad().defined());
    for (double g : p.grad().to_vector<double>()) EXPECT_EQ(g, 0.0);
  }
  net->zero_grad();
  for (const auto& p : net->parameters()) EXPECT_FALSE(p.grad().defined());
  EXPECT_EQ(nn::grad_norms(*net)[0].second, 0.0);  // no gradient yet: 0
}

TEST(NnModule, ToDtypeConvertsInPlace) {
  auto net = std::make_shared<nn::Sequential>(
      std::vector<ModulePtr>{std::make_shared<nn::Linear>(2, 3), std::make_shared<nn::BatchNorm1d>(3)});
  Tensor w = net->parameter("0.weight");
  std::vector<float> before = w.to_vector<float>();
  net->to(DType::float64);
  EXPECT_EQ(w.dtype(), DType::float64);  // the same handle sees the conversion
  EXPECT_TRUE(net->parameter("0.weight").same(w));
  std::vector<double> after = w.to_vector<double>();
  for (size_t i = 0; i < before.size(); ++i) EXPECT_EQ(after[i], double(before[i]));
  EXPECT_EQ(net->buffer("1.running_var").dtype(), DType::float64);
  EXPECT_EQ(net->buffer("1.num_batches_tracked").dtype(), DType::int64);  // integers stay
  Tensor y = net->forward(Tensor::from_vector({1.0, 2.0, 3.0, 4.0}, {2, 2}));
  EXPECT_EQ(y.dtype(), DType::float64);
  y.sum().backward();
  EXPECT_EQ(w.grad().dtype(), DType::float64);
  EXPECT_THROW(net->to(DType::int64), DTypeError);
}

TEST(NnModule, PrintsLikePyTorch) {
  auto net = std::make_shared<nn::Sequential>(std::vector<ModulePtr>{
      std::make_shared<nn::Linear>(nn::LinearOptions(2, 8).bias(false)), std::make_shared<nn::LeakyReLU>(0.2),
      std::make_shared<nn::Dropout>(0.1),
      std::make_shared<nn::Sequential>(std::vector<ModulePtr>{
          std::make_shared<nn::LayerNorm>(nn::LayerNormOptions({8})), std::make_shared<nn::Identity>()}),
      std::make_shared<nn::Flatten>(), std::make_shared<nn::Softmax>(-1)});
  const std::string expected =
      "Sequential(\n"
      "  (0): Linear(in_features=2, out_features=8, bias=False)\n"
      "  (1): LeakyReLU(negative_slope=0.2)\n"
      "  (2): Dropout(p=0.1, inplace=False)\n"
      "  (3): Sequential(\n"
      "    (0): LayerNorm((8,), eps=1e-05, elementwise_affine=True)\n"
      "    (1): Identity()\n"
      "  )\n"
      "  (4): Flatten(start_dim=1, end_dim=-1)\n"
      "  (5): Softmax(dim=-1)\n"
      ")";
  EXPECT_EQ(net->to_string(), expected);
  std::ostringstream out;
  out << *net;
  EXPECT_EQ(out.str(), expected);
  EXPECT_EQ(nn::MSELoss().to_string(), "MSELoss()");
  EXPECT_EQ(nn::Softplus().to_string(), "Softplus(beta=1, threshold=20)");
  EXPECT_EQ(nn::Sequential().to_string(), "Sequential()");
}

TEST(NnModule, PyFloatFormatting) {
  using nn::detail::py_float;
  EXPECT_EQ(py_float(0.1), "0.1");
  EXPECT_EQ(py_float(1.0), "1.0");
  EXPECT_EQ(py_float(1e-5), "1e-05");
  EXPECT_EQ(py_float(0.0001), "0.0001");
  EXPECT_EQ(py_float(123456.5), "123456.5");
  EXPECT_EQ(py_float(1e16), "1e+16");
  EXPECT_EQ(py_float(1.5e-7), "1.5e-07");
  EXPECT_EQ(py_float(-2.5), "-2.5");
  EXPECT_EQ(py_float(1e15), "1000000000000000.0");
}

TEST(NnModule, CustomModuleRegistration) {
  struct Custom : nn::Module {
    Custom() : Module("Custom") {
      scale = register_parameter("scale", full({3}, 2.0, DType::float64));
      register_buffer("offset", ones({3}, DType::float64));
      register_buffer("unused", Tensor());  // a reserved name without state: not in state_dict
    }
    Tensor forward(const Tensor& x) override { return x * scale + buffer("offset"); }
    Tensor scale;
  };
  Custom c;
  EXPECT_EQ(c.state_dict().keys(), (std::vector<std::string>{"scale", "offset"}));
  EXPECT_TRUE(c.scale.requires_grad());
  EXPECT_EQ(c.to_string(), "Custom()");
  EXPECT_EQ(c.forward(ones({3}, DType::float64)).to_vector<double>(), std::vector<double>(3, 3.0));
  struct Bad : nn::Module {
    Bad() : Module("Bad") { register_parameter("a.b", zeros({1})); }
  };
  EXPECT_THROW(Bad(), ValueError);
  struct Clash : nn::Module {
    Clash() : Module("Clash") {
      register_parameter("w", zeros({1}));
      register_buffer("w", zeros({1}));
    }
  };
  EXPECT_THROW(Clash(), ValueError);
  EXPECT_THROW(nn::Module().forward(zeros({1})), ValueError);
}

TEST(NnModule, OptionsAreValidatedAtConstruction) {
  EXPECT_THROW(nn::Linear(nn::LinearOptions(-1, 3)), ValueError);
  EXPECT_THROW(nn::Linear(nn::LinearOptions(2, 3).dtype(DType::int64)), DTypeError);
  EXPECT_THROW(nn::BatchNorm1d(0), ValueError);
  EXPECT_THROW(nn::BatchNorm1d(nn::BatchNormOptions(3).momentum(1.5)), ValueError);
  EXPECT_THROW(nn::GroupNorm(nn::GroupNormOptions(4, 6)), ValueError);
  EXPECT_THROW(nn::LayerNorm(nn::LayerNormOptions({})), ValueError);
  EXPECT_THROW(nn::GELU(nn::GELUOptions().approximate("sigmoid")), ValueError);
  EXPECT_THROW(nn::CrossEntropyLoss(nn::CrossEntropyLossOptions().label_smoothing(1.5)), ValueError);
}

TEST(NnModule, LayerShapeErrorsNameTheShapes) {
  nn::Linear fc(3, 2);
  try {
    fc.forward(zeros({4, 5}));
    FAIL();
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("[4, 5]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[2, 3]"), std::string::npos) << e.what();
  }
  nn::BatchNorm1d bn(3);
  EXPECT_THROW(bn.forward(zeros({4, 2})), ShapeError);
  EXPECT_THROW(bn.forward(zeros({4, 3, 2, 2})), ShapeError);
  EXPECT_THROW(bn.forward(zeros({1, 3})), ValueError);  // one value per channel while training
  nn::LayerNorm ln(nn::LayerNormOptions({4}));
  EXPECT_THROW(ln.forward(zeros({2, 5})), ShapeError);
  nn::GroupNorm gn(nn::GroupNormOptions(2, 4));
  EXPECT_THROW(gn.forward(zeros({2, 6})), ShapeError);
}

}  // namespace
}  // namespace nabla::testing
