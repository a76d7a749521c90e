// nabla/autograd/graph.h — look at a recorded graph: its nodes in order, and a Graphviz drawing.
//
// walk() lists every node that a tensor's value depends on (ops and leaf accumulators), inputs
// before the nodes that use them, with the edges between them. to_dot() draws that graph with,
// per node, the op, the forward value and (after a backward run with keep_adjoints) the gradient.
//
//   Tensor y = nabla::tanh(w * x);
//   nabla::backward({y}, {}, {.keep_adjoints = true});
//   std::string dot = nabla::autograd::to_dot(y);   // `dot -Tsvg` draws it
#pragma once
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "nabla/autograd/node.h"

namespace nabla::autograd {

struct GraphNode {
  std::shared_ptr<Node> node;
  // Per input of the node, the index in Graph::nodes of the node that produced it; -1 where the
  // input needs no gradient (a constant), so no edge was recorded.
  std::vector<int> inputs;
};

struct Graph {
  // Topological order: every node after the nodes of its inputs, the roots last. Inputs are
  // visited in order, depth first, which for a graph built by evaluating a formula left to right
  // is exactly the evaluation order.
  std::vector<GraphNode> nodes;

  int index_of(const Node* node) const;  // -1 if the node is not in the graph
  bool empty() const { return nodes.empty(); }
};

// The graph behind `roots` (tensors without a node, constants, add nothing). Iterative: a long
// chain cannot overflow the stack.
Graph walk(const std::vector<Tensor>& roots);
Graph walk(const Tensor& root);

struct DotOptions {
  // The caller's name for nodes, shown as the first line (e.g. "a1 = w1·x1"). Nodes without one
  // show their op; leaves show the leaf tensor's name (Tensor::name()).
  std::unordered_map<const Node*, std::string> labels;
  int max_elements = 6;        // show the values of tensors this small, the shape of larger ones
  int precision = 4;           // significant digits of the values shown
  std::string rankdir = "LR";  // Graphviz layout direction: LR (inputs on the left) or TB
};

// A value for display: "-6.75", "[1, 2, 3]", or "shape [64, 10]" above max_elements.
std::string describe(const Tensor& value, int max_elements = 6, int precision = 4);

// The gradient shown for a node: the adjoint kept by the last backward with keep_adjoints; for a
// leaf, its .grad when the adjoint was not kept. Undefined when neither is there.
Tensor gradient_of(const Node& node);

// Graphviz DOT source: one box per node (label, op, value, gradient), one arrow per edge from an
// input to the node that uses it; the root drawn with a double border.
std::string to_dot(const Graph& graph, const DotOptions& options = {});
std::string to_dot(const Tensor& root, const DotOptions& options = {});

}  // namespace nabla::autograd
