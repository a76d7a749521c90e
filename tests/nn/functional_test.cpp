// nn::functional: gradcheck / gradgradcheck with the parameters (weights, biases, class weights)
// among the checked inputs — the golden test checks the modules w.r.t. their inputs — and the
// losses' argument errors and conventions.
#include "nn_test_util.h"

namespace nabla::testing {
namespace {

namespace F = nabla::nn::functional;
using V = const std::vector<Tensor>&;

Tensor values(Shape s, double lo, double hi, uint64_t seed) {
  Generator g(seed);
  return (rand(s, DType::float64, &g) * (hi - lo) + lo).detach();
}

void check_both_orders(const DifferentiableFn& fn, std::vector<Tensor> inputs, const std::string& what) {
  for (Tensor& t : inputs)
    if (is_floating(t.dtype())) t.requires_grad_();
  GradcheckResult first = gradcheck(fn, inputs);
  EXPECT_TRUE(first.ok) << what << ": " << first.message;
  GradcheckResult second = gradgradcheck(fn, inputs);
  EXPECT_TRUE(second.ok) << what << " (second order): " << second.message;
}

TEST(NnFunctionalGradcheck, LinearWithWeightAndBias) {
  check_both_orders([](V in) { return F::linear(in[0], in[1], in[2]); },
                    {values({4, 3}, -1, 1, 1), values({2, 3}, -1, 1, 2), values({2}, -1, 1, 3)}, "linear");
  check_both_orders([](V in) { return F::linear(in[0], in[1]); },
                    {values({2, 4, 3}, -1, 1, 4), values({2, 3}, -1, 1, 5)}, "linear 3-D, no bias");
}

TEST(NnFunctionalGradcheck, BatchNormTrainingAndEval) {
  Tensor rm = values({3}, -0.5, 0.5, 6), rv = values({3}, 0.5, 1.5, 7);
  check_both_orders(
      [rm, rv](V in) { return F::batch_norm(in[0], rm.clone(), rv.clone(), in[1], in[2], true, 0.1, 1e-5); },
      {values({5, 3}, -2, 2, 8), values({3}, 0.5, 1.5, 9), values({3}, -1, 1, 10)}, "batch_norm training (N, C)");
  check_both_orders([](V in) { return F::batch_norm(in[0], Tensor(), Tensor(), in[1], in[2], true); },
                    {values({2, 3, 4}, -2, 2, 11), values({3}, 0.5, 1.5, 12), values({3}, -1, 1, 13)},
                    "batch_norm training (N, C, L), untracked");
  check_both_orders([rm, rv](V in) { return F::batch_norm(in[0], rm, rv, in[1], in[2], false); },
                    {values({4, 3}, -2, 2, 14), values({3}, 0.5, 1.5, 15), values({3}, -1, 1, 16)}, "batch_norm eval");
}

TEST(NnFunctionalGradcheck, LayerNormAndGroupNorm) {
  check_both_orders([](V in) { return F::layer_norm(in[0], {4}, in[1], in[2]); },
                    {values({3, 4}, -2, 2, 17), values({4}, 0.5, 1.5, 18), values({4}, -1, 1, 19)}, "layer_norm");
  check_both_orders(
      [](V in) {
        return F::layer_norm(in[0], {2, 3}, in[1], in[2], 1e-3);
      },
      {values({2, 2, 3}, -2, 2, 20), values({2, 3}, 0.5, 1.5, 21), values({2, 3}, -1, 1, 22)},
      "layer_norm over two dims");
  check_both_orders([](V in) { return F::group_norm(in[0], 2, in[1], in[2]); },
                    {values({2, 4, 3}, -2, 2, 23), values({4}, 0.5, 1.5, 24), values({4}, -1, 1, 25)}, "group_norm");
}

TEST(NnFunctionalGradcheck, LossesWithRespectToInputTargetAndWeights) {
  Tensor x = values({3, 4}, -2, 2, 26), y = values({3, 4}, -2, 2, 27);
  check_both_orders([](V in) { return F::mse_loss(in[0], in[1]); }, {x, y}, "mse_loss");
  check_both_orders([](V in) { return F::half_mse_loss(in[0], in[1], nn::Reduction::sum); }, {x, y}, "half_mse_loss");
  check_both_orders([](V in) { return F::l1_loss(in[0], in[1], nn::Reduction::none); }, {x, y}, "l1_loss");
  Tensor p = values({3, 4}, 0.1, 0.9, 28), t = values({3, 4}, 0, 1, 29);
  check_both_orders([](V in) { return F::binary_cross_entropy(in[0], in[1], nn::BCELossOptions().weight(in[2])); },
                    {p, t, values({4}, 0.5, 2, 30)}, "binary_cross_entropy");
  check_both_orders(
      [](V in) {
        return F::binary_cross_entropy_with_logits(in[0], in[1], nn::BCEWithLogitsLossOptions().pos_weight(in[2]));
      },
      {x, t, values({4}, 0.5, 3, 31)}, "binary_cross_entropy_with_logits");
  // Without weights the loss is one fused op (its own backward kernel when no graph is built).
  check_both_orders([](V in) { return F::binary_cross_entropy_with_logits(in[0], in[1]); }, {x, t},
                    "binary_cross_entropy_with_logits, fused");
  check_both_orders([](V in) { return F::binary_cross_entropy_with_logits(in[0], in[1], nn::Reduction::sum); }, {x, t},
                    "binary_cross_entropy_with_logits, fused, sum");
  Tensor labels = Tensor::from_vector(std::vector<int64_t>{0, 3, -100}, {3});
  check_both_orders(
      [labels](V in) {
        return F::cross_entropy(in[0], labels, nn::CrossEntropyLossOptions().weight(in[1]).label_smoothing(0.2));
      },
      {x, values({4}, 0.5, 2, 32)}, "cross_entropy with class weights");
  check_both_orders([](V in) { return F::cross_entropy(in[0], in[1]); }, {x, softmax(y, 1).detach()},
                    "cross_entropy on probabilities");
  check_both_orders([labels](V in) { return F::nll_loss(in[0], labels, nn::NLLLossOptions(nn::Reduction::sum)); }, {x},
                    "nll_loss");
}

void expect_message(const std::function<void()>& f, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "expected an error containing " << parts[0];
  } catch (const Error& e) {
    for (const auto& part : parts) EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(NnLoss, ShapeErrorsNameTheLossAndBothShapes) {
  Tensor a = zeros({3, 4}, DType::float64), b = zeros({3, 1}, DType::float64);
  expect_message([&] { F::mse_loss(a, b); }, {"mse_loss", "[3, 4]", "[3, 1]"});
  expect_message([&] { F::half_mse_loss(a, b); }, {"half_mse_loss", "[3, 4]", "[3, 1]"});
  expect_message([&] { F::l1_loss(a, b); }, {"l1_loss", "[3, 4]", "[3, 1]"});
  expect_message([&] { F::binary_cross_entropy(a, b); }, {"binary_cross_entropy", "[3, 4]", "[3, 1]"});
  expect_message([&] { F::binary_cross_entropy_with_logits(a, b); },
                 {"binary_cross_entropy_with_logits", "[3, 4]", "[3, 1]"});
  Tensor labels = Tensor::from_vector(std::vector<int64_t>{0, 1}, {2});
  expect_message([&] { F::cross_entropy(a, labels); }, {"nll_loss", "[3, 4]", "[3]", "[2]"});
  expect_message([&] { F::cross_entropy(a, b); }, {"cross_entropy", "[3, 4]", "[3, 1]"});
  EXPECT_THROW(nn::MSELoss()(a, b), ShapeError);
}

TEST(NnLoss, ValueErrors) {
  Tensor p = Tensor::from_vector({0.5, 1.5}, {2});
  expect_message([&] { F::binary_cross_entropy(p, zeros({2}, DType::float64)); }, {"between 0 and 1", "1.5"});
  Tensor logits = zeros({2, 3}, DType::float64);
  expect_message(
      [&] {
        F::cross_entropy(logits, Tensor::from_vector(std::vector<int64_t>{0, 3}, {2}));
      },
      {"target 3", "out of bounds", "3 classes"});
  expect_message([&] { F::nll_loss(logits, zeros({2}, DType::float64)); }, {"nll_loss", "int64"});
  expect_message(
      [&] {
        F::cross_entropy(logits, Tensor::from_vector(std::vector<int64_t>{0, 1}, {2}),
                         nn::CrossEntropyLossOptions().weight(ones({2}, DType::float64)));
      },
      {"weight", "[2]", "[3]"});
}

TEST(NnLoss, HalfMSEConventions) {
  Tensor y = Tensor::from_vector({1.0, 2.0, 4.0}, {3}), t = Tensor::from_vector({0.0, 0.0, 0.0}, {3});
  EXPECT_DOUBLE_EQ(F::half_mse_loss(y, t, nn::Reduction::sum).item(), 0.5 * 21);  // ½Σ
  EXPECT_DOUBLE_EQ(F::half_mse_loss(y, t).item(), 0.5 * 7);                       // ½·mean
  EXPECT_DOUBLE_EQ(F::mse_loss(y, t).item(), 7);
  EXPECT_EQ(F::half_mse_loss(y, t, nn::Reduction::none).to_vector<double>(), (std::vector<double>{0.5, 2.0, 8.0}));
}

TEST(NnLoss, ProbabilityExtremesAndIgnoredEverything) {
  // log clamped at -100: p = 0 with target 1 costs exactly 100, as PyTorch.
  Tensor p = Tensor::from_vector({0.0, 1.0}, {2}), t = Tensor::from_vector({1.0, 0.0}, {2});
  EXPECT_EQ(F::binary_cross_entropy(p, t, nn::Reduction::none).to_vector<double>(),
            (std::vector<double>{100.0, 100.0}));
  // Where a sigmoid saturates (p exactly 0 or 1) the gradient is PyTorch's finite
  // (p - y)/max(p(1 - p), 1e-12f), not the composed formula's 0·∞ = NaN (values from torch 1.13).
  Tensor q = Tensor::from_vector({0.0, 1.0, 1.0, 0.0, 0.25}, {5}).requires_grad_(true);
  Tensor y = Tensor::from_vector({0.0, 1.0, 0.0, 1.0, 1.0}, {5});
  F::binary_cross_entropy(q, y, nn::Reduction::sum).backward();
  const std::vector<double> g = q.grad().to_vector<double>();
  EXPECT_EQ(g[0], 0.0);
  EXPECT_EQ(g[1], 0.0);
  EXPECT_NEAR(g[2], 1000000003995.8029, 1.0);
  EXPECT_NEAR(g[3], -1000000003995.8029, 1.0);
  EXPECT_DOUBLE_EQ(g[4], -4.0);
  // Huge logits stay finite.
  Tensor z = Tensor::from_vector({-1000.0, 1000.0}, {2});
  EXPECT_EQ(F::binary_cross_entropy_with_logits(z, t, nn::Reduction::none).to_vector<double>(),
            (std::vector<double>{1000.0, 1000.0}));
  // Every target ignored: the mean is 0/0 = NaN, as PyTorch 1.13.
  Tensor logits = zeros({2, 3}, DType::float64);
  Tensor ignored = Tensor::from_vector(std::vector<int64_t>{-100, -100}, {2});
  EXPECT_TRUE(std::isnan(F::cross_entropy(logits, ignored).item()));
  EXPECT_EQ(F::cross_entropy(logits, ignored, nn::Reduction::sum).item(), 0.0);
}

// The fused kernels (linear's GEMM with the bias added as it stores, relu's backward, the
// unweighted BCE-with-logits and its backward) compute exactly what the ops they replace
// compute, bit for bit, in float32 and float64, and so do their gradients.
TEST(NnFused, SameBitsAsTheComposedOps) {
  for (DType dtype : {DType::float32, DType::float64}) {
    Generator g(7);
    for (auto [rows, in, out] :
         std::vector<std::array<int64_t, 3>>{{32, 2, 16}, {32, 16, 1}, {5, 7, 9}, {64, 64, 64}, {3, 0, 4}}) {
      Tensor x = randn({rows, in}, dtype, &g).requires_grad_(), w = randn({out, in}, dtype, &g).requires_grad_(),
             b = randn({out}, dtype, &g).requires_grad_();
      Tensor fused = relu(F::linear(x, w, b));
      Tensor composed = relu(matmul(x, w.t()) + b);
      ASSERT_EQ(fused.shape(), composed.shape());
      EXPECT_TRUE(same_bits(fused, composed)) << dtype_name(dtype) << " linear " << rows << "x" << in << "x" << out;
      Tensor weights = randn(fused.shape(), dtype, &g);
      std::vector<Tensor> gf = grad({sum(fused * weights)}, {x, w, b});
      std::vector<Tensor> gc = grad({sum(composed * weights)}, {x, w, b});
      for (size_t i = 0; i < gf.size(); ++i)
        EXPECT_TRUE(same_bits(gf[i], gc[i])) << dtype_name(dtype) << " gradient " << i;
    }
    // BCE with logits, fused vs. the formula it replaces; logits over a wide range.
    Tensor z = (randn({40, 1}, dtype, &g) * 30.0).detach().requires_grad_();
    Tensor y = rand({40, 1}, dtype, &g).detach();
    Tensor fused = F::binary_cross_entropy_with_logits(z, y, nn::Reduction::none);
    Tensor m = clamp_min(-z, 0.0).detach();
    Tensor composed = (1.0 - y) * z + (log(exp(-m) + exp(-z - m)) + m);
    EXPECT_TRUE(same_bits(fused, composed)) << dtype_name(dtype) << " bce";
    Tensor dz = grad({F::binary_cross_entropy_with_logits(z, y)}, {z})[0];
    EXPECT_TRUE(same_bits(dz, ((sigmoid(z) - y) * (1.0 / 40)).detach())) << dtype_name(dtype) << " bce gradient";
  }
}

TEST(NnLoss, ModulesHoldWeightsAsBuffers) {
  nn::CrossEntropyLoss ce(nn::CrossEntropyLossOptions().weight(ones({3})));
  EXPECT_EQ(ce.state_dict().keys(), std::vector<std::string>{"weight"});
  ce.to(DType::float64);
  EXPECT_EQ(ce.options().weight().dtype(), DType::float64);  // followed the conversion
  Tensor loss = ce(zeros({2, 3}, DType::float64), Tensor::from_vector(std::vector<int64_t>{0, 2}, {2}));
  EXPECT_NEAR(loss.item(), std::log(3.0), 1e-15);
  nn::BCEWithLogitsLoss bce(nn::BCEWithLogitsLossOptions().pos_weight(ones({3})));
  EXPECT_EQ(bce.state_dict().keys(), std::vector<std::string>{"pos_weight"});
}

}  // namespace
}  // namespace nabla::testing
