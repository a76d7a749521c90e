#include "nabla/autograd/graph.h"

#include <cstdio>
#include <sstream>

namespace nabla::autograd {

int Graph::index_of(const Node* node) const {
  for (size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].node.get() == node) return static_cast<int>(i);
  return -1;
}

Graph walk(const std::vector<Tensor>& roots) {
  Graph graph;
  std::unordered_map<const Node*, int> index;
  // Depth-first post-order with an explicit stack: (node, next input to visit).
  std::vector<std::pair<std::shared_ptr<Node>, size_t>> stack;
  for (const Tensor& root : roots) {
    std::shared_ptr<Node> start = root.defined() ? (root.grad_fn() ? root.grad_fn() : gradient_edge(root)) : nullptr;
    if (!start || index.count(start.get())) continue;
    index[start.get()] = -1;  // seen, not placed yet
    stack.push_back({start, 0});
    while (!stack.empty()) {
      auto& [node, i] = stack.back();
      if (i < node->next().size()) {
        const std::shared_ptr<Node>& child = node->next()[i++];
        if (child && !index.count(child.get())) {
          index[child.get()] = -1;
          stack.push_back({child, 0});
        }
        continue;
      }
      GraphNode gn{node, {}};
      for (const auto& child : node->next()) gn.inputs.push_back(child ? index.at(child.get()) : -1);
      index[node.get()] = static_cast<int>(graph.nodes.size());
      graph.nodes.push_back(std::move(gn));
      stack.pop_back();
    }
  }
  return graph;
}

Graph walk(const Tensor& root) { return walk(std::vector<Tensor>{root}); }

namespace {

std::string number(double v, int precision) {
  if (v == 0) v = 0;  // -0 reads as a sign error in a drawing
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", precision, v);
  return buf;
}

// Escapes text for a double-quoted DOT string; a newline becomes DOT's centred line break.
std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string describe(const Tensor& value, int max_elements, int precision) {
  if (!value.defined()) return "-";
  if (value.numel() > max_elements) return "shape " + value.shape().to_string();
  std::vector<double> v = value.to_vector<double>();
  if (value.dim() == 0) return number(v[0], precision);
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + number(v[i], precision);
  return out + "]";
}

Tensor gradient_of(const Node& node) {
  if (node.adjoint().defined()) return node.adjoint();
  if (Tensor leaf = node.leaf(); leaf.defined()) return leaf.grad();
  return Tensor();
}

std::string to_dot(const Graph& graph, const DotOptions& options) {
  std::ostringstream out;
  out << "digraph nabla {\n"
      << "  rankdir=" << options.rankdir << ";\n"
      << "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", fontname=\"Helvetica\"];\n"
      << "  edge [color=\"#555555\"];\n";
  std::vector<bool> used(graph.nodes.size(), false);
  for (const GraphNode& gn : graph.nodes)
    for (int input : gn.inputs)
      if (input >= 0) used[input] = true;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = *graph.nodes[i].node;
    const Tensor leaf = node.leaf();
    auto label = options.labels.find(&node);
    std::string text;
    if (label != options.labels.end()) text = label->second + "\n";
    if (leaf.defined()) {
      if (label == options.labels.end()) text = (leaf.name().empty() ? std::string("leaf") : leaf.name()) + "\n";
      text += "value = " + describe(leaf, options.max_elements, options.precision);
    } else {
      text += node.name() + "\nvalue = " + describe(node.value(), options.max_elements, options.precision);
    }
    if (Tensor g = gradient_of(node); g.defined())
      text += "\ngrad = " + describe(g, options.max_elements, options.precision);
    out << "  n" << i << " [label=\"" << escape(text) << "\"";
    if (leaf.defined()) out << ", shape=ellipse, fillcolor=\"#fff4dd\"";
    if (!used[i]) out << ", peripheries=2";  // an output: nothing consumes it
    out << "];\n";
  }
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    for (int input : graph.nodes[i].inputs)
      if (input >= 0) out << "  n" << input << " -> n" << i << ";\n";
  out << "}\n";
  return out.str();
}

std::string to_dot(const Tensor& root, const DotOptions& options) { return to_dot(walk(root), options); }

}  // namespace nabla::autograd
