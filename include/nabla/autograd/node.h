// nabla/autograd/node.h — one recorded operation of the dynamic graph.
//
// Every differentiable op that sees an input requiring grad records a Node: its name, edges to
// the nodes of its inputs, the backward function (written next to the op's forward, with
// nabla's own differentiable ops so that gradients of gradients come for free), and a detached
// alias of its output, so that the graph can report each node's value (and, after a backward
// with keep_adjoints, its gradient) to `nabla grad`, the demos and the playground.
//
//   Tensor y = x.sigmoid();                 // records Node "sigmoid" with one edge, to x
//   y.grad_fn()->name() == "sigmoid";
//   y.grad_fn()->value();                   // the forward value of y
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "nabla/std_function.h"
#include "nabla/tensor/tensor.h"

namespace nabla {

// grad_out: gradient w.r.t. the node's output. out: the output itself, attached to this node,
// so a formula that uses it (sigmoid' = y(1-y)) stays differentiable. Returns one gradient per
// input; an undefined Tensor means "no gradient flows to this input".
using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_out, const Tensor& out)>;

// A tensor's gradient hooks (Tensor::register_hook), with their ids, in registration order;
// a leaf's post-accumulate hooks (autograd::register_post_accumulate_hook) after them.
struct GradHooks {
  std::vector<std::pair<int64_t, std::function<Tensor(const Tensor&)>>> list;
  std::vector<std::pair<int64_t, std::function<void(const Tensor&)>>> post_accumulate;
};

class Node : public std::enable_shared_from_this<Node> {
 public:
  Node(std::string name, BackwardFn backward, std::vector<std::shared_ptr<Node>> next, const Tensor& output,
       std::vector<Shape> input_shapes);
  // Frees long chains iteratively: a recursive chain of destructors would overflow the stack on
  // graphs a few hundred thousand ops deep.
  virtual ~Node();

  const std::string& name() const { return name_; }
  // Edges to the nodes that produced the inputs, one per input (null: input needs no grad).
  const std::vector<std::shared_ptr<Node>>& next() const { return next_; }
  // The forward value of this node's output (a detached alias of it; undefined for leaves).
  Tensor value() const;
  // The gradient of the last backward's root w.r.t. this node's output, when that backward ran
  // with keep_adjoints; undefined otherwise.
  const Tensor& adjoint() const { return adjoint_; }
  const std::vector<Shape>& input_shapes() const { return input_shapes_; }
  // The leaf tensor of an AccumulateGrad node, else undefined.
  virtual Tensor leaf() const { return Tensor(); }
  bool is_leaf_accumulator() const { return leaf().defined(); }
  bool released() const { return !backward_; }

  // Runs the backward formula for a given output gradient (used by the engine, and by the
  // trace to show local derivatives: apply(1) on a scalar node gives d out / d input_i).
  std::vector<Tensor> apply(const Tensor& grad_out);

  // Drops the saved tensors; a later backward through this node is an error.
  void release() {
    backward_ = nullptr;
    for (int i = 0; i < num_saved_; ++i) saved_[i].storage.reset();
    num_saved_ = 0;
    saved_extra_.clear();
  }

  // Notes the versions, now, of the tensors the backward reads (`saves`, as autograd::record
  // takes it, picks among `inputs` and `output`): apply() throws if an in-place op changed one
  // since (PyTorch's saved variables).
  void save_versions(const std::vector<Tensor>& inputs, uint32_t saves, const Tensor& output);

