#include "nabla/train/step.h"

#include <cmath>

#include "nabla/error.h"
#include "nabla/nn/utils.h"
#include "nabla/ops/ops.h"
#include "nabla/optim/clip_grad.h"

namespace nabla::train {

TrainStep::TrainStep(nn::Module& model, nn::Loss& loss, optim::Optimizer& optimizer, StepOptions options)
    : model_(&model), loss_(&loss), optimizer_(&optimizer), options_(options) {
  if (options_.l1 > 0 || options_.l2 > 0) weights_ = nn::weight_parameters(model);
  if (options_.clip_grad_norm > 0) parameters_ = model.parameters();
}

Tensor TrainStep::objective(const Tensor& loss) const {
  Tensor objective = loss;
  if (options_.l2 > 0) objective = objective + options_.l2 * optim::l2_penalty(weights_);
  if (options_.l1 > 0) objective = objective + options_.l1 * optim::l1_penalty(weights_);
  return objective;
}

void TrainStep::backward_and_step(const Tensor& loss) {
  if (options_.parallel) options_.parallel->prepare_backward(rows_);  // reductions overlap backward
  if (options_.l1 > 0 || options_.l2 > 0)
    objective(loss).backward();
  else
    loss.backward();  // the benchmarks' hot path: no copy of the loss
  if (options_.parallel) options_.parallel->sync_gradients(rows_);
  if (options_.clip_grad_norm > 0) optim::clip_grad_norm_(parameters_, options_.clip_grad_norm);
  optimizer_->step();
}

StepResult TrainStep::operator()(const Tensor& x, const Tensor& y) {
  optimizer_->zero_grad();
  StepResult r;
  r.loss = (*loss_)(model_->forward(x), y);
  if (options_.check_finite) {
    r.value = r.loss.item();
    if (options_.parallel) r.value = options_.parallel->batch_loss(r.value, x.size(0));
    if (!std::isfinite(r.value)) {
      r.updated = false;
      return r;
    }
  }
  rows_ = x.size(0);
  backward_and_step(r.loss);
  return r;
}

void TrainStep::update(const Tensor& loss) {
  NABLA_CHECK(!options_.parallel, ValueError, "TrainStep::update: not in a data-parallel step (use operator())");
  optimizer_->zero_grad();
  backward_and_step(loss);
}

}  // namespace nabla::train
