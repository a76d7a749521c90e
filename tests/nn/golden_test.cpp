// Every layer, loss and small net against PyTorch: the torch state_dict is loaded by name (so the
// parameter names are checked too), then output, first derivatives w.r.t. inputs and parameters,
// second-order terms, buffers after the forward, and the printed form must match; and gradcheck /
// gradgradcheck through each module w.r.t. its inputs.
#include <functional>
#include <map>

#include "nn_test_util.h"

namespace nabla::testing {
namespace {

using ModulePtr = std::shared_ptr<nn::Module>;
using Factory = std::function<ModulePtr()>;
constexpr DType f64 = DType::float64;

template <class M, class... Args>
ModulePtr make(Args&&... args) {
  return std::make_shared<M>(std::forward<Args>(args)...);
}

// Placeholder weights: their values come from the golden state_dict.
Tensor placeholder(Shape s) { return ones(s, f64); }

const std::map<std::string, Factory>& nn_cases() {
  static const std::map<std::string, Factory> cases = [] {
    std::map<std::string, Factory> c;
    using nn::Reduction;
    c["linear"] = [] { return make<nn::Linear>(nn::LinearOptions(3, 4).dtype(f64)); };
    c["linear_nobias"] = [] { return make<nn::Linear>(nn::LinearOptions(3, 4).bias(false).dtype(f64)); };
    c["linear_3d"] = [] { return make<nn::Linear>(nn::LinearOptions(3, 2).dtype(f64)); };
    c["linear_1d"] = [] { return make<nn::Linear>(nn::LinearOptions(3, 2).dtype(f64)); };
    c["sigmoid"] = [] { return make<nn::Sigmoid>(); };
    c["tanh"] = [] { return make<nn::Tanh>(); };
    c["relu"] = [] { return make<nn::ReLU>(); };
    c["leaky_relu"] = [] { return make<nn::LeakyReLU>(0.2); };
    c["leaky_relu_default"] = [] { return make<nn::LeakyReLU>(); };
    c["elu"] = [] { return make<nn::ELU>(1.3); };
    c["selu"] = [] { return make<nn::SELU>(); };
    c["gelu"] = [] { return make<nn::GELU>(); };
    c["gelu_tanh"] = [] { return make<nn::GELU>(nn::GELUOptions().approximate("tanh")); };
    c["silu"] = [] { return make<nn::SiLU>(); };
    c["softplus"] = [] { return make<nn::Softplus>(); };
    c["softplus_beta"] = [] { return make<nn::Softplus>(nn::SoftplusOptions().beta(2.0).threshold(3.0)); };
    c["step"] = [] { return make<nn::Step>(); };
    c["softmax"] = [] { return make<nn::Softmax>(1); };
    c["softmax_dim0"] = [] { return make<nn::Softmax>(0); };
    c["log_softmax"] = [] { return make<nn::LogSoftmax>(1); };
    c["identity"] = [] { return make<nn::Identity>(); };
    c["flatten"] = [] { return make<nn::Flatten>(); };
    c["flatten_all"] = [] { return make<nn::Flatten>(nn::FlattenOptions().start_dim(0)); };
    c["dropout_eval"] = [] { return make<nn::Dropout>(0.4); };
    c["dropout_p0"] = [] { return make<nn::Dropout>(0.0); };
    auto bn = [](nn::BatchNormOptions o) {
      return [o] { return make<nn::BatchNorm1d>(nn::BatchNormOptions(o).dtype(f64)); };
    };
    c["batchnorm1d_2d"] = bn(3);
    c["batchnorm1d_3d"] = bn(nn::BatchNormOptions(3).momentum(0.3));
    c["batchnorm1d_eval"] = bn(3);
    c["batchnorm1d_eval_3d"] = bn(nn::BatchNormOptions(3).eps(1e-3));
    c["batchnorm1d_noaffine"] = bn(nn::BatchNormOptions(4).affine(false));
    c["batchnorm1d_cumulative"] = bn(nn::BatchNormOptions(3).momentum(std::nullopt));
    c["batchnorm1d_untracked"] = bn(nn::BatchNormOptions(3).track_running_stats(false));
    c["batchnorm1d_untracked_eval"] = bn(nn::BatchNormOptions(3).track_running_stats(false));
    c["layernorm"] = [] { return make<nn::LayerNorm>(nn::LayerNormOptions({5}).dtype(f64)); };
    c["layernorm_2d_shape"] = [] { return make<nn::LayerNorm>(nn::LayerNormOptions({3, 4}).eps(1e-3).dtype(f64)); };
    c["layernorm_noaffine"] = [] {
      return make<nn::LayerNorm>(nn::LayerNormOptions({5}).elementwise_affine(false).dtype(f64));
    };
    c["groupnorm"] = [] { return make<nn::GroupNorm>(nn::GroupNormOptions(2, 6).dtype(f64)); };
    c["groupnorm_3d"] = [] { return make<nn::GroupNorm>(nn::GroupNormOptions(3, 6).eps(1e-3).dtype(f64)); };
    c["groupnorm_noaffine"] = [] { return make<nn::GroupNorm>(nn::GroupNormOptions(1, 4).affine(false).dtype(f64)); };
    c["sequential_mlp"] = [] {
      return make<nn::Sequential>(std::vector<ModulePtr>{make<nn::Linear>(nn::LinearOptions(2, 3).dtype(f64)),
                                                         make<nn::Tanh>(),
                                                         make<nn::Linear>(nn::LinearOptions(3, 1).dtype(f64))});
    };
    c["sequential_mixed"] = [] {
      // Built in float32 and converted with to(): exercises Module::to on a mixed tree.
      auto net = std::make_shared<nn::Sequential>(std::vector<ModulePtr>{
          make<nn::Linear>(3, 6), make<nn::BatchNorm1d>(6), make<nn::GELU>(), make<nn::Dropout>(0.5),
          make<nn::Linear>(6, 6), make<nn::LayerNorm>(nn::LayerNormOptions({6})), make<nn::SiLU>(),
          make<nn::Linear>(6, 2), make<nn::LogSoftmax>(1)});
      net->to(f64);
      return net;
    };
    c["residual_net"] = [] { return make<ResidualNet>(f64); };

    for (auto [suffix, red] :
         {std::pair{"mean", Reduction::mean}, {"sum", Reduction::sum}, {"none", Reduction::none}}) {
      const std::string s = suffix;
      c["mse_" + s] = [red] { return make<nn::MSELoss>(red); };
      c["half_mse_" + s] = [red] { return make<nn::HalfMSELoss>(red); };
      c["l1_" + s] = [red] { return make<nn::L1Loss>(red); };
      c["bce_" + s] = [red] { return make<nn::BCELoss>(red); };
      c["bce_logits_" + s] = [red] { return make<nn::BCEWithLogitsLoss>(red); };
      c["cross_entropy_" + s] = [red] { return make<nn::CrossEntropyLoss>(red); };
      c["cross_entropy_smooth_" + s] = [red] {
        return make<nn::CrossEntropyLoss>(nn::CrossEntropyLossOptions(red).label_smoothing(0.1));
      };
      c["cross_entropy_weight_" + s] = [red] {
        return make<nn::CrossEntropyLoss>(nn::CrossEntropyLossOptions(red).weight(placeholder({4})));
      };
      c["cross_entropy_ignore_smooth_" + s] = [red] {
        return make<nn::CrossEntropyLoss>(nn::CrossEntropyLossOptions(red).label_smoothing(0.2));
      };
      c["cross_entropy_weight_ignore_smooth_" + s] = [red] {
        return make<nn::CrossEntropyLoss>(
            nn::CrossEntropyLossOptions(red).weight(placeholder({4})).label_smoothing(0.3).ignore_index(7));
      };
      c["nll_" + s] = [red] { return make<nn::NLLLoss>(red); };
      c["nll_weight_ignore_" + s] = [red] {
        return make<nn::NLLLoss>(nn::NLLLossOptions(red).weight(placeholder({4})).ignore_index(-100));
      };
    }
    c["bce_soft_targets"] = [] { return make<nn::BCELoss>(); };
    c["bce_weight"] = [] { return make<nn::BCELoss>(nn::BCELossOptions().weight(placeholder({4}))); };
    c["bce_logits_soft_targets"] = [] { return make<nn::BCEWithLogitsLoss>(); };
    c["bce_logits_large"] = [] { return make<nn::BCEWithLogitsLoss>(Reduction::none); };
    c["bce_logits_pos_weight"] = [] {
      return make<nn::BCEWithLogitsLoss>(nn::BCEWithLogitsLossOptions().pos_weight(placeholder({4})));
    };
    c["bce_logits_weight_pos_weight"] = [] {
      return make<nn::BCEWithLogitsLoss>(
          nn::BCEWithLogitsLossOptions(Reduction::sum).weight(placeholder({3, 1})).pos_weight(placeholder({4})));
    };
    c["cross_entropy_ignore"] = [] { return make<nn::CrossEntropyLoss>(); };
    c["cross_entropy_3d"] = [] {
      return make<nn::CrossEntropyLoss>(nn::CrossEntropyLossOptions().label_smoothing(0.1));
    };
    c["cross_entropy_unbatched"] = [] { return make<nn::CrossEntropyLoss>(); };
    c["cross_entropy_probs"] = [] { return make<nn::CrossEntropyLoss>(); };
    c["cross_entropy_probs_smooth_weight"] = [] {
      return make<nn::CrossEntropyLoss>(
          nn::CrossEntropyLossOptions(Reduction::sum).weight(placeholder({4})).label_smoothing(0.2));
    };
    c["nll_3d"] = [] { return make<nn::NLLLoss>(); };
    return c;
  }();
  return cases;
}

Tensor run(nn::Module& m, const std::vector<Tensor>& xs) {
  if (auto* loss = dynamic_cast<nn::Loss*>(&m)) return (*loss)(xs.at(0), xs.at(1));
  return m.forward(xs.at(0));
}

Tensor weighting(const Tensor& t, double lo, double hi) {
  return linspace(lo, hi, t.numel(), DType::float64).reshape(t.shape());
}

struct Prepared {
  ModulePtr module;
  std::vector<Tensor> inputs;  // fresh leaves; the floating ones marked in the golden file require grad
  std::vector<Tensor> wrt;     // inputs requiring grad, then the parameters
};

Prepared prepare(const json& c) {
  Prepared p;
  p.module = nn_cases().at(c["name"].get<std::string>())();
  p.module->load_state_dict(decode_state(c["state"]));  // strict: every PyTorch name must exist here
  p.module->train(c["train"].get<bool>());
  for (const auto& in : c["inputs"]) {
    Tensor t = decode(in);
    if (in["requires_grad"].get<bool>()) {
      t.requires_grad_();
      p.wrt.push_back(t);
    }
    p.inputs.push_back(t);
  }
  for (const auto& [name, t] : p.module->named_parameters()) p.wrt.push_back(t);
  return p;
}

class NnGolden : public ::testing::TestWithParam<size_t> {
 protected:
  const json& golden_case() const { return nn_section("cases")[GetParam()]; }
};

TEST_P(NnGolden, MatchesPyTorch) {
  const json& c = golden_case();
  const std::string name = c["name"];
  ASSERT_TRUE(nn_cases().count(name)) << "no C++ module for the golden case " << name;
  Prepared p = prepare(c);
  EXPECT_EQ(p.module->to_string(), c["repr"].get<std::string>());

  // Parameter names, in PyTorch's order.
  const auto named = p.module->named_parameters();
  ASSERT_EQ(named.size(), c["param_grads"].size());
  for (size_t i = 0; i < named.size(); ++i) EXPECT_EQ(named[i].first, c["param_grads"][i][0].get<std::string>());

  Tensor y = run(*p.module, p.inputs);
  expect_close(y, decode(c["output"]), name + " output");

  const size_t n_in = c["input_grads"].size();
  std::vector<Tensor> g(p.wrt.size());
  if (y.requires_grad())
    g = grad({sum(y * weighting(y, 0.5, 1.5))}, p.wrt, {.create_graph = true, .allow_unused = true});
  Tensor s = zeros({}, DType::float64);
  for (size_t i = 0; i < p.wrt.size(); ++i) {
    if (!g[i].defined()) g[i] = zeros_like(p.wrt[i]);
    const json& expected = i < n_in ? c["input_grads"][i] : c["param_grads"][i - n_in][1];
    const std::string what = i < n_in ? "input " + std::to_string(i) : named[i - n_in].first;
    expect_close(g[i], decode(expected), name + " grad of " + what);
    s = s + sum(g[i] * weighting(g[i], -1.0, 1.0));
  }
  std::vector<Tensor> gg =
      s.requires_grad() ? grad({s}, p.wrt, {.allow_unused = true}) : std::vector<Tensor>(p.wrt.size());
  // NOTE: PyTorch's second derivative of binary_cross_entropy (binary_cross_entropy_double_backward)
  // adds 1e-12 to p and to 1 - p, which moves it by ~2e-12/p relative (4e-11 at p = 0.05); nabla's,
  // composed from log, is the exact (1-y)/(1-p)² + y/p². Hence the looser tolerance there.
  const bool bce = name.rfind("bce_", 0) == 0 && name.rfind("bce_logits", 0) != 0;
  for (size_t i = 0; i < p.wrt.size(); ++i) {
    const json& expected = i < n_in ? c["input_grad2"][i] : c["param_grad2"][i - n_in][1];
    const std::string what = i < n_in ? "input " + std::to_string(i) : named[i - n_in].first;
    expect_close(gg[i].defined() ? gg[i] : zeros_like(p.wrt[i]), decode(expected), name + " grad2 of " + what,
                 bce ? 1e-9 : 1e-12);
  }

  // Buffers after the forward (BatchNorm's running statistics, num_batches_tracked).
  for (const auto& [key, value] : decode_state(c["state_after"])) {
    nn::StateDict now = p.module->state_dict();
    ASSERT_TRUE(now.contains(key)) << key;
    if (value.dtype() == DType::int64)
      EXPECT_EQ(now.at(key).to_vector<int64_t>(), value.to_vector<int64_t>()) << name << " " << key;
    else
      expect_close(now.at(key), value, name + " state after forward: " + key);
  }
}

TEST_P(NnGolden, GradcheckFirstAndSecondOrder) {
  const json& c = golden_case();
  Prepared p = prepare(c);
  ModulePtr m = p.module;
  // Inputs that do not require grad (class indices, fixed targets) stay as they are.
  std::vector<bool> differentiable;
  for (const auto& in : c["inputs"]) differentiable.push_back(in["requires_grad"].get<bool>());
  DifferentiableFn fn = [m, fixed = p.inputs, differentiable](const std::vector<Tensor>& in) {
    std::vector<Tensor> xs = fixed;
    size_t k = 0;
    for (size_t i = 0; i < xs.size(); ++i)
      if (differentiable[i]) xs[i] = in[k++];
    return run(*m, xs);
  };
  std::vector<Tensor> leaves;
  for (size_t i = 0; i < p.inputs.size(); ++i)
    if (differentiable[i]) leaves.push_back(p.inputs[i]);
  ASSERT_FALSE(leaves.empty());
  GradcheckResult first = gradcheck(fn, leaves);
  EXPECT_TRUE(first.ok) << c["name"] << ": " << first.message;
  GradcheckResult second = gradgradcheck(fn, leaves);
  EXPECT_TRUE(second.ok) << c["name"] << " (second order): " << second.message;
}

INSTANTIATE_TEST_SUITE_P(AllModules, NnGolden, ::testing::Range<size_t>(0, nn_section("cases").size()),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           return nn_section("cases")[info.param]["name"].get<std::string>();
                         });

TEST(NnGoldenFile, LoadsAndCoversEveryCase) {
  ASSERT_FALSE(nn_section("cases").empty()) << "tests/golden/nn_golden.json is missing or empty";
  std::set<std::string> golden;
  for (const auto& c : nn_section("cases")) golden.insert(c["name"].get<std::string>());
  for (const auto& [name, f] : nn_cases()) EXPECT_TRUE(golden.count(name)) << name << " has no PyTorch golden values";
}

}  // namespace
}  // namespace nabla::testing
