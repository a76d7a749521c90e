// course/threshold_net.h — seed 002 §1: a 2-2-1 network of threshold (step) units with
// weights set by hand, computing XNOR. step(z) = 1 if z > 0 else 0, as in the seed.
//
//   auto net = nabla::demo::ThresholdNet::seed002_xnor();
//   auto rows = nabla::demo::truth_table(net);   // x1 x2 → h1 (AND) h2 (NOR) → y (OR) = XNOR
//   auto out = net.forward(points);              // any batch of (N, 2) inputs
#pragma once
#include <vector>

#include "nabla/tensor/tensor.h"

namespace nabla::demo {

struct ThresholdNet {
  Tensor W1;  // (2, 2), [out][in] as PyTorch stores it: row j holds the weights of hidden unit j
  Tensor b1;  // (2)
  Tensor W2;  // (1, 2)
  Tensor b2;  // (1)

  // W1 = [[1, 1], [-1, -1]], b1 = [-1.5, 0.5]: h1 = x1 AND x2, h2 = NOT x1 AND NOT x2 (NOR);
  // W2 = [[1, 1]], b2 = [-0.5]: y = h1 OR h2. (The seed writes W1 as [[1, -1], [1, -1]]: the same
  // numbers in [in][out] layout, for X·W1.)
  static ThresholdNet seed002_xnor();

  struct Forward {
    Tensor z1;  // (N, 2) = x·W1ᵀ + b1
    Tensor h;   // (N, 2) = step(z1)
    Tensor z2;  // (N, 1) = h·W2ᵀ + b2
    Tensor y;   // (N, 1) = step(z2)
  };
  // x: (N, 2) float64. Throws ShapeError otherwise.
  Forward forward(const Tensor& x) const;
};

struct TruthRow {
  double x1 = 0, x2 = 0;
  double z1 = 0, z2 = 0;  // pre-activations of the hidden units
  double h1 = 0, h2 = 0;  // AND, NOR
  double z = 0, y = 0;    // output pre-activation and output
  double expected = 0;    // XNOR(x1, x2) from the seed's Table 1
};
// The four rows (0,0), (0,1), (1,0), (1,1), all computed by one forward pass of `net`.
std::vector<TruthRow> truth_table(const ThresholdNet& net);

// The three units over a grid of the plane (values in Grid2D order: iy outer, ix inner): the
// regions where h1, h2 and y are 1.
struct ThresholdRegions {
  std::vector<double> h1, h2, y;
};
ThresholdRegions threshold_regions(const ThresholdNet& net, const std::vector<double>& x1s,
                                   const std::vector<double>& x2s);

}  // namespace nabla::demo
