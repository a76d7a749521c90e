// Session::step_through: one training point forward and backward, read from nabla's autograd,
// then its update.
#include "nabla/autograd/engine.h"
#include "nabla/error.h"
#include "nabla/ops/ops.h"
#include "session/internal.h"
#include "session/session.h"

namespace nabla::serve {

using nlohmann::json;
using namespace internal;

json Session::step_through(int64_t sample) {
  NABLA_CHECK(sample >= 0 && sample < train_.size(), ValueError, "sample ", sample, " is outside the ", train_.size(),
              " training points");
  const bool was_training = model_->is_training();
  model_->eval();  // dropout off: the step is deterministic and readable
  const Tensor x = train_.x.slice(0, sample, sample + 1), y = train_.y.slice(0, sample, sample + 1);

  // Forward, keeping each linear layer's z and the activation a that follows it (with k classes
  // the output layer has none: the loss takes the logits).
  std::vector<Tensor> zs, as;
  const nn::Sequential& seq = model_->layers();
  Tensor h = x;
  for (size_t i = 0; i < seq.size(); ++i) {
    h = (*seq[i])(h);
    if (std::dynamic_pointer_cast<nn::Linear>(seq[i]))
      zs.push_back(h);
    else if (as.size() < zs.size())
      as.push_back(h);
  }
  const Tensor loss = loss_of(h, y);

  // Backward through nabla's autograd: δ_l = ∂C/∂z_l, ∂C/∂a_l, ∂C/∂W_l, ∂C/∂b_l in one pass.
  const auto lin = linears(*model_);
  // An identity activation's a is z itself: asked for once (grad() keeps one slot per node).
  const size_t nz = zs.size(), na = as.size();
  std::vector<Tensor> inputs = zs;
  std::vector<size_t> a_slot(na);
  for (size_t l = 0; l < na; ++l) {
    a_slot[l] = as[l].same(zs[l]) ? l : inputs.size();
    if (!as[l].same(zs[l])) inputs.push_back(as[l]);
  }
  const size_t w_slot = inputs.size();
  for (const auto& l : lin) inputs.push_back(l->weight), inputs.push_back(l->bias);
  const std::vector<Tensor> g = grad({loss}, inputs, {.retain_graph = true});

  json layers = json::array();
  for (size_t l = 0; l < nz; ++l) {
    json L;
    L["z"] = zs[l].reshape({-1}).to_vector<double>();
    if (l < na) {
      L["a"] = as[l].reshape({-1}).to_vector<double>();
      // The activation's local derivative da/dz, from its node's backward formula.
      if (as[l].grad_fn() && !as[l].same(zs[l]))
        L["da_dz"] = as[l].grad_fn()->apply(ones_like(as[l]))[0].reshape({-1}).to_vector<double>();
      L["dC_da"] = g[a_slot[l]].reshape({-1}).to_vector<double>();
    } else {  // the logits of k classes: a = softmax(z), and δ = a − onehot(target)
      NoGradGuard no_grad;
      L["a"] = softmax(zs[l], 1).reshape({-1}).to_vector<double>();
      L["softmax"] = true;
    }
    L["delta"] = g[l].reshape({-1}).to_vector<double>();
    L["dC_dw"] = matrix(g[w_slot + 2 * l]);
    L["dC_db"] = g[w_slot + 2 * l + 1].to_vector<double>();
    L["w"] = matrix(lin[l]->weight);
    L["b"] = lin[l]->bias.to_vector<double>();
    layers.push_back(L);
  }
  json out;
  out["sample"] = sample;
  out["task"] = task_name(task());
  out["loss_name"] = loss_name();
  out["point"] = train_xy_.slice(0, sample, sample + 1).reshape({-1}).to_vector<double>();
  out["features"] = x.reshape({-1}).to_vector<double>();
  out["target"] = y.item();
  if (task() == Task::multiclass) {
    out["output"] = layers.back()["a"];
    out["predicted"] = argmax(zs.back(), 1).item();
  } else {
    out["output"] = h.item();
  }
  out["loss_before"] = loss.item();
  out["layers"] = layers;

  // The update: one optimizer step on this sample (with the regularization term, as training).
  step_->update(loss);
  ++steps_;
  weights_version_ = ++version_;
  {
    NoGradGuard no_grad;
    out["loss_after"] = loss_of((*model_)(x), y).item();
  }
  model_->train(was_training);
  measure();
  return out;
}

}  // namespace nabla::serve
