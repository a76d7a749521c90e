// nabla/optim/optimizer.h — the base every optimizer shares: parameter groups, per-parameter
// state, zero_grad, learning-rate access for schedulers, and a state_dict to checkpoint with.
//
// The update rules (sgd.h, adam.h, rmsprop.h, adagrad.h) follow PyTorch 1.13's single-tensor
// (foreach=False) code operation for operation, as raw-pointer loops over the contiguous
// parameter, gradient and state buffers: no autograd recording, and no allocation after the
// first step (state buffers are made once, on a parameter's first update).
//
//   optim::Adam opt({w, b}, optim::AdamOptions(1e-3).weight_decay(1e-4));
//   opt.add_param_group({{head}, optim::AdamOptions(1e-2)});   // a group with its own options
//   for (...) { opt.zero_grad(); loss(...).backward(); opt.step(); }
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nabla/error.h"
#include "nabla/tensor/tensor.h"

namespace nabla::optim {

// Declares a chained option `name` of type T with a default, libtorch style:
//   SGDOptions(0.1).momentum(0.9).nesterov(true);   opts.momentum() == 0.9
#define NABLA_OPTIM_ARG(Self, T, name, default_value) \
 public:                                              \
  Self& name(T value) {                               \
    name##_ = value;                                  \
    return *this;                                     \
  }                                                   \
  T name() const { return name##_; }                  \
                                                      \
 private:                                             \
  T name##_ = default_value

// What OptimizerOptions::validate throws: a ValueError that also names the option (its to_json
// key; "beta1"/"beta2" for the two betas), the rule it breaks and the value, so that a reader
// of options (the TOML config) can point at the key it read.
class OptionError : public ValueError {
 public:
  OptionError(const std::string& what, std::string option, std::string rule, double value)
      : ValueError(what), option_(std::move(option)), rule_(std::move(rule)), value_(value) {}
  const std::string& option() const { return option_; }
  const std::string& rule() const { return rule_; }  // "must be in [0, 1)"
  double value() const { return value_; }

 private:
  std::string option_, rule_;
  double value_;
};

// The hyperparameters of one parameter group. Each optimizer has its own options type
// (SGDOptions, AdamOptions, ...) deriving from this one; the learning rate lives here so that
// schedulers can read and set it without knowing the optimizer.
class OptimizerOptions {
 public:
  virtual ~OptimizerOptions() = default;
  double lr() const { return lr_; }
  void set_lr(double lr) { lr_ = lr; }

  virtual std::unique_ptr<OptimizerOptions> clone() const = 0;
  // Every hyperparameter by its PyTorch name, lr included: {"lr": 0.001, "betas": [0.9, 0.999], ...}.
  virtual nlohmann::json to_json() const = 0;
  // Reads what to_json wrote; keys it does not mention keep their values.
  virtual void from_json(const nlohmann::json& j) = 0;
  // ValueError naming the optimizer, the option and its value, for the first invalid option.
  virtual void validate() const = 0;

 protected:
  explicit OptimizerOptions(double lr) : lr_(lr) {}
  double lr_;
};

// Parameters updated with the same options. Without options, a group takes the optimizer's
// defaults when it is added.
struct ParamGroup {
  ParamGroup(std::vector<Tensor> params) : params(std::move(params)) {}  // NOLINT: implicit on purpose
  ParamGroup(std::vector<Tensor> params, const OptimizerOptions& options)
      : params(std::move(params)), options(options.clone()) {}
  ParamGroup(const ParamGroup& other);
  ParamGroup& operator=(const ParamGroup& other);
  ParamGroup(ParamGroup&&) = default;
  ParamGroup& operator=(ParamGroup&&) = default;

  std::vector<Tensor> params;
  std::unique_ptr<OptimizerOptions> options;
  // The lr a scheduler started from (PyTorch's group['initial_lr']); set by the first scheduler.
  std::optional<double> initial_lr;
};

// Everything needed to resume an optimizer bit-identically, split so that a checkpoint writer can
// store `tensors` in a safetensors file and `scalars` (JSON text) in its metadata.
//   tensors:  "state.<k>.<buffer>" for parameter k (counted across groups in order, as PyTorch
//             does), e.g. "state.0.exp_avg", "state.3.momentum_buffer".
//   scalars:  {"optimizer": "Adam",
//              "param_groups": [{"lr": 0.001, "betas": [0.9, 0.999], ..., "params": [0, 1]}],
//              "state": {"0": {"step": 10}, "1": {"step": 7}}}
// The tensors are copies: training on does not change a saved state. `scalars` is JSON text, so
// that this header needs no JSON library (nlohmann::json::parse(scalars) reads it).
struct OptimizerState {
  std::map<std::string, Tensor> tensors;
  std::string scalars;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient; a parameter whose .grad is undefined is
  // skipped (its state, step count included, is left as it is), as in PyTorch.
  virtual void step() = 0;
  // Sets every parameter's .grad to undefined (set_to_none) or to zeros.
  void zero_grad(bool set_to_none = true);

  // Adds a group; ValueError if a parameter is already optimized or cannot be (not a defined,
  // contiguous, floating-point leaf), or if the group's options are invalid.
  void add_param_group(ParamGroup group);
  const std::vector<ParamGroup>& param_groups() const { return groups_; }
  size_t num_param_groups() const { return groups_.size(); }
  // The options of group g (this optimizer's options type; see the derived classes' options()).
  OptimizerOptions& group_options(size_t g);
  const OptimizerOptions& group_options(size_t g) const;
  const OptimizerOptions& defaults() const { return *defaults_; }

  // Learning rate of a group (schedulers read and write these).
  double lr(size_t group) const;
  void set_lr(size_t group, double lr);
  std::optional<double> initial_lr(size_t group) const;
  void set_initial_lr(size_t group, double lr);

  // "SGD", "Adam", ...
  const std::string& name() const { return name_; }

  OptimizerState state_dict() const;
  // Restores options (lr and initial_lr included) and per-parameter state. ValueError if the
  // state is from another optimizer type, the groups or parameter counts differ, or a buffer's
  // shape does not match its parameter. Floating buffers are converted to the parameter's dtype
  // (as PyTorch does); existing buffers of the right shape are reused.
  void load_state_dict(const OptimizerState& state);

 protected:
  Optimizer(std::string name, std::vector<ParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults);

  // Per-parameter state: a step count and up to kMaxBuffers buffers whose meaning depends on the
  // optimizer (buffer_names()). An undefined buffer has not been made yet.
  static constexpr size_t kMaxBuffers = 3;
  struct ParamState {
    bool initialized = false;  // the parameter has been updated (or its state loaded)
    int64_t step = 0;
    std::array<Tensor, kMaxBuffers> buffers;
  };
  // Names of the buffer slots, in slot order (PyTorch's state keys: "exp_avg", ...).
  virtual std::vector<std::string_view> buffer_names() const = 0;
  // Whether the state has a step count (SGD's has none).
  virtual bool has_step() const { return true; }

  // The parameter's gradient, checked against it (shape and dtype), as a contiguous tensor that
  // does not share the parameter's memory; undefined when the parameter has no gradient.
  Tensor checked_grad(const Tensor& param) const;
  // Calls fn(options, param, grad, state) for every parameter that has a gradient (the body of
  // step()), after marking its state initialized. Options is the optimizer's options type.
  template <class Options, class Fn>
  void for_each_update(Fn&& fn) {
    for (size_t g = 0; g < groups_.size(); ++g) {
      const auto& options = static_cast<const Options&>(*groups_[g].options);
      for (size_t i = 0; i < groups_[g].params.size(); ++i) {
        const Tensor& param = groups_[g].params[i];
        const Tensor grad = checked_grad(param);
        if (!grad.defined()) continue;
        ParamState& state = state_[g][i];
        state.initialized = true;
        fn(options, param, grad, state);
        // The update wrote the parameter in place: a graph that saved it must not backpropagate
        // through the new values. A step is a no-grad region (as torch.optim's), so no check.
        param.impl()->storage->bump_version();
      }
    }
  }

  std::vector<ParamGroup> groups_;
  std::vector<std::vector<ParamState>> state_;  // [group][param], parallel to groups_
  std::unique_ptr<OptimizerOptions> defaults_;

 private:
  std::string name_;
};

}  // namespace nabla::optim
