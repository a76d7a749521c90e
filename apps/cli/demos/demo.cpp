#include "demos/demo.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "trace_format.h"

namespace nabla::cli {

namespace {
std::vector<Demo>& registry() {
  static std::vector<Demo> demos;
  return demos;
}
}  // namespace

bool register_demo(Demo demo) {
  registry().push_back(std::move(demo));
  return true;
}

const std::vector<Demo>& registered_demos() { return registry(); }

// Numbers for the text: d decimals; signed columns line up when padded on the left.
// Values below 1e-12 in size are rounding noise in these demos (C′ at a critical point): "0".
std::string num(double v, int d) { return fmt(std::fabs(v) < 1e-12 ? 0.0 : v, d); }
// `n` significant digits: -6.75, 0.00023166187, 0.50001158.
std::string sig(double v, int n) {
  if (v == 0) return "0";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*g", n, v);
  return buf;
}
std::string vec(const std::vector<double>& v, int d) {
  std::vector<std::string> parts;
  for (double x : v) parts.push_back(num(x, d));
  return "(" + join(parts, ", ") + ")";
}
// A table: rows of cells, columns padded to their widest cell. The first column (labels) and any
// column listed in `text_columns` are left-aligned, the others (numbers) right-aligned.
void table(Run& r, const std::vector<std::vector<std::string>>& rows, const std::string& indent,
           const std::vector<size_t>& text_columns) {
  std::vector<size_t> w;
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c) {
      if (w.size() <= c) w.push_back(0);
      w[c] = std::max(w[c], width(row[c]));
    }
  for (const auto& row : rows) {
    std::string s = indent;
    for (size_t c = 0; c < row.size(); ++c) {
      const bool text = c == 0 || std::find(text_columns.begin(), text_columns.end(), c) != text_columns.end();
      s += (c ? "  " : "") + (text ? pad(row[c], w[c]) : pad_left(row[c], w[c]));
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    r.line(s);
  }
}

}  // namespace nabla::cli
