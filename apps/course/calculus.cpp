#include "course/calculus.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "nabla/autograd/engine.h"
#include "nabla/error.h"
#include "nabla/expr/expr.h"

namespace nabla::demo {

Function1D::Function1D(const std::string& formula, const std::string& variable, const std::string& fixed)
    : formula_(formula) {
  auto expression = std::make_shared<expr::Expression>(formula);
  const std::vector<std::string> names = expression->variables();
  NABLA_CHECK(!names.empty(), ValueError, "the formula '", formula,
              "' has no variable: it is a constant, with nothing to plot against");
  expr::Bindings others = expr::parse_bindings(fixed);
  auto bound = [&](const std::string& name) {
    return std::any_of(others.items.begin(), others.items.end(),
                       [&](const expr::Binding& b) { return b.name == name; });
  };
  if (variable.empty()) {
    std::vector<std::string> free;
    for (const std::string& n : names)
      if (!bound(n)) free.push_back(n);
    NABLA_CHECK(free.size() == 1, ValueError, "the formula '", formula, "' has ", free.size(),
                " variables without a value; name the one to vary (e.g. --var ", names.front(),
                ") and give the others values (e.g. --at ", names.back(), "=1)");
    variable_ = free.front();
  } else {
    variable_ = variable;
    NABLA_CHECK(std::find(names.begin(), names.end(), variable) != names.end(), ValueError, "the formula '", formula,
                "' has no variable '", variable, "'");
    NABLA_CHECK(!bound(variable), ValueError, "'", variable,
                "' is the variable to vary, so it cannot also get a value");
  }
  for (const std::string& n : names)
    NABLA_CHECK(n == variable_ || bound(n), ValueError, "the formula '", formula, "' also uses '", n,
                "': give it a value (e.g. --at ", n, "=1) or make it the variable");
  build_ = [expression, others, name = variable_](double x) {
    expr::Bindings values = others;
    values.items.push_back({name, x, 0});
    expr::Evaluation ev = expression->evaluate(values);
    for (const expr::Variable& v : ev.variables)
      if (v.name == name) return std::pair{v.tensor, ev.result};
    throw std::logic_error("Function1D: the variable vanished from its own evaluation");
  };
}

Function1D::Function1D(std::function<Tensor(const Tensor&)> f, std::string variable) : variable_(std::move(variable)) {
  build_ = [f = std::move(f)](double x) {
    Tensor leaf = Tensor::scalar(x, DType::float64).requires_grad_();
    return std::pair{leaf, f(leaf)};
  };
}

double Function1D::value(double x) const {
  NoGradGuard no_grad;
  return build_(x).second.item();
}

Point Function1D::at(double x) const {
  auto [leaf, y] = build_(x);
  Point p{x, y.item(), 0.0, 0.0};
  // Where f itself is not defined (log of a negative number), neither are its derivatives, even
  // though the backward formulas would happily produce numbers (1/x).
  if (!std::isfinite(p.f)) return {x, p.f, NAN, NAN};
  if (!y.requires_grad()) return p;  // f does not depend on x
  Tensor d1 = nabla::grad({y}, {leaf}, {.create_graph = true, .allow_unused = true})[0];
  if (!d1.defined()) return p;
  p.d1 = d1.item();
  // f′ recorded as a graph of its own: differentiating it again gives f″.
  if (!d1.requires_grad()) return p;  // f′ is constant (f is linear in x)
  Tensor d2 = nabla::grad({d1}, {leaf}, {.allow_unused = true})[0];
  p.d2 = d2.defined() ? d2.item() : 0.0;
  return p;
}

std::vector<Point> Function1D::sample(double a, double b, int n) const {
  NABLA_CHECK(n >= 2, ValueError, "Function1D::sample: need at least 2 points, got ", n);
  std::vector<Point> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) out.push_back(at(a + (b - a) * i / (n - 1)));
  return out;
}

namespace {

bool finite(const Point& p) { return std::isfinite(p.f) && std::isfinite(p.d1) && std::isfinite(p.d2); }

}  // namespace