 private:
  friend class Engine;
  friend class Tensor;
  std::string name_;
  BackwardFn backward_;
  std::vector<std::shared_ptr<Node>> next_;
  // The output's layout and storage, without its autograd fields: the node must not own the
  // output tensor itself, which owns the node (a reference cycle).
  TensorImpl output_;
  bool has_output_ = false;
  std::vector<Shape> input_shapes_;
  // The tensors the backward reads, with their storage's version when the op ran: inline for
  // the common case (two inputs and the output: no allocation per op), the rest in saved_extra_.
  struct SavedVersion {
    std::shared_ptr<Storage> storage;  // null for the output, whose storage output_ holds
    uint64_t version = 0;
    int which = 0;  // input index, or kSavedOutput
  };
  static constexpr int kSavedOutput = -1;
  static constexpr int kInlineSaved = 3;
  SavedVersion saved_[kInlineSaved];
  int num_saved_ = 0;
  std::vector<SavedVersion> saved_extra_;
  void add_saved(SavedVersion saved);
  void check_saved_version(const SavedVersion& saved) const;
  Tensor adjoint_;
  // Engine scratch, valid only during one backward pass.
  Tensor grad_buffer_;
  uint64_t visit_mark_ = 0;  // the engine's topological sort marks visited nodes here
  // The hooks registered on this node's output tensor (Tensor::register_hook on a non-leaf):
  // kept by the node, so they run even after that tensor is gone, as PyTorch's.
  std::shared_ptr<GradHooks> hooks_;
};

// The node at the end of every leaf tensor that requires grad: it adds the arriving gradient
// into the leaf's .grad.
class AccumulateGrad : public Node {
 public:
  explicit AccumulateGrad(std::shared_ptr<TensorImpl> leaf);
  Tensor leaf() const override { return Tensor(leaf_); }

 private:
  std::shared_ptr<TensorImpl> leaf_;
};

// ---- grad mode: a thread-local flag with an RAII guard ----
bool grad_enabled();
// Sets the flag for this thread until changed again (torch.set_grad_enabled as a function, for
// the Python module); C++ code scopes it with a guard instead.
void set_grad_enabled(bool enabled);
class GradModeGuard {
 public:
  explicit GradModeGuard(bool enabled);
  ~GradModeGuard();
  GradModeGuard(const GradModeGuard&) = delete;
  GradModeGuard& operator=(const GradModeGuard&) = delete;

 private:
  bool previous_;
};
// No graph is recorded while one of these lives (like torch.no_grad()).
class NoGradGuard : public GradModeGuard {
 public:
  NoGradGuard() : GradModeGuard(false) {}
};

// ---- anomaly mode: the first NaN/Inf produced by an op, forward or backward, is an error ----
bool anomaly_detection_enabled();
// While one lives, every recorded op checks its output, and the engine checks every gradient
// it computes; the first non-finite value throws nabla::ValueError naming the op (and, for the
// forward pass, statistics of its inputs). Costs a scan of each value: for debugging.
class DetectAnomalyGuard {
 public:
  explicit DetectAnomalyGuard(bool enabled = true);
  ~DetectAnomalyGuard();
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;

 private:
  bool previous_;
};

namespace autograd {

// Throws the anomaly error if `t` holds a NaN or an infinity (floating tensors only).
// `what` says where the value came from, e.g. "the forward pass of 'log'".
void check_finite(const Tensor& t, const std::string& what, const std::vector<Tensor>& inputs = {});

// Records `op` as the producer of `out` when grad mode is on and an input requires grad, and
// returns `out` (now carrying grad_fn). `inputs` are the tensors the backward returns gradients
// for, in order. Ops call this right after computing their forward value:
//
//   Tensor y = kernels::...;
//   return autograd::record("sigmoid", y, {x}, [](const Tensor& g, const Tensor& y) {
//     return std::vector<Tensor>{g * y * (1.0 - y)};
//   });
//
// `saves` says which of them the backward reads (bit i: input i; kSavesOutput: the output), so
// that an in-place change of one before backward is an error (Node::save_versions). The default,
// everything, is always safe; an op whose backward needs less says so (kSavesNothing for add).
inline constexpr uint32_t kSavesOutput = 1u << 31;
inline constexpr uint32_t kSavesAll = ~0u;
inline constexpr uint32_t kSavesNothing = 0;
constexpr uint32_t saves_input(int i) { return 1u << i; }
Tensor record(const char* op, Tensor out, std::initializer_list<Tensor> inputs, BackwardFn backward,
              uint32_t saves = kSavesAll);
Tensor record(const char* op, Tensor out, const std::vector<Tensor>& inputs, BackwardFn backward,
              uint32_t saves = kSavesAll);

// The node that gradients for `t` flow into: its grad_fn, or its leaf accumulator.
std::shared_ptr<Node> gradient_edge(const Tensor& t);

}  // namespace autograd
}  // namespace nabla
