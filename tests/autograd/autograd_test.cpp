// The dynamic graph: accumulation, retain_grad, no_grad, detach, higher order, error cases.
#include <gtest/gtest.h>

#include <cmath>

#include "nabla/nabla.h"

namespace nabla {
namespace {

Tensor leaf(std::vector<double> values) {
  Shape s{int64_t(values.size())};
  return Tensor::from_vector(values, s).requires_grad_();
}
std::vector<double> v(const Tensor& t) { return t.to_vector<double>(); }

TEST(Autograd, SimpleChainAndDiamond) {
  Tensor x = leaf({2.0});
  Tensor y = x * x + sin(x);  // x used by two paths
  y.backward();
  EXPECT_NEAR(x.grad().item(), 2 * 2.0 + std::cos(2.0), 1e-15);
}

TEST(Autograd, GradientsAccumulateUntilZeroed) {
  Tensor x = leaf({1.0, 2.0});
  Tensor y = sum(x * 3.0);
  y.backward({}, /*retain_graph=*/true);
  y.backward();
  EXPECT_EQ(v(x.grad()), (std::vector<double>{6, 6}));
  x.zero_grad();
  EXPECT_FALSE(x.grad().defined());
}

TEST(Autograd, BackwardTwiceWithoutRetainGraphIsAnError) {
  Tensor x = leaf({1.0});
  Tensor y = sum(exp(x));
  y.backward();
  try {
    y.backward();
    FAIL() << "expected AutogradError";
  } catch (const AutogradError& e) {
    EXPECT_NE(std::string(e.what()).find("retain_graph"), std::string::npos);
  }
}

TEST(Autograd, NonScalarNeedsExplicitGradient) {
  Tensor x = leaf({1.0, 2.0});
  Tensor y = x * x;
  EXPECT_THROW(y.backward(), AutogradError);
  y.backward(Tensor::from_vector({1.0, 0.5}, {2}));
  EXPECT_EQ(v(x.grad()), (std::vector<double>{2.0, 2.0}));
  EXPECT_THROW(leaf({1.0}).backward(Tensor::from_vector({1.0, 2.0}, {2})), ShapeError);
}

TEST(Autograd, RetainGradOnIntermediate) {
  Tensor x = leaf({3.0});
  Tensor h = x * 2.0;
  h.retain_grad();
  Tensor y = sum(h * h);
  y.backward();
  EXPECT_EQ(h.grad().item(), 12.0);
  EXPECT_EQ(x.grad().item(), 24.0);
  Tensor other = x * 5.0;
  sum(other).backward();
  EXPECT_FALSE(other.grad().defined());  // not retained: PyTorch leaves it empty too
}

// register_hook: hooks see the complete gradient in registration order (retain_grad among them)
// and may replace it; a non-leaf's hooks outlive the tensor; grad() returns the gradient before
// the hooks; remove_hook takes one away.
TEST(Autograd, GradHooksReplaceInOrderAndCanBeRemoved) {
  Tensor x = leaf({1.0, 2.0});
  std::vector<std::string> order;
  const int64_t doubling = x.register_hook([&](const Tensor& g) {
    order.push_back("x*2");
    return g * 2.0;
  });
  x.register_hook([&](const Tensor& g) {
    order.push_back("x:" + std::to_string(g.to_vector<double>()[0]));
    return Tensor();
  });
  Tensor h = x * 3.0;
  h.register_hook([&](const Tensor& g) {
    order.push_back("h+1");
    return g + 1.0;
  });
  h.retain_grad();
  Tensor y = sum(h * h);  // dy/dh = 2h = (6, 12)
  h = Tensor();           // the hooks stay with the graph node
  y.backward();
  EXPECT_EQ(v(x.grad()), (std::vector<double>{42, 78}));  // ((6, 12) + 1) * 3 * 2
  EXPECT_EQ(order, (std::vector<std::string>{"h+1", "x*2", "x:42.000000"}));
  x.remove_hook(doubling);
  x.zero_grad();
  sum(x * 3.0).backward();
  EXPECT_EQ(v(x.grad()), (std::vector<double>{3, 3}));
  // grad() returns what reaches the input, before its hooks.
  x.zero_grad();
  EXPECT_EQ(v(grad({sum(x * 5.0)}, {x})[0]), (std::vector<double>{5, 5}));
  // A hook may not change the gradient's shape; a tensor that needs no grad takes no hook.
  Tensor z = x * 1.0;
  z.register_hook([](const Tensor&) { return zeros({3}, DType::float64); });
  EXPECT_THROW(sum(z).backward(), AutogradError);
  EXPECT_THROW(Tensor::from_vector({1.0}, {1}).register_hook([](const Tensor& g) { return g; }), AutogradError);
}

// Post-accumulate hooks (DataParallel's signal that a gradient is ready): once per backward and
// leaf, after the gradient is in .grad (accumulated onto an existing .grad too, after the leaf's
// register_hook hooks), leaves in the order backward reaches them (the last layer first), with
// .grad the sole owner of its storage; not run by grad(); removable; leaves only.
TEST(Autograd, PostAccumulateHooksSeeTheFinishedGradInBackwardOrder) {
  Tensor w1 = leaf({1.0, 2.0}), w2 = leaf({3.0});
  std::vector<std::string> seen;
  w1.register_hook([](const Tensor& g) { return g * 10.0; });
  const int64_t id1 = autograd::register_post_accumulate_hook(w1, [&](const Tensor& w) {
    EXPECT_EQ(w.impl()->grad.use_count(), 1);
    seen.push_back("w1:" + std::to_string(w.grad().to_vector<double>()[1]));
  });
  autograd::register_post_accumulate_hook(
      w2, [&](const Tensor& w) { seen.push_back("w2:" + std::to_string(w.grad().item())); });
  Tensor h = w1 * 2.0;         // layer 1
  Tensor y = sum(h * h) * w2;  // layer 2 (w2 reached first), dy/dw1 = 8 w1 w2
  y.backward({}, /*retain_graph=*/true);
  EXPECT_EQ(seen, (std::vector<std::string>{"w2:20.000000", "w1:480.000000"}));
  seen.clear();
  y.backward();  // accumulated: .grad doubles, the hooks run once more each
  EXPECT_EQ(seen, (std::vector<std::string>{"w2:40.000000", "w1:960.000000"}));
  seen.clear();
  grad({sum(w1 * w2)}, {w1, w2});
  EXPECT_TRUE(seen.empty());
  autograd::remove_post_accumulate_hook(w1, id1);
  sum(w1 * w2).backward();
  EXPECT_EQ(seen, (std::vector<std::string>{"w2:43.000000"}));
  EXPECT_THROW(autograd::register_post_accumulate_hook(h, [](const Tensor&) {}), AutogradError);
  EXPECT_THROW(autograd::register_post_accumulate_hook(Tensor::from_vector({1.0}, {1}), [](const Tensor&) {}),
               AutogradError);
}

TEST(Autograd, RetainGradRunsInRegistrationOrderWithHooks) {
  Tensor x = leaf({1.0});
  Tensor a = x * 3.0, b = x * 4.0;
  a.retain_grad();  // before the hook: the raw gradient
  a.register_hook([](const Tensor& g) { return g * 5.0; });
  b.register_hook([](const Tensor& g) { return g * 5.0; });
  b.retain_grad();  // after it: the replaced one
  (sum(a) + sum(b)).backward();
  EXPECT_EQ(a.grad().item(), 1.0);
  EXPECT_EQ(b.grad().item(), 5.0);
  EXPECT_EQ(x.grad().item(), 35.0);
}

TEST(Autograd, NoGradAndDetach) {
  Tensor x = leaf({1.0});
  {
    NoGradGuard guard;
    Tensor y = x * 2.0;
    EXPECT_FALSE(y.requires_grad());
    EXPECT_EQ(y.grad_fn(), nullptr);
  }
  Tensor d = (x * 2.0).detach();
  EXPECT_FALSE(d.requires_grad());
  Tensor y = sum(d * x);
  y.backward();
  EXPECT_EQ(x.grad().item(), 2.0);  // no gradient through the detached factor
  EXPECT_THROW(sum(d).backward(), AutogradError);
}

TEST(Autograd, SetGradEnabledHoldsUntilChangedAndGuardsRestore) {
  Tensor x = leaf({1.0});
  set_grad_enabled(false);
  EXPECT_FALSE((x * 2.0).requires_grad());
  {
    GradModeGuard on(true);
    EXPECT_TRUE((x * 2.0).requires_grad());
  }
  EXPECT_FALSE(grad_enabled());
  set_grad_enabled(true);
  EXPECT_TRUE((x * 2.0).requires_grad());
}

TEST(Autograd, GradDoesNotTouchDotGrad) {
  Tensor x = leaf({1.5});
  auto g = grad({sum(x * x * x)}, {x});
  EXPECT_DOUBLE_EQ(g[0].item(), 3 * 1.5 * 1.5);
  EXPECT_FALSE(x.grad().defined());
  Tensor unused = leaf({1.0});
  EXPECT_THROW(grad({sum(x * 2.0)}, {unused}), AutogradError);
  EXPECT_FALSE(grad({sum(x * 2.0)}, {unused}, {.allow_unused = true})[0].defined());
}

TEST(Autograd, HessianOfTwoVariableFunction) {
  // f = x²y + sin(xy): H = [[2y - y² sin(xy), 2x + cos(xy) - xy sin(xy)], [same, -x² sin(xy)]]
  Tensor x = leaf({0.7}), y = leaf({-1.3});
  Tensor f = sum(x * x * y + sin(x * y));
  auto g = grad({f}, {x, y}, {.create_graph = true});
  auto hx = grad({sum(g[0])}, {x, y}, {.retain_graph = true});
  auto hy = grad({sum(g[1])}, {x, y});
  const double X = 0.7, Y = -1.3, s = std::sin(X * Y), c = std::cos(X * Y);
  EXPECT_NEAR(hx[0].item(), 2 * Y - Y * Y * s, 1e-14);
  EXPECT_NEAR(hx[1].item(), 2 * X + c - X * Y * s, 1e-14);
  EXPECT_NEAR(hy[0].item(), 2 * X + c - X * Y * s, 1e-14);
  EXPECT_NEAR(hy[1].item(), -X * X * s, 1e-14);
}

TEST(Autograd, ThirdDerivative) {
  Tensor x = leaf({1.1});
  Tensor y = sum(pow(x, 4.0));
  Tensor d1 = grad({y}, {x}, {.create_graph = true})[0];
  Tensor d2 = grad({sum(d1)}, {x}, {.create_graph = true})[0];
  Tensor d3 = grad({sum(d2)}, {x})[0];
  EXPECT_NEAR(d1.item(), 4 * std::pow(1.1, 3), 1e-13);
  EXPECT_NEAR(d2.item(), 12 * 1.1 * 1.1, 1e-13);
  EXPECT_NEAR(d3.item(), 24 * 1.1, 1e-13);
}

TEST(Autograd, CostLandscapeSecondDerivative) {
  // Seed 000: C(W) = -0.07968W⁵ + 0.48721W⁴ + 0.28001W³ - 4.65127W² + 15.7, C'' from autograd.
  auto C = [](const Tensor& W) {
    return -0.07968 * pow(W, 5.0) + 0.48721 * pow(W, 4.0) + 0.28001 * pow(W, 3.0) - 4.65127 * pow(W, 2.0) + 15.7;
  };
  Tensor W = leaf({1.3});
  Tensor d1 = grad({sum(C(W))}, {W}, {.create_graph = true})[0];
  Tensor d2 = grad({sum(d1)}, {W})[0];
  const double w = 1.3;
  EXPECT_NEAR(d1.item(), -0.3984 * std::pow(w, 4) + 1.94884 * std::pow(w, 3) + 0.84003 * w * w - 9.30254 * w, 1e-12);
  EXPECT_NEAR(d2.item(), -1.5936 * std::pow(w, 3) + 5.84652 * w * w + 1.68006 * w - 9.30254, 1e-12);
}

TEST(Autograd, KeepAdjointsExposesEveryNodesGradient) {
  Tensor x = leaf({2.0});
  Tensor a = x * 3.0;
  Tensor b = tanh(a);
  Tensor y = sum(b);
  backward({y}, {}, {.retain_graph = true, .keep_adjoints = true});
  EXPECT_NEAR(b.grad_fn()->adjoint().item(), 1.0, 0);
  EXPECT_NEAR(a.grad_fn()->adjoint().item(), 1 - std::tanh(6.0) * std::tanh(6.0), 1e-15);
  EXPECT_EQ(b.grad_fn()->name(), "tanh");
  EXPECT_NEAR(b.grad_fn()->value().item(), std::tanh(6.0), 0);
  // apply(1) gives the local derivative: how the trace spells out the chain rule.
  EXPECT_NEAR(b.grad_fn()->apply(ones({1}, DType::float64))[0].item(), 1 - std::tanh(6.0) * std::tanh(6.0), 1e-15);
}

TEST(Autograd, DeepChainsDoNotOverflowTheStack) {
  Tensor x = leaf({1.0});
  Tensor y = x;
  for (int i = 0; i < 200000; ++i) y = y * 1.0;
  sum(y).backward();
  EXPECT_EQ(x.grad().item(), 1.0);
  y = Tensor();  // destroying the 200k-node graph must not recurse either
}

TEST(Autograd, RequiresGradOnlyOnFloatLeaves) {
  Tensor x = leaf({1.0});
  Tensor y = x * 2.0;
  EXPECT_THROW(y.requires_grad_(false), AutogradError);
  EXPECT_TRUE(y.requires_grad());
  EXPECT_FALSE(y.is_leaf());
}

TEST(Gradcheck, DetectsAWrongGradient) {
  // A deliberately wrong backward must be caught.
  DifferentiableFn wrong = [](const std::vector<Tensor>& in) {
    Tensor out = in[0].detach() * 2.0;
    return autograd::record("wrong", out, {in[0]},
                            [](const Tensor& g, const Tensor&) { return std::vector<Tensor>{g * 3.0}; });
  };
  GradcheckResult r = gradcheck(wrong, {leaf({0.3, -0.4})});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("analytic 3"), std::string::npos) << r.message;
}

}  // namespace
}  // namespace nabla

namespace nabla {
namespace {

TEST(Anomaly, ForwardNaNNamesTheOpAndItsInputs) {
  Tensor x = Tensor::from_vector({1.0, -1.0}, {2}).requires_grad_();
  {
    Tensor y = log(x);  // NaN for -1, but anomaly mode is off: no error
    EXPECT_TRUE(std::isnan(y.at({1})));
  }
  DetectAnomalyGuard guard;
  try {
    log(x);
    FAIL() << "expected an anomaly error";
  } catch (const ValueError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("the forward pass of 'log'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("1 NaN"), std::string::npos) << msg;
    EXPECT_NE(msg.find("input 0: shape [2], min -1, max 1"), std::string::npos) << msg;
  }
}

TEST(Anomaly, BackwardInfNamesTheOp) {
  Tensor x = Tensor::from_vector({0.0, 4.0}, {2}).requires_grad_();
  Tensor y = sum(sqrt(x));  // finite forward, infinite gradient at 0
  DetectAnomalyGuard guard;
  try {
    y.backward();
    FAIL() << "expected an anomaly error";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("the backward pass of 'sqrt'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace nabla
