// The library's promises for sizes and undefined tensors (README, "Promises"): a size that
// overflows 64 bits is a ShapeError naming the shape, never a wrapped count; every method of an
// undefined Tensor is a ValueError naming the method, never a null dereference.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "nabla/nabla.h"

namespace nabla {
namespace {

constexpr int64_t kHuge = int64_t(1) << 62;

// Runs f, expects a ShapeError whose message contains `needle`.
void expect_shape_error(const std::function<void()>& f, const std::string& needle) {
  try {
    f();
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    return;
  }
  ADD_FAILURE() << "no ShapeError (expected one mentioning " << needle << ")";
}

TEST(SizePromise, NumelOverflowIsAShapeError) {
  // 2^62 * 4 = 2^64 wrapped to 0 elements before: a zero-size tensor whose select read anything.
  expect_shape_error([] { zeros({kHuge, 4}); }, "[4611686018427387904, 4]");
  expect_shape_error([] { Tensor::empty({4, kHuge}); }, "[4, 4611686018427387904]");
  expect_shape_error([] { ones({kHuge, 2, 2}); }, "4611686018427387904");
  expect_shape_error([] { randn({kHuge, 4}); }, "4611686018427387904");
  expect_shape_error([] { (void)Shape({kHuge, 4}).numel(); }, "[4611686018427387904, 4]");
  // A zero-size dimension makes the count 0, but the other sizes must still fit (strides).
  expect_shape_error([] { zeros({0, kHuge, 4}); }, "[0, 4611686018427387904, 4]");
}

TEST(SizePromise, StorageBytesOverflowIsAShapeError) {
  // 2^61 float64 elements count fine but need 2^64 bytes: wrapped to a 0-byte buffer before.
  expect_shape_error([] { zeros({int64_t(1) << 61}, DType::float64); }, "[2305843009213693952]");
  expect_shape_error([] { Tensor::empty({int64_t(1) << 50}, DType::float32); }, "needs more memory");
}

TEST(SizePromise, OpsThatComputeSizesCheckThem) {
  nn::Linear* never = nullptr;
  expect_shape_error([&] { never = new nn::Linear(kHuge, 2); }, "4611686018427387904");
  EXPECT_EQ(never, nullptr);
  Tensor one = zeros({1, 1});
  expect_shape_error([&] { one.expand({kHuge, 4}); }, "4611686018427387904");
  Tensor x = zeros({4});
  expect_shape_error([&] { x.reshape({-1, kHuge, 4}); }, "reshape");
  Tensor wide = zeros({1}).expand({kHuge});  // a view: no memory behind its 2^62 elements
  expect_shape_error([&] { concat({wide, wide}, 0); }, "concat");
  expect_shape_error([&] { stack({wide, wide, wide, wide}, 0); }, "4611686018427387904");
  Tensor labels = Tensor::from_vector(std::vector<int64_t>{0, 1, 0, 1}, {4});
  expect_shape_error([&] { one_hot(labels, kHuge); }, "[4, 4611686018427387904]");
  expect_shape_error([] { arange(0.0, 1e30); }, "arange");
}

TEST(SizePromise, OrdinarySizesStillWork) {
  EXPECT_EQ(zeros({0, 3}).numel(), 0);
  EXPECT_EQ(zeros({2, 3}).numel(), 6);
  EXPECT_EQ(Shape().numel(), 1);
  EXPECT_EQ(zeros({1}).expand({kHuge}).numel(), kHuge);
}

// Every method of an undefined tensor: a ValueError "undefined tensor: <method>" (methods with ""
// below are written with nabla ops, which say so in their own words).
TEST(UndefinedTensorPromise, EveryMethodThrowsNamingIt) {
  Tensor u;
  EXPECT_FALSE(u.defined());
  EXPECT_EQ(u.impl(), nullptr);
  EXPECT_EQ(u.to_string(), "tensor(undefined)");
  Tensor x = ones({2});
  const std::vector<std::pair<std::string, std::function<void()>>> calls = {
      {"shape", [&] { (void)u.shape(); }},
      {"dtype", [&] { (void)u.dtype(); }},
      {"strides", [&] { (void)u.strides(); }},
      {"offset", [&] { (void)u.offset(); }},
      {"dim", [&] { (void)u.dim(); }},
      {"numel", [&] { (void)u.numel(); }},
      {"is_contiguous", [&] { (void)u.is_contiguous(); }},
      {"data", [&] { (void)u.data<float>(); }},
      {"raw_data", [&] { (void)u.raw_data(); }},
      {"requires_grad", [&] { (void)u.requires_grad(); }},
      {"requires_grad_", [&] { u.requires_grad_(); }},
      {"is_leaf", [&] { (void)u.is_leaf(); }},
      {"grad_fn", [&] { (void)u.grad_fn(); }},
      {"grad", [&] { (void)u.grad(); }},
      {"set_grad", [&] { u.set_grad(x); }},
      {"zero_grad", [&] { u.zero_grad(); }},
      {"retain_grad", [&] { u.retain_grad(); }},
      {"backward", [&] { u.backward(); }},
      {"detach", [&] { (void)u.detach(); }},
      {"name", [&] { (void)u.name(); }},
      {"set_name", [&] { u.set_name("u"); }},
      {"version", [&] { (void)u.version(); }},
      {"fill_", [&] { u.fill_(1.0); }},
      {"mul_", [&] { u.mul_(2.0); }},
      {"copy_", [&] { u.copy_(x); }},
      {"add_", [&] { u.add_(x); }},
      {"", [&] { (void)u.item(); }},
      {"", [&] { (void)u.size(0); }},
      {"", [&] { (void)u.to_vector<double>(); }},
      {"", [&] { (void)u.at({0}); }},
      {"", [&] { (void)u.reshape({1}); }},
      {"", [&] { (void)u.sum(); }},
      {"", [&] { (void)u.exp(); }},
      {"", [&] { (void)u.clone(); }},
      {"", [&] { (void)u.to(DType::float64); }},
      {"", [&] { (void)u.transpose(0, 1); }},
      {"", [&] { (void)(u + x); }},
      {"", [&] { (void)(x * u); }},
      {"", [&] { (void)matmul(u, x); }},
  };
  for (const auto& [method, call] : calls) {
    try {
      call();
      ADD_FAILURE() << method << ": no error on an undefined tensor";
    } catch (const ValueError& e) {
      const std::string what = e.what();
      // Free functions and method forms name the op ("sum: got an undefined tensor") or the first
      // method they reach; either way the message says what is wrong.
      EXPECT_NE(what.find(method.empty() ? "undefined tensor" : "undefined tensor: " + method), std::string::npos)
          << what;
    }
  }
}

}  // namespace
}  // namespace nabla
