// Elementwise ops and reductions through nabla's public ops (float32, no graph recorded unless
// the name says so): the per-op overhead at small sizes, the kernel's throughput at large ones.
#include <benchmark/benchmark.h>

#include "nabla/nabla.h"

namespace {

using nabla::DType;
using nabla::Tensor;

void sizes(benchmark::internal::Benchmark* b) {
  b->ArgName("n");
  for (int64_t n : {16, 1000, 10000, 100000, 1000000}) b->Arg(n);
}

// items/s and bytes/s (`tensors` float32 tensors of n elements read or written per call).
void set_throughput(benchmark::State& state, int64_t n, int tensors) {
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * n * tensors * int64_t(sizeof(float)));
}

template <Tensor (*op)(const Tensor&, const Tensor&)>
void BM_binary(benchmark::State& state) {
  const int64_t n = state.range(0);
  nabla::Generator g(0);
  const Tensor a = nabla::randn({n}, DType::float32, &g), b = nabla::randn({n}, DType::float32, &g);
  for (auto _ : state) benchmark::DoNotOptimize(op(a, b));
  set_throughput(state, n, 3);
}

template <Tensor (*op)(const Tensor&)>
void BM_unary(benchmark::State& state) {
  const int64_t n = state.range(0);
  nabla::Generator g(0);
  const Tensor a = nabla::randn({n}, DType::float32, &g);
  for (auto _ : state) benchmark::DoNotOptimize(op(a));
  set_throughput(state, n, 2);
}

// add with a graph node recorded (a requires grad), as in a training step's forward.
void BM_add_recording(benchmark::State& state) {
  const int64_t n = state.range(0);
  nabla::Generator g(0);
  Tensor a = nabla::randn({n}, DType::float32, &g);
  a.requires_grad_();
  const Tensor b = nabla::randn({n}, DType::float32, &g);
  for (auto _ : state) benchmark::DoNotOptimize(nabla::add(a, b));
  set_throughput(state, n, 3);
}

// The bias add of a Linear layer: (rows, cols) + (cols), broadcast.
void BM_bias_add(benchmark::State& state) {
  const int64_t rows = state.range(0), cols = state.range(1);
  nabla::Generator g(0);
  const Tensor x = nabla::randn({rows, cols}, DType::float32, &g), b = nabla::randn({cols}, DType::float32, &g);
  for (auto _ : state) benchmark::DoNotOptimize(x + b);
  set_throughput(state, rows * cols, 2);
}

void BM_sum_all(benchmark::State& state) {
  const int64_t n = state.range(0);
  nabla::Generator g(0);
  const Tensor a = nabla::randn({n}, DType::float32, &g);
  for (auto _ : state) benchmark::DoNotOptimize(nabla::sum(a));
  set_throughput(state, n, 1);
}

// sum over one dimension of a (rows, cols) matrix: dim 0 is the bias gradient of a Linear layer.
void BM_sum_dim(benchmark::State& state) {
  const int64_t rows = state.range(0), cols = state.range(1), dim = state.range(2);
  nabla::Generator g(0);
  const Tensor a = nabla::randn({rows, cols}, DType::float32, &g);
  for (auto _ : state) benchmark::DoNotOptimize(nabla::sum(a, {dim}));
  set_throughput(state, rows * cols, 1);
}

void matrices(benchmark::internal::Benchmark* b) {
  b->ArgNames({"rows", "cols", "dim"});
  for (const auto& [r, c] : std::vector<std::pair<int64_t, int64_t>>{{32, 16}, {128, 512}, {1000, 1000}})
    for (int64_t dim : {0, 1}) b->Args({r, c, dim});
}

BENCHMARK(BM_binary<nabla::add>)->Name("BM_add")->Apply(sizes);
BENCHMARK(BM_binary<nabla::mul>)->Name("BM_mul")->Apply(sizes);
BENCHMARK(BM_unary<nabla::sigmoid>)->Name("BM_sigmoid")->Apply(sizes);
BENCHMARK(BM_unary<nabla::relu>)->Name("BM_relu")->Apply(sizes);
BENCHMARK(BM_add_recording)->Apply(sizes);
BENCHMARK(BM_bias_add)->ArgNames({"rows", "cols"})->Args({32, 16})->Args({128, 512})->Args({256, 4096});
BENCHMARK(BM_sum_all)->Apply(sizes);
BENCHMARK(BM_sum_dim)->Apply(matrices);

}  // namespace
