#include "nabla/compile.h"

#include <chrono>
#include <deque>
#include <vector>

#include "../kernels/elementwise.h"
#include "nabla/autograd/node.h"
#include "nabla/compile/tape.h"

namespace nabla {

namespace {

// Calls with inputs of the same shapes and dtypes share a recording.
struct Signature {
  std::vector<std::pair<Shape, DType>> inputs;
  bool matches(std::span<const Tensor> in) const {
    if (in.size() != inputs.size()) return false;
    for (size_t i = 0; i < in.size(); ++i)
      if (in[i].shape() != inputs[i].first || in[i].dtype() != inputs[i].second) return false;
    return true;
  }
};

struct Recording {
  Signature signature;
  int calls = 0;                      // 1 after the warm-up call, 2 once recorded
  std::vector<Tensor> static_inputs;  // the buffers the recording reads its inputs from
  capture::Tape tape;
  Tensor output;
};

constexpr size_t kMaxRecordings = 8;

// dst (contiguous, same shape and dtype) = src's elements: no allocation, whatever src's layout.
void copy_into(const Tensor& src, const Tensor& dst) {
  dispatch_all(dst.dtype(), [&]<class T>() { kernels::copy<T, T>(kernels::operand(src), kernels::operand(dst)); });
}

}  // namespace

struct CompiledStep::Impl {
  Function fn;
  std::deque<Recording> recordings;  // most recently made last
  Stats stats;

  Recording& recording_for(std::span<const Tensor> inputs) {
    for (Recording& r : recordings)
      if (r.signature.matches(inputs)) return r;
    if (recordings.size() == kMaxRecordings) recordings.pop_front();
    Recording& r = recordings.emplace_back();
    for (const Tensor& t : inputs) r.signature.inputs.emplace_back(t.shape(), t.dtype());
    return r;
  }
};

CompiledStep::CompiledStep(Function fn) : impl_(std::make_unique<Impl>()) { impl_->fn = std::move(fn); }
CompiledStep::~CompiledStep() = default;
CompiledStep::CompiledStep(CompiledStep&&) noexcept = default;
CompiledStep& CompiledStep::operator=(CompiledStep&&) noexcept = default;

CompiledStep::Stats CompiledStep::stats() const { return impl_->stats; }
void CompiledStep::reset() { impl_->recordings.clear(); }

std::vector<CompiledStep::KernelTime> CompiledStep::profile(int replays) {
  std::vector<KernelTime> times;
  const Recording* last = nullptr;
  for (const Recording& r : impl_->recordings)
    if (r.calls == 2) last = &r;
  if (!last || replays <= 0) return times;
  const std::vector<capture::Kernel>& kernels = last->tape.kernels();
  std::vector<double> total(kernels.size(), 0.0);
  for (int rep = 0; rep < replays; ++rep)
    for (size_t i = 0; i < kernels.size(); ++i) {
      const auto start = std::chrono::steady_clock::now();
      kernels[i].run();
      total[i] += std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    }
  for (size_t i = 0; i < kernels.size(); ++i) times.push_back({kernels[i].name, total[i] / replays});
  return times;
}

Tensor CompiledStep::call(std::span<const Tensor> inputs) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    NABLA_CHECK(inputs[i].defined(), ValueError, "compiled step: input ", i, " is undefined");
    NABLA_CHECK(!inputs[i].requires_grad(), CaptureError, "compiled step: input ", i,
                " requires grad; pass data as inputs and keep parameters in the function (its closure)");
  }
  // Anomaly mode checks each value as it is computed: only an eager step does that.
  if (anomaly_detection_enabled()) {
    ++impl_->stats.eager_calls;
    return impl_->fn(inputs);
  }
  Recording& r = impl_->recording_for(inputs);
  if (r.calls == 0) {  // warm-up: lazily made state (optimizer buffers, .grad) comes into being
    ++impl_->stats.eager_calls;
    Tensor out = impl_->fn(inputs);
    r.calls = 1;
    return out;
  }
  if (r.calls == 1) {  // record
    r.static_inputs.clear();
    for (const Tensor& t : inputs) {
      Tensor buffer = Tensor::empty(t.shape(), t.dtype());
      copy_into(t, buffer);
      r.static_inputs.push_back(buffer);
    }
    r.tape = capture::Tape();
    Tensor out;
    try {
      capture::Recording recording(r.tape);
      out = impl_->fn(r.static_inputs);
    } catch (...) {
      r.tape = capture::Tape();  // a step captured in part is no step: record again next time
      r.static_inputs.clear();
      throw;
    }
    r.output = out.defined() ? out.detach() : out;
    r.calls = 2;
    ++impl_->stats.captures;
    impl_->stats.kernels = r.tape.size();
    return r.output;
  }
  for (size_t i = 0; i < inputs.size(); ++i) copy_into(inputs[i], r.static_inputs[i]);
  r.tape.replay();
  ++impl_->stats.replays;
  return r.output;
}

}  // namespace nabla
