#include "course/chain_rule.h"

#include <cmath>

#include "nabla/autograd/engine.h"
#include "nabla/error.h"
#include "nabla/ops/ops.h"

namespace nabla::demo {

namespace {

Tensor leaf(double v) { return Tensor::scalar(v, DType::float64).requires_grad_(); }

// d output / d input of a recorded graph, keeping the graph for further questions.
double partial(const Tensor& output, const Tensor& input) {
  return nabla::grad({output}, {input}, {.retain_graph = true})[0].item();
}

}  // namespace

SigmoidSquareChain sigmoid_square_chain(double x, double t) {
  SigmoidSquareChain r;
  r.x = x;
  r.t = t;
  Tensor xt = leaf(x);
  Tensor y = sigmoid(xt);
  Tensor z = y * y;
  Tensor C = 0.5 * pow(z - t, 2.0);
  r.y = y.item();
  r.z = z.item();
  r.C = C.item();

  r.formula.dC_dz = r.z - t;
  r.formula.dz_dy = 2.0 * r.y;
  r.formula.dy_dx = r.y * (1.0 - r.y);
  r.formula.dC_dx = r.formula.dC_dz * r.formula.dz_dy * r.formula.dy_dx;

  // grad() with respect to an intermediate tensor gives the derivative through that node only.
  r.autograd.dC_dz = partial(C, z);
  r.autograd.dz_dy = partial(z, y);
  r.autograd.dy_dx = partial(y, xt);
  r.autograd.dC_dx = partial(C, xt);
  return r;
}

double sigmoid_square_argmin(double t) {
  NABLA_CHECK(t > 0 && t < 1, ValueError, "sigmoid_square_argmin: the target must lie in (0, 1), got ", t);
  const double y = std::sqrt(t);
  return std::log(y / (1.0 - y));
}

AffineSquareChain affine_square_chain(double x) {
  AffineSquareChain r;
  r.x = x;
  Tensor xt = leaf(x);
  Tensor u = 3.0 * xt + 2.0;
  Tensor f = pow(u, 2.0);
  r.u = u.item();
  r.f = f.item();
  r.df_du = 2.0 * r.u;
  r.du_dx = 3.0;
  r.chain = r.df_du * r.du_dx;
  r.closed_form = 6.0 * (3.0 * x + 2.0);
  r.autograd = partial(f, xt);
  return r;
}

Seed001Step seed001_neuron_step() {
  Seed001Step s;
  Tensor W = leaf(s.w);
  Tensor z = s.x * W + s.b;
  Tensor a = sigmoid(z);
  Tensor L = 0.5 * pow(s.y - a, 2.0);
  s.z = z.item();
  s.a = a.item();
  s.da_dz = s.a * (1.0 - s.a);
  s.dL_da = s.a - s.y;
  const double dz_dW = s.x;
  s.seed_dL_dW = s.seed_dL_da * s.da_dz * dz_dW;
  s.dL_dW = s.dL_da * s.da_dz * dz_dW;
  s.seed_new_w = s.w - s.lr * s.seed_dL_dW;
  s.new_w = s.w - s.lr * s.dL_dW;
  s.autograd_dL_dW = partial(L, W);
  s.step_ratio = s.seed_dL_dW / s.dL_dW;
  return s;
}

}  // namespace nabla::demo
