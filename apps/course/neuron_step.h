// course/neuron_step.h — seed 003: one gradient-descent step on a sigmoid neuron
// ŷ = σ(w·x + b), with the seed's error term δ = (y − ŷ)·σ′(h) and increment Δw = η·δ·x.
//
//   auto s = nabla::demo::neuron_step(nabla::demo::Seed003::inputs());
//   s.residual;        // y − ŷ = 0.4256 (the notebook printed 4.4256: see Seed003)
//   s.new_residual < s.residual;   // the step reduced the error
#pragma once
#include <vector>

namespace nabla::demo {

struct NeuronInputs {
  std::vector<double> x, w;
  double b = 0, y = 0, eta = 0;
};

struct NeuronStep {
  NeuronInputs in;
  double h = 0;                   // w·x + b
  double output = 0;              // ŷ = σ(h)
  double residual = 0;            // y − ŷ
  double f_prime = 0;             // σ′(h) = σ(h)(1 − σ(h))
  double delta = 0;               // δ = (y − ŷ)·σ′(h)
  std::vector<double> increment;  // Δw = η·δ·x
  std::vector<double> new_w;      // w + Δw (b is left as it is, as in the seed)
  double new_h = 0, new_output = 0, new_residual = 0;
  double loss = 0, new_loss = 0;  // ½(y − ŷ)² before and after
  // −η·∂L/∂w for L = ½(y − ŷ)², by nabla's backward pass: the same as Δw, which shows that the
  // seed's δ rule is gradient descent on the squared error.
  std::vector<double> autograd_increment;
};

// Throws ValueError when x and w differ in length or are empty.
NeuronStep neuron_step(const NeuronInputs& in);

// The squared error ½(y − σ((w + s·Δw)·x + b))² along the step's direction, at each s: s = 0 is
// where the step starts, s = 1 where it lands.
std::vector<double> loss_along_step(const NeuronStep& step, const std::vector<double>& s);

// The seed's numbers, and what its notebook printed.
struct Seed003 {
  static NeuronInputs inputs() { return {{1.0, 1.0}, {0.1, 0.2}, 0.0, 1.0, 1.0}; }
  // The printed outputs ("Salida", "Error", "Incremento", "Nuevos pesos", "Nuevo error").
  static constexpr double printed_output = 0.574442516811659;
  static constexpr double printed_residual = 4.425557483188341;
  static constexpr double printed_increment = 1.08186431;
  static constexpr double printed_new_w[2] = {1.18186431, 1.28186431};
  static constexpr double printed_new_residual = 4.078440380493933;
  // The target the printed residual implies: y = ŷ + (y − ŷ). It is 5, not the 1.0 in the code,
  // so the notebook's outputs come from an earlier run with y = 5.
  static double implied_target() { return printed_output + printed_residual; }
};

}  // namespace nabla::demo
