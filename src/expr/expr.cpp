#include "nabla/expr/expr.h"

#include <charconv>
#include <set>
#include <unordered_set>

#include "expr_internal.h"
#include "nabla/autograd/engine.h"
#include "nabla/autograd/graph.h"
#include "nabla/ops/ops.h"

namespace nabla::expr {

namespace {

// 1-based column, in characters (UTF-8 code points), of byte offset `pos`: what a caret under
// the text has to count.
int column_of(std::string_view text, size_t pos) {
  int column = 1;
  for (size_t i = 0; i < pos && i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  return column;
}

// The character (a whole UTF-8 sequence) at byte offset `pos`, for messages.
std::string char_at(std::string_view text, size_t pos) {
  size_t end = pos + 1;
  while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
  return std::string(text.substr(pos, end - pos));
}

[[noreturn]] void fail(std::string_view text, size_t pos, const std::string& message) {
  const int column = column_of(text, pos);
  throw ParseError::in_text(detail::concat(message, " (column ", column, ")"), std::string(text), 1, column);
}

// Scans an unsigned number at `pos` (3, 0.5, .5, 1e-3) and returns its end; 0 if there is none.
// Throws on a malformed or out-of-range number.
size_t scan_number(std::string_view text, size_t pos, double& value) {
  size_t i = pos;
  bool digits = false;
  while (i < text.size() && is_digit(text[i])) i++, digits = true;
  if (i < text.size() && text[i] == '.') {
    i++;
    while (i < text.size() && is_digit(text[i])) i++, digits = true;
  }
  if (!digits) fail(text, pos, "malformed number '" + detail::excerpt(text.substr(pos, i - pos)) + "'");
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    size_t j = i + 1;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) j++;
    if (j >= text.size() || !is_digit(text[j])) {
      while (j < text.size() && is_name_char(text[j])) j++;
      fail(text, pos,
           "malformed number '" + std::string(text.substr(pos, j - pos)) + "' (an exponent needs digits: 1e-3)");
    }
    while (j < text.size() && is_digit(text[j])) j++;
    i = j;
  }
  const char* first = text.data() + pos;
  auto [end, ec] = std::from_chars(first, text.data() + i, value);
  if (ec == std::errc::result_out_of_range)
    fail(text, pos,
         "number '" + detail::excerpt(text.substr(pos, i - pos)) +
             "' is out of the range of float64 (magnitudes about 2.2e-308 to 1.8e308)");
  if (ec != std::errc() || end != text.data() + i)
    fail(text, pos, "malformed number '" + detail::excerpt(text.substr(pos, i - pos)) + "'");
  return i;
}

// ============================== parser ==============================

int precedence(const Expr& e);

// Whether e's left operand is a binary op of e's precedence, left-associative (+ - or * /): the
// two are links of one chain.
bool continues_chain(const Expr& e) {
  if (e.kind != Expr::Kind::binary || e.text == "^" || e.args.empty() || !e.args[0]) return false;  // (freed)
  const Expr& a = *e.args[0];
  return a.kind == Expr::Kind::binary && a.text != "^" && precedence(a) == precedence(e);
}

std::unique_ptr<Expr> make(Expr::Kind kind, std::string text, int column, int start) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->text = std::move(text);
  e->column = column;
  e->start = start;
  return e;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), columns_(text.size() + 1, 1) {
    // The column of every byte offset, once: column_of is linear, and a long formula has as many
    // nodes as characters.
    for (size_t i = 0; i < text.size(); ++i)
      columns_[i + 1] = columns_[i] + ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 ? 1 : 0);
  }

  std::unique_ptr<Expr> parse() {
    skip_space();
    if (pos_ == text_.size()) fail(text_, pos_, "the expression is empty");
    auto e = parse_sum();
    skip_space();
    if (pos_ < text_.size())
      fail(text_, pos_, "unexpected '" + char_at(text_, pos_) + "' after a complete expression (missing an operator?)");
    return e;
  }

 private:
  // Counts nesting on the way down, so that "((((...x" fails before the recursion gets deep.
  struct Nest {
    Parser& p;
    Nest(Parser& parser) : p(parser) {
      if (++p.nesting_ > kMaxDepth)
        fail(p.text_, p.pos_, detail::concat("the expression is nested too deeply (more than ", kMaxDepth, " levels)"));
    }
    ~Nest() { --p.nesting_; }
  };

  void skip_space() {
    while (pos_ < text_.size() && is_space(text_[pos_])) pos_++;
  }
  char peek() {
    skip_space();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }
  int column(size_t pos) const { return columns_[std::min(pos, text_.size())]; }

  // Links a node to its arguments; a tree deeper than kMaxDepth fails at the operator that makes
  // it too deep. The left operand of a chain a+b+c+... adds no depth (walks loop over chains).
  std::unique_ptr<Expr> finish(std::unique_ptr<Expr> e, size_t pos) {
    for (size_t i = 0; i < e->args.size(); ++i)
      e->depth = std::max(e->depth, e->args[i]->depth + (i == 0 && continues_chain(*e) ? 0 : 1));
    if (e->depth > kMaxDepth)
      fail(text_, pos, detail::concat("the expression is nested too deeply (more than ", kMaxDepth, " levels)"));
    return e;
  }

  std::unique_ptr<Expr> binary(char op, std::unique_ptr<Expr> a, std::unique_ptr<Expr> b, size_t pos) {
    auto e = make(Expr::Kind::binary, std::string(1, op), column(pos), a->start);
    e->args.push_back(std::move(a));
    e->args.push_back(std::move(b));
    return finish(std::move(e), pos);
  }

  std::unique_ptr<Expr> parse_sum() {
    auto left = parse_product();
    for (char c = peek(); c == '+' || c == '-'; c = peek()) {
      const size_t op = pos_++;
      left = binary(c, std::move(left), parse_product(), op);
    }
    return left;
  }

  std::unique_ptr<Expr> parse_product() {
    auto left = parse_unary();
    for (char c = peek(); c == '*' || c == '/'; c = peek()) {
      const size_t op = pos_++;
      left = binary(c, std::move(left), parse_unary(), op);
    }
    return left;
  }

  std::unique_ptr<Expr> parse_unary() {
    Nest nest(*this);
    const char c = peek();
    if (c == '+') {
      pos_++;
      return parse_unary();
    }
    if (c == '-') {
      const size_t op = pos_++;
      auto e = make(Expr::Kind::negate, "-", column(op), column(op));
      e->args.push_back(parse_unary());
      return finish(std::move(e), op);
    }
    return parse_power();
  }

  std::unique_ptr<Expr> parse_power() {
    auto base = parse_primary();
    const char c = peek();
    const bool double_star = c == '*' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '*';  // Python's **
    if (c != '^' && !double_star) return base;
    const size_t op = pos_;
    pos_ += double_star ? 2 : 1;
    return binary('^', std::move(base), parse_unary(), op);  // right-associative; 2^-x allowed
  }

  std::unique_ptr<Expr> parse_primary() {
    const char c = peek();
    const size_t start = pos_;
    if (c == '\0') fail(text_, pos_, "unexpected end of the expression (expected a number, a name or '(')");
    if (is_digit(c) || c == '.') {
      double value = 0;
      pos_ = scan_number(text_, pos_, value);
      auto e = make(Expr::Kind::number, std::string(text_.substr(start, pos_ - start)), column(start), column(start));
      e->number = value;
      return e;
    }
    if (is_name_start(c)) {
      while (pos_ < text_.size() && is_name_char(text_[pos_])) pos_++;
      std::string name(text_.substr(start, pos_ - start));
      if (peek() == '(') return parse_call(std::move(name), start);
      if (find_function(name))
        fail(text_, start, "'" + detail::excerpt(name) + "' is a function: write " + name + "(...)");
      return make(Expr::Kind::variable, std::move(name), column(start), column(start));
    }
    if (c == '(') {
      pos_++;
      auto e = parse_sum();
      if (peek() != ')') {
        if (pos_ == text_.size())
          fail(text_, pos_, detail::concat("missing ')' to close the '(' at column ", column(start)));
        fail(text_, pos_,
             "unexpected '" + char_at(text_, pos_) + "' (expected ')' to close the '(' at column " +
                 std::to_string(column(start)) + ")");
      }
      pos_++;
      return e;
    }
    fail(text_, pos_, "unexpected '" + char_at(text_, pos_) + "' (expected a number, a name or '(')");
  }

  std::unique_ptr<Expr> parse_call(std::string name, size_t start) {
    const FunctionInfo* f = find_function(name);
    if (!f) fail(text_, start, "unknown function '" + detail::excerpt(name) + "' (known: " + function_list() + ")");
    auto e = make(Expr::Kind::call, name, column(start), column(start));
    pos_++;  // '('
    if (peek() != ')') {
      e->args.push_back(parse_sum());
      while (peek() == ',') {
        pos_++;
        e->args.push_back(parse_sum());
      }
    }
    if (peek() != ')') {
      if (pos_ == text_.size()) fail(text_, pos_, "missing ')' to close the call of " + name);
      fail(text_, pos_, "unexpected '" + char_at(text_, pos_) + "' in the call of " + name + " (expected ',' or ')')");
    }
    pos_++;
    const int n = static_cast<int>(e->args.size());
    if (n < f->min_args || n > f->max_args) {
      std::string expected =
          f->min_args == f->max_args ? std::to_string(f->min_args) : detail::concat(f->min_args, " or ", f->max_args);
      fail(text_, start,
           detail::concat(name, " takes ", expected, " argument", f->max_args == 1 ? "" : "s", ", got ", n));
    }
    // NOTE: the extra parameters of leaky_relu/elu are op attributes (doubles), not graph inputs.
    if (n == 2 && f->min_args == 1 && e->args[1]->has_variables()) {
      const Expr& p = *e->args[1];
      throw ParseError::in_text(
          detail::concat("the second argument of ", name, " must be a constant (column ", p.start, ")"),
          std::string(text_), 1, p.start);
    }
    return finish(std::move(e), start);
  }

  std::string_view text_;
  std::vector<int> columns_;  // columns_[pos]: the column of byte offset pos (column_of)
  size_t pos_ = 0;
  int nesting_ = 0;
};

