// course/calculus.h — a function of one variable and what calculus says about it: values,
// f′ and f″, critical points and gradient descent, every derivative taken by nabla's autograd
// (f″ is the gradient of the gradient, recorded with create_graph). `nabla explore` and the
// cost-landscape demo are formatting around these numbers.
//
//   nabla::demo::Function1D C("-0.07968*W^5 + 0.48721*W^4 + 0.28001*W^3 - 4.65127*W^2 + 15.7", "W");
//   nabla::demo::Point p = C.at(3.0);   // p.f = C(3), p.d1 = C′(3), p.d2 = C″(3)
//   auto cps = nabla::demo::critical_points(C, -3.5, 4.0);   // Newton on C′ from a grid of starts
#pragma once
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "nabla/std_function.h"
#include "nabla/tensor/tensor.h"

namespace nabla::demo {

// f and its first two derivatives at x.
struct Point {
  double x = 0, f = 0, d1 = 0, d2 = 0;
};

// A real function of one real variable, evaluated on nabla's graph in float64.
class Function1D {
 public:
  // A formula of the `nabla grad` language (nabla/expr/expr.h). `variable` names the free
  // variable ("" = the formula's only variable); `fixed` gives values to any other variables
  // ("a=2,b=-1"). Throws ParseError for a malformed formula or bindings, ValueError when the
  // variable is missing, ambiguous, or some other variable has no value.
  explicit Function1D(const std::string& formula, const std::string& variable = "", const std::string& fixed = "");
  // A function built from nabla ops on a float64 scalar (for the library's own demos).
  Function1D(std::function<Tensor(const Tensor&)> f, std::string variable);

  const std::string& variable() const { return variable_; }
  // The formula as parsed ("" for a function built from ops).
  const std::string& formula() const { return formula_; }

  double value(double x) const;
  // f(x), f′(x) and f″(x): grad with create_graph, then grad of that gradient. A part of the
  // graph that does not depend on x (a constant, or f′ of a linear function) gives 0. Where f(x)
  // is not finite, f′ and f″ are NaN.
  Point at(double x) const;
  // `n` evenly spaced points over [a, b], both ends included (n >= 2).
  std::vector<Point> sample(double a, double b, int n) const;

 private:
  // Builds the graph at x: (the leaf for the variable, the output).
  std::function<std::pair<Tensor, Tensor>(double)> build_;
  std::string variable_, formula_;
};

enum class CriticalKind { minimum, maximum, inflection };

struct CriticalPoint {
  Point point;
  CriticalKind kind = CriticalKind::minimum;
  // True when the sign of f″ decided the kind (the second-derivative test); false when f″ was
  // (numerically) zero and the signs of f′ on either side decided it.
  bool second_derivative_test = true;
  int newton_iterations = 0;
};

// An interval where f′ is zero at every grid point (a flat piece such as relu(x) for x < 0):
// every point of it is critical, so it is reported as a whole.
struct FlatInterval {
  double from = 0, to = 0;
};

struct CriticalPoints {
  std::vector<CriticalPoint> points;  // sorted by x
  std::vector<FlatInterval> flat;
};

struct CriticalOptions {
  int starts = 200;  // Newton starts, evenly spaced over [a, b]
  int max_iterations = 100;
  double tolerance = 1e-9;  // |f′| accepted as zero, relative to the largest |f′| on the grid (at least 1)
};

// The zeros of f′ in [a, b]: Newton's method x ← x − f′(x)/f″(x) from a grid of starts, with
// f′ and f″ from autograd; converged points are deduplicated and classified by the sign of f″
// (or, where f″ = 0, by the sign change of f′).
CriticalPoints critical_points(const Function1D& f, double a, double b, CriticalOptions options = {});

// The lowest value of f seen on a sampled curve and its minima. `at_edge` is true when that is at
// an end of the curve or next to a sample where f is not a number (log(x) near 0): f may go lower
// beyond, so it is not a minimum.
struct Lowest {
  Point point{NAN, NAN, NAN, NAN};
  bool at_edge = false;
};
Lowest lowest_point(const std::vector<Point>& curve, const CriticalPoints& cps);

// One iterate of gradient descent: x_{k+1} = x_k − lr · f′(x_k).
struct DescentStep {
  int step = 0;  // 0 = the start
  double x = 0, f = 0, d1 = 0;
};
struct Descent {
  double start = 0, lr = 0;
  std::vector<DescentStep> path;  // the start and every step taken
  bool diverged = false;          // stopped early: x or f(x) stopped being finite or exceeded 1e12
};
Descent gradient_descent(const Function1D& f, double x0, double lr, int steps);

// Near a minimum x* (f″ > 0) gradient descent multiplies the distance to x* by (1 − lr·f″(x*))
// each step, so it settles only for lr < 2 / f″(x*). Infinity where f″ <= 0.
double largest_stable_lr(const CriticalPoint& minimum);
// That factor, 1 − lr·f″(x*): |factor| < 1 settles (negative: it overshoots and oscillates).
double descent_factor(const CriticalPoint& minimum, double lr);

// The critical point a descent that ended at x settled at: the nearest one within 1% of the
// window [a, b] (null when none is that close). `nabla explore` and the cost-landscape demo
// both name the point their descents end at by this rule.
const CriticalPoint* settled_at(const CriticalPoints& cps, double x, double a, double b);

// How f bends at p: up (f″ > 0), down (f″ < 0) or flat (f″ = 0).
enum class Concavity { up, down, flat };
Concavity concavity(const Point& p);
// Where f heads at p: rising (f′ > 0), falling, or stationary when |f′| < 1e-3 (flat to the eye
// on a plot). The cost-landscape demo and `nabla explore` word their tangent frames by these two.
enum class Slope { rises, falls, stationary };
Slope slope(const Point& p);
// Whether some iterate of the descent lies outside [a, b] (its pictures then show only part).
bool leaves_window(const Descent& d, double a, double b);

// A formula of the `nabla grad` language as the course writes it: "·" for *, "−" for minus,
// superscript digits for a whole-number power: "-0.3984*W^4 - 9.3*W" -> "−0.3984·W⁴ − 9.3·W".
std::string math_notation(const std::string& formula);

}  // namespace nabla::demo