CriticalPoints critical_points(const Function1D& f, double a, double b, CriticalOptions options) {
  NABLA_CHECK(std::isfinite(a) && std::isfinite(b) && a < b, ValueError, "critical_points: need a < b, got [", a, ", ",
              b, "]");
  NABLA_CHECK(options.starts >= 2, ValueError, "critical_points: need at least 2 starts, got ", options.starts);
  const std::vector<Point> grid = f.sample(a, b, options.starts);
  double scale = 1.0;  // what "f′ = 0" is measured against
  for (const Point& p : grid)
    if (std::isfinite(p.d1)) scale = std::max(scale, std::fabs(p.d1));
  const double zero = options.tolerance * scale;
  const double span = b - a, margin = 1e-9 * span;

  CriticalPoints out;
  // Flat pieces: runs of grid points where f′ and f″ are both exactly zero.
  for (size_t i = 0; i < grid.size();) {
    if (grid[i].d1 != 0.0 || grid[i].d2 != 0.0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j + 1 < grid.size() && grid[j + 1].d1 == 0.0 && grid[j + 1].d2 == 0.0) ++j;
    if (j > i) out.flat.push_back({grid[i].x, grid[j].x});
    i = j + 1;
  }
  auto in_flat = [&](double x) {
    const double step = span / (options.starts - 1);
    for (const FlatInterval& fl : out.flat)
      if (x >= fl.from - step && x <= fl.to + step) return true;
    return false;
  };

  std::vector<CriticalPoint> found;
  for (const Point& start : grid) {
    if (in_flat(start.x) || !finite(start)) continue;
    Point p = start;
    int it = 0;
    bool converged = std::fabs(p.d1) <= zero * 1e-3;
    while (!converged && it < options.max_iterations) {
      if (p.d2 == 0.0) break;  // Newton cannot move from here
      const double next = p.x - p.d1 / p.d2;
      if (!std::isfinite(next) || next < a - margin || next > b + margin) break;
      const double moved = std::fabs(next - p.x);
      p = f.at(next);
      ++it;
      if (!finite(p)) break;
      converged = p.d1 == 0.0 || moved <= 1e-14 * (1 + std::fabs(p.x));
    }
    if (!finite(p) || std::fabs(p.d1) > zero) continue;
    if (p.x < a - margin || p.x > b + margin || in_flat(p.x)) continue;
    CriticalPoint cp;
    cp.point = p;
    cp.newton_iterations = it;
    found.push_back(cp);
  }

  // Many starts reach the same point: keep one per cluster, the one with the smallest |f′|.
  std::sort(found.begin(), found.end(),
            [](const CriticalPoint& l, const CriticalPoint& r) { return l.point.x < r.point.x; });
  const double same = 1e-6 * span;
  for (const CriticalPoint& cp : found) {
    if (!out.points.empty() && cp.point.x - out.points.back().point.x <= same) {
      if (std::fabs(cp.point.d1) < std::fabs(out.points.back().point.d1)) out.points.back() = cp;
      continue;
    }
    out.points.push_back(cp);
  }

  // Classify: the sign of f″, or where f″ vanishes, how f′ changes sign across the point.
  double curvature = 1.0;
  for (const Point& p : grid)
    if (std::isfinite(p.d2)) curvature = std::max(curvature, std::fabs(p.d2));
  for (CriticalPoint& cp : out.points) {
    const double d2 = cp.point.d2;
    if (std::fabs(d2) > 1e-7 * curvature) {
      cp.kind = d2 > 0 ? CriticalKind::minimum : CriticalKind::maximum;
      cp.second_derivative_test = true;
      continue;
    }
    cp.second_derivative_test = false;
    const double h = 1e-4 * span;
    const double left = f.at(cp.point.x - h).d1, right = f.at(cp.point.x + h).d1;
    if (left < 0 && right > 0)
      cp.kind = CriticalKind::minimum;
    else if (left > 0 && right < 0)
      cp.kind = CriticalKind::maximum;
    else
      cp.kind = CriticalKind::inflection;
  }
  return out;
}