// ============================== printing ==============================

int precedence(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::binary:
      return e.text == "+" || e.text == "-" ? 1 : e.text == "^" ? 4 : 2;
    case Expr::Kind::negate:
      return 3;
    default:
      return 5;
  }
}

std::string bracket(const Expr& e, bool needed) { return needed ? "(" + to_string(e) + ")" : to_string(e); }

}  // namespace

void collect_variables(const Expr& e, std::vector<std::string>& out, std::unordered_set<std::string>& seen,
                       std::unordered_map<std::string, int>* columns) {
  if (e.kind == Expr::Kind::variable && seen.insert(e.text).second) {
    out.push_back(e.text);
    if (columns) (*columns)[e.text] = e.column;
  }
  if (e.kind == Expr::Kind::binary) {
    const std::vector<const Expr*> chain = left_chain(e);
    collect_variables(*chain.back()->args[0], out, seen, columns);
    for (size_t i = chain.size(); i-- > 0;) collect_variables(*chain[i]->args[1], out, seen, columns);
    return;
  }
  for (const auto& a : e.args) collect_variables(*a, out, seen, columns);
}

// ============================== Expr / Expression ==============================

Expr::~Expr() {
  std::unique_ptr<Expr> link = continues_chain(*this) ? std::move(args[0]) : nullptr;
  while (link) {
    std::unique_ptr<Expr> next = continues_chain(*link) ? std::move(link->args[0]) : nullptr;
    link = std::move(next);  // frees one link; its right operand recurses, but not deeply
  }
}

