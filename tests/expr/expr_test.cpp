// nabla::expr (src/expr/): parsing (precedence, unary minus, errors with exact columns), evaluation on the
// autograd graph (names, formulas, ops), and the trace (values, gradients, Hessians) against
// PyTorch goldens (tests/golden/gen_grad_cli.py).
#include "nabla/expr/expr.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "cli/grad_golden.h"
#include "nabla/autograd/graph.h"

namespace nabla::expr {
namespace {

std::string sexpr(const std::string& text) { return Expression(text).to_sexpr(); }

// Parses (and, with `at`, evaluates) and expects a ParseError at `column` of `source`.
void expect_error(const std::string& text, int column, const std::string& message_part, const char* at = nullptr,
                  const std::string& source = "") {
  SCOPED_TRACE("expression: " + text);
  try {
    Expression e(text);
    if (at) e.evaluate(parse_bindings(at));
    FAIL() << "no error";
  } catch (const ParseError& err) {
    EXPECT_EQ(err.column(), column) << err.what();
    EXPECT_EQ(err.line(), 1);
    EXPECT_EQ(err.source(), source.empty() ? text : source);
    EXPECT_NE(std::string(err.what()).find(message_part), std::string::npos) << err.what();
  }
}

void expect_bindings_error(const std::string& text, int column, const std::string& message_part) {
  SCOPED_TRACE("bindings: " + text);
  try {
    parse_bindings(text);
    FAIL() << "no error";
  } catch (const ParseError& err) {
    EXPECT_EQ(err.column(), column) << err.what();
    EXPECT_EQ(err.source(), text);
    EXPECT_NE(std::string(err.what()).find(message_part), std::string::npos) << err.what();
  }
}

TEST(ExprParse, Precedence) {
  EXPECT_EQ(sexpr("1 + 2*3"), "(+ 1 (* 2 3))");
  EXPECT_EQ(sexpr("(1 + 2)*3"), "(* (+ 1 2) 3)");
  EXPECT_EQ(sexpr("1 - 2 - 3"), "(- (- 1 2) 3)");
  EXPECT_EQ(sexpr("a/b/c"), "(/ (/ a b) c)");
  EXPECT_EQ(sexpr("a*b/c*d"), "(* (/ (* a b) c) d)");
  EXPECT_EQ(sexpr("2^3^2"), "(^ 2 (^ 3 2))");  // right-associative
  EXPECT_EQ(sexpr("a*b^c"), "(* a (^ b c))");
  EXPECT_EQ(sexpr("x**2"), "(^ x 2)");
  EXPECT_EQ(sexpr("max(x, y*2) + min(1, x)"), "(+ (max x (* y 2)) (min 1 x))");
  EXPECT_EQ(sexpr("  sigmoid ( w * x ) "), "(sigmoid (* w x))");
}

TEST(ExprParse, UnaryMinus) {
  EXPECT_EQ(sexpr("-x^2"), "(neg (^ x 2))");  // -(x^2), as in maths and Python
  EXPECT_EQ(sexpr("(-x)^2"), "(^ (neg x) 2)");
  EXPECT_EQ(sexpr("2^-x"), "(^ 2 (neg x))");
  EXPECT_EQ(sexpr("2^-x^2"), "(^ 2 (neg (^ x 2)))");
  EXPECT_EQ(sexpr("-x*y"), "(* (neg x) y)");
  EXPECT_EQ(sexpr("x*-y"), "(* x (neg y))");
  EXPECT_EQ(sexpr("x - -y"), "(- x (neg y))");
  EXPECT_EQ(sexpr("--x"), "(neg (neg x))");
  EXPECT_EQ(sexpr("+x"), "x");
  EXPECT_EQ(sexpr("-2"), "(neg 2)");
}

TEST(ExprParse, Numbers) {
  Expression e("1e-3 + 2.5E+2 + .5 + 5. + 12");
  EXPECT_EQ(e.to_sexpr(), "(+ (+ (+ (+ 1e-3 2.5E+2) .5) 5.) 12)");
  Evaluation ev = e.evaluate({});
  EXPECT_DOUBLE_EQ(ev.result.item(), 0.001 + 250 + 0.5 + 5 + 12);
  EXPECT_TRUE(ev.steps.empty());  // constants make no graph
}

TEST(ExprParse, InfixPrintsOnlyTheBracketsItNeeds) {
  EXPECT_EQ(Expression("-(x^2)").to_string(), "-x^2");
  EXPECT_EQ(Expression("(-x)^2").to_string(), "(-x)^2");
  EXPECT_EQ(Expression("(a - (b - c))").to_string(), "a - (b - c)");
  EXPECT_EQ(Expression("((a - b) - c)").to_string(), "a - b - c");
  EXPECT_EQ(Expression("(a*b)^2").to_string(), "(a*b)^2");
  EXPECT_EQ(Expression("x*(-y)").to_string(), "x*(-y)");
  EXPECT_EQ(Expression("2^(3^x)").to_string(), "2^3^x");
  EXPECT_EQ(Expression("x3*tanh(w4*(a+b))").to_string(), "x3*tanh(w4*(a + b))");
}

TEST(ExprParse, VariablesInOrderOfAppearance) {
  EXPECT_EQ(Expression("x3*tanh(w4*x1 + x3)").variables(), (std::vector<std::string>{"x3", "w4", "x1"}));
  EXPECT_TRUE(Expression("2*3").variables().empty());
}

TEST(ExprParse, ErrorsPointAtTheColumn) {
  expect_error("x + * y", 5, "unexpected '*'");
  expect_error("x y", 3, "after a complete expression");
  expect_error("", 1, "empty");
  expect_error("   ", 4, "empty");
  expect_error("x +", 4, "unexpected end");
  expect_error("(x + 1", 7, "missing ')'");
  expect_error("(x + 1 y", 8, "expected ')'");
  expect_error("x @ y", 3, "unexpected '@'");
  expect_error("x·y", 2, "unexpected '·'");  // columns count characters, not bytes
  expect_error("x + é*y", 5, "unexpected 'é'");
  expect_error("2*foo(x)", 3, "unknown function 'foo'");
  expect_error("2*sigmoid(x, y)", 3, "sigmoid takes 1 argument, got 2");
  expect_error("max(x)", 1, "max takes 2 arguments, got 1");
  expect_error("tanh()", 1, "tanh takes 1 argument, got 0");
  expect_error("max(x,)", 7, "unexpected ')'");
  expect_error("relu(x y)", 8, "in the call of relu");
  expect_error("tanh + 1", 1, "'tanh' is a function");
  expect_error("leaky_relu(x, y)", 15, "must be a constant");
  expect_error("leaky_relu(x, 0.1, 2)", 1, "leaky_relu takes 1 or 2 arguments, got 3");
  expect_error("x + 1e999", 5, "out of the range of float64");
  expect_error("x + 2e", 5, "malformed number '2e'");
  expect_error("x + 2ex", 5, "malformed number '2ex'");
  expect_error(". + x", 1, "malformed number '.'");
}

TEST(ExprParse, DeepNestingIsAnErrorNotAStackOverflow) {
  const int n = kMaxDepth + 1;
  expect_error(std::string(n, '(') + "x" + std::string(n, ')'), kMaxDepth + 1, "nested too deeply");
  expect_error(std::string(n, '-') + "x", kMaxDepth + 1, "nested too deeply");
  std::string calls;
  for (int i = 0; i < n; ++i) calls += "exp(";
  expect_error(calls + "x" + std::string(n, ')'), 4 * kMaxDepth + 1, "nested too deeply");
  // A chain x+x+... is not nesting (below); brackets inside one still count.
  std::string chain = "x";
  for (int i = 0; i < n; ++i) chain += "+(x";
  expect_error(chain + std::string(n, ')'), 3 * kMaxDepth + 1, "nested too deeply");
  // Far deeper input fails the same way, quickly.
  expect_error(std::string(200000, '(') + "x", kMaxDepth + 1, "nested too deeply");
  // Right at the limit it still works.
  const int ok = kMaxDepth - 2;
  Expression e(std::string(ok, '(') + "x" + std::string(ok, ')'));
  EXPECT_EQ(e.to_sexpr(), "x");
}

// A flat chain a+b-c+... (or a*b/c...) of any length parses, prints, evaluates and frees without
// recursing down it (issue #16: 256 terms were "nested too deeply").
TEST(ExprParse, LongFlatChainsAreNotNesting) {
  const int n = 100000;
  std::string sum = "x", product = "y";
  for (int i = 1; i < n; ++i) {
    sum += i % 3 == 0 ? "-x" : "+x";  // n terms: x - x for every third
    product += i % 2 ? "*y" : "/y";
  }
  const Expression s(sum), p(product);
  EXPECT_EQ(s.to_string().substr(0, 13), "x + x + x - x");
  EXPECT_EQ(s.to_sexpr().substr(0, 9), "(- (+ (+ ");  // the last operator is the root
  EXPECT_EQ(s.variables(), (std::vector<std::string>{"x"}));
  Evaluation ev = s.evaluate(parse_bindings("x=0.5"));
  const int minus = (n - 1) / 3, plus = n - minus;  // the first x counts as +
  EXPECT_DOUBLE_EQ(ev.result.item(), 0.5 * (plus - minus));
  const Trace t = trace(ev, false);
  EXPECT_DOUBLE_EQ(t.variables[0].gradient, double(plus - minus));
  // y*y/y*y/...: n factors, ending on *y (n even): y^2 at y = 3, and its derivative 2y.
  Evaluation pv = p.evaluate(parse_bindings("y=3"));
  EXPECT_NEAR(pv.result.item(), 9.0, 1e-9);
  EXPECT_NEAR(trace(pv, false).variables[0].gradient, 6.0, 1e-6);
  // A product inside a sum, and a sum in brackets inside a product, keep their structure.
  EXPECT_EQ(Expression("a*b*c + d - e/f/g").to_sexpr(), "(- (+ (* (* a b) c) d) (/ (/ e f) g))");
  EXPECT_EQ(Expression("a - (b - c) - d").to_string(), "a - (b - c) - d");
}

TEST(ExprBindings, Parse) {
  Bindings b = parse_bindings(" x1=-1.5, x2 = 3.1,w=+2,e=1e-3");
  ASSERT_EQ(b.items.size(), 4u);
  EXPECT_EQ(b.items[0].name, "x1");
  EXPECT_EQ(b.items[0].value, -1.5);
  EXPECT_EQ(b.items[0].column, 2);
  EXPECT_EQ(b.items[1].name, "x2");
  EXPECT_EQ(b.items[1].value, 3.1);
  EXPECT_EQ(b.items[1].column, 11);
  EXPECT_EQ(b.items[2].value, 2.0);
  EXPECT_EQ(b.items[3].value, 1e-3);
  EXPECT_TRUE(parse_bindings("").items.empty());
}

TEST(ExprBindings, ErrorsPointAtTheColumn) {
  expect_bindings_error("x=1,,y=2", 5, "expected NAME=VALUE");
  expect_bindings_error("x=1,", 5, "expected a variable name");
  expect_bindings_error("x=abc", 3, "expected a number for 'x'");
  expect_bindings_error("x 1", 3, "expected '=' after 'x'");
  expect_bindings_error("x=1,x=2", 5, "'x' is given twice");
  expect_bindings_error("x=1e999", 3, "out of the range");
  expect_bindings_error("x=1;y=2", 4, "expected ','");
}

TEST(ExprEvaluate, MissingAndUnknownVariables) {
  // A variable without a value: the column of its first use in the expression.
  expect_error("x*y + y", 3, "no value given for the variable 'y'", "x=1");
  // A value for a name the expression does not use: the column in the values' text.
  expect_error("x*y", 10, "'z' is not a variable of the expression", "x=1, y=2,z=3", "x=1, y=2,z=3");
  expect_error("2*3", 1, "it has none", "a=1", "a=1");
}

TEST(ExprEvaluate, SeedStepsHaveTheCourseNames) {
  Expression e("x3*tanh(w4*sigmoid(w3*(relu(w1*x1)+sigmoid(w2*x2))))");
  Evaluation ev = e.evaluate(parse_bindings("x1=-1.5,x2=3.1,x3=7.3,w1=4.5,w2=-2.7,w3=0.2,w4=-5"));
  std::vector<std::string> lines, ops;
  for (const Step& s : ev.steps) {
    lines.push_back(s.name + " = " + s.formula());
    ops.push_back(s.node()->name());
    EXPECT_EQ(s.value.dtype(), DType::float64);
    EXPECT_EQ(s.value.dim(), 0);
  }
  EXPECT_EQ(lines,
            (std::vector<std::string>{"a1 = w1·x1", "r1 = relu(a1)", "a2 = w2·x2", "s2 = sigmoid(a2)", "b1 = r1 + s2",
                                      "a3 = w3·b1", "s3 = sigmoid(a3)", "a4 = w4·s3", "t4 = tanh(a4)", "f = x3·t4"}));
  EXPECT_EQ(ops,
            (std::vector<std::string>{"mul", "relu", "mul", "sigmoid", "add", "mul", "sigmoid", "mul", "tanh", "mul"}));
  EXPECT_EQ(ev.result_name, "f");
  EXPECT_TRUE(ev.result.same(ev.steps.back().value));
  // Variables in the order of --at, as named float64 leaves.
  ASSERT_EQ(ev.variables.size(), 7u);
  EXPECT_EQ(ev.variables[0].name, "x1");
  EXPECT_EQ(ev.variables[6].name, "w4");
  EXPECT_EQ(ev.variables[6].tensor.name(), "w4");
  EXPECT_TRUE(ev.variables[6].tensor.requires_grad());
  // Every node of the real graph has a label.
  for (const auto& gn : autograd::walk(ev.result).nodes) EXPECT_TRUE(ev.labels.count(gn.node.get())) << gn.node->name();
  // The forward values, as the course computes them.
  EXPECT_DOUBLE_EQ(ev.steps[0].value.item(), -6.75);
  EXPECT_EQ(ev.steps[1].value.item(), 0.0);
  EXPECT_NEAR(ev.steps[2].value.item(), -8.37, 1e-12);
  EXPECT_NEAR(ev.steps[6].value.item(), 0.5000115, 1e-7);
  EXPECT_NEAR(ev.steps[7].value.item(), -2.5000579, 1e-7);
  EXPECT_NEAR(ev.steps[8].value.item(), -0.9866, 1e-4);
}

TEST(ExprEvaluate, NamesAndFormulas) {
  auto names = [](const std::string& text, const std::string& at) {
    Evaluation ev = Expression(text).evaluate(parse_bindings(at));
    std::vector<std::string> out;
    for (const Step& s : ev.steps) out.push_back(s.name + " = " + s.formula());
    return out;
  };
  EXPECT_EQ(names("-x^2", "x=3"), (std::vector<std::string>{"p1 = x^2", "f = -p1"}));
  EXPECT_EQ(names("2^-x", "x=3"), (std::vector<std::string>{"n1 = -x", "f = 2^n1"}));
  EXPECT_EQ(names("x^(1/3) - x*(-2)", "x=8"), (std::vector<std::string>{"p1 = x^(1/3)", "a1 = x·(-2)", "f = p1 - a1"}));
  EXPECT_EQ(names("max(x, 0) / exp(x)", "x=1"),
            (std::vector<std::string>{"mx1 = max(x, 0)", "e1 = exp(x)", "f = mx1/e1"}));
  EXPECT_EQ(names("leaky_relu(w*x, 0.2)", "w=1,x=-1"),
            (std::vector<std::string>{"a1 = w·x", "f = leaky_relu(a1, 0.2)"}));
  // A variable called f keeps its name; the result is then named like any other step.
  EXPECT_EQ(names("f*2", "f=1"), (std::vector<std::string>{"a1 = f·2"}));
  // Names never collide with variables.
  EXPECT_EQ(names("a1*tanh(a1)", "a1=1"), (std::vector<std::string>{"t1 = tanh(a1)", "f = a1·t1"}));
}

TEST(ExprEvaluate, ConstantExponentIsAnOpAttribute) {
  Evaluation ev = Expression("x^2").evaluate(parse_bindings("x=3"));
  ASSERT_EQ(ev.steps.size(), 1u);
  EXPECT_EQ(ev.steps[0].node()->name(), "pow");
  EXPECT_EQ(ev.steps[0].node()->next().size(), 1u);  // pow(Tensor, double): x only
  Evaluation ev2 = Expression("2^x").evaluate(parse_bindings("x=3"));
  ASSERT_EQ(ev2.steps.size(), 1u);
  EXPECT_EQ(ev2.steps[0].node()->next().size(), 2u);   // pow(Tensor, Tensor)
  EXPECT_EQ(ev2.steps[0].node()->next()[0], nullptr);  // the constant base needs no gradient
  EXPECT_DOUBLE_EQ(ev2.result.item(), 8.0);
}

// The functions the language knows, as its error for an unknown one lists them (its one table).
std::vector<std::string> known_functions() {
  try {
    Expression("no_such_function(x)");
  } catch (const ParseError& err) {
    const std::string m = err.what();
    const size_t from = m.find("(known: ") + 8, to = m.find(')', from);
    std::vector<std::string> names;
    for (size_t at = from; at < to;) {
      const size_t comma = std::min(m.find(", ", at), to);
      names.push_back(m.substr(at, comma - at));
      at = comma + 2;
    }
    return names;
  }
  return {};
}

TEST(ExprFunctions, EveryRowOfTheTableEvaluatesAndDifferentiates) {
  const std::vector<std::string> names = known_functions();
  EXPECT_GE(names.size(), 17u);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    // One argument, or two for min/max: find out from the parser, as a user would.
    std::string text = name + "(x)";
    try {
      Expression probe(text);
    } catch (const ParseError&) {
      text = name + "(x, y)";
    }
    const Expression e(text);
    const bool two = text.find(", y") != std::string::npos;
    auto at = [&](double x) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "x=%.17g%s", x, two ? ",y=0.3" : "");
      return e.evaluate(parse_bindings(buf));
    };
    const double x = 0.7, h = 1e-6;
    const Trace t = trace(at(x));
    ASSERT_TRUE(std::isfinite(t.value));
    // The op's own backward against a central difference of its value.
    const double fd = (at(x + h).result.item() - at(x - h).result.item()) / (2 * h);
    EXPECT_NEAR(t.variables[0].gradient, fd, 1e-6 * (1 + std::fabs(fd)));
  }
}

