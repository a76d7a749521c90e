// nabla/optim/lr_scheduler.h — learning-rate schedules, as torch.optim.lr_scheduler (PyTorch 1.13).
//
// A scheduler writes each parameter group's lr. Like PyTorch's, it steps once when it is built
// (epoch 0) and then once per call to step(), after the optimizer's step; the values come from
// PyTorch's recursive ("chainable") formulas, which build each lr from the group's current lr, so
// sequences match PyTorch's over many epochs, not just its closed forms. A scheduler keeps a
// reference to its optimizer, which must outlive it.
//
//   optim::SGD opt(params, optim::SGDOptions(0.1).momentum(0.9));
//   auto sched = optim::warmup_cosine(opt, /*warmup_steps=*/5, /*total_steps=*/100);
//   for (int epoch = 0; epoch < 100; ++epoch) { train(opt); sched->step(); }
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "nabla/optim/optimizer.h"

namespace nabla::optim {

class SequentialLR;

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  // Advances one epoch and writes the new learning rates into the optimizer's groups.
  virtual void step();
  // The learning rates written by the latest step (one per group).
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  Optimizer& optimizer() const { return *optimizer_; }
  const std::string& name() const { return name_; }

  // Everything step() reads: {"scheduler": "StepLR", "last_epoch": 3, "_step_count": 4,
  // "base_lrs": [...], "_last_lr": [...], plus the schedule's own settings ("step_size", ...)}.
  // Resume by loading this and the optimizer's state_dict (which holds the groups' lr).
  virtual nlohmann::json state_dict() const;
  // ValueError if the state is from another scheduler type or another number of groups.
  virtual void load_state_dict(const nlohmann::json& state);

 protected:
  // Records each group's initial_lr (the first scheduler on an optimizer sets it) as base_lrs.
  // The derived constructor must end with initial_step(): a base constructor cannot call get_lr().
  LRScheduler(Optimizer& optimizer, std::string name);
  void initial_step();
  // PyTorch's deprecated step(epoch): jumps to `epoch` using the closed form. SequentialLR uses
  // it (with epoch 0) when it switches to the next schedule.
  void step_to(int64_t epoch);

  // The chainable form: the lrs for last_epoch_, from the groups' current lrs.
  virtual std::vector<double> get_lr() const = 0;
  // The lrs for last_epoch_ from base_lrs_ alone.
  virtual std::vector<double> closed_form_lr() const = 0;
  // The schedule's own settings, for state_dict / load_state_dict.
  virtual nlohmann::json settings() const;  // {} unless a schedule has settings
  virtual void load_settings(const nlohmann::json& j) {}
  void apply(const std::vector<double>& lrs);
  std::vector<double> current_lrs() const;

  Optimizer* optimizer_;
  std::string name_;
  std::vector<double> base_lrs_;
  int64_t last_epoch_ = -1;
  int64_t step_count_ = 0;
  std::vector<double> last_lr_;

  friend class SequentialLR;
};

// lr *= gamma every step_size epochs.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);

 protected:
  std::vector<double> get_lr() const override;
  std::vector<double> closed_form_lr() const override;
  nlohmann::json settings() const override;
  void load_settings(const nlohmann::json& j) override;
  int64_t step_size_;
  double gamma_;
};

// lr *= gamma at each milestone epoch (a milestone listed twice multiplies by gamma^2).
class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma = 0.1);

 protected:
  std::vector<double> get_lr() const override;
  std::vector<double> closed_form_lr() const override;
  nlohmann::json settings() const override;
  void load_settings(const nlohmann::json& j) override;
  std::map<int64_t, int> milestones_;  // epoch -> count
  double gamma_;
};

// lr *= gamma every epoch.
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);

 protected:
  std::vector<double> get_lr() const override;
  std::vector<double> closed_form_lr() const override;
  nlohmann::json settings() const override;
  void load_settings(const nlohmann::json& j) override;
  double gamma_;
};

// Cosine from base lr down to eta_min over T_max epochs (then back up: it is periodic, 2 T_max).
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0.0);

 protected:
  std::vector<double> get_lr() const override;
  std::vector<double> closed_form_lr() const override;
  nlohmann::json settings() const override;
  void load_settings(const nlohmann::json& j) override;
  int64_t T_max_;
  double eta_min_;
};

// Linear change of the lr factor from start_factor to end_factor over total_iters epochs
// (a linear warm-up with the defaults), then constant.
class LinearLR : public LRScheduler {
 public:
  LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, int64_t total_iters = 5);

 protected:
  std::vector<double> get_lr() const override;
  std::vector<double> closed_form_lr() const override;
  nlohmann::json settings() const override;
  void load_settings(const nlohmann::json& j) override;
  double start_factor_, end_factor_;
  int64_t total_iters_;
};

// Runs schedulers[0] until milestones[0], then schedulers[1] (restarted at its epoch 0), ...
// The schedulers must be built on the same optimizer, in order, just before this one.
class SequentialLR : public LRScheduler {
 public:
  SequentialLR(Optimizer& optimizer, std::vector<std::shared_ptr<LRScheduler>> schedulers,
               std::vector<int64_t> milestones);
  // state_dict() includes the schedulers' states, under "_schedulers".
  void step() override;
  const std::vector<std::shared_ptr<LRScheduler>>& schedulers() const { return schedulers_; }

 protected:
  std::vector<double> get_lr() const override { return last_lr_; }
  std::vector<double> closed_form_lr() const override { return last_lr_; }
  nlohmann::json settings() const override;
  void load_settings(const nlohmann::json& j) override;
  std::vector<std::shared_ptr<LRScheduler>> schedulers_;
  std::vector<int64_t> milestones_;
};

// Linear warm-up from start_factor * lr to lr over warmup_steps epochs, then cosine annealing to
// eta_min at total_steps: SequentialLR(LinearLR, CosineAnnealingLR(T_max = total - warmup)).
std::shared_ptr<SequentialLR> warmup_cosine(Optimizer& optimizer, int64_t warmup_steps, int64_t total_steps,
                                            double start_factor = 1e-3, double eta_min = 0.0);

}  // namespace nabla::optim