Lowest lowest_point(const std::vector<Point>& curve, const CriticalPoints& cps) {
  Lowest out;
  auto finite_f = [&](size_t i) { return i < curve.size() && std::isfinite(curve[i].f); };
  for (size_t i = 0; i < curve.size(); ++i) {
    if (!finite_f(i) || curve[i].f >= out.point.f) continue;
    out.point = curve[i];
    out.at_edge = i == 0 || i + 1 == curve.size() || !finite_f(i - 1) || !finite_f(i + 1);
  }
  for (const CriticalPoint& cp : cps.points)
    if (cp.kind == CriticalKind::minimum && std::isfinite(cp.point.f) && !(cp.point.f > out.point.f)) {
      out.point = cp.point;
      out.at_edge = false;
    }
  return out;
}

Descent gradient_descent(const Function1D& f, double x0, double lr, int steps) {
  NABLA_CHECK(std::isfinite(x0), ValueError, "gradient descent: the start must be a finite number, got ", x0);
  NABLA_CHECK(std::isfinite(lr) && lr > 0, ValueError, "gradient descent: invalid learning rate ", lr,
              " (it must be a positive number)");
  NABLA_CHECK(steps >= 0, ValueError, "gradient descent: invalid number of steps ", steps);
  Descent d;
  d.start = x0;
  d.lr = lr;
  Point p = f.at(x0);
  d.path.push_back({0, p.x, p.f, p.d1});
  for (int k = 1; k <= steps; ++k) {
    const double next = p.x - lr * p.d1;
    if (!std::isfinite(next) || std::fabs(next) > 1e12) {
      d.diverged = true;
      break;
    }
    p = f.at(next);
    if (!std::isfinite(p.f) || std::fabs(p.f) > 1e12 || !std::isfinite(p.d1)) {
      d.diverged = true;
      break;
    }
    d.path.push_back({k, p.x, p.f, p.d1});
  }
  return d;
}

double largest_stable_lr(const CriticalPoint& minimum) {
  return minimum.point.d2 > 0 ? 2.0 / minimum.point.d2 : std::numeric_limits<double>::infinity();
}

double descent_factor(const CriticalPoint& minimum, double lr) { return 1.0 - lr * minimum.point.d2; }

const CriticalPoint* settled_at(const CriticalPoints& cps, double x, double a, double b) {
  const CriticalPoint* closest = nullptr;
  for (const CriticalPoint& cp : cps.points)
    if (std::fabs(cp.point.x - x) < 0.01 * (b - a) &&
        (!closest || std::fabs(cp.point.x - x) < std::fabs(closest->point.x - x)))
      closest = &cp;
  return closest;
}

Concavity concavity(const Point& p) { return p.d2 > 0 ? Concavity::up : p.d2 < 0 ? Concavity::down : Concavity::flat; }

Slope slope(const Point& p) {
  return std::fabs(p.d1) < 1e-3 ? Slope::stationary : p.d1 > 0 ? Slope::rises : Slope::falls;
}

bool leaves_window(const Descent& d, double a, double b) {
  return std::any_of(d.path.begin(), d.path.end(), [&](const DescentStep& s) { return s.x < a || s.x > b; });
}

std::string math_notation(const std::string& source) {
  static const char* const superscript[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  std::string formula;  // ** is ^
  for (size_t i = 0; i < source.size(); ++i) {
    const bool power = source[i] == '*' && i + 1 < source.size() && source[i + 1] == '*';
    formula += power ? '^' : source[i];
    i += power;
  }
  std::string out;
  for (size_t i = 0; i < formula.size(); ++i) {
    const char c = formula[i];
    if (c == '*') {
      out += "·";
    } else if (c == '-' && !(i >= 2 && (formula[i - 1] == 'e' || formula[i - 1] == 'E') && digit(formula[i - 2]))) {
      out += "−";  // a minus sign, but not the one of an exponent (1e-3)
    } else if (c == '^') {
      size_t j = i + 1;
      while (j < formula.size() && digit(formula[j])) ++j;
      if (j == i + 1 || (j < formula.size() && formula[j] == '.')) {  // not a whole number: keep the ^
        out += c;
        continue;
      }
      for (size_t k = i + 1; k < j; ++k) out += superscript[formula[k] - '0'];
      i = j - 1;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace nabla::demo
