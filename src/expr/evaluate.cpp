// Evaluating a formula (Expression::evaluate): each node computed by the nabla op its function
// row names, recorded by autograd, with the steps named for the trace; and the trace itself
// (first derivatives, and the Hessian by differentiating again). Parsing and printing are in
// expr.cpp, the function table in functions.cpp.
#include <set>
#include <unordered_set>

#include "expr_internal.h"
#include "nabla/autograd/engine.h"
#include "nabla/autograd/graph.h"
#include "nabla/expr/expr.h"
#include "nabla/ops/ops.h"

namespace nabla::expr {

// ============================== evaluation ==============================

std::string Step::render_parts(const std::vector<std::string>& parts) const {
  auto wrap = [](const std::string& s) { return is_atom(s) ? s : "(" + s + ")"; };
  if (symbol == "neg") return "-" + wrap(parts.at(0));
  if (symbol == "+" || symbol == "-") return wrap(parts.at(0)) + " " + symbol + " " + wrap(parts.at(1));
  if (symbol == "·" || symbol == "/" || symbol == "^") return wrap(parts.at(0)) + symbol + wrap(parts.at(1));
  std::string out = symbol + "(";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out + ")";
}

const Step* Evaluation::find_step(const Node* node) const {
  for (const Step& s : steps)
    if (s.node() == node) return &s;
  return nullptr;
}

namespace {

class Evaluator {
 public:
  Evaluator(const Expression& expression, Evaluation& out) : expression_(expression), out_(out) {}

  void bind(const Bindings& values) {
    std::unordered_map<std::string, int> columns;
    std::vector<std::string> names;
    std::unordered_set<std::string> seen;
    collect_variables(expression_.root(), names, seen, &columns);
    for (const Binding& b : values.items) {
      if (seen.count(b.name)) continue;
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      throw ParseError::in_text(detail::concat("'", detail::excerpt(b.name), "' is not a variable of the expression (",
                                               names.empty() ? std::string("it has none") : "its variables: " + list,
                                               ") (column ", b.column, ")"),
                                values.source, 1, b.column);
    }
    for (const std::string& name : names) {
      bool given = false;
      for (const Binding& item : values.items) given = given || item.name == name;
      if (!given)
        throw ParseError::in_text(detail::concat("no value given for the variable '", detail::excerpt(name),
                                                 "' (column ", columns[name], ")"),
                                  expression_.source(), 1, columns[name]);
    }
    // In the order the values were given: that is the order the caller thinks of them in.
    for (const Binding& b : values.items) {
      Tensor t = Tensor::scalar(b.value, DType::float64);
      t.requires_grad_().set_name(b.name);
      out_.variables.push_back({b.name, t});
      variables_[b.name] = {t, {b.name, b.value, false}};
      used_.insert(b.name);
    }
  }

  void run() {
    Value v = eval(expression_.root());
    out_.result = v.tensor;
    out_.result_name = v.operand.text;
    // Name the leaf accumulators the steps point at, so that every node has a label.
    for (const Step& s : out_.steps)
      for (const auto& next : s.node()->next())
        if (next && next->is_leaf_accumulator()) out_.labels[next.get()] = next->leaf().name();
  }

 private:
  struct Value {
    Tensor tensor;
    Operand operand;
    int index = -1;  // the number in the step's name (a1 -> 1), -1 for variables and constants
  };

  Value eval(const Expr& e) {
    const bool root = &e == &expression_.root();
    switch (e.kind) {
      case Expr::Kind::number:
        return {Tensor::scalar(e.number, DType::float64), {e.text, e.number, true}};
      case Expr::Kind::variable:
        return variables_.at(e.text);
      case Expr::Kind::negate: {
        Value a = eval(*e.args[0]);
        return result(e, "neg", "n", {a}, neg(a.tensor), root, true);
      }
      case Expr::Kind::binary: {
        // Left to right, as the recursion would, but a chain a+b+c+... in a loop.
        const std::vector<const Expr*> chain = left_chain(e);
        Value a = eval(*chain.back()->args[0]);
        for (size_t i = chain.size(); i-- > 0;) {
          Value b = eval(*chain[i]->args[1]);
          a = binary(*chain[i], a, b, i == 0 && root);
        }
        return a;
      }
      case Expr::Kind::call: {
        std::vector<Value> args;
        for (const auto& a : e.args) args.push_back(eval(*a));
        const FunctionInfo* f = find_function(e.text);
        std::vector<Tensor> x;
        std::vector<double> value;
        for (const Value& v : args) x.push_back(v.tensor), value.push_back(v.operand.value);
        const Tensor y = f->apply({x, value});
        return result(e, e.text, f->prefix, args, y, root, f->min_args == 1);
      }
    }
    return {};
  }

  Value binary(const Expr& e, const Value& a, const Value& b, bool root) {
    const char op = e.text[0];
    if (op == '+') return result(e, "+", "b", {a, b}, add(a.tensor, b.tensor), root, false);
    if (op == '-') return result(e, "-", "d", {a, b}, sub(a.tensor, b.tensor), root, false);
    if (op == '*') return result(e, "·", "a", {a, b}, mul(a.tensor, b.tensor), root, false);
    if (op == '/') return result(e, "/", "q", {a, b}, div(a.tensor, b.tensor), root, false);
    // A constant exponent is an attribute of the op (x^2: one input), not a graph input.
    Tensor p = b.operand.constant ? pow(a.tensor, b.operand.value) : pow(a.tensor, b.tensor);
    return result(e, "^", "p", {a, b}, p, root, false);
  }

