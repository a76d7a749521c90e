// nabla::autograd graph introspection: walk() order and edges, and the Graphviz DOT export.
#include "nabla/autograd/graph.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "nabla/autograd/engine.h"
#include "nabla/ops/ops.h"
#include "nabla/tensor/random.h"

namespace nabla::autograd {
namespace {

Tensor leaf(double v, const std::string& name) {
  Tensor t = Tensor::scalar(v, DType::float64);
  t.requires_grad_().set_name(name);
  return t;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(GraphWalk, InputsBeforeTheirUsersInEvaluationOrder) {
  Tensor w = leaf(2.0, "w"), x = leaf(-0.5, "x");
  Tensor y = tanh(w * x);
  Graph g = walk(y);
  ASSERT_EQ(g.nodes.size(), 4u);
  EXPECT_TRUE(g.nodes[0].node->leaf().same(w));
  EXPECT_TRUE(g.nodes[1].node->leaf().same(x));
  EXPECT_EQ(g.nodes[2].node->name(), "mul");
  EXPECT_EQ(g.nodes[2].inputs, (std::vector<int>{0, 1}));
  EXPECT_EQ(g.nodes[3].node->name(), "tanh");
  EXPECT_EQ(g.nodes[3].inputs, (std::vector<int>{2}));
  EXPECT_EQ(g.nodes[3].node.get(), y.grad_fn().get());
  EXPECT_EQ(g.index_of(y.grad_fn().get()), 3);
  EXPECT_EQ(g.index_of(nullptr), -1);
}

TEST(GraphWalk, SharedNodesOnceAndConstantsAsMissingEdges) {
  Tensor x = leaf(3.0, "x");
  Tensor s = sigmoid(x);
  Tensor y = s * s + x * Tensor::scalar(2.0);  // s used twice; 2 is a constant input of the second mul
  Graph g = walk(y);
  // x, sigmoid, mul(s, s), mul(x, 2), add
  ASSERT_EQ(g.nodes.size(), 5u);
  EXPECT_EQ(g.nodes[2].node->name(), "mul");
  EXPECT_EQ(g.nodes[2].inputs, (std::vector<int>{1, 1}));
  EXPECT_EQ(g.nodes[3].inputs, (std::vector<int>{0, -1}));
  EXPECT_EQ(g.nodes[4].inputs, (std::vector<int>{2, 3}));
}

TEST(GraphWalk, SeveralRootsAndTensorsWithoutGraph) {
  Tensor x = leaf(1.0, "x");
  Tensor a = exp(x), b = sin(x);
  Graph g = walk(std::vector<Tensor>{a, b, Tensor::scalar(1.0)});
  EXPECT_EQ(g.nodes.size(), 3u);  // x, exp, sin
  EXPECT_TRUE(walk(Tensor::scalar(4.0)).empty());
  EXPECT_EQ(walk(x).nodes.size(), 1u);  // a leaf alone: its accumulator
}

TEST(GraphWalk, LongChainDoesNotOverflowTheStack) {
  Tensor x = leaf(0.0, "x");
  Tensor y = x;
  const int n = 20000;
  const Tensor one = Tensor::scalar(1.0);
  for (int i = 0; i < n; ++i) y = y + one;
  Graph g = walk(y);
  EXPECT_EQ(g.nodes.size(), size_t(n + 1));
  EXPECT_EQ(g.nodes.back().inputs, (std::vector<int>{n - 1, -1}));
}

TEST(GraphDescribe, ValuesOrShape) {
  EXPECT_EQ(describe(Tensor::scalar(-6.75)), "-6.75");
  EXPECT_EQ(describe(Tensor::from_vector(std::vector<double>{1.0, 2.5, 3.0}, {3})), "[1, 2.5, 3]");
  EXPECT_EQ(describe(Tensor::from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3})), "[1, 2, 3, 4, 5, 6]");
  EXPECT_EQ(describe(zeros({7}, DType::float64)), "shape [7]");
  EXPECT_EQ(describe(zeros({64, 10}, DType::float64)), "shape [64, 10]");
  EXPECT_EQ(describe(Tensor::scalar(1.0 / 3.0), 6, 8), "0.33333333");
  EXPECT_EQ(describe(Tensor()), "-");
}

TEST(GraphDot, NodesValuesGradientsAndEdges) {
  Tensor w = leaf(2.0, "w"), x = leaf(-0.5, "x");
  Tensor y = tanh(w * x);
  backward({y}, {}, {.keep_adjoints = true});
  std::string dot = to_dot(y);
  EXPECT_TRUE(contains(dot, "digraph nabla {")) << dot;
  EXPECT_TRUE(contains(dot, "rankdir=LR;")) << dot;
  // Leaves: their name, value and gradient (dy/dw = x·(1 - tanh²(wx))).
  const double dw = -0.5 * (1 - std::tanh(-1.0) * std::tanh(-1.0));
  char expected_w[128];
  std::snprintf(expected_w, sizeof expected_w, "w\\nvalue = 2\\ngrad = %.4g", dw);
  EXPECT_TRUE(contains(dot, expected_w)) << dot;
  EXPECT_TRUE(contains(dot, "x\\nvalue = -0.5\\ngrad = ")) << dot;
  // Ops: name, value, gradient; the output's gradient is 1.
  EXPECT_TRUE(contains(dot, "mul\\nvalue = -1\\ngrad = ")) << dot;
  char expected_tanh[128];
  std::snprintf(expected_tanh, sizeof expected_tanh, "tanh\\nvalue = %.4g\\ngrad = 1\"", std::tanh(-1.0));
  EXPECT_TRUE(contains(dot, expected_tanh)) << dot;
  EXPECT_TRUE(contains(dot, "n0 -> n2;")) << dot;
  EXPECT_TRUE(contains(dot, "n1 -> n2;")) << dot;
  EXPECT_TRUE(contains(dot, "n2 -> n3;")) << dot;
  EXPECT_TRUE(contains(dot, "n3 [label=")) << dot;
  EXPECT_TRUE(contains(dot, "peripheries=2")) << dot;  // the output
  EXPECT_TRUE(dot.size() > 0 && dot.back() == '\n');
}

TEST(GraphDot, CallerLabelsAndNoGradientBeforeBackward) {
  Tensor w = leaf(2.0, "w"), x = leaf(3.0, "x");
  Tensor a = w * x;
  Tensor y = relu(a);
  DotOptions options;
  options.labels[a.grad_fn().get()] = "a1 = w·x";
  options.labels[y.grad_fn().get()] = "say \"hi\" \\ r1";
  options.rankdir = "TB";
  std::string dot = to_dot(y, options);
  EXPECT_TRUE(contains(dot, "a1 = w·x\\nmul\\nvalue = 6\"")) << dot;   // no backward yet: no grad line
  EXPECT_TRUE(contains(dot, "say \\\"hi\\\" \\\\ r1\\nrelu")) << dot;  // quotes and backslashes escaped
  EXPECT_TRUE(contains(dot, "rankdir=TB;")) << dot;
  EXPECT_FALSE(contains(dot, "grad = ")) << dot;
}

TEST(GraphDot, LargeTensorsShowTheirShapeAndLeafGradFallsBackToDotGrad) {
  Tensor m = randn({4, 5}, DType::float64).requires_grad_();  // unnamed leaf
  Tensor s = (m * m).sum();
  s.backward();  // no keep_adjoints: leaves still show their .grad
  std::string dot = to_dot(s);
  EXPECT_TRUE(contains(dot, "leaf\\nvalue = shape [4, 5]\\ngrad = shape [4, 5]")) << dot;
  EXPECT_TRUE(contains(dot, "mul\\nvalue = shape [4, 5]\"")) << dot;
  EXPECT_TRUE(contains(dot, "sum\\nvalue = ")) << dot;
  EXPECT_TRUE(gradient_of(*walk(s).nodes[0].node).defined());
}

}  // namespace
}  // namespace nabla::autograd
