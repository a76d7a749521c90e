#include "course/neuron_step.h"

#include "nabla/autograd/engine.h"
#include "nabla/error.h"
#include "nabla/ops/ops.h"

namespace nabla::demo {

NeuronStep neuron_step(const NeuronInputs& in) {
  NABLA_CHECK(!in.x.empty() && in.x.size() == in.w.size(), ValueError, "neuron_step: x has ", in.x.size(),
              " entries and w has ", in.w.size(), "; they must have the same, non-zero length");
  const auto n = static_cast<int64_t>(in.x.size());
  NeuronStep s;
  s.in = in;
  Tensor x = Tensor::from_vector(in.x, {n});                   // (n)
  Tensor w = Tensor::from_vector(in.w, {n}).requires_grad_();  // (n)

  Tensor h = sum(w * x) + in.b;
  Tensor out = sigmoid(h);
  Tensor L = 0.5 * pow(in.y - out, 2.0);
  s.h = h.item();
  s.output = out.item();
  s.residual = in.y - s.output;
  s.loss = L.item();
  s.f_prime = s.output * (1.0 - s.output);
  s.delta = s.residual * s.f_prime;

  Tensor dL_dw = nabla::grad({L}, {w})[0];
  Tensor increment, new_w;
  {
    NoGradGuard no_grad;
    increment = (in.eta * s.delta) * x;
    new_w = w.detach() + increment;
    s.autograd_increment = (-in.eta * dL_dw).to_vector<double>();
    Tensor new_h = sum(new_w * x) + in.b;
    s.new_h = new_h.item();
    s.new_output = sigmoid(new_h).item();
  }
  s.increment = increment.to_vector<double>();
  s.new_w = new_w.to_vector<double>();
  s.new_residual = in.y - s.new_output;
  s.new_loss = 0.5 * s.new_residual * s.new_residual;
  return s;
}

std::vector<double> loss_along_step(const NeuronStep& step, const std::vector<double>& s) {
  NoGradGuard no_grad;
  const auto n = static_cast<int64_t>(step.in.x.size());
  const Tensor x = Tensor::from_vector(step.in.x, {n}), w = Tensor::from_vector(step.in.w, {n});
  const Tensor dw = Tensor::from_vector(step.increment, {n});
  std::vector<double> out;
  for (double t : s) {
    const double y_hat = sigmoid(sum((w + t * dw) * x) + step.in.b).item();
    out.push_back(0.5 * (step.in.y - y_hat) * (step.in.y - y_hat));
  }
  return out;
}

}  // namespace nabla::demo
