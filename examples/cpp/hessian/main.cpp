// The Hessian of f(x, y) = x²·y + sin(x·y) by second-order autograd (grad with create_graph, then
// grad of each first derivative), checked against the formulas.
//   hessian      # prints the matrix; exit 1 if it differs from the formulas by more than 1e-12
#include <nabla/nabla.h>

#include <cmath>
#include <cstdio>

using namespace nabla;

int main() {
  const double x0 = 0.7, y0 = -1.3;
  Tensor x = Tensor::scalar(x0).requires_grad_();
  Tensor y = Tensor::scalar(y0).requires_grad_();
  Tensor f = x * x * y + sin(x * y);
  std::vector<Tensor> g = grad({f}, {x, y}, {.create_graph = true});  // ∂f/∂x, ∂f/∂y, differentiable
  double h[2][2];
  for (int i = 0; i < 2; ++i) {
    std::vector<Tensor> row = grad({g[i]}, {x, y}, {.retain_graph = true});
    h[i][0] = row[0].item();
    h[i][1] = row[1].item();
  }
  const double c = std::cos(x0 * y0), s = std::sin(x0 * y0);
  const double want[2][2] = {{2 * y0 - y0 * y0 * s, 2 * x0 + c - x0 * y0 * s},
                             {2 * x0 + c - x0 * y0 * s, -x0 * x0 * s}};
  double worst = 0;
  std::printf("Hessian of x^2*y + sin(x*y) at (%.1f, %.1f):\n", x0, y0);
  for (int i = 0; i < 2; ++i) {
    std::printf("  [% .12f  % .12f]\n", h[i][0], h[i][1]);
    for (int j = 0; j < 2; ++j) worst = std::fmax(worst, std::fabs(h[i][j] - want[i][j]));
  }
  std::printf("largest difference from the formulas: %.2e\n", worst);
  return worst <= 1e-12 ? 0 : 1;
}
