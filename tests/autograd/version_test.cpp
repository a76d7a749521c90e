// Version counters (README, "Promises"): an in-place change of a tensor that a node saved for
// backward makes that backward an AutogradError naming the op and the tensor, as PyTorch's
// "modified by an inplace operation"; in-place ops on a tensor that requires grad are refused
// while grad mode is on. Expected behaviour is PyTorch 1.13's on the same programs (comments).
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "nabla/nabla.h"

namespace nabla {
namespace {

Tensor leaf(std::vector<double> values) {
  return Tensor::from_vector(values, {int64_t(values.size())}).requires_grad_();
}
Tensor constant(std::vector<double> values) { return Tensor::from_vector(values, {int64_t(values.size())}); }
std::vector<double> v(const Tensor& t) { return t.to_vector<double>(); }

// Runs f, expects an AutogradError containing every one of `needles`.
void expect_autograd_error(const std::function<void()>& f, const std::vector<std::string>& needles) {
  try {
    f();
  } catch (const AutogradError& e) {
    for (const std::string& n : needles) EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << e.what();
    return;
  }
  ADD_FAILURE() << "no AutogradError (expected one mentioning " << needles.at(0) << ")";
}

TEST(VersionCounter, InPlaceOpsBumpTheStorageSharedByViews) {
  Tensor t = zeros({2, 3});
  EXPECT_EQ(t.version(), 0u);
  t.fill_(1.0);
  t.add_(ones({2, 3}));
  t.mul_(2.0);
  t.copy_(zeros({3}));
  t.zero_();
  EXPECT_EQ(t.version(), 5u);
  Tensor view = t.reshape({3, 2});  // shares the storage, and so the counter
  view.fill_(3.0);
  EXPECT_EQ(t.version(), 6u);
  EXPECT_EQ(t.detach().version(), 6u);
  uniform_(t, 0.0, 1.0);
  EXPECT_EQ(t.version(), 7u);
  EXPECT_EQ(zeros({2}).version(), 0u);  // a fresh tensor starts at 0 (storages are recycled)
}

// torch: x = tensor([1.,2.], requires_grad=True); w = tensor([3.,4.]); y = (x*w).sum();
//        w.mul_(0.); y.backward()  -> RuntimeError ... modified by an inplace operation
TEST(VersionCounter, ModifyingASavedInputMakesBackwardThrow) {
  Tensor x = leaf({1.0, 2.0});
  Tensor w = constant({3.0, 4.0});
  Tensor y = (x * w).sum();
  w.mul_(0.0);
  expect_autograd_error([&] { y.backward(); }, {"modified by an inplace operation", "'mul'", "input 1",
                                                "is at version 1; expected version 0"});
  EXPECT_FALSE(x.grad().defined());  // nothing half-accumulated
}

// The same with w a parameter changed under no_grad (an optimizer step before backward).
TEST(VersionCounter, ModifyingASavedLeafUnderNoGradMakesBackwardThrow) {
  Tensor x = leaf({1.0, 2.0});
  Tensor w = leaf({3.0, 4.0});
  Tensor y = (x * w).sum();
  {
    NoGradGuard no_grad;
    w.mul_(0.0);
  }
  expect_autograd_error([&] { y.backward(); }, {"'mul'", "input 1", "version 1"});
}

// torch: y = x.exp(); with no_grad: y.fill_(0)  (or y.detach().fill_(0)); y.sum().backward() -> error
TEST(VersionCounter, ModifyingASavedOutputMakesBackwardThrow) {
  Tensor x = leaf({0.5, 1.0});
  Tensor y = exp(x);
  y.detach().fill_(0.0);
  expect_autograd_error([&] { y.sum().backward(); }, {"'exp'", "saved output", "version 1; expected version 0"});

  Tensor z = sigmoid(x);
  {
    NoGradGuard no_grad;
    z.fill_(0.0);
  }
  expect_autograd_error([&] { z.sum().backward(); }, {"'sigmoid'", "saved output"});
}

// Every op family whose backward reads its own output (torch saves `result` for each of these):
// changing the output in place before backward throws naming the op and "saved output".
TEST(VersionCounter, EveryOpThatSavesItsOutputChecksIt) {
  const std::vector<std::pair<std::string, std::function<Tensor(const Tensor&)>>> ops = {
      {"exp", [](const Tensor& x) { return exp(x); }},
      {"sqrt", [](const Tensor& x) { return sqrt(x); }},
      {"tanh", [](const Tensor& x) { return tanh(x); }},
      {"sigmoid", [](const Tensor& x) { return sigmoid(x); }},
      {"relu", [](const Tensor& x) { return relu(x); }},
      {"softmax", [](const Tensor& x) { return softmax(x, 0); }},
      {"log_softmax", [](const Tensor& x) { return log_softmax(x, 0); }},
  };
  for (const auto& [name, op] : ops) {
    SCOPED_TRACE(name);
    Tensor x = leaf({0.5, 1.0, 2.0});
    Tensor y = op(x);
    Tensor loss = y.sum();  // sum saves nothing: the first saved tensor met is the op's own
    y.detach().mul_(2.0);
    expect_autograd_error([&] { loss.backward(); },
                          {"'" + name + "'", "saved output", "version 1; expected version 0"});
    EXPECT_FALSE(x.grad().defined());
  }
}

// Tensors a backward reads that are not among the inputs it differentiates: where's condition,
// gather's and scatter_add's index, and relu's output in relu's own backward (double backward).
// torch: c = x > 0; y = torch.where(c, x, 2 * x); c.logical_not_(); y.sum().backward() -> error;
//        the same for gather's index.
TEST(VersionCounter, SavedTensorsThatAreNotDifferentiatedInputsAreCheckedToo) {
  {
    Tensor x = leaf({-1.0, 2.0});
    Tensor cond = x.detach() > 0.0;
    Tensor y = where(cond, x, x * 2.0).sum();
    cond.fill_(1.0);
    expect_autograd_error([&] { y.backward(); }, {"'where'", "input 2", "version 1; expected version 0"});
  }
  {
    Tensor x = Tensor::from_vector(std::vector<double>{1, 2, 3, 4}, {2, 2}).requires_grad_();
    Tensor index = Tensor::from_vector(std::vector<int64_t>{0, 0, 1, 0}, {2, 2});
    Tensor y = (gather(x, 1, index) * constant({1.0, 2.0}).reshape({1, 2})).sum();
    index.fill_(1.0);
    expect_autograd_error([&] { y.backward(); }, {"'gather'", "input 1", "version 1"});
  }
  {
    Tensor src = Tensor::from_vector(std::vector<double>{1, 2}, {2}).requires_grad_();
    Tensor index = Tensor::from_vector(std::vector<int64_t>{0, 2}, {2});
    Tensor y = (scatter_add(Shape{3}, 0, index, src) * constant({1.0, 2.0, 3.0})).sum();
    index.zero_();
    expect_autograd_error([&] { y.backward(); }, {"'scatter_add'", "input 1", "version 1"});
  }
  {
    // The first backward builds relu_backward's node (create_graph); changing relu's output in
    // place before the second backward is caught there.
    Tensor x = leaf({-1.0, 2.0});
    Tensor y = relu(x);
    Tensor g = grad({(y * y).sum()}, {x}, {.create_graph = true})[0];
    y.detach().zero_();
    expect_autograd_error([&] { g.sum().backward(); }, {"version"});
  }
  // Unchanged, the same programs differentiate as before.
  Tensor x = leaf({-1.0, 2.0});
  where(x.detach() > 0.0, x, x * 2.0).sum().backward();
  EXPECT_EQ(v(x.grad()), (std::vector<double>{2.0, 1.0}));
}

// A matmul (Linear's path) saves both operands: an optimizer step between forward and backward
// is caught, whichever way the weight is written.
TEST(VersionCounter, OptimizerStepBetweenForwardAndBackwardIsCaught) {
  manual_seed(0);
  nn::Linear lin(nn::LinearOptions(3, 2).dtype(DType::float64));
  optim::SGD opt(lin.parameters(), optim::SGDOptions(0.1));
  Tensor x = randn({4, 3}, DType::float64);
  Tensor loss = lin.forward(x).pow(2.0).sum();
  loss.backward({}, /*retain_graph=*/true);
  const uint64_t before = lin.weight.version();
  opt.step();
  EXPECT_EQ(lin.weight.version(), before + 1);
  expect_autograd_error([&] { loss.backward(); }, {"modified by an inplace operation"});
}

// In-place on a tensor that requires grad, with grad mode on: refused (PyTorch's message for a
// leaf; nabla does not record in-place ops, so a non-leaf is refused too).
TEST(VersionCounter, InPlaceOnATensorThatRequiresGradNeedsNoGrad) {
  Tensor w = leaf({1.0, 2.0});
  expect_autograd_error([&] { w.add_(ones({2}, DType::float64)); }, {"add_", "a leaf Variable that requires grad"});
  expect_autograd_error([&] { w.mul_(0.0); }, {"mul_", "leaf Variable"});
  expect_autograd_error([&] { w.fill_(0.0); }, {"fill_"});
  expect_autograd_error([&] { w.zero_(); }, {"fill_"});
  expect_autograd_error([&] { w.copy_(zeros({2}, DType::float64)); }, {"copy_"});
  EXPECT_EQ(v(w), (std::vector<double>{1.0, 2.0}));  // unchanged
  EXPECT_EQ(w.version(), 0u);

  Tensor h = exp(w);
  expect_autograd_error([&] { h.mul_(2.0); }, {"mul_", "output of 'exp'", "requires grad"});

  {
    NoGradGuard no_grad;
    w.add_(ones({2}, DType::float64));
  }
  EXPECT_EQ(v(w), (std::vector<double>{2.0, 3.0}));
  w.detach().mul_(2.0);  // a detached alias is never refused
  EXPECT_EQ(v(w), (std::vector<double>{4.0, 6.0}));
}

// What PyTorch accepts stays accepted: ops that do not save a tensor ignore its changes.
TEST(VersionCounter, ChangesToTensorsNotSavedAreFine) {
  Tensor x = leaf({1.0, 2.0});
  Tensor c = constant({5.0, 6.0});
  Tensor y = (x + c).sum();  // add saves nothing
  c.add_(ones({2}, DType::float64));
  y.backward();
  EXPECT_EQ(v(x.grad()), (std::vector<double>{1.0, 1.0}));

  // The gradient accumulates into .grad across backwards (engine's own in-place add_).
  Tensor w = constant({2.0, 3.0});
  (x * w).sum().backward();
  EXPECT_EQ(v(x.grad()), (std::vector<double>{3.0, 4.0}));
  x.zero_grad(/*set_to_none=*/false);
  EXPECT_EQ(v(x.grad()), (std::vector<double>{0.0, 0.0}));

  // Changes after backward do not matter; neither does a change made before the op ran.
  w.mul_(10.0);
  Tensor z = (x * w).sum();
  z.backward();
  EXPECT_EQ(v(x.grad()), (std::vector<double>{20.0, 30.0}));
}

// The training loop of every example: forward, backward, step, repeated; and a retained graph
// backpropagated twice with no change in between.
TEST(VersionCounter, OrdinaryTrainingIsUnaffected) {
  manual_seed(1);
  nn::Linear lin(nn::LinearOptions(2, 1).dtype(DType::float64));
  optim::Adam opt(lin.parameters(), optim::AdamOptions(0.01));
  Tensor x = randn({8, 2}, DType::float64), t = randn({8, 1}, DType::float64);
  double first = 0, last = 0;
  for (int step = 0; step < 20; ++step) {
    opt.zero_grad();
    Tensor loss = (lin.forward(x) - t).pow(2.0).mean();
    loss.backward();
    opt.step();
    (step == 0 ? first : last) = loss.item();
  }
  EXPECT_LT(last, first);

  Tensor a = leaf({1.0, 2.0});
  Tensor y = (a * a).sum();
  y.backward({}, /*retain_graph=*/true);
  y.backward();
  EXPECT_EQ(v(a.grad()), (std::vector<double>{4.0, 8.0}));
}

}  // namespace
}  // namespace nabla
