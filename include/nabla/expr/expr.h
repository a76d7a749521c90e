// nabla/expr/expr.h — scalar formulas written as text, evaluated on nabla's autograd graph.
//
// `nabla grad`, the tests and the demos turn a formula such as "x3*tanh(w4*sigmoid(w3*x1))" into
// a real graph of float64 scalar tensors made by nabla's ops, with a readable name and formula
// for every intermediate node (a1 = w3·x1, s1 = sigmoid(a1), ...) and a trace of both passes.
//
//   nabla::expr::Expression e("x*tanh(w*x)");
//   nabla::expr::Evaluation ev = e.evaluate(nabla::expr::parse_bindings("x=0.5,w=-2"));
//   nabla::expr::Trace tr = nabla::expr::trace(ev);   // values, adjoints, local derivatives, ∂f/∂v
//
// Grammar (as in Python and in maths: ^ is right-associative and binds tighter than unary minus,
// so -x^2 = -(x^2) and 2^-x = 2^(-x)):
//   sum     := product (('+' | '-') product)*
//   product := unary (('*' | '/') unary)*
//   unary   := ('-' | '+') unary | power
//   power   := primary ('^' unary)?            (** is accepted for ^, as in Python)
//   primary := number | name | name '(' sum (',' sum)* ')' | '(' sum ')'
// Numbers: 3, 0.5, .5, 1e-3, 2.5E+4. Functions (one row each of kFunctions, src/expr/functions.cpp):
// sigmoid tanh relu leaky_relu elu gelu silu softplus step exp log sqrt abs sin cos (one
// argument; leaky_relu takes an optional constant slope, elu an optional constant alpha) and
// min max (two arguments). Steps are named by op
// (a: *, b: +, d: -, q: /, p: ^, n: unary minus, r: relu, s: sigmoid, t: tanh, ...): a one-argument
// function of a numbered step takes its number (relu(a1) -> r1), and the result is f.
//
// Every error is a ParseError whose source() is the text it is about and whose column() is the
// 1-based column (in characters) of the offending token there, so a caller can point at it.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nabla/autograd/node.h"

namespace nabla::expr {

// Nesting deeper than this (parentheses, unary minus, function calls, powers) is a ParseError:
// evaluation and printing recurse over the tree, and must not overflow the stack. A flat chain of
// + - or * / (a+b+c+...) is walked in a loop (left_chain) and does not count: it may be as long
// as the text.
inline constexpr int kMaxDepth = 256;

// One node of the syntax tree.
struct Expr {
  enum class Kind { number, variable, negate, binary, call };
  Kind kind = Kind::number;
  double number = 0.0;                      // number: its value
  std::string text;                         // number: its spelling; variable or call: the name; binary: the operator
  std::vector<std::unique_ptr<Expr>> args;  // negate: 1; binary: 2; call: the arguments
  int column = 0;                           // 1-based column of the token that made this node (the operator for binary)
  int start = 0;                            // 1-based column where the node's text starts
  int depth = 1;                            // how deep a walk that loops over left chains recurses below this node

  Expr() = default;
  ~Expr();  // frees a long left chain in a loop
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  bool has_variables() const;
};

// `e` and, while the left operand is a binary op of the same precedence, that operand:
// a+b-c gives [(a+b)-c, a+b]. A walk over the tree loops over this chain (the last one's left
// operand first, then each one's right operand from the last to `e`) instead of recursing down it.
std::vector<const Expr*> left_chain(const Expr& e);

struct Bindings;
struct Evaluation;

// A parsed formula: the source text and its tree.
class Expression {
 public:
  // Parses `source`; throws ParseError (source = this text, 1-based column) on malformed input.
  explicit Expression(std::string source);

  const std::string& source() const { return source_; }
  const Expr& root() const { return *root_; }
  // The variable names, in order of first appearance.
  std::vector<std::string> variables() const;
  // The tree as an S-expression, fully bracketed: "-x^2" -> "(neg (^ x 2))". For tests.
  std::string to_sexpr() const;
  // The tree in infix form with only the brackets it needs: "-(x^2)" -> "-x^2".
  std::string to_string() const;

