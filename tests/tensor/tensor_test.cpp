// Tensor basics: creation, views, broadcasting and reduction shape rules, error messages, printing.
#include <gtest/gtest.h>

#include "nabla/nabla.h"

namespace nabla {
namespace {

std::vector<double> v(const Tensor& t) { return t.to_vector<double>(); }

template <class Fn>
std::string error_of(Fn fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TensorCreation, FactoriesGiveShapesAndValues) {
  EXPECT_EQ(zeros({2, 3}).shape(), (Shape{2, 3}));
  EXPECT_EQ(v(ones({2}, DType::float64)), (std::vector<double>{1, 1}));
  EXPECT_EQ(v(full({3}, 2.5)), (std::vector<double>{2.5, 2.5, 2.5}));
  EXPECT_EQ(v(arange(0, 5, 2)), (std::vector<double>{0, 2, 4}));
  EXPECT_EQ(v(linspace(-1, 1, 5, DType::float64)), (std::vector<double>{-1, -0.5, 0, 0.5, 1}));
  EXPECT_EQ(v(linspace(3, 7, 1)), (std::vector<double>{3}));
  EXPECT_EQ(v(eye(2)), (std::vector<double>{1, 0, 0, 1}));
  EXPECT_EQ(Tensor::scalar(4.0).dim(), 0);
  EXPECT_EQ(Tensor::scalar(4.0).item(), 4.0);
}

TEST(TensorCreation, BadSizesAreErrors) {
  EXPECT_THROW(Tensor::from_vector(std::vector<double>{1, 2, 3}, {2, 2}), ShapeError);
  EXPECT_THROW(zeros({-1}), ShapeError);
  EXPECT_THROW(arange(0, 1, 0), ValueError);
  EXPECT_NE(error_of([] { ones({3}).item(); }).find("3 elements"), std::string::npos);
}

TEST(TensorViews, ShareStorageAndReportContiguity) {
  Tensor a = arange(0, 6, 1, DType::float64).reshape({2, 3});
  Tensor t = a.t();
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_EQ(t.shape(), (Shape{3, 2}));
  EXPECT_EQ(v(t.contiguous()), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  Tensor r = a.reshape({3, -1});
  r.data<double>()[0] = 42;  // a view: the base sees the write
  EXPECT_EQ(a.at({0, 0}), 42);
  EXPECT_EQ(v(a.slice(1, -2, 3)), (std::vector<double>{1, 2, 4, 5}));
  EXPECT_EQ(v(a.select(0, -1)), (std::vector<double>{3, 4, 5}));
  EXPECT_EQ(a.expand({4, 2, 3}).strides()[0], 0);
  EXPECT_EQ(v(a.permute({1, 0})), v(t));
  EXPECT_EQ(a.unsqueeze(1).shape(), (Shape{2, 1, 3}));
  EXPECT_EQ(a.unsqueeze(1).squeeze(1).shape(), (Shape{2, 3}));
  EXPECT_EQ(a.flatten().shape(), (Shape{6}));
  // reshape of a non-contiguous tensor copies
  EXPECT_EQ(v(t.reshape({6})), (std::vector<double>{42, 3, 1, 4, 2, 5}));
}

TEST(TensorViews, ReshapeErrorsNameTheShapes) {
  std::string msg = error_of([] { zeros({2, 3}).reshape({4, 2}); });
  EXPECT_NE(msg.find("reshape"), std::string::npos);
  EXPECT_NE(msg.find("[2, 3]"), std::string::npos);
  EXPECT_NE(msg.find("[4, 2]"), std::string::npos);
}

TEST(Broadcasting, ShapeRules) {
  EXPECT_EQ((zeros({2, 3}) + zeros({3})).shape(), (Shape{2, 3}));
  EXPECT_EQ((zeros({2, 1}) + zeros({1, 3})).shape(), (Shape{2, 3}));
  EXPECT_EQ((zeros({4, 1, 3}) * zeros({2, 1})).shape(), (Shape{4, 2, 3}));
  EXPECT_EQ((zeros({}) + zeros({5})).shape(), (Shape{5}));
  EXPECT_EQ(v(Tensor::from_vector({1.0, 2.0}, {2, 1}) + Tensor::from_vector({10.0, 20.0, 30.0}, {3})),
            (std::vector<double>{11, 21, 31, 12, 22, 32}));
}

TEST(Broadcasting, MismatchNamesOpAndShapes) {
  std::string msg = error_of([] { zeros({2, 3}) + zeros({2}); });
  EXPECT_NE(msg.find("add"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[2, 3]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[2]"), std::string::npos) << msg;
  EXPECT_THROW(zeros({2, 3}) * zeros({4}), ShapeError);
}

TEST(DTypes, MixingFloatTypesIsAnErrorNamingBoth) {
  std::string msg = error_of([] { zeros({2}, DType::float32) * zeros({2}, DType::float64); });
  EXPECT_NE(msg.find("mul"), std::string::npos);
  EXPECT_NE(msg.find("float32"), std::string::npos);
  EXPECT_NE(msg.find("float64"), std::string::npos);
  EXPECT_THROW(zeros({2}, DType::int64).requires_grad_(), DTypeError);
  EXPECT_THROW(exp(zeros({2}, DType::int64)), DTypeError);
  EXPECT_EQ((zeros({2}, DType::float32) + 1.0).dtype(), DType::float32);
  EXPECT_EQ(v(ones({2}).to(DType::float64)), (std::vector<double>{1, 1}));
}

// int32: held, converted (wrapping as two's complement from int64, truncating from floats),
// compared, selected, joined, argmax'ed and printed; not differentiable, not a float kernel's input.
TEST(DTypes, Int32IsHeldConvertedComparedAndIndexed) {
  EXPECT_EQ(element_size(DType::int32), 4u);
  EXPECT_EQ(dtype_name(DType::int32), "int32");
  EXPECT_TRUE(is_integral(DType::int32) && !is_floating(DType::int32));
  Tensor a = Tensor::from_vector({3.0, -1.0, 7.0, 2147483647.0}, {2, 2}, DType::int32);
  EXPECT_EQ(a.dtype(), DType::int32);
  EXPECT_EQ(a.to_vector<int32_t>(), (std::vector<int32_t>{3, -1, 7, 2147483647}));
  EXPECT_EQ(a.to(DType::int64).to_vector<int64_t>(), (std::vector<int64_t>{3, -1, 7, 2147483647}));
  EXPECT_EQ(
      Tensor::from_vector(std::vector<int64_t>{2147483648LL, -2147483649LL}, {2}).to(DType::int32).to_vector<int32_t>(),
      (std::vector<int32_t>{-2147483647 - 1, 2147483647}));
  EXPECT_EQ(Tensor::from_vector({1.9, -1.9}, {2}).to(DType::int32).to_vector<int32_t>(), (std::vector<int32_t>{1, -1}));
  EXPECT_EQ(v(a.to(DType::float64)), (std::vector<double>{3, -1, 7, 2147483647}));
  EXPECT_EQ(v(full({2}, -4, DType::int32)), (std::vector<double>{-4, -4}));
  EXPECT_EQ(v(arange(0, 6, 2, DType::int32)), (std::vector<double>{0, 2, 4}));
  EXPECT_EQ(a.at({1, 1}), 2147483647.0);
  EXPECT_EQ(a.slice(0, 1, 2).slice(1, 0, 1).item(), 7.0);
  // Comparisons give bool; where, concat and stack keep int32.
  EXPECT_EQ(gt(a, full({2, 2}, 2, DType::int32)).to_vector<double>(), (std::vector<double>{1, 0, 1, 1}));
  EXPECT_EQ(gt(a, full({2, 2}, 2, DType::int32)).dtype(), DType::boolean);
  Tensor w = where(lt(a, zeros({2, 2}, DType::int32)), zeros({2, 2}, DType::int32), a);
  EXPECT_EQ(w.dtype(), DType::int32);
  EXPECT_EQ(v(w), (std::vector<double>{3, 0, 7, 2147483647}));
  EXPECT_EQ(concat({a, a}, 0).dtype(), DType::int32);
  EXPECT_EQ(v(stack({a, a}, 0).slice(0, 1, 2)), v(a));
  // Selection: int32 values gathered by int64 indices; index_select also takes an int32 index.
  EXPECT_EQ(v(gather(a, 1, Tensor::from_vector(std::vector<int64_t>{1, 0, 0, 0}, {2, 2}))),
            (std::vector<double>{-1, 3, 7, 7}));
  Tensor x = Tensor::from_vector({10.0, 20.0, 30.0}, {3});
  EXPECT_EQ(v(index_select(x, 0, Tensor::from_vector({2.0, 0.0}, {2}, DType::int32))), (std::vector<double>{30, 10}));
  EXPECT_THROW(index_select(x, 0, Tensor::from_vector({0.5}, {1}, DType::float32)), ShapeError);
  EXPECT_EQ(argmax(a, 1).to_vector<int64_t>(), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(argmin(a.reshape({-1}), 0).item(), 1.0);
  EXPECT_EQ(a.to_string(), "tensor([[         3,         -1],\n        [         7, 2147483647]], dtype=int32)");
  EXPECT_THROW(zeros({2}, DType::int32).requires_grad_(), DTypeError);
  EXPECT_THROW(exp(zeros({2}, DType::int32)), DTypeError);
}

TEST(Reductions, ShapesWithAndWithoutKeepdim) {
  Tensor x = zeros({2, 3, 4});
  EXPECT_EQ(sum(x, {1}).shape(), (Shape{2, 4}));
  EXPECT_EQ(sum(x, {1}, true).shape(), (Shape{2, 1, 4}));
  EXPECT_EQ(sum(x, {0, 2}).shape(), (Shape{3}));
  EXPECT_EQ(sum(x, {-1}).shape(), (Shape{2, 3}));
  EXPECT_EQ(sum(x).shape(), (Shape{}));
  EXPECT_EQ(mean(x, {2}, true).shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(max(x, 1).shape(), (Shape{2, 4}));
  EXPECT_EQ(argmax(x, 2, true).shape(), (Shape{2, 3, 1}));
  EXPECT_THROW(sum(x, {3}), ValueError);
  EXPECT_THROW(sum(x, {1, 1}), ValueError);
}

TEST(Reductions, Values) {
  Tensor x = Tensor::from_vector({1.0, 5.0, 5.0, -2.0, 0.0, 7.0}, {2, 3});
  EXPECT_EQ(v(sum(x, {0})), (std::vector<double>{-1, 5, 12}));
  EXPECT_EQ(v(mean(x, {1})), (std::vector<double>{11.0 / 3, 5.0 / 3}));
  EXPECT_EQ(v(max(x, 1)), (std::vector<double>{5, 7}));
  EXPECT_EQ(v(min(x, 0)), (std::vector<double>{-2, 0, 5}));
  EXPECT_EQ(argmax(x, 1).to_vector<int64_t>(), (std::vector<int64_t>{1, 2}));  // first of ties
  EXPECT_EQ(argmax(x, 0).to_vector<int64_t>(), (std::vector<int64_t>{0, 0, 1}));
  EXPECT_EQ(argmin(x.t(), 1).to_vector<int64_t>(), (std::vector<int64_t>{1, 1, 0}));
  EXPECT_EQ(sum(ones({1000}, DType::float32) * 0.1).item(), 100.0);  // accumulated in double
}

TEST(LinearAlgebra, MatmulShapesAndErrors) {
  EXPECT_EQ(matmul(zeros({2, 3}), zeros({3, 4})).shape(), (Shape{2, 4}));
  EXPECT_EQ(matmul(zeros({5, 2, 3}), zeros({3, 4})).shape(), (Shape{5, 2, 4}));
  EXPECT_EQ(matmul(zeros({3}), zeros({3, 4})).shape(), (Shape{4}));
  EXPECT_EQ(matmul(zeros({2, 1, 2, 3}), zeros({5, 3, 4})).shape(), (Shape{2, 5, 2, 4}));
  std::string msg = error_of([] { matmul(zeros({2, 3}), zeros({4, 5})); });
  EXPECT_NE(msg.find("matmul"), std::string::npos);
  EXPECT_NE(msg.find("[2, 3]"), std::string::npos);
  EXPECT_NE(msg.find("[4, 5]"), std::string::npos);
}

TEST(LinearAlgebra, LargeMatmulThroughOpenBlasMatchesSmallKernel) {
  // 64x64x64 goes to OpenBLAS; one row times 2-column blocks (1·2·64 multiply-adds, under
  // kernels::kSmallGemm) uses the small kernel.
  Tensor a = arange(0, 64 * 64, 1, DType::float64).reshape({64, 64}) / 4096.0;
  Tensor b = cos(a);
  Tensor big = matmul(a, b);
  for (int j = 0; j < 64; j += 2) {
    Tensor part = matmul(a.slice(0, 0, 1), b.slice(1, j, j + 2));
    for (int k = 0; k < 2; ++k) EXPECT_NEAR(part.at({0, k}), big.at({0, j + k}), 1e-9);
  }
}

TEST(Indexing, GatherIndexSelectConcatStack) {
  Tensor x = Tensor::from_vector({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, {2, 3});
  Tensor i = Tensor::from_vector(std::vector<int64_t>{2, 0, 1, 1}, {2, 2});
  EXPECT_EQ(v(gather(x, 1, i)), (std::vector<double>{3, 1, 5, 5}));
  EXPECT_EQ(v(index_select(x, 1, Tensor::from_vector(std::vector<int64_t>{2, 2}, {2}))),
            (std::vector<double>{3, 3, 6, 6}));
  EXPECT_EQ(concat({x, x}, 0).shape(), (Shape{4, 3}));
  EXPECT_EQ(stack({x, x}, 1).shape(), (Shape{2, 2, 3}));
  EXPECT_THROW(gather(x, 1, Tensor::from_vector(std::vector<int64_t>{3}, {1, 1})), ValueError);
  EXPECT_THROW(concat({x, zeros({2, 2}, DType::float64)}, 0), ShapeError);
  EXPECT_EQ(v(one_hot(Tensor::from_vector(std::vector<int64_t>{2, 0}, {2}), 3)),
            (std::vector<double>{0, 0, 1, 1, 0, 0}));
}

TEST(Printing, LooksLikePyTorch) {
  EXPECT_EQ(Tensor::from_vector({1.0, 2.0, 3.0, 4.0}, {2, 2}).to_string(),
            "tensor([[1., 2.],\n        [3., 4.]], dtype=float64)");
  EXPECT_EQ(Tensor::from_vector(std::vector<float>{0.5f, -1.25f}, {2}).to_string(), "tensor([ 0.5000, -1.2500])");
  Tensor w = ones({2}, DType::float32).requires_grad_();
  EXPECT_EQ(w.to_string(), "tensor([1., 1.], requires_grad=True)");
  EXPECT_NE((w * 2.0).to_string().find("grad_fn=<mul>"), std::string::npos);
  EXPECT_EQ((ones({2}) > 0.5).to_string(), "tensor([True, True])");
}

TEST(InPlace, UpdatesForOptimizers) {
  Tensor p = ones({3}, DType::float64);
  p.add_(Tensor::from_vector({1.0, 2.0, 3.0}, {3}), -0.5);
  EXPECT_EQ(v(p), (std::vector<double>{0.5, 0.0, -0.5}));
  p.mul_(2.0);
  EXPECT_EQ(v(p), (std::vector<double>{1.0, 0.0, -1.0}));
  p.zero_();
  EXPECT_EQ(v(p), (std::vector<double>{0, 0, 0}));
}

TEST(Allocator, SteadyStateReusesBuffers) {
  auto step = [] { return sum(exp(ones({64, 64}) * 0.5)).item(); };
  step();
  step();
  uint64_t before = allocator_stats().system_allocations;
  for (int i = 0; i < 10; ++i) step();
  EXPECT_EQ(allocator_stats().system_allocations, before);
}

TEST(TensorLayout, EmptyTensorsAreContiguousAndReshape) {
  EXPECT_TRUE(Tensor::empty({2, 2, 0, 3}).is_contiguous());
  Tensor expanded = zeros({1, 2, 1, 3}).expand({2, 2, 0, 3});
  EXPECT_EQ(expanded.reshape({4, 0}).shape(), (Shape{4, 0}));
  EXPECT_EQ(expanded.reshape({-1, 3}).shape(), (Shape{0, 3}));
}

TEST(StorageWrap, TensorsUseTheMemoryAndReleaseItOnce) {
  std::vector<double> buffer{1.0, 2.0, 3.0, 4.0};
  int released = 0;
  {
    auto impl = std::make_shared<TensorImpl>();
    impl->storage = Storage::wrap(buffer.data(), buffer.size() * sizeof(double), [&] { ++released; });
    impl->dtype = DType::float64;
    impl->shape = Shape{2, 2};
    impl->strides = Shape{2, 1};
    Tensor t(impl);
    Tensor view = t.t();
    t.fill_(7.0);
    EXPECT_EQ(buffer[3], 7.0);
    buffer[1] = -1.0;
    EXPECT_EQ(view.at({1, 0}), -1.0);
    t = Tensor();
    EXPECT_EQ(released, 0);  // the view still holds the memory
  }
  EXPECT_EQ(released, 1);
  EXPECT_THROW(Storage::wrap(buffer.data(), 8, nullptr), ValueError);
}

}  // namespace
}  // namespace nabla
