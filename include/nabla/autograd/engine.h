// nabla/autograd/engine.h — reverse-mode differentiation over the recorded graph.
//
// backward() accumulates into the .grad of leaves (as Tensor::backward does); grad() returns
// gradients of outputs w.r.t. chosen inputs without touching .grad (as torch.autograd.grad).
// With create_graph the backward pass itself is recorded, so its results can be differentiated
// again (Hessians, C''(W)).
//
//   auto [dy_dx] = grad({y}, {x}, {.create_graph = true});   // keeps the graph of dy/dx
//   auto d2y_dx2 = grad({dy_dx}, {x})[0];
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "nabla/autograd/node.h"

namespace nabla {

struct BackwardOptions {
  bool retain_graph = false;   // keep saved tensors so the graph can be backpropagated again
  bool create_graph = false;   // record the backward pass (implies retain_graph)
  bool allow_unused = false;   // grad(): an input not reached gets an undefined Tensor, not an error
  bool keep_adjoints = false;  // store each node's output gradient in Node::adjoint() (for traces)
};

// Backpropagates from `outputs` (with output gradients `grad_outputs`, which may be omitted for
// scalar outputs: they default to 1) and accumulates into the leaves' .grad.
void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs = {},
              BackwardOptions options = {});

namespace autograd {
// Calls `hook(leaf)` each time backward() has accumulated a gradient into the .grad of `leaf` (a
// leaf that requires grad), once per backward pass, after the tensor's register_hook hooks, in
// the order backward reaches the leaves (for a chain of layers, the reverse of the forward).
// torch's Tensor.register_post_accumulate_grad_hook; DataParallel starts reducing a bucket of
// gradients from it while backward goes on. Returns an id for remove_post_accumulate_hook.
//   autograd::register_post_accumulate_hook(w, [](const Tensor& w) { use(w.grad()); });
int64_t register_post_accumulate_hook(const Tensor& leaf, std::function<void(const Tensor&)> hook);
void remove_post_accumulate_hook(const Tensor& leaf, int64_t id);
}  // namespace autograd

// Returns d(sum_i <outputs_i, grad_outputs_i>) / d inputs_j for every j.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         BackwardOptions options = {}, const std::vector<Tensor>& grad_outputs = {});

}  // namespace nabla
