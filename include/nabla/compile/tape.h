// nabla/compile/tape.h — recording the kernels of a step so that it can be replayed.
//
// This is the machinery under nabla::compile (nabla/compile.h); users call compile, not this.
//
// Every piece of numeric work in nabla that can run inside a compiled step goes through
// capture::launch: the work is a closure that holds everything it reads by value (raw pointers,
// sizes, strides, scalar constants) and nothing by reference to the stack. launch runs it at
// once (eager mode: that is all it does) and, while a Tape is recording on this thread, also
// appends it to the tape together with the storages it touches, which the tape keeps alive.
// Replaying the tape runs the same closures, in the same order, on the same buffers: the same
// arithmetic as eager mode, bit for bit, with no graph, no shape checks and no allocation.
//
// Work that cannot be replayed this way (a value read back into C++ to decide what to do next,
// a random draw made outside a closure) calls capture::refuse(what) first: inside a recording it
// throws a CaptureError naming the operation, so a step is either captured whole or not at all.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "nabla/error.h"
#include "nabla/std_function.h"
#include "nabla/tensor/tensor.h"

namespace nabla::capture {

// One recorded piece of work, ready to run again.
struct Kernel {
  const char* name;  // the op it came from, for describe()
  std::function<void()> run;
};

// The kernels of one captured step and the storages they point into.
class Tape {
 public:
  // Runs every kernel again, in order.
  void replay() const {
    for (const Kernel& k : kernels_) k.run();
  }
  size_t size() const { return kernels_.size(); }
  const std::vector<Kernel>& kernels() const { return kernels_; }

  void add(const char* name, std::function<void()> run) { kernels_.push_back({name, std::move(run)}); }
  void keep(const std::shared_ptr<Storage>& storage) {
    if (storage && seen_.insert(storage.get()).second) storages_.push_back(storage);
  }
  void keep(const std::shared_ptr<TensorImpl>& impl) { impls_.push_back(impl); }
  // Whether the tape holds a reference to `storage` (so that its use count is one higher).
  bool holds(const Storage* storage) const { return seen_.count(storage) != 0; }

  // Records that `impl`'s .grad is now `grad` (null: none), as Tensor::set_grad and zero_grad do.
  // No kernel reads a .grad binding (kernels hold raw pointers), so a replay makes only the last
  // binding of each tensor, all in one kernel ("bind_grads", where the first binding was): the
  // state an eager step leaves, without a kernel per binding (12 of W2's 38 kernels were these).
  void bind_grad(const std::shared_ptr<TensorImpl>& impl, const std::shared_ptr<TensorImpl>& grad) {
    if (!grad_bindings_) {
      grad_bindings_ = std::make_shared<std::vector<GradBinding>>();
      add("bind_grads", [bindings = grad_bindings_] {
        for (const GradBinding& b : *bindings)
          if (b.tensor->grad != b.grad) b.tensor->grad = b.grad;
      });
    }
    for (GradBinding& b : *grad_bindings_)
      if (b.tensor == impl) {
        b.grad = grad;
        return;
      }
    grad_bindings_->push_back({impl, grad});
  }

 private:
  struct GradBinding {
    std::shared_ptr<TensorImpl> tensor, grad;
  };
  std::shared_ptr<std::vector<GradBinding>> grad_bindings_;
  std::vector<Kernel> kernels_;
  std::vector<std::shared_ptr<Storage>> storages_;
  std::vector<std::shared_ptr<TensorImpl>> impls_;
  std::unordered_set<const Storage*> seen_;
};

// The tape recording on this thread, or nullptr (eager mode).
Tape* active();
inline bool recording() { return active() != nullptr; }

// Records onto `tape` on this thread while it lives (not nestable: a second one throws).
class Recording {
 public:
  explicit Recording(Tape& tape);
  ~Recording();
  Recording(const Recording&) = delete;
  Recording& operator=(const Recording&) = delete;
};

// Throws CaptureError("... 'what' cannot be captured ...") while a tape is recording.
void refuse(const char* what);

namespace detail {
void set_active(Tape* tape);
}

// Runs `work` now and, while recording, appends a copy of it to the tape and keeps the storages
// of `touched` alive (every tensor whose memory `work` reads or writes). Work that itself calls
// launch (a kernel built from other kernels) is recorded once, whole: recording pauses inside it.
template <class Work, class... Touched>
void launch(const char* name, Work&& work, const Touched&... touched) {
  Tape* tape = active();
  if (!tape) {
    work();
    return;
  }
  detail::set_active(nullptr);
  try {
    work();
  } catch (...) {
    detail::set_active(tape);
    throw;
  }
  detail::set_active(tape);
  (tape->keep(touched.impl()->storage), ...);
  tape->add(name, std::function<void()>(std::forward<Work>(work)));
}

// ---- hooks: where the tape meets tensors and the engine ----

// Tensor factories (from_vector, arange, eye, ...): while recording, a kernel that puts the current
// contents of `fresh` (a new contiguous tensor just filled from host values) back, so that an
// in-place update of it later in the step starts from the same values on every replay.
void restore_on_replay(const Tensor& fresh);

// Tensor::set_grad and zero_grad: while recording, the tape replays the last .grad binding of each
// tensor (Tape::bind_grad). `grad` null: no .grad.
inline void on_grad_bound(const std::shared_ptr<TensorImpl>& impl, const std::shared_ptr<TensorImpl>& grad) {
  if (Tape* tape = active()) tape->bind_grad(impl, grad);
}

// zeros(): while recording, the zeroing must be a recorded kernel (the buffer may be updated in
// place later in the step), so zeros() fills the buffer instead of taking zeroed memory.
inline bool zeroing_is_recorded() { return recording(); }

// The engine's backward: the references to `storage` the recording tape holds itself (0 or 1).
// They do not make a gradient shared: the replayed step writes that buffer and makes it .grad
// again, as the eager step would.
inline long tape_references(const Storage* storage) {
  const Tape* tape = active();
  return tape && tape->holds(storage) ? 1 : 0;
}

}  // namespace nabla::capture
