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

// Returns d(sum_i <outputs_i, grad_outputs_i>) / d inputs_j for every j.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         BackwardOptions options = {}, const std::vector<Tensor>& grad_outputs = {});

}  // namespace nabla