TEST(ExprTrace, MatchesPyTorch) {
  for (const auto& g : testing::grad_goldens()) {
    SCOPED_TRACE(g.name + ": " + g.expression);
    Evaluation ev = Expression(g.expression).evaluate(parse_bindings(g.at));
    Trace t = trace(ev, /*hessian=*/true);
    EXPECT_NEAR(t.value, g.value, 1e-13 * (1 + std::fabs(g.value)));
    ASSERT_EQ(t.variables.size(), g.grad.size());
    for (size_t i = 0; i < g.grad.size(); ++i) {
      EXPECT_EQ(t.variables[i].name, g.grad[i].first);
      EXPECT_NEAR(t.variables[i].gradient, g.grad[i].second, 1e-13 * (1 + std::fabs(g.grad[i].second)))
          << g.grad[i].first;
    }
    ASSERT_EQ(t.hessian.size(), g.hessian.size());
    for (size_t i = 0; i < g.hessian.size(); ++i)
      for (size_t j = 0; j < g.hessian.size(); ++j)
        EXPECT_NEAR(t.hessian[i][j], g.hessian[i][j], 1e-12 * (1 + std::fabs(g.hessian[i][j]))) << i << "," << j;
    // The trace leaves the leaves' .grad alone.
    for (const Variable& v : ev.variables) EXPECT_FALSE(v.tensor.grad().defined());
  }
}

