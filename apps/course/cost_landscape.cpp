#include "course/cost_landscape.h"

#include <algorithm>
#include <cmath>

namespace nabla::demo {

FormulaCheck compare_with_formulas(const Function1D& f, const std::string& d1_formula, const std::string& d2_formula,
                                   double a, double b, int n) {
  const Function1D d1(d1_formula, f.variable()), d2(d2_formula, f.variable());
  FormulaCheck c;
  for (const Point& p : f.sample(a, b, n)) {
    c.max_d1_error = std::max(c.max_d1_error, std::fabs(p.d1 - d1.value(p.x)));
    c.max_d2_error = std::max(c.max_d2_error, std::fabs(p.d2 - d2.value(p.x)));
    c.max_abs_d1 = std::max(c.max_abs_d1, std::fabs(p.d1));
    c.max_abs_d2 = std::max(c.max_abs_d2, std::fabs(p.d2));
  }
  return c;
}

}  // namespace nabla::demo