std::vector<const Expr*> left_chain(const Expr& e) {
  std::vector<const Expr*> chain{&e};
  while (continues_chain(*chain.back())) chain.push_back(chain.back()->args[0].get());
  return chain;
}

bool Expr::has_variables() const {
  if (kind == Kind::variable) return true;
  if (kind == Kind::binary) {
    const std::vector<const Expr*> chain = left_chain(*this);
    if (chain.back()->args[0]->has_variables()) return true;
    for (const Expr* link : chain)
      if (link->args[1]->has_variables()) return true;
    return false;
  }
  for (const auto& a : args)
    if (a->has_variables()) return true;
  return false;
}

Expression::Expression(std::string source) : source_(std::move(source)) { root_ = Parser(source_).parse(); }

std::vector<std::string> Expression::variables() const {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  collect_variables(*root_, out, seen, nullptr);
  return out;
}

std::string Expression::to_sexpr() const { return expr::to_sexpr(*root_); }
std::string Expression::to_string() const { return expr::to_string(*root_); }

std::string to_sexpr(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::number:
    case Expr::Kind::variable:
      return e.text;
    case Expr::Kind::binary: {
      const std::vector<const Expr*> chain = left_chain(e);
      std::string out;
      for (const Expr* link : chain) out += "(" + link->text + " ";
      out += to_sexpr(*chain.back()->args[0]);
      for (size_t i = chain.size(); i-- > 0;) out += " " + to_sexpr(*chain[i]->args[1]) + ")";
      return out;
    }
    default: {
      std::string out = "(" + (e.kind == Expr::Kind::negate ? std::string("neg") : e.text);
      for (const auto& a : e.args) out += " " + to_sexpr(*a);
      return out + ")";
    }
  }
}