TEST(ExprTrace, SeedReproducesTheCourse) {
  Evaluation ev = Expression("x3*tanh(w4*sigmoid(w3*(relu(w1*x1)+sigmoid(w2*x2))))")
                      .evaluate(parse_bindings("x1=-1.5,x2=3.1,x3=7.3,w1=4.5,w2=-2.7,w3=0.2,w4=-5"));
  Trace t = trace(ev);
  EXPECT_TRUE(t.hessian.empty());
  auto grad = [&](const std::string& name) {
    for (const auto& v : t.variables)
      if (v.name == name) return v.gradient;
    ADD_FAILURE() << name;
    return 0.0;
  };
  EXPECT_NEAR(t.value, -7.202, 5e-4);
  EXPECT_NEAR(grad("w4"), 0.0971, 5e-5);
  EXPECT_NEAR(grad("x3"), -0.9866, 5e-5);
  EXPECT_EQ(grad("x1"), 0.0);
  EXPECT_EQ(grad("w1"), 0.0);
  // NOTE: the course rounds s2 to 0.00023 (it is 0.0002317) before multiplying, so its last
  // three gradients are about 1% off the exact ones; PyTorch agrees with nabla (MatchesPyTorch).
  EXPECT_NEAR(grad("x2"), 0.00002997, 0.02 * 0.00002997);
  EXPECT_NEAR(grad("w2"), -0.00003441, 0.02 * 0.00003441);
  EXPECT_NEAR(grad("w3"), -0.0000558, 0.02 * 0.0000558);

  // The backward pass node by node: adjoints and local derivatives from Node::apply.
  ASSERT_EQ(t.nodes.size(), 10u);
  const NodeTrace& f = t.nodes[9];
  EXPECT_EQ(f.name, "f");
  EXPECT_EQ(f.adjoint, 1.0);
  ASSERT_EQ(f.edges.size(), 2u);
  EXPECT_EQ(f.edges[0].input, "x3");
  EXPECT_NEAR(f.edges[0].local, -0.9866, 5e-5);  // ∂f/∂x3 = t
  EXPECT_EQ(f.edges[1].input, "t4");
  EXPECT_DOUBLE_EQ(f.edges[1].local, 7.3);  // ∂f/∂t = x3
  const NodeTrace& a4 = t.nodes[7];
  EXPECT_EQ(a4.name, "a4");
  EXPECT_NEAR(a4.adjoint, 0.1941, 5e-5);  // 7.3·(1 - t²); the course's 0.1943 rounds t first
  EXPECT_EQ(a4.edges[0].input, "w4");
  EXPECT_NEAR(a4.edges[0].local, 0.5000115, 1e-7);
  EXPECT_DOUBLE_EQ(a4.edges[0].product, a4.adjoint * a4.edges[0].local);
  EXPECT_NEAR(a4.edges[0].product, 0.0971, 5e-5);
  EXPECT_EQ(a4.edges[1].input, "s3");
  EXPECT_EQ(a4.edges[1].local, -5.0);
  const NodeTrace& b1 = t.nodes[4];
  EXPECT_EQ(b1.op, "add");
  EXPECT_EQ(b1.edges[0].local, 1.0);
  EXPECT_EQ(b1.edges[1].local, 1.0);
  const NodeTrace& r1 = t.nodes[1];
  EXPECT_EQ(r1.op, "relu");
  EXPECT_EQ(r1.edges[0].local, 0.0);  // relu'(-6.75) = 0
  // A node's adjoint is the sum of what its consumers send it.
  EXPECT_DOUBLE_EQ(t.nodes[8].adjoint, f.edges[1].product);
}

