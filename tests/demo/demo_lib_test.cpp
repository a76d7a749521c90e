// The demos' numbers (apps/course/) against values computed independently with numpy
// (demo_reference.h, from gen_demo_reference.py): critical points and the signs of C″, the chain
// rule partials, the neuron steps of seeds 001 and 003, the XNOR truth table, the seed-002 trace.
#include <gtest/gtest.h>

#include <cmath>

#include "course/autodiff_seed.h"
#include "course/calculus.h"
#include "course/chain_rule.h"
#include "course/cost_landscape.h"
#include "course/neuron_step.h"
#include "course/threshold_net.h"
#include "demo/demo_reference.h"
#include "nabla/error.h"
#include "nabla/expr/expr.h"
#include "nabla/ops/ops.h"

namespace nabla::demo {
namespace {

namespace ref = reference;

// ---- calculus ----

TEST(DemoCalculus, DerivativesOfAPolynomialByAutograd) {
  const Function1D f("x^3 - 2*x", "x");
  const Point p = f.at(1.5);
  EXPECT_DOUBLE_EQ(p.f, 1.5 * 1.5 * 1.5 - 3.0);
  EXPECT_NEAR(p.d1, 3 * 1.5 * 1.5 - 2, 1e-14);
  EXPECT_NEAR(p.d2, 6 * 1.5, 1e-14);
}

TEST(DemoCalculus, LinearAndConstantPartsHaveZeroHigherDerivatives) {
  const Point lin = Function1D("3*x + 1").at(2.0);
  EXPECT_EQ(lin.d1, 3.0);
  EXPECT_EQ(lin.d2, 0.0);
  const Point flat = Function1D("0*x + 2").at(2.0);
  EXPECT_EQ(flat.d1, 0.0);
  EXPECT_EQ(flat.d2, 0.0);
}

TEST(DemoCalculus, FunctionFromOps) {
  const Function1D f([](const Tensor& x) { return nabla::sigmoid(x); }, "x");
  const Point p = f.at(0.0);
  EXPECT_DOUBLE_EQ(p.f, 0.5);
  EXPECT_NEAR(p.d1, 0.25, 1e-15);
  EXPECT_NEAR(p.d2, 0.0, 1e-15);
}

TEST(DemoCalculus, OtherVariablesNeedValues) {
  EXPECT_THROW(Function1D("3"), ValueError);           // no variable
  EXPECT_THROW(Function1D("a*x^2"), ValueError);       // two free variables
  EXPECT_THROW(Function1D("a*x^2", "y"), ValueError);  // not a variable of the formula
  EXPECT_THROW(Function1D("a*x^2", "x"), ValueError);  // a has no value
  EXPECT_THROW(Function1D("x^2 +", "x"), ParseError);  // malformed
  const Function1D f("a*x^2", "x", "a=2");
  EXPECT_DOUBLE_EQ(f.at(3.0).f, 18.0);
  EXPECT_DOUBLE_EQ(f.at(3.0).d2, 4.0);
  EXPECT_EQ(Function1D("a*x^2", "", "a=2").variable(), "x");
}

TEST(DemoCalculus, NoDerivativesWhereTheFunctionIsUndefined) {
  const Point p = Function1D("log(x)").at(-1.0);
  EXPECT_TRUE(std::isnan(p.f));
  EXPECT_TRUE(std::isnan(p.d1));
  EXPECT_TRUE(std::isnan(p.d2));
}

TEST(DemoCalculus, CostLandscapeCriticalPointsMatchNumpy) {
  const Function1D C(CostLandscape::formula, "W");
  const CriticalPoints cps = critical_points(C, CostLandscape::from, CostLandscape::to);
  ASSERT_EQ(cps.points.size(), std::size(ref::kCostCritical));
  EXPECT_TRUE(cps.flat.empty());
  for (size_t i = 0; i < cps.points.size(); ++i) {
    const CriticalPoint& cp = cps.points[i];
    const ref::Critical& r = ref::kCostCritical[i];
    SCOPED_TRACE(r.w);
    EXPECT_NEAR(cp.point.x, r.w, 1e-9);
    EXPECT_NEAR(cp.point.f, r.c, 1e-9);
    EXPECT_NEAR(cp.point.d1, 0.0, 1e-9);
    EXPECT_NEAR(cp.point.d2, r.d2, 1e-8);
    // The kind follows the sign of C″ (numpy's), by the second-derivative test.
    EXPECT_TRUE(cp.second_derivative_test);
    EXPECT_EQ(cp.kind, r.d2 > 0 ? CriticalKind::minimum : CriticalKind::maximum);
  }
  EXPECT_NEAR(C.value(6.0), ref::kCostAt6, 1e-9);
}

TEST(DemoCalculus, NotebookDerivativesAgreeWithAutograd) {
  const Function1D C(CostLandscape::formula, "W");
  const FormulaCheck c =
      compare_with_formulas(C, CostLandscape::seed_d1, CostLandscape::seed_d2, CostLandscape::from, CostLandscape::to);
  EXPECT_LT(c.max_d1_error, 1e-12 * c.max_abs_d1);
  EXPECT_LT(c.max_d2_error, 1e-12 * c.max_abs_d2);
}

TEST(DemoCalculus, GradientDescentEndsInTheValleyOfItsStart) {
  const Function1D C(CostLandscape::formula, "W");
  const Descent left = gradient_descent(C, -0.5, 0.05, 60);
  const Descent right = gradient_descent(C, 0.5, 0.05, 60);
  ASSERT_EQ(left.path.size(), 61u);
  EXPECT_FALSE(left.diverged);
  EXPECT_NEAR(left.path.back().x, ref::kCostCritical[0].w, 1e-9);
  EXPECT_NEAR(right.path.back().x, ref::kCostCritical[2].w, 1e-5);
  // Every step goes downhill at this step size.
  for (size_t k = 1; k < right.path.size(); ++k) EXPECT_LE(right.path[k].f, right.path[k - 1].f + 1e-12);
  // The path follows x_{k+1} = x_k − lr · C′(x_k).
  EXPECT_NEAR(left.path[1].x, -0.5 - 0.05 * left.path[0].d1, 1e-15);
}

TEST(DemoCalculus, GradientDescentDivergesWhenTheStepIsTooLarge) {
  const Function1D f("x^2");
  const Descent d = gradient_descent(f, 1.0, 1.5, 200);  // factor 1 − 1.5·2 = −2 per step
  EXPECT_TRUE(d.diverged);
  EXPECT_LT(d.path.size(), 201u);
  EXPECT_THROW(gradient_descent(f, 1.0, -0.1, 10), ValueError);
  EXPECT_THROW(gradient_descent(f, 1.0, 0.1, -1), ValueError);
}

TEST(DemoCalculus, StableStepSizeIsTwoOverCurvature) {
  const Function1D C(CostLandscape::formula, "W");
  const CriticalPoints cps = critical_points(C, CostLandscape::from, CostLandscape::to);
  EXPECT_NEAR(largest_stable_lr(cps.points[0]), 2.0 / ref::kCostCritical[0].d2, 1e-9);
  EXPECT_TRUE(std::isinf(largest_stable_lr(cps.points[1])));  // a maximum
  EXPECT_NEAR(descent_factor(cps.points[0], 0.05), 1 - 0.05 * ref::kCostCritical[0].d2, 1e-9);
}

TEST(DemoCalculus, InflectionAndFlatPieces) {
  // x³: f′ = f″ = 0 at 0, and f′ keeps its sign: an inflection, decided without f″.
  const CriticalPoints cubic = critical_points(Function1D("x^3"), -2, 2);
  ASSERT_EQ(cubic.points.size(), 1u);
  EXPECT_NEAR(cubic.points[0].point.x, 0.0, 1e-6);
  EXPECT_EQ(cubic.points[0].kind, CriticalKind::inflection);
  EXPECT_FALSE(cubic.points[0].second_derivative_test);
  // x⁴: f″ = 0 at the minimum too; f′ goes from − to +.
  const CriticalPoints quartic = critical_points(Function1D("x^4"), -2, 2);
  ASSERT_EQ(quartic.points.size(), 1u);
  EXPECT_EQ(quartic.points[0].kind, CriticalKind::minimum);
  // relu is flat for x < 0: every point there is critical, reported as one interval.
  const CriticalPoints relu = critical_points(Function1D("relu(x)"), -3, 3);
  ASSERT_EQ(relu.flat.size(), 1u);
  EXPECT_DOUBLE_EQ(relu.flat[0].from, -3.0);
  EXPECT_LT(relu.flat[0].to, 0.0);
  EXPECT_GT(relu.flat[0].to, -0.1);
  EXPECT_TRUE(relu.points.empty());
  // Monotonic: none.
  EXPECT_TRUE(critical_points(Function1D("exp(x)"), -2, 2).points.empty());
  EXPECT_THROW(critical_points(Function1D("x^2"), 1, -1), ValueError);
}

TEST(DemoCalculus, SettledAtIsTheNearestCriticalPointWithinOnePercentOfTheWindow) {
  // f′ = 3x² − 3: a maximum at −1, a minimum at 1.
  const CriticalPoints cps = critical_points(Function1D("x^3 - 3*x", "x"), -2, 2);
  ASSERT_EQ(cps.points.size(), 2u);
  const CriticalPoint* at = settled_at(cps, 0.99, -2, 2);
  ASSERT_NE(at, nullptr);
  EXPECT_EQ(at->kind, CriticalKind::minimum);
  EXPECT_NEAR(at->point.x, 1.0, 1e-12);
  at = settled_at(cps, -1.03, -2, 2);  // 1% of [−2, 2] is 0.04
  ASSERT_NE(at, nullptr);
  EXPECT_EQ(at->kind, CriticalKind::maximum);
  EXPECT_EQ(settled_at(cps, -1.05, -2, 2), nullptr);
  EXPECT_EQ(settled_at(cps, 0.0, -2, 2), nullptr);      // a descent that stopped halfway settled nowhere
  EXPECT_NE(settled_at(cps, 0.0, -200, 200), nullptr);  // ... unless the window is wide
}

TEST(DemoCalculus, ConcavityAndSlopeOfAPoint) {
  EXPECT_EQ(concavity({0, 0, 0, 2}), Concavity::up);
  EXPECT_EQ(concavity({0, 0, 0, -1e-9}), Concavity::down);
  EXPECT_EQ(concavity({0, 0, 0, 0}), Concavity::flat);
  EXPECT_EQ(slope({0, 0, 0.5, 0}), Slope::rises);
  EXPECT_EQ(slope({0, 0, -0.5, 0}), Slope::falls);
  EXPECT_EQ(slope({0, 0, 9e-4, 0}), Slope::stationary);  // under 1e-3: flat to the eye
  EXPECT_EQ(slope({0, 0, -1e-3, 0}), Slope::falls);
  // At x = 1 on x³ − 3x: f′ = 0, f″ = 6.
  const Function1D f("x^3 - 3*x", "x");
  EXPECT_EQ(concavity(f.at(1.0)), Concavity::up);
  EXPECT_EQ(slope(f.at(1.0)), Slope::stationary);
  EXPECT_EQ(slope(f.at(2.0)), Slope::rises);
}

TEST(DemoCalculus, DescentLeavesTheWindow) {
  const Function1D f("x^2", "x");
  EXPECT_FALSE(leaves_window(gradient_descent(f, 1.0, 0.1, 20), -2, 2));  // shrinks towards 0
  EXPECT_TRUE(leaves_window(gradient_descent(f, 1.0, 1.1, 5), -2, 2));    // |1 − 2.2| > 1: grows past 2
  EXPECT_TRUE(leaves_window(gradient_descent(f, 3.0, 0.1, 5), -2, 2));    // starts outside
}

TEST(DemoCalculus, MathNotationIsHowTheNotebookWritesIt) {
  // The notebook's own spelling of C(W), C′(W) and C″(W) (notebook 000, first section).
  EXPECT_EQ(math_notation(CostLandscape::formula), "−0.07968·W⁵ + 0.48721·W⁴ + 0.28001·W³ − 4.65127·W² + 15.7");
  EXPECT_EQ(math_notation(CostLandscape::seed_d1), "−0.3984·W⁴ + 1.94884·W³ + 0.84003·W² − 9.30254·W");
  EXPECT_EQ(math_notation(CostLandscape::seed_d2), "−1.5936·W³ + 5.84652·W² + 1.68006·W − 9.30254");
  EXPECT_EQ(math_notation("x**10 - 1e-3*x^0.5 + 2^-x"), "x¹⁰ − 1e-3·x^0.5 + 2^−x");
}

TEST(DemoCalculus, LowestPoint) {
  const Function1D f("x^4 - 3*x^2 + x");
  const std::vector<Point> curve = f.sample(-2, 2, 401);
  const Lowest low = lowest_point(curve, critical_points(f, -2, 2));
  EXPECT_NEAR(low.point.x, -1.30084, 1e-4);
  EXPECT_FALSE(low.at_edge);
  // log(x) keeps falling towards 0, where it stops being defined: the lowest sample is at an edge.
  const Function1D g("log(x)");
  const Lowest edge = lowest_point(g.sample(-1, 3, 401), critical_points(g, -1, 3));
  EXPECT_TRUE(edge.at_edge);
  EXPECT_GT(edge.point.x, 0.0);
}

// ---- chain rule ----

TEST(DemoChainRule, SigmoidSquareMatchesNumpyAndAutograd) {
  for (const ref::ChainRow& r : ref::kChain) {
    SCOPED_TRACE(r.x);
    const SigmoidSquareChain c = sigmoid_square_chain(r.x);
    EXPECT_NEAR(c.y, r.y, 1e-15);
    EXPECT_NEAR(c.z, r.z, 1e-15);
    EXPECT_NEAR(c.C, r.C, 1e-15);
    EXPECT_NEAR(c.formula.dC_dz, r.dC_dz, 1e-15);
    EXPECT_NEAR(c.formula.dz_dy, r.dz_dy, 1e-15);
    EXPECT_NEAR(c.formula.dy_dx, r.dy_dx, 1e-15);
    EXPECT_NEAR(c.formula.dC_dx, r.dC_dx, 1e-15);
    EXPECT_NEAR(c.autograd.dC_dz, r.dC_dz, 1e-15);
    EXPECT_NEAR(c.autograd.dz_dy, r.dz_dy, 1e-15);
    EXPECT_NEAR(c.autograd.dy_dx, r.dy_dx, 1e-15);
    EXPECT_NEAR(c.autograd.dC_dx, r.dC_dx, 1e-15);
  }
  EXPECT_NEAR(sigmoid_square_argmin(), ref::kChainArgmin, 1e-14);
  EXPECT_NEAR(sigmoid_square_chain(ref::kChainArgmin).autograd.dC_dx, 0.0, 1e-15);
  EXPECT_THROW(sigmoid_square_argmin(1.5), ValueError);
}

TEST(DemoChainRule, AffineSquare) {
  for (double x : {-2.0, -0.5, 0.0, 1.25}) {
    const AffineSquareChain c = affine_square_chain(x);
    EXPECT_DOUBLE_EQ(c.f, (3 * x + 2) * (3 * x + 2));
    EXPECT_DOUBLE_EQ(c.chain, 6 * (3 * x + 2));
    EXPECT_DOUBLE_EQ(c.closed_form, 6 * (3 * x + 2));
    EXPECT_NEAR(c.autograd, 6 * (3 * x + 2), 1e-13);
  }
}

TEST(DemoChainRule, Seed001MinusOneVersusTheRightDerivative) {
  const Seed001Step s = seed001_neuron_step();
  EXPECT_NEAR(s.a, ref::kSeed001A, 1e-15);
  EXPECT_NEAR(s.seed_new_w, ref::kSeed001SeedW, 1e-15);
  EXPECT_NEAR(s.seed_new_w, s.seed_printed_w, 1e-8);  // the notebook's printed 0.81143921
  EXPECT_NEAR(s.new_w, ref::kSeed001RightW, 1e-15);
  EXPECT_NEAR(s.dL_da, s.a - 1.0, 1e-15);
  EXPECT_NEAR(s.autograd_dL_dW, s.dL_dW, 1e-15);
  EXPECT_NEAR(s.step_ratio, 1.0 / (1.0 - s.a), 1e-12);
}

// ---- neuron step (seed 003) ----

void expect_step(const NeuronStep& s, const ref::NeuronRef& r) {
  EXPECT_NEAR(s.output, r.output, 1e-15);
  EXPECT_NEAR(s.residual, r.residual, 1e-15);
  EXPECT_NEAR(s.delta, r.delta, 1e-15);
  EXPECT_NEAR(s.increment[0], r.increment, 1e-15);
  EXPECT_NEAR(s.increment[1], r.increment, 1e-15);
  EXPECT_NEAR(s.new_w[0], r.w0, 1e-15);
  EXPECT_NEAR(s.new_w[1], r.w1, 1e-15);
  EXPECT_NEAR(s.new_output, r.new_output, 1e-15);
  EXPECT_NEAR(s.new_residual, r.new_residual, 1e-14);
}

TEST(DemoNeuronStep, Seed003AsWritten) {
  const NeuronStep s = neuron_step(Seed003::inputs());
  expect_step(s, ref::kNeuronY1);
  EXPECT_NEAR(s.residual, 0.4256, 5e-5);  // y − ŷ, not the 4.43 the notebook printed
  EXPECT_LT(std::fabs(s.new_residual), std::fabs(s.residual));
  EXPECT_LT(s.new_loss, s.loss);
  ASSERT_EQ(s.autograd_increment.size(), 2u);
  for (size_t i = 0; i < 2; ++i) EXPECT_NEAR(s.autograd_increment[i], s.increment[i], 1e-15);
  // Along the step the error at s = 0 and s = 1 is the loss before and after.
  const std::vector<double> along = loss_along_step(s, {0.0, 1.0});
  EXPECT_NEAR(along[0], s.loss, 1e-15);
  EXPECT_NEAR(along[1], s.new_loss, 1e-15);
}

TEST(DemoNeuronStep, PrintedNumbersComeFromYEqualsFive) {
  EXPECT_NEAR(Seed003::implied_target(), 5.0, 1e-15);
  NeuronInputs in = Seed003::inputs();
  in.y = Seed003::implied_target();
  const NeuronStep s = neuron_step(in);
  expect_step(s, ref::kNeuronY5);
  EXPECT_NEAR(s.output, Seed003::printed_output, 1e-15);
  EXPECT_NEAR(s.residual, Seed003::printed_residual, 1e-14);
  EXPECT_NEAR(s.increment[0], Seed003::printed_increment, 1e-8);
  EXPECT_NEAR(s.new_w[0], Seed003::printed_new_w[0], 1e-8);
  EXPECT_NEAR(s.new_w[1], Seed003::printed_new_w[1], 1e-8);
  EXPECT_NEAR(s.new_residual, Seed003::printed_new_residual, 1e-14);
}

TEST(DemoNeuronStep, RejectsMismatchedSizes) {
  EXPECT_THROW(neuron_step({{1.0}, {0.1, 0.2}, 0, 1, 1}), ValueError);
  EXPECT_THROW(neuron_step({{}, {}, 0, 1, 1}), ValueError);
}

// ---- XNOR (seed 002 §1) ----

TEST(DemoThreshold, XnorTruthTable) {
  const ThresholdNet net = ThresholdNet::seed002_xnor();
  const std::vector<TruthRow> rows = truth_table(net);
  ASSERT_EQ(rows.size(), 4u);
  const double x1[] = {0, 0, 1, 1}, x2[] = {0, 1, 0, 1}, xnor[] = {1, 0, 0, 1};
  for (size_t i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(rows[i].x1, x1[i]);
    EXPECT_EQ(rows[i].x2, x2[i]);
    EXPECT_EQ(rows[i].h1, x1[i] * x2[i]);              // AND
    EXPECT_EQ(rows[i].h2, (1 - x1[i]) * (1 - x2[i]));  // NOR
    EXPECT_EQ(rows[i].z1, x1[i] + x2[i] - 1.5);
    EXPECT_EQ(rows[i].z2, -x1[i] - x2[i] + 0.5);
    EXPECT_EQ(rows[i].y, xnor[i]);
    EXPECT_EQ(rows[i].expected, xnor[i]);
  }
}

TEST(DemoThreshold, RegionsAreTheBandBetweenTwoLines) {
  const ThresholdNet net = ThresholdNet::seed002_xnor();
  const ThresholdRegions r = threshold_regions(net, {-0.4, 0.5, 1.4, 0.9}, {-0.4, 0.5, 1.4, -0.2});
  EXPECT_EQ(r.y, (std::vector<double>{1, 0, 1, 0}));
  EXPECT_EQ(r.h1, (std::vector<double>{0, 0, 1, 0}));
  EXPECT_EQ(r.h2, (std::vector<double>{1, 0, 0, 0}));
  EXPECT_THROW(net.forward(Tensor::from_vector({1, 2, 3}, {1, 3})), ShapeError);
}

// ---- autodiff (seed 002 §3) ----

TEST(DemoAutodiff, TraceMatchesNumpy) {
  const expr::Trace t = expr::trace(expr::Expression(kSeed002Formula).evaluate(expr::parse_bindings(kSeed002Values)));
  auto node = [&](const std::string& name) -> const expr::NodeTrace& {
    for (const auto& n : t.nodes)
      if (n.name == name) return n;
    throw std::runtime_error("no node " + name);
  };
  for (const ref::Named& v : ref::kTraceValues) EXPECT_NEAR(node(v.name).value, v.value, 1e-15) << v.name;
  for (const ref::Named& v : ref::kTraceAdjoints)
    EXPECT_NEAR(node(v.name).adjoint, v.value, 1e-14 * (1 + std::fabs(v.value))) << v.name;  // 1 − t² cancels digits
  for (const ref::Named& g : ref::kTraceGradient) {
    bool found = false;
    for (const auto& v : t.variables)
      if (v.name == g.name) {
        found = true;
        EXPECT_NEAR(v.gradient, g.value, 1e-15) << g.name;
      }
    EXPECT_TRUE(found) << g.name;
  }
}

TEST(DemoAutodiff, NotebookValuesChecked) {
  const expr::Trace t = expr::trace(expr::Expression(kSeed002Formula).evaluate(expr::parse_bindings(kSeed002Values)));
  const std::vector<SeedCheck> checks = check_seed002(t);
  ASSERT_EQ(checks.size(), 26u);
  int agree = 0;
  for (const SeedCheck& c : checks) agree += c.agrees;
  EXPECT_EQ(agree, 16);
  auto find = [&](const std::string& name, SeedQuantity kind) {
    for (const SeedCheck& c : checks)
      if (c.name == name && c.kind == kind) return c;
    throw std::runtime_error("no check " + name);
  };
  EXPECT_TRUE(find("s3", SeedQuantity::value).agrees);      // 0.5000115: truncated, still right
  EXPECT_TRUE(find("w4", SeedQuantity::gradient).agrees);   // 0.0971
  EXPECT_FALSE(find("a4", SeedQuantity::adjoint).agrees);   // 0.1943 for 0.19410
  EXPECT_FALSE(find("w2", SeedQuantity::gradient).agrees);  // -0.00003441 for -3.484e-05
  EXPECT_NEAR(find("w2", SeedQuantity::gradient).relative_error, 0.0124, 0.0005);
  const RoundingNote note = seed002_rounding(t);
  EXPECT_NEAR(note.one_minus_t2_from_written, 1 - 0.9866 * 0.9866, 1e-15);
  EXPECT_NEAR(note.one_minus_t2, 1 - ref::kTraceValues[8].value * ref::kTraceValues[8].value, 1e-15);
  // A trace of some other formula cannot be checked against the seed.
  const expr::Trace other = expr::trace(expr::Expression("x*y").evaluate(expr::parse_bindings("x=1,y=2")));
  EXPECT_THROW(check_seed002(other), ValueError);
}

}  // namespace
}  // namespace nabla::demo
