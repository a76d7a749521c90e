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
void table(Run& r, const std::vector<std::vector<std::string>>& rows, const std::string& indent,
           const std::vector<size_t>& text_columns) {
  std::vector<size_t> left{0};
  left.insert(left.end(), text_columns.begin(), text_columns.end());
  for (const std::string& line : table_lines(rows, left, indent)) r.line(line);
}

}  // namespace nabla::cli
