// nabla/compile.h — capture a training step once, then replay it: the same kernels in the same
// order on the same buffers, bit for bit what eager mode computes, without building a graph,
// checking shapes or allocating memory on every step.
//
//   auto train_step = nabla::compile([&](const Tensor& x, const Tensor& y) {
//     opt.zero_grad();
//     Tensor loss = nn::functional::mse_loss(model.forward(x), y);
//     loss.backward();
//     opt.step();
//     return loss;
//   });
//   for (...) double value = train_step(x, y).item();
//
// How it works. Calls are grouped by the shapes and dtypes of their inputs. The first call of a
// group runs eagerly (so that lazily made state, like optimizer buffers, exists), the second runs
// eagerly while recording every kernel it launches (nabla/compile/tape.h), and every later call
// copies its inputs into the recorded input buffers and replays the recording. A new input shape
// (a smaller last batch, say) starts a new group; up to 8 groups are kept.
//
// What a compiled function may do. Any nabla ops, modules, losses, backward, zero_grad and the
// optimizers' step; clip_grad_norm_/clip_grad_value_; learning-rate changes between calls (the
// optimizers read lr, betas, ... when they run). What it must not do: decide anything in C++
// from tensor values (if (loss.item() > 1) ...; such a branch is taken as it was when recorded),
// or use things that draw random numbers (dropout in training mode, randn, ...): those throw
// CaptureError while recording, naming the operation; run such a step eagerly. With anomaly
// detection on (DetectAnomalyGuard, --detect-anomaly) every call runs eagerly, so every value is
// checked as it is computed.
//
// The tensor a call returns is the recording's output buffer: the next call overwrites it
// (clone() it to keep it). Parameters, their .grad, optimizer state and module buffers are
// updated exactly as the eager step would update them.
#pragma once
#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "nabla/error.h"
#include "nabla/std_function.h"
#include "nabla/tensor/tensor.h"

namespace nabla {

class CompiledStep {
 public:
  using Function = std::function<Tensor(std::span<const Tensor>)>;
  explicit CompiledStep(Function fn);
  ~CompiledStep();
  CompiledStep(CompiledStep&&) noexcept;
  CompiledStep& operator=(CompiledStep&&) noexcept;

  template <class... Inputs>
  Tensor operator()(const Inputs&... inputs) {
    const std::array<Tensor, sizeof...(Inputs)> all{inputs...};
    return call(all);
  }
  Tensor call(std::span<const Tensor> inputs);

  // What happened so far, for tests and curious users.
  struct Stats {
    int64_t eager_calls = 0;  // warm-up calls and anomaly-mode calls
    int64_t captures = 0;     // recordings made
    int64_t replays = 0;      // calls answered by a replay
    size_t kernels = 0;       // kernels in the most recent recording
  };
  Stats stats() const;
  // Where a replayed step spends its time: each kernel of the most recently made recording, in
  // order, with its mean wall time over `replays` replays (each kernel timed on its own with
  // steady_clock, so a few tens of ns of timer cost are included). Replays the recording, so
  // parameters are updated as by `replays` more calls with the recorded inputs. Empty before
  // the first recording.
  struct KernelTime {
    const char* name;
    double mean_ns;
  };
  std::vector<KernelTime> profile(int replays);
  // Drops every recording (the next call warms up again), e.g. after replacing parameters.
  void reset();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

namespace detail {
template <class F>
struct call_arity : call_arity<decltype(&F::operator())> {};
template <class C, class R, class... A>
struct call_arity<R (C::*)(A...) const> : std::integral_constant<size_t, sizeof...(A)> {};
template <class C, class R, class... A>
struct call_arity<R (C::*)(A...)> : std::integral_constant<size_t, sizeof...(A)> {};
template <class R, class... A>
struct call_arity<R (*)(A...)> : std::integral_constant<size_t, sizeof...(A)> {};
}  // namespace detail

// Wraps `fn` (a callable taking N tensors and returning a Tensor) as a CompiledStep.
template <class F>
CompiledStep compile(F fn) {
  constexpr size_t n = detail::call_arity<F>::value;
  return CompiledStep([fn = std::move(fn)](std::span<const Tensor> in) mutable -> Tensor {
    const size_t takes = n;
    NABLA_CHECK(in.size() == takes, ValueError, "compiled step: called with ", in.size(),
                " tensors, the function takes ", takes);
    return [&]<size_t... I>(std::index_sequence<I...>) { return Tensor(fn(in[I]...)); }
    (std::make_index_sequence<n>{});
  });
}

}  // namespace nabla
