// One Linear layer forward + backward through the public API, B = 128, 784 -> 512, float32:
// x requires grad, so backward computes all three products (FLOP = 3 · 2·B·in·out). Wall-clock
// time, as OpenBLAS may run several threads.
#include <benchmark/benchmark.h>

#include "nabla/nabla.h"
#include "nabla/nn/nn.h"

namespace {

void BM_linear_forward_backward(benchmark::State& state) {
  const int64_t batch = state.range(0), in = state.range(1), out = state.range(2);
  nabla::manual_seed(0);
  nabla::nn::Linear layer(in, out);
  nabla::Generator g(1);
  nabla::Tensor x = nabla::randn({batch, in}, nabla::DType::float32, &g);
  x.requires_grad_();
  const nabla::Tensor grad_out = nabla::ones({batch, out});
  for (auto _ : state) {
    layer.zero_grad();
    x.zero_grad();
    nabla::Tensor y = layer.forward(x);  // (B, out)
    y.backward(grad_out);
    benchmark::DoNotOptimize(layer.weight.grad().raw_data());
  }
  state.counters["FLOP/s"] = benchmark::Counter(
      3 * 2.0 * batch * in * out, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}

void BM_linear_forward(benchmark::State& state) {
  const int64_t batch = state.range(0), in = state.range(1), out = state.range(2);
  nabla::manual_seed(0);
  nabla::nn::Linear layer(in, out);
  nabla::Generator g(1);
  const nabla::Tensor x = nabla::randn({batch, in}, nabla::DType::float32, &g);
  for (auto _ : state) benchmark::DoNotOptimize(layer.forward(x));
  state.counters["FLOP/s"] = benchmark::Counter(2.0 * batch * in * out, benchmark::Counter::kIsIterationInvariantRate,
                                                benchmark::Counter::kIs1000);
}

BENCHMARK(BM_linear_forward_backward)
    ->ArgNames({"B", "in", "out"})
    ->Args({128, 784, 512})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_linear_forward)
    ->ArgNames({"B", "in", "out"})
    ->Args({128, 784, 512})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace
