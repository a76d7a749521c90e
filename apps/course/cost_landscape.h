// course/cost_landscape.h — seed 000's one-weight cost C(W) and the derivatives its notebook
// worked out by hand, checked against autograd.
//
//   nabla::demo::Function1D C(nabla::demo::CostLandscape::formula, "W");
//   auto check = nabla::demo::compare_with_formulas(C, CostLandscape::seed_d1, CostLandscape::seed_d2,
//                                                   CostLandscape::from, CostLandscape::to);
//   check.max_d1_error;   // largest |C′ by autograd − the notebook's C′| over the window
#pragma once
#include <string>

#include "course/calculus.h"

namespace nabla::demo {

struct CostLandscape {
  static constexpr const char* formula = "-0.07968*W^5 + 0.48721*W^4 + 0.28001*W^3 - 4.65127*W^2 + 15.7";
  // The notebook's C′ and C″, derived by hand.
  static constexpr const char* seed_d1 = "-0.3984*W^4 + 1.94884*W^3 + 0.84003*W^2 - 9.30254*W";
  static constexpr const char* seed_d2 = "-1.5936*W^3 + 5.84652*W^2 + 1.68006*W - 9.30254";
  // The window of the notebook's animation, and its y range.
  static constexpr double from = -3.5, to = 4.0;
  static constexpr double ymin = -5.0, ymax = 18.0;
};

struct FormulaCheck {
  double max_d1_error = 0;                // largest |f′(x) − d1(x)| over the grid
  double max_d2_error = 0;                // largest |f″(x) − d2(x)|
  double max_abs_d1 = 0, max_abs_d2 = 0;  // the scale those errors are to be read against
};

// f′ and f″ by autograd against hand-derived formulas of the same variable, at `n` evenly spaced
// points of [a, b].
FormulaCheck compare_with_formulas(const Function1D& f, const std::string& d1_formula, const std::string& d2_formula,
                                   double a, double b, int n = 301);

}  // namespace nabla::demo