std::string to_string(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::number:
    case Expr::Kind::variable:
      return e.text;
    case Expr::Kind::negate: {
      const Expr& a = *e.args[0];
      return "-" + bracket(a, precedence(a) <= 3);  // -(x + y), -(-x), -x^2
    }
    case Expr::Kind::call: {
      std::string out = e.text + "(";
      for (size_t i = 0; i < e.args.size(); ++i) out += (i ? ", " : "") + to_string(*e.args[i]);
      return out + ")";
    }
    case Expr::Kind::binary: {
      const Expr& a = *e.args[0];
      const Expr& b = *e.args[1];
      const int p = precedence(e);
      if (e.text == "^") return bracket(a, precedence(a) <= 4) + "^" + bracket(b, precedence(b) < 4);
      // Left-associative: brackets on the right at equal precedence (a - (b - c)), and around a
      // negation on the right (x*(-y)), which reads better than x*-y. A chain is one loop.
      const std::vector<const Expr*> chain = left_chain(e);
      const Expr& first = *chain.back()->args[0];
      std::string out = bracket(first, precedence(first) < p);
      for (size_t i = chain.size(); i-- > 0;) {
        const Expr& right = *chain[i]->args[1];
        out += (p == 1 ? " " + chain[i]->text + " " : chain[i]->text) +
               bracket(right, precedence(right) <= p || right.kind == Expr::Kind::negate);
      }
      return out;
    }
  }
  return "";
}

// ============================== bindings ==============================

Bindings parse_bindings(std::string_view text) {
  Bindings out;
  out.source = std::string(text);
  size_t pos = 0;
  auto skip = [&] {
    while (pos < text.size() && is_space(text[pos])) pos++;
  };
  skip();
  if (pos == text.size()) return out;
  while (true) {
    skip();
    if (pos == text.size() || !is_name_start(text[pos]))
      fail(text, pos,
           pos == text.size() ? "expected a variable name (NAME=VALUE)"
                              : "unexpected '" + char_at(text, pos) + "' (expected NAME=VALUE)");
    const size_t name_pos = pos;
    while (pos < text.size() && is_name_char(text[pos])) pos++;
    std::string name(text.substr(name_pos, pos - name_pos));
    skip();
    if (pos == text.size() || text[pos] != '=')
      fail(text, pos, "expected '=' after '" + detail::excerpt(name) + "' (NAME=VALUE)");
    pos++;
    skip();
    double sign = 1.0;
    if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) sign = text[pos++] == '-' ? -1.0 : 1.0;
    if (pos == text.size() || !(is_digit(text[pos]) || text[pos] == '.'))
      fail(text, pos, "expected a number for '" + detail::excerpt(name) + "'");
    double value = 0;
    pos = scan_number(text, pos, value);
    for (const Binding& b : out.items)
      if (b.name == name) fail(text, name_pos, "'" + detail::excerpt(name) + "' is given twice");
    out.items.push_back({name, sign * value, column_of(text, name_pos)});
    skip();
    if (pos == text.size()) break;
    if (text[pos] != ',') fail(text, pos, "unexpected '" + char_at(text, pos) + "' (expected ',' between values)");
    pos++;
  }
  return out;
}

}  // namespace nabla::expr
