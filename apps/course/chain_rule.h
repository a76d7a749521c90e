// course/chain_rule.h — the chain-rule examples of seeds 000 and 001, each partial
// derivative worked out by the seed's formula and by nabla's autograd, side by side.
//
//   auto r = nabla::demo::sigmoid_square_chain(0.5);   // y = σ(x), z = y², C = ½(z − t)²
//   r.formula.dC_dx == r.formula.dC_dz * r.formula.dz_dy * r.formula.dy_dx;  // ≈ r.autograd.dC_dx
//   auto n = nabla::demo::seed001_neuron_step();       // the seed's dL/da = −1, and the right a − y
#pragma once

namespace nabla::demo {

// ---- seed 000 §2: y = σ(x), z = y², C = ½(z − t)² ----

inline constexpr double kSeed000Target = 0.6;  // the seed's t_target

struct ChainPartials {
  double dC_dz = 0, dz_dy = 0, dy_dx = 0;
  double dC_dx = 0;  // formula: the product of the three; autograd: the full backward pass
};
struct SigmoidSquareChain {
  double x = 0, t = 0, y = 0, z = 0, C = 0;
  ChainPartials formula;  // the seed's chain_cost(): z − t, 2y, y(1 − y)
  // Each local partial by grad() of one node with respect to its input (∂z/∂y = grad(z, y)),
  // and ∂C/∂x by one backward pass from C to x.
  ChainPartials autograd;
};
SigmoidSquareChain sigmoid_square_chain(double x, double t = kSeed000Target);
// Where C is smallest (C = 0): z = t, so y = √t and x = log(y / (1 − y)). Needs 0 < t < 1.
double sigmoid_square_argmin(double t = kSeed000Target);

// ---- seed 001 "Concepto previo": f(x) = (3x + 2)² = u², u = 3x + 2 ----

struct AffineSquareChain {
  double x = 0, u = 0, f = 0;
  double df_du = 0, du_dx = 0;  // 2u and 3
  double chain = 0;             // df/du · du/dx
  double closed_form = 0;       // the seed's result 6(3x + 2)
  double autograd = 0;          // df/dx by nabla's backward pass
};
AffineSquareChain affine_square_chain(double x);

// ---- seed 001 first cell: one step on a sigmoid neuron a = σ(x·W + b) ----
// The seed writes dL_da = -1 "assuming squared error", but for L = ½(y − a)² the derivative is
// dL/da = −(y − a) = a − y (its own explanation below the cell derives exactly that); −1 is the
// derivative of the plain error L = y − a. Both runs are worked out here.

struct Seed001Step {
  double x = 0.5, w = 0.8, b = 0.2, y = 1.0, lr = 0.1;  // the seed's numbers
  double z = 0, a = 0, da_dz = 0;                       // forward pass and σ′ = a(1 − a)
  double seed_dL_da = -1, dL_da = 0;                    // the seed's −1 and the right a − y
  double seed_dL_dW = 0, dL_dW = 0;                     // dL/da · da/dz · dz/dW with each
  double seed_new_w = 0, new_w = 0;                     // W − lr · dL/dW with each
  double autograd_dL_dW = 0;           // ∂/∂W of ½(y − a)² by nabla's backward pass (equals dL_dW)
  double step_ratio = 0;               // seed_dL_dW / dL_dW = 1 / (y − a): how much too far the seed steps
  double seed_printed_w = 0.81143921;  // what the notebook printed (matches seed_new_w)
};
Seed001Step seed001_neuron_step();

}  // namespace nabla::demo