  // Records a step for an op that made a node; an op on constants only made no node, and its
  // value stands for itself (spelled as its subformula).
  Value result(const Expr& e, const std::string& symbol, const std::string& prefix, const std::vector<Value>& args,
               Tensor t, bool root, bool unary) {
    if (!t.grad_fn()) return {t, {to_string(e), t.item(), true}};
    Step step;
    step.symbol = symbol;
    for (const Value& a : args) step.operands.push_back(a.operand);
    step.value = t;
    int index = -1;
    if (root && !used_.count("f")) {
      step.name = "f";
    } else {
      // relu(a1) -> r1: a function of a numbered step takes its number, as hand-written traces do.
      const Value* only = nullptr;
      for (const Value& a : args)
        if (!a.operand.constant) only = only ? nullptr : &a;
      if (unary && only && only->index >= 0 && !used_.count(prefix + std::to_string(only->index))) {
        index = only->index;
      } else {
        index = counters_[prefix] + 1;
        while (used_.count(prefix + std::to_string(index))) index++;
        counters_[prefix] = index;
      }
      step.name = prefix + std::to_string(index);
    }
    used_.insert(step.name);
    out_.labels[step.node()] = step.name;
    Value v{t, {step.name, t.item(), false}, index};
    out_.steps.push_back(std::move(step));
    return v;
  }

  const Expression& expression_;
  Evaluation& out_;
  std::unordered_map<std::string, Value> variables_;
  std::unordered_set<std::string> used_;
  std::unordered_map<std::string, int> counters_;
};

}  // namespace

Evaluation Expression::evaluate(const Bindings& values) const {
  Evaluation out;
  Evaluator evaluator(*this, out);
  evaluator.bind(values);
  evaluator.run();
  return out;
}

// ============================== trace ==============================

Trace trace(const Evaluation& ev, bool hessian) {
  Trace out;
  out.value = ev.result.item();
  const size_t n = ev.variables.size();
  std::vector<Tensor> inputs;
  for (const Variable& v : ev.variables) {
    inputs.push_back(v.tensor);
    out.variables.push_back({v.name, v.tensor.item(), 0.0, {}});
  }
  if (hessian) out.hessian.assign(n, std::vector<double>(n, 0.0));
  if (!ev.result.requires_grad() || n == 0) return out;  // a constant: every derivative is 0

  auto item_or_zero = [](const Tensor& t) { return t.defined() ? t.item() : 0.0; };
  std::vector<Tensor> grads =
      nabla::grad({ev.result}, inputs, {.retain_graph = true, .allow_unused = true, .keep_adjoints = true});
  for (size_t i = 0; i < n; ++i) out.variables[i].gradient = item_or_zero(grads[i]);

  const autograd::Graph graph = autograd::walk(ev.result);
  auto name_of = [&](const Node* node, size_t index) {
    if (auto it = ev.labels.find(node); it != ev.labels.end()) return it->second;
    if (node->is_leaf_accumulator() && !node->leaf().name().empty()) return node->leaf().name();
    return detail::concat(node->name(), "#", index);  // a node the formula did not name
  };
  std::unordered_map<const Node*, const Step*> step_of;  // find_step for every node, in O(1)
  for (const Step& s : ev.steps) step_of.emplace(s.node(), &s);
  {
    NoGradGuard no_grad;
    for (size_t k = 0; k < graph.nodes.size(); ++k) {
      const auto& gn = graph.nodes[k];
      Node* node = gn.node.get();
      if (node->is_leaf_accumulator()) continue;
      NodeTrace nt;
      nt.name = name_of(node, k);
      nt.op = node->name();
      const auto found = step_of.find(node);
      const Step* step = found == step_of.end() ? nullptr : found->second;
      nt.formula = step ? step->formula() : node->name() + "(...)";
      nt.value = node->value().item();
      nt.adjoint = item_or_zero(node->adjoint());
      // Local derivatives: the node's own backward formula with an output gradient of 1.
      std::vector<Tensor> local = node->apply(ones_like(node->value()));
      for (size_t i = 0; i < local.size(); ++i) {
        if (gn.inputs[i] < 0 || !local[i].defined()) continue;
        const double d = local[i].item();
        nt.edges.push_back({name_of(node->next()[i].get(), gn.inputs[i]), d, nt.adjoint * d});
      }
      out.nodes.push_back(std::move(nt));
    }
  }
  // What reaches each variable, in backward order.
  for (auto it = out.nodes.rbegin(); it != out.nodes.rend(); ++it)
    for (const EdgeTrace& e : it->edges)
      for (VariableTrace& v : out.variables)
        if (v.name == e.input) v.contributions.push_back(e.product);

  if (hessian) {
    // Second order by autograd only: the first backward is recorded, then differentiated again.
    std::vector<Tensor> g = nabla::grad({ev.result}, inputs, {.create_graph = true, .allow_unused = true});
    for (size_t i = 0; i < n; ++i) {
      if (!g[i].defined() || !g[i].requires_grad()) continue;  // ∂f/∂vi is constant: a zero row
      std::vector<Tensor> row = nabla::grad({g[i]}, inputs, {.retain_graph = true, .allow_unused = true});
      for (size_t j = 0; j < n; ++j) out.hessian[i][j] = item_or_zero(row[j]);
    }
  }
  return out;
}

}  // namespace nabla::expr
