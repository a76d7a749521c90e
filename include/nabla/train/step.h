// nabla/train/step.h — one training step: forward, loss, penalties, backward, clipping, update.
//
// The body of every batch loop in nabla: `nabla train` and the demos (through Trainer), the
// playground's sessions and the benchmarks all call a TrainStep, so a rule about training (the
// order of zero_grad and the penalties, which parameters a penalty covers, when a NaN stops the
// update) lives here once.
//
//   train::TrainStep step(model, loss, optimizer, {.l2 = 1e-4, .clip_grad_norm = 1.0});
//   for (const Batch& b : loader)
//     if (train::StepResult r = step(b.x, b.y); !r.updated) throw ...;  // r.value: NaN or ±inf
#pragma once
#include <limits>
#include <vector>

#include "nabla/nn/loss.h"
#include "nabla/nn/module.h"
#include "nabla/optim/optimizer.h"
#include "nabla/train/parallel.h"

namespace nabla::train {

struct StepOptions {
  double l1 = 0;              // adds l1 · Σ|w| over the `.weight` parameters (nn::weight_parameters)
  double l2 = 0;              // adds l2 · Σ w² over the same
  double clip_grad_norm = 0;  // > 0: optim::clip_grad_norm_ over all parameters before the update
  // Reads the loss back (StepResult::value) and leaves the parameters untouched when it is NaN
  // or infinite. Off for a step run through nabla::compile, which cannot read values back.
  bool check_finite = true;
  // Data-parallel training (nabla/train/parallel.h): the loss read back is the global batch's
  // (so every rank takes the same NaN decision) and the gradients are synchronised after
  // backward, before clipping. Not owned; null: one process.
  Parallel* parallel = nullptr;
};

struct StepResult {
  Tensor loss;  // the batch's data loss (without the penalties), as the loss module returned it
  double value = std::numeric_limits<double>::quiet_NaN();  // loss.item(), with check_finite
  bool updated = true;  // false: the loss was not finite (check_finite), nothing was changed
};

// Holds references: the model, loss and optimizer must outlive it.
class TrainStep {
 public:
  TrainStep(nn::Module& model, nn::Loss& loss, optim::Optimizer& optimizer, StepOptions options = {});

  // zero_grad, forward, loss, [finite check], penalties, backward, clipping, optimizer step.
  StepResult operator()(const Tensor& x, const Tensor& y);
  // The part after the forward pass, for a loss the caller computed itself (the playground's
  // step-through reads its gradients first): zero_grad, penalties, backward, clipping, step.
  void update(const Tensor& loss);

  const StepOptions& options() const { return options_; }

 private:
  Tensor objective(const Tensor& loss) const;  // the loss plus the penalties
  void backward_and_step(const Tensor& loss);  // penalties, backward, clipping, step

  nn::Module* model_;
  nn::Loss* loss_;
  optim::Optimizer* optimizer_;
  StepOptions options_;
  std::vector<Tensor> weights_;     // penalised (l1, l2)
  std::vector<Tensor> parameters_;  // clipped
  int64_t rows_ = 0;                // this rank's rows in the step (data-parallel)
};

}  // namespace nabla::train