  // Builds the graph: every variable becomes a float64 scalar leaf with requires_grad, every
  // operation a nabla op; a constant exponent uses pow(Tensor, double). Throws ParseError for a
  // variable without a value (source = this expression) or a value for a name that is not a
  // variable of it (source = values.source).
  Evaluation evaluate(const Bindings& values) const;

 private:
  std::string source_;
  std::unique_ptr<Expr> root_;
};

// Infix / S-expression forms of any subtree (Expression::to_string and to_sexpr use these).
std::string to_string(const Expr& e);
std::string to_sexpr(const Expr& e);

// Variable values, "x1=-1.5, x2=3.1" (each value a plain number, optionally signed).
struct Binding {
  std::string name;
  double value = 0.0;
  int column = 0;  // 1-based column of the name in Bindings::source
};
struct Bindings {
  std::string source;  // the text the columns refer to
  std::vector<Binding> items;
};
// Throws ParseError (source = text) on a malformed list, a bad number or a name given twice.
Bindings parse_bindings(std::string_view text);

// An operand of a step: the name of a variable or of an earlier step, or a constant subformula.
struct Operand {
  std::string text;  // "x1", "a1", "2", "1/3"
  double value = 0.0;
  bool constant = false;
};

// One intermediate node, in evaluation order.
struct Step {
  std::string name;               // a1, r1, ..., and f for the result
  std::string symbol;             // "·", "+", "-", "/", "^", "neg", or the function name
  std::vector<Operand> operands;  // in the order of the formula
  Tensor value;                   // the node's output, attached to the graph (value.grad_fn() is the node)

  const Node* node() const { return value.grad_fn().get(); }
  // The formula with each operand spelled by `spell` (bracketed where needed): render with the
  // operands' names gives "w1·x1", with their values "4.5·(-1.5)".
  template <class Spell>
  std::string render(Spell spell) const {
    std::vector<std::string> parts;
    for (const Operand& o : operands) parts.push_back(spell(o));
    return render_parts(parts);
  }
  std::string formula() const {
    return render([](const Operand& o) { return o.text; });
  }
  std::string render_parts(const std::vector<std::string>& parts) const;
};

struct Variable {
  std::string name;
  Tensor tensor;  // a float64 scalar leaf with requires_grad, named `name`
};

// The formula evaluated on nabla's graph.
struct Evaluation {
  Tensor result;
  std::string result_name;          // "f", or the variable / constant when there is no step
  std::vector<Variable> variables;  // in the order of the Bindings
  std::vector<Step> steps;          // evaluation order; the last one is the result (if any)
  // A name for every node of the graph: steps by name, leaf accumulators by variable name.
  std::unordered_map<const Node*, std::string> labels;

  const Step* find_step(const Node* node) const;
};

// ---- the trace of both passes (what `nabla grad` prints) ----

// One edge of the backward pass: what a node sends to one of its inputs.
struct EdgeTrace {
  std::string input;   // the input's name (a variable or a step)
  double local = 0.0;  // ∂node/∂input, from Node::apply with an output gradient of 1
  double product = 0;  // node adjoint · local: this edge's share of the input's adjoint
};
struct NodeTrace {
  std::string name;     // "a4"
  std::string op;       // the node's op: "mul"
  std::string formula;  // "w4·s3"
  double value = 0.0;
  double adjoint = 0.0;          // ∂f/∂(this node)
  std::vector<EdgeTrace> edges;  // one per input that needs a gradient, in input order
};
struct VariableTrace {
  std::string name;
  double value = 0.0;
  double gradient = 0.0;              // ∂f/∂v
  std::vector<double> contributions;  // the products of the edges that reach it, backward order
};
struct Trace {
  double value = 0.0;
  std::vector<NodeTrace> nodes;          // evaluation order (print reversed for the backward pass)
  std::vector<VariableTrace> variables;  // as Evaluation::variables
  // hessian[i][j] = ∂²f/∂vi∂vj (second-order autograd: grad with create_graph, then grad again);
  // empty unless requested.
  std::vector<std::vector<double>> hessian;
};

// Runs the backward pass (with keep_adjoints; the variables' .grad is left untouched) and collects
// values, adjoints and local derivatives; with `hessian`, also the matrix of second derivatives.
Trace trace(const Evaluation& evaluation, bool hessian = false);

}  // namespace nabla::expr