TEST(ExprTrace, SeveralPathsAreSummed) {
  Evaluation ev = Expression("x*x + x").evaluate(parse_bindings("x=3"));
  Trace t = trace(ev);
  ASSERT_EQ(t.variables.size(), 1u);
  EXPECT_EQ(t.variables[0].contributions, (std::vector<double>{1.0, 3.0, 3.0}));  // backward order
  EXPECT_EQ(t.variables[0].gradient, 7.0);
}

TEST(ExprTrace, VariableAndConstantResults) {
  Evaluation ev = Expression("x").evaluate(parse_bindings("x=2"));
  EXPECT_TRUE(ev.steps.empty());
  EXPECT_EQ(ev.result_name, "x");
  Trace t = trace(ev, true);
  EXPECT_EQ(t.value, 2.0);
  EXPECT_EQ(t.variables[0].gradient, 1.0);
  EXPECT_EQ(t.hessian, (std::vector<std::vector<double>>{{0.0}}));

  Evaluation c = Expression("2*3").evaluate({});
  EXPECT_EQ(c.result_name, "2*3");
  Trace tc = trace(c, true);
  EXPECT_EQ(tc.value, 6.0);
  EXPECT_TRUE(tc.variables.empty());
  EXPECT_TRUE(tc.nodes.empty());
}

TEST(ExprTrace, HessianOfABilinearForm) {
  Trace t = trace(Expression("w*x + 3").evaluate(parse_bindings("w=2,x=5")), true);
  EXPECT_EQ(t.hessian, (std::vector<std::vector<double>>{{0.0, 1.0}, {1.0, 0.0}}));
}

TEST(ExprTrace, CanRunTwice) {
  Evaluation ev = Expression("sigmoid(w*x)").evaluate(parse_bindings("w=2,x=0.5"));
  Trace a = trace(ev, true);
  Trace b = trace(ev, true);
  EXPECT_EQ(a.variables[0].gradient, b.variables[0].gradient);
  EXPECT_EQ(a.hessian, b.hessian);
}

}  // namespace
}  // namespace nabla::expr
