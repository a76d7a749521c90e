// Optimizer behaviour beyond the PyTorch goldens: checkpoint/resume, allocation, option checks,
// parameter groups, zero_grad, penalties.
#include <gtest/gtest.h>

#include <cstring>

#include "nabla/io/safetensors.h"
#include "optim_cases.h"

namespace nabla::testing {
namespace {

using namespace nabla::optim;

// Saves through the formats a checkpoint uses (safetensors bytes + JSON text) and reads back, so
// that the round trip also proves the state survives them.
OptimizerState through_checkpoint(const OptimizerState& s) {
  NamedTensors named(s.tensors.begin(), s.tensors.end());
  const std::string bytes = serialize_safetensors(named, {{"optimizer", s.scalars}});
  SafetensorsFile f = parse_safetensors(bytes);
  OptimizerState out;
  for (auto& [name, t] : f.tensors) out.tensors.emplace(name, t);
  out.scalars = f.metadata.at("optimizer");
  return out;
}

bool bit_equal(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// ---- state_dict: 10 steps, save, new optimizer, load, 10 steps == 20 steps ----

class OptimStateDict : public ::testing::TestWithParam<std::string> {};

TEST_P(OptimStateDict, ResumeIsBitIdentical) {
  const std::string name = GetParam();
  for (DType dtype : {DType::float64, DType::float32}) {
    LossConsts K = loss_consts(dtype);
    std::vector<Tensor> straight = golden_params(dtype);
    OptimSetup a = optim_cases().at(name)(straight);
    for (int t = 0; t < 20; ++t) golden_step(*a.opt, a.sched.get(), straight, K, t);

    std::vector<Tensor> first = golden_params(dtype);
    OptimSetup b = optim_cases().at(name)(first);
    for (int t = 0; t < 10; ++t) golden_step(*b.opt, b.sched.get(), first, K, t);
    OptimizerState saved = through_checkpoint(b.opt->state_dict());
    const nlohmann::json saved_sched = b.sched ? nlohmann::json::parse(b.sched->state_dict().dump()) : nlohmann::json();

    // A fresh process would rebuild the model from its checkpoint and the optimizer from scratch.
    std::vector<Tensor> resumed;
    for (const Tensor& p : first) resumed.push_back(p.detach().clone().requires_grad_());
    OptimSetup c = optim_cases().at(name)(resumed);
    c.opt->load_state_dict(saved);
    if (c.sched) c.sched->load_state_dict(saved_sched);
    for (int t = 10; t < 20; ++t) golden_step(*c.opt, c.sched.get(), resumed, K, t);

    EXPECT_TRUE(bit_equal(flat_values(resumed), flat_values(straight))) << name << " " << dtype_name(dtype);
    OptimizerState sa = a.opt->state_dict(), sc = c.opt->state_dict();
    EXPECT_EQ(sa.scalars, sc.scalars) << name;
    ASSERT_EQ(sa.tensors.size(), sc.tensors.size()) << name;
    for (const auto& [key, t] : sa.tensors)
      EXPECT_TRUE(bit_equal(t.to_vector<double>(), sc.tensors.at(key).to_vector<double>())) << name << " " << key;
    if (a.sched) EXPECT_EQ(a.sched->get_last_lr(), c.sched->get_last_lr());
  }
}

INSTANTIATE_TEST_SUITE_P(Optim, OptimStateDict,
                         ::testing::Values("sgd_momentum_dampening_wd", "sgd_nesterov_wd", "sgd_two_groups",
                                           "sgd_steplr", "adam_wd_amsgrad", "adam_two_groups", "adam_cosine",
                                           "adamw_amsgrad", "rmsprop_centered_momentum_wd", "rmsprop_default",
                                           "adagrad_decay_wd_init"));

TEST(OptimStateDict, LayoutFollowsPyTorch) {
  std::vector<Tensor> p = golden_params(DType::float64);
  LossConsts K = loss_consts(DType::float64);
  Adam opt(p, AdamOptions(0.01).amsgrad(true));
  for (int t = 0; t < 3; ++t) golden_step(opt, nullptr, p, K, t);  // b skipped at t = 2
  OptimizerState s = opt.state_dict();
  const nlohmann::json scalars = nlohmann::json::parse(s.scalars);
  EXPECT_EQ(scalars["optimizer"], "Adam");
  EXPECT_EQ(scalars["param_groups"][0]["params"], nlohmann::json({0, 1, 2}));
  EXPECT_EQ(scalars["param_groups"][0]["lr"], 0.01);
  EXPECT_EQ(scalars["param_groups"][0]["betas"], nlohmann::json({0.9, 0.999}));
  EXPECT_EQ(scalars["state"]["0"]["step"], 3);
  EXPECT_EQ(scalars["state"]["1"]["step"], 2);
  EXPECT_FALSE(scalars["state"].contains("2")) << "z never had a gradient";
  for (const char* key : {"state.0.exp_avg", "state.0.exp_avg_sq", "state.0.max_exp_avg_sq", "state.1.exp_avg"})
    EXPECT_TRUE(s.tensors.count(key)) << key;
  EXPECT_EQ(s.tensors.size(), 6u);
  // A copy: stepping on does not change what was saved.
  const auto before = s.tensors.at("state.0.exp_avg").to_vector<double>();
  golden_step(opt, nullptr, p, K, 3);
  EXPECT_EQ(s.tensors.at("state.0.exp_avg").to_vector<double>(), before);
}

TEST(OptimStateDict, LoadRejectsMismatchesAndLeavesTheOptimizerAlone) {
  std::vector<Tensor> p = golden_params(DType::float64);
  LossConsts K = loss_consts(DType::float64);
  Adam adam(p, AdamOptions(0.01));
  golden_step(adam, nullptr, p, K, 0);
  OptimizerState good = adam.state_dict();

  SGD sgd(p, SGDOptions(0.1).momentum(0.9));
  EXPECT_THROW(sgd.load_state_dict(good), ValueError);  // another optimizer type

  Adam two_groups(std::vector<ParamGroup>{ParamGroup({p[0]}), ParamGroup({p[1], p[2]})});
  EXPECT_THROW(two_groups.load_state_dict(good), ValueError);

  OptimizerState bad_shape = good;
  bad_shape.tensors["state.0.exp_avg"] = zeros({2}, DType::float64);
  Adam fresh(p, AdamOptions(0.5));
  try {
    fresh.load_state_dict(bad_shape);
    ADD_FAILURE() << "no error";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("state.0.exp_avg"), std::string::npos) << e.what();
  }
  EXPECT_EQ(fresh.lr(0), 0.5) << "a failed load must not change the options";

  OptimizerState unknown = good;
  unknown.tensors["state.0.momentum_buffer"] = zeros({3, 4}, DType::float64);
  EXPECT_THROW(fresh.load_state_dict(unknown), ValueError);
  OptimizerState out_of_range = good;
  out_of_range.tensors["state.7.exp_avg"] = zeros({3, 4}, DType::float64);
  EXPECT_THROW(fresh.load_state_dict(out_of_range), ValueError);

  OptimizerState bad_option = good;
  nlohmann::json bad_scalars = nlohmann::json::parse(bad_option.scalars);
  bad_scalars["param_groups"][0]["betas"] = {1.5, 0.9};
  bad_option.scalars = bad_scalars.dump();
  EXPECT_THROW(fresh.load_state_dict(bad_option), ValueError);

  fresh.load_state_dict(good);
  EXPECT_EQ(fresh.lr(0), 0.01);
}

// PyTorch converts floating state to the parameter's dtype on load; so does nabla.
TEST(OptimStateDict, LoadConvertsStateToTheParameterDtype) {
  std::vector<Tensor> p64 = golden_params(DType::float64);
  std::vector<Tensor> p32 = golden_params(DType::float32);
  LossConsts K = loss_consts(DType::float64);
  Adam a(p64, AdamOptions(0.01));
  golden_step(a, nullptr, p64, K, 0);
  Adam b(p32, AdamOptions(0.01));
  b.load_state_dict(a.state_dict());
  OptimizerState s = b.state_dict();
  EXPECT_EQ(s.tensors.at("state.0.exp_avg").dtype(), DType::float32);
  EXPECT_EQ(nlohmann::json::parse(s.scalars)["state"]["0"]["step"], 1);
}

// ---- no allocation in step() after the first ----

struct AllocCase {
  std::string name;
  std::function<std::unique_ptr<Optimizer>(const std::vector<Tensor>&)> make;
};

class OptimAllocation : public ::testing::TestWithParam<size_t> {};

const std::vector<AllocCase>& alloc_cases() {
  static const std::vector<AllocCase> cases = {
      {"SGD_nesterov",
       [](const auto& p) {
         return std::make_unique<SGD>(p, SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(0.1));
       }},
      {"Adam_amsgrad",
       [](const auto& p) { return std::make_unique<Adam>(p, AdamOptions(0.01).amsgrad(true).weight_decay(0.1)); }},
      {"AdamW", [](const auto& p) { return std::make_unique<AdamW>(p, AdamWOptions(0.01).amsgrad(true)); }},
      {"RMSprop_centered_momentum",
       [](const auto& p) { return std::make_unique<RMSprop>(p, RMSpropOptions(0.01).centered(true).momentum(0.9)); }},
      {"Adagrad",
       [](const auto& p) { return std::make_unique<Adagrad>(p, AdagradOptions(0.1).initial_accumulator_value(0.1)); }},
  };
  return cases;
}

TEST_P(OptimAllocation, StepAllocatesNothingAfterTheFirst) {
  const AllocCase& c = alloc_cases()[GetParam()];
  for (DType dtype : {DType::float64, DType::float32}) {
    std::vector<Tensor> p = golden_params(dtype);
    p.push_back(full({64, 33}, 0.5, dtype).requires_grad_());
    for (Tensor& t : p) t.set_grad(full_like(t, 0.25));
    auto opt = c.make(p);
    opt->step();
    const AllocatorStats before = allocator_stats();
    for (int i = 0; i < 20; ++i) opt->step();
    const AllocatorStats after = allocator_stats();
    EXPECT_EQ(after.system_allocations, before.system_allocations) << c.name << " " << dtype_name(dtype);
    EXPECT_EQ(after.cache_hits, before.cache_hits) << c.name << ": step() should not even use the cache";
  }
}

// The whole training step (forward, backward, zero_grad, step) reaches a steady state too.
TEST_P(OptimAllocation, TrainingLoopReachesSteadyState) {
  const AllocCase& c = alloc_cases()[GetParam()];
  std::vector<Tensor> p = golden_params(DType::float64);
  LossConsts K = loss_consts(DType::float64);
  auto opt = c.make(p);
  for (int t = 0; t < 3; ++t) golden_step(*opt, nullptr, p, K, 0);
  const uint64_t before = allocator_stats().system_allocations;
  for (int t = 0; t < 20; ++t) golden_step(*opt, nullptr, p, K, 0);
  EXPECT_EQ(allocator_stats().system_allocations, before) << c.name;
}

INSTANTIATE_TEST_SUITE_P(Optim, OptimAllocation, ::testing::Range(size_t(0), alloc_cases().size()),
                         [](const auto& info) { return alloc_cases()[info.param].name; });

// ---- option validation ----

template <class Fn>
void expect_value_error(Fn fn, const std::string& needle) {
  try {
    fn();
    ADD_FAILURE() << "expected ValueError mentioning \"" << needle << "\"";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(OptimOptions, InvalidOptionsThrowValueErrorNamingTheOption) {
  std::vector<Tensor> p{zeros({2}, DType::float64).requires_grad_()};
  expect_value_error([&] { SGD(p, SGDOptions(-1)); }, "learning rate lr -1");
  expect_value_error([&] { SGD(p, SGDOptions(0.1).momentum(-0.5)); }, "SGD: invalid momentum -0.5");
  expect_value_error([&] { SGD(p, SGDOptions(0.1).weight_decay(-1)); }, "weight_decay");
  expect_value_error([&] { SGD(p, SGDOptions(0.1).nesterov(true)); }, "nesterov");
  expect_value_error([&] { SGD(p, SGDOptions(0.1).momentum(0.9).dampening(0.1).nesterov(true)); }, "dampening");
  expect_value_error([&] { Adam(p, AdamOptions(-1e-3)); }, "Adam: invalid learning rate");
  expect_value_error([&] { Adam(p, AdamOptions().betas({1.0, 0.999})); }, "beta1");
  expect_value_error([&] { Adam(p, AdamOptions().betas({0.9, -0.1})); }, "beta2");
  expect_value_error([&] { Adam(p, AdamOptions().eps(-1)); }, "eps");
  expect_value_error([&] { Adam(p, AdamOptions().weight_decay(-1)); }, "weight_decay");
  expect_value_error([&] { Adam(p, AdamOptions(std::nan(""))); }, "learning rate");
  expect_value_error([&] { AdamW(p, AdamWOptions().betas({0.9, 1.0})); }, "AdamW: invalid beta2");
  expect_value_error([&] { AdamW(p, AdamWOptions().weight_decay(-0.1)); }, "weight_decay");
  expect_value_error([&] { RMSprop(p, RMSpropOptions().alpha(-0.1)); }, "RMSprop: invalid alpha");
  expect_value_error([&] { RMSprop(p, RMSpropOptions().alpha(5)); }, "RMSprop: invalid alpha 5 (must be in [0, 1))");
  expect_value_error([&] { SGD(p, SGDOptions(0.1).dampening(1.5)); }, "SGD: invalid dampening 1.5 (must be in [0, 1])");
  expect_value_error([&] { RMSprop(p, RMSpropOptions().momentum(-0.1)); }, "momentum");
  expect_value_error([&] { RMSprop(p, RMSpropOptions().eps(-1)); }, "eps");
  expect_value_error([&] { RMSprop(p, RMSpropOptions().weight_decay(-1)); }, "weight_decay");
  expect_value_error([&] { Adagrad(p, AdagradOptions().lr_decay(-1)); }, "Adagrad: invalid lr_decay");
  expect_value_error([&] { Adagrad(p, AdagradOptions().initial_accumulator_value(-1)); }, "initial_accumulator_value");
  expect_value_error([&] { Adagrad(p, AdagradOptions().eps(-1)); }, "eps");
  expect_value_error([&] { Adagrad(p, AdagradOptions().weight_decay(-1)); }, "weight_decay");
  // A group's own options are checked when it is added.
  Adam opt(p);
  expect_value_error([&] { opt.add_param_group({{zeros({1}).requires_grad_()}, AdamOptions(0.1).eps(-1)}); }, "eps");
}

// validate()'s OptionError names the option by its key (beta1/beta2 for the betas) and the rule,
// so that the config reader can point at the key the user wrote.
TEST(OptimOptions, OptionErrorNamesTheKeyAndRule) {
  auto option_of = [](const OptimizerOptions& o) -> std::pair<std::string, std::string> {
    try {
      o.validate();
    } catch (const OptionError& e) {
      return {e.option(), e.rule()};
    }
    return {"", ""};
  };
  using R = std::pair<std::string, std::string>;
  EXPECT_EQ(option_of(AdamOptions().betas({0.9, 1.5})), (R{"beta2", "must be in [0, 1)"}));
  EXPECT_EQ(option_of(AdamWOptions().eps(-1)), (R{"eps", "must be >= 0"}));
  EXPECT_EQ(option_of(RMSpropOptions().alpha(5)), (R{"alpha", "must be in [0, 1)"}));
  EXPECT_EQ(option_of(SGDOptions(-1)), (R{"lr", "must be >= 0"}));
  EXPECT_EQ(option_of(SGDOptions(0.1).dampening(-0.5)), (R{"dampening", "must be in [0, 1]"}));
  EXPECT_EQ(option_of(AdagradOptions()), (R{"", ""}));
  // Adam and AdamW share their options' code; only weight_decay's default differs.
  EXPECT_EQ(AdamOptions().weight_decay(), 0.0);
  EXPECT_EQ(AdamWOptions().weight_decay(), 1e-2);
  nlohmann::json a = AdamOptions().to_json(), w = AdamWOptions().to_json();
  a.erase("weight_decay"), w.erase("weight_decay");
  EXPECT_EQ(a, w);
}

TEST(LRSchedulerOptions, InvalidSettingsThrowValueError) {
  auto opt = two_group_sgd();
  expect_value_error([&] { StepLR(*opt, 0); }, "step_size");
  expect_value_error([&] { CosineAnnealingLR(*opt, 0); }, "T_max");
  expect_value_error([&] { LinearLR(*opt, 0.0); }, "start_factor");
  expect_value_error([&] { LinearLR(*opt, 0.5, 1.5); }, "end_factor");
  expect_value_error([&] { LinearLR(*opt, 0.5, 1.0, 0); }, "total_iters");
  auto a = std::make_shared<LinearLR>(*opt);
  expect_value_error([&] { SequentialLR(*opt, {a}, {3}); }, "milestones");
  auto other = two_group_sgd();
  auto b = std::make_shared<ExponentialLR>(*other, 0.9);
  expect_value_error([&] { SequentialLR(*opt, {a, b}, {3}); }, "another optimizer");
  expect_value_error([&] { warmup_cosine(*opt, 10, 5); }, "warmup_steps");
}

// ---- parameters and groups ----

TEST(OptimParams, RejectsParametersItCannotUpdate) {
  Tensor w = zeros({3, 4}, DType::float64).requires_grad_();
  expect_value_error([&] { SGD({w, w}, SGDOptions(0.1)); }, "more than one parameter group");
  expect_value_error([&] { SGD({w.t().detach().requires_grad_()}, SGDOptions(0.1)); }, "contiguous");
  expect_value_error([&] { SGD({w * 2.0}, SGDOptions(0.1)); }, "non-leaf");
  expect_value_error(
      [&] {
        SGD({Tensor::from_vector(std::vector<int64_t>{1, 2}, {2})}, SGDOptions(0.1));
      },
      "floating-point");
  expect_value_error([&] { SGD(std::vector<Tensor>{}, SGDOptions(0.1)); }, "empty");
  SGD opt({w}, SGDOptions(0.1));
  expect_value_error([&] { opt.add_param_group({{w}}); }, "more than one parameter group");
  expect_value_error(
      [&] {
        opt.add_param_group({{zeros({1}).requires_grad_()}, AdamOptions()});
      },
      "options of another");
}

TEST(OptimParams, GroupsTakeTheDefaultsOrTheirOwnOptions) {
  Tensor a = ones({2}, DType::float64).requires_grad_(), b = ones({2}, DType::float64).requires_grad_();
  SGD opt({a}, SGDOptions(0.1).momentum(0.9));
  opt.add_param_group({{b}, SGDOptions(0.5)});
  ASSERT_EQ(opt.num_param_groups(), 2u);
  EXPECT_EQ(opt.options(0).momentum(), 0.9);
  EXPECT_EQ(opt.options(1).momentum(), 0.0);
  EXPECT_EQ(opt.lr(1), 0.5);
  opt.set_lr(1, 0.25);
  EXPECT_EQ(opt.options(1).lr(), 0.25);
  a.set_grad(ones({2}, DType::float64));
  b.set_grad(ones({2}, DType::float64));
  opt.step();
  EXPECT_EQ(a.to_vector<double>(), std::vector<double>(2, 0.9));
  EXPECT_EQ(b.to_vector<double>(), std::vector<double>(2, 0.75));
  Tensor c = ones({1}, DType::float64).requires_grad_();
  opt.add_param_group({{c}});  // no options: the defaults
  EXPECT_EQ(opt.lr(2), 0.1);
  EXPECT_EQ(opt.options(2).momentum(), 0.9);
  EXPECT_THROW(opt.lr(3), ValueError);
}

TEST(OptimParams, ZeroGradSetsToNoneOrZeros) {
  Tensor w = ones({3}, DType::float64).requires_grad_();
  Adam opt({w});
  w.set_grad(ones({3}, DType::float64));
  opt.zero_grad(/*set_to_none=*/false);
  ASSERT_TRUE(w.grad().defined());
  EXPECT_EQ(w.grad().to_vector<double>(), std::vector<double>(3, 0.0));
  opt.zero_grad();
  EXPECT_FALSE(w.grad().defined());
  opt.step();  // nothing has a gradient: nothing happens, no state is made
  EXPECT_EQ(w.to_vector<double>(), std::vector<double>(3, 1.0));
  EXPECT_TRUE(opt.state_dict().tensors.empty());
}

TEST(OptimParams, GradientMustMatchItsParameter) {
  Tensor w = ones({3}, DType::float64).requires_grad_();
  SGD opt({w}, SGDOptions(0.1));
  w.set_grad(ones({4}, DType::float64));
  EXPECT_THROW(opt.step(), ShapeError);
  w.set_grad(ones({3}, DType::float32));
  EXPECT_THROW(opt.step(), DTypeError);
  // A non-contiguous gradient (a user-made view) is read correctly.
  Tensor g = Tensor::from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, {3, 2}).t().select(0, 0);
  w.set_grad(g);
  opt.step();
  EXPECT_LE(max_rel_error(w.to_vector<double>(), {0.9, 0.7, 0.5}), 1e-15);
  // A gradient sharing the parameter's memory is read before the parameter changes.
  w.set_grad(w.detach());
  opt.step();
  EXPECT_LE(max_rel_error(w.to_vector<double>(), {0.81, 0.63, 0.45}), 1e-15);
}

// ---- scheduler resume ----

TEST(LRSchedulerStateDict, ResumeContinuesTheSameSequence) {
  for (const auto& [name, make] : scheduler_cases()) {
    auto opt_a = two_group_sgd();
    auto a = make(*opt_a);
    for (int t = 0; t < 23; ++t) a->step();
    const OptimizerState saved_opt = opt_a->state_dict();
    const nlohmann::json saved = nlohmann::json::parse(a->state_dict().dump());
    auto opt_b = two_group_sgd();
    auto b = make(*opt_b);
    opt_b->load_state_dict(saved_opt);
    b->load_state_dict(saved);
    for (int t = 0; t < 40; ++t) {
      a->step();
      b->step();
      ASSERT_EQ(a->get_last_lr(), b->get_last_lr()) << name << " step " << t;
    }
    EXPECT_EQ(a->last_epoch(), b->last_epoch()) << name;
  }
  auto opt = two_group_sgd();
  StepLR s(*opt, 3);
  EXPECT_THROW(s.load_state_dict(ExponentialLR(*opt, 0.5).state_dict()), ValueError);
}

TEST(LRSchedulerStateDict, FirstSchedulerRecordsInitialLr) {
  auto opt = two_group_sgd();
  ExponentialLR s(*opt, 0.5);
  s.step();
  EXPECT_EQ(opt->initial_lr(0), 0.1);
  EXPECT_EQ(opt->lr(0), 0.05);
  EXPECT_EQ(nlohmann::json::parse(opt->state_dict().scalars)["param_groups"][1]["initial_lr"], 0.02);
  ExponentialLR second(*opt, 0.5);  // base_lrs come from initial_lr, not the current lr
  EXPECT_EQ(second.base_lrs(), (std::vector<double>{0.1, 0.02}));
}

// ---- penalties ----

TEST(OptimPenalty, L1AndL2AreDifferentiableSums) {
  Tensor w = Tensor::from_vector(std::vector<double>{1.5, -2.0, 0.0, 0.5}, {2, 2}).requires_grad_();
  Tensor b = Tensor::from_vector(std::vector<double>{-0.25, 3.0}, {2}).requires_grad_();
  Tensor l2 = l2_penalty({w, b});
  EXPECT_DOUBLE_EQ(l2.item(), 2.25 + 4.0 + 0.0 + 0.25 + 0.0625 + 9.0);
  l2.backward();
  EXPECT_EQ(w.grad().to_vector<double>(), (std::vector<double>{3.0, -4.0, 0.0, 1.0}));
  EXPECT_EQ(b.grad().to_vector<double>(), (std::vector<double>{-0.5, 6.0}));
  w.zero_grad();
  b.zero_grad();
  Tensor l1 = l1_penalty({w, b});
  EXPECT_DOUBLE_EQ(l1.item(), 1.5 + 2.0 + 0.0 + 0.5 + 0.25 + 3.0);
  l1.backward();
  EXPECT_EQ(w.grad().to_vector<double>(), (std::vector<double>{1.0, -1.0, 0.0, 1.0}));  // |x|'(0) = 0
  EXPECT_EQ(b.grad().to_vector<double>(), (std::vector<double>{-1.0, 1.0}));
  EXPECT_THROW(l2_penalty({}), ValueError);
  EXPECT_THROW(l1_penalty({w, b.detach().to(DType::float32)}), DTypeError);
}

// Coupled weight decay is the gradient of 0.5 * wd * l2_penalty: the two SGD runs agree.
TEST(OptimPenalty, L2PenaltyEqualsSGDWeightDecay) {
  std::vector<Tensor> p1 = golden_params(DType::float64), p2 = golden_params(DType::float64);
  LossConsts K = loss_consts(DType::float64);
  SGD with_decay({p1[0]}, SGDOptions(0.05).weight_decay(0.1));
  SGD with_penalty({p2[0]}, SGDOptions(0.05));
  for (int t = 0; t < 10; ++t) {
    with_decay.zero_grad();
    golden_loss(p1[0], p1[1], K).backward();
    with_decay.step();
    with_penalty.zero_grad();
    (golden_loss(p2[0], p2[1], K) + 0.05 * l2_penalty({p2[0]})).backward();
    with_penalty.step();
  }
  EXPECT_LE(max_rel_error(p1[0].to_vector<double>(), p2[0].to_vector<double>()), 1e-13);
}

// ---- clipping edge cases ----

TEST(ClipGrad, EdgeCases) {
  Tensor w = zeros({3}, DType::float64).requires_grad_();
  EXPECT_EQ(clip_grad_norm_({w}, 1.0), 0.0) << "no gradients: total 0";
  w.set_grad(Tensor::from_vector(std::vector<double>{3, 4, 0}, {3}));
  EXPECT_THROW(clip_grad_norm_({w}, 1.0, 0.0), ValueError);
  EXPECT_DOUBLE_EQ(clip_grad_norm_({w}, 1.0), 5.0);
  EXPECT_NEAR(w.grad().at({0}), 3.0 / (5.0 + 1e-6), 1e-15);
  w.set_grad(Tensor::from_vector(std::vector<double>{INFINITY, 1, 0}, {3}));
  EXPECT_THROW(clip_grad_norm_({w}, 1.0, 2.0, /*error_if_nonfinite=*/true), ValueError);
  w.set_grad(Tensor::from_vector(std::vector<float>{-3.f, 0.5f, 2.f}, {3}).to(DType::float64));
  clip_grad_value_({w}, 1.0);
  EXPECT_EQ(w.grad().to_vector<double>(), (std::vector<double>{-1.0, 0.5, 1.0}));
}

}  // namespace
}  // namespace nabla::testing
