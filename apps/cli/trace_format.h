// apps/cli/trace_format.h — how the nabla command writes numbers and autograd traces.
//
// `nabla grad` and `nabla demo autodiff` print the same trace of a formula (forward pass, backward
// pass with every chain-rule product, gradient, Hessian) and draw the same graph; the demos and
// `nabla explore` share the number formats.
//
//   nabla::cli::print_trace(expression, evaluation, trace, 4, tr, std::cout);
//   std::string dot = nabla::cli::trace_dot(evaluation, 4);
//   nabla::cli::fmt(0.19410107, 4) == "0.1941";  nabla::cli::fmt(3.0345e-5, 4) == "3.034e-05"
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include "i18n.h"
#include "nabla/expr/expr.h"

namespace nabla::cli {

// For reading: `digits` decimals, as hand-worked traces write them (0.1943 · 0.5000 = 0.0971);
// scientific where that would hide the digits (2.997e-05). Exactly zero prints as 0.
std::string fmt(double v, int digits);
// A factor in a product: negatives in brackets, 0.1943 · (-5.0000).
std::string factor(double v, int digits);
// The shortest text that reads back as the same double.
std::string exact(double v);

// Width on a terminal: UTF-8 code points (·, ∂ are one column each).
size_t width(const std::string& s);
std::string pad(const std::string& s, size_t w);       // text, then spaces up to w columns
std::string pad_left(const std::string& s, size_t w);  // spaces, then the text
std::string join(const std::vector<std::string>& parts, const std::string& sep);
// Numbers for the text: d decimals; values below 1e-12 in size are rounding noise here (f′ at a
// critical point) and print as "0"; signed columns line up when padded on the left.
std::string num(double v, int d = 4);
// A table as lines: each column padded to its widest cell, `gap` between columns; the columns
// listed in `left` are left-aligned, the others (numbers) right-aligned; no trailing spaces.
std::vector<std::string> table_lines(const std::vector<std::vector<std::string>>& rows,
                                     const std::vector<size_t>& left = {0}, const std::string& indent = "  ",
                                     const std::string& gap = "  ");

// The text `nabla grad` prints: the formula and its values, the forward pass step by step, the
// backward pass (each node's adjoint and what it sends to each input), the gradient and, when
// the trace has one, the Hessian. `digits` decimals per number.
void print_trace(const expr::Expression& expression, const expr::Evaluation& evaluation, const expr::Trace& trace,
                 int digits, const Translator& tr, std::ostream& out);

// Graphviz DOT of the evaluated formula, each node labelled with its step ("a1 = w1·x1") or
// variable name, with values and gradients to max(digits, 4) significant digits. Run the trace
// (expr::trace keeps the adjoints) before this, so the gradients are there to show.
std::string trace_dot(const expr::Evaluation& evaluation, int digits);

}  // namespace nabla::cli
