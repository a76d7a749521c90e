// src/expr/expr_internal.h — what the formula language's parser and printer (expr.cpp) and its
// evaluator (evaluate.cpp) share: the functions, one row each in functions.cpp's table, what a
// name and a number look like, and the walk that lists a formula's variables. Not installed.
#pragma once
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "nabla/expr/expr.h"
#include "nabla/tensor/tensor.h"

namespace nabla::expr {

// What a call passes to a function: its arguments' tensors and, for a constant argument (the
// slope of leaky_relu), its value.
struct CallArgs {
  const std::vector<Tensor>& x;
  const std::vector<double>& value;
};

// One function of the language, in one row: its name, how many arguments it takes, how its steps
// are named (relu(a1) -> r1) and the nabla op that computes it. The op records its own node, so
// the derivative (first and second order) is the op's backward: no formula here to keep in step.
struct FunctionInfo {
  const char* name;
  int min_args, max_args;
  const char* prefix;  // of the names of its steps
  Tensor (*apply)(const CallArgs& a);
};

// The row of the function called `name`, or nullptr.
const FunctionInfo* find_function(std::string_view name);
// Every function's name, comma-separated (for an error naming what exists).
std::string function_list();

inline bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
inline bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A spelling that needs no brackets as an operand: a name or an unsigned number.
bool is_atom(const std::string& s);

// The variables `e` names, each once, in the order they first appear (a long + chain walked
// without recursion); with `columns`, the column where each first appears.
void collect_variables(const Expr& e, std::vector<std::string>& out, std::unordered_set<std::string>& seen,
                       std::unordered_map<std::string, int>* columns);

}  // namespace nabla::expr
