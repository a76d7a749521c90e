// The session's data: the toy datasets, TF Playground's regression sets, uploaded CSV points,
// the input features, and Session::build_data / set_points.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

#include "nabla/data/csv.h"
#include "nabla/data/synthetic.h"
#include "nabla/error.h"
#include "nabla/ops/ops.h"
#include "session/internal.h"
#include "session/session.h"

namespace nabla::serve {

using nlohmann::json;
using namespace internal;

namespace internal {

// The noise standard deviation handed to the generator for `noise` percent.
double dataset_sigma(const SessionConfig& c) {
  const double f = c.noise / 100.0;
  if (c.dataset == "circle") return 0.5 * f;
  if (c.dataset == "xor") return 0.15 + 0.5 * f;  // a spread even at 0, so quadrants fill
  if (c.dataset == "gaussian") return f;
  if (c.dataset == "spiral") return 0.3 * f;
  if (c.dataset == "moons") return 0.5 * f;
  if (c.dataset == "blobs") return 0.15 + f;  // cluster standard deviation
  return 0;                                   // plane, multi-gaussian: the playground's own noise; csv: none
}

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace internal

namespace {

// A ParseError from parse_csv, its line moved up by `shift` (the header line we wrote ourselves)
// and its column moved right by `bom` on the first line (the byte order mark we took off).
[[noreturn]] void rethrow_shifted(const ParseError& e, int shift, int bom) {
  const std::string prefix = detail::concat(e.source(), ":", e.line(), ":", e.column(), ": ");
  const std::string what = e.what();
  const std::string message = what.rfind(prefix, 0) == 0 ? what.substr(prefix.size()) : what;
  const int line = std::max(1, e.line() - shift), column = e.column() + (line == 1 ? bom : 0);
  throw ParseError(detail::concat(e.source(), ":", line, ":", column, ": ", message), e.source(), line, column);
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

bool is_number(std::string_view s) {
  std::string t = trimmed(s);
  if (!t.empty() && t[0] == '+') t.erase(0, 1);
  double v;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  return !t.empty() && ec == std::errc() && ptr == t.data() + t.size();
}

// The fields of the first non-blank record of CSV text (quotes undone), each with its 1-based
// line and column: enough to tell a header from data and to name the columns.
struct FirstField {
  std::string text;
  int line, column;
};
std::vector<FirstField> first_record(std::string_view t) {
  size_t i = 0, line_start = 0;
  int line = 1;
  while (true) {  // blank lines (nothing but spaces) are skipped, as parse_csv skips them
    size_t j = i;
    while (j < t.size() && (t[j] == ' ' || t[j] == '\t')) ++j;
    if (j >= t.size()) return {};
    if (t[j] != '\n' && t[j] != '\r') break;
    i = j + (t[j] == '\r' && j + 1 < t.size() && t[j + 1] == '\n' ? 2 : 1);
    ++line;
    line_start = i;
  }
  std::vector<FirstField> fields;
  FirstField f{"", line, int(i - line_start) + 1};
  bool quoted = false;
  while (i < t.size()) {
    const char ch = t[i];
    if (quoted) {
      if (ch == '"' && i + 1 < t.size() && t[i + 1] == '"') {
        f.text += '"';
        i += 2;
        continue;
      }
      if (ch == '"')
        quoted = false;
      else
        f.text += ch;
      if (ch == '\n') ++line, line_start = i + 1;
      ++i;
      continue;
    }
    if (ch == '\n' || ch == '\r') break;
    if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      fields.push_back(f);
      f = {"", line, int(i + 1 - line_start) + 1};
    } else {
      f.text += ch;
    }
    ++i;
  }
  fields.push_back(f);
  return fields;
}

// TF Playground's regression data: n points uniform on [-6, 6]², each labelled at the point
// moved by noise (src/dataset.ts, regressPlane / regressGaussian).
Dataset playground_regression(int64_t n, double noise, uint64_t seed, double (*label)(double, double),
                              const char* name) {
  NABLA_CHECK(n >= 1 && n <= kMaxPoints, ValueError, name, ": n = ", n, " is outside [1, ", kMaxPoints, "]");
  NABLA_CHECK(noise >= 0 && noise <= 0.5, ValueError, name, ": noise = ", noise, " is outside [0, 0.5]");
  constexpr double radius = 6;
  Generator g(seed);
  const std::vector<double> r = rand({n, 4}, kDType, &g).to_vector<double>();  // x, y, noise x, noise y
  auto uniform = [&](size_t k) { return r[k] * 2 * radius - radius; };         // randUniform(-6, 6)
  std::vector<double> xy(static_cast<size_t>(2 * n)), y(static_cast<size_t>(n));
  for (size_t i = 0; i < size_t(n); ++i) {
    const double x1 = uniform(4 * i), x2 = uniform(4 * i + 1);
    const double nx = uniform(4 * i + 2) * noise, ny = uniform(4 * i + 3) * noise;
    xy[2 * i] = x1;
    xy[2 * i + 1] = x2;
    y[i] = label(x1 + nx, x2 + ny);
  }
  Dataset d;
  d.x = Tensor::from_vector(xy, {n, 2}, kDType);
  d.y = Tensor::from_vector(y, {n, 1}, kDType);
  d.num_classes = 0;
  d.feature_names = {"x1", "x2"};
  d.name = name;
  d.validate();
  return d;
}

}  // namespace

double playground_plane_label(double x, double y) { return (x + y) / 10.0; }  // d3 scale [-10, 10] → [-1, 1]

double playground_multi_gaussian_label(double x, double y) {
  static constexpr double centres[6][3] = {{-4, 2.5, 1},   {0, 2.5, -1}, {4, 2.5, 1},
                                           {-4, -2.5, -1}, {0, -2.5, 1}, {4, -2.5, -1}};
  double label = 0;
  for (const auto& [cx, cy, sign] : centres) {
    const double d = std::sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
    const double v = sign * std::clamp(1.0 - d / 2.0, 0.0, 1.0);  // d3 scale [0, 2] → [1, 0], clamped
    if (std::abs(v) > std::abs(label)) label = v;
  }
  return label;
}

Dataset make_playground_plane(int64_t n, double noise, uint64_t seed) {
  return playground_regression(n, noise, seed, playground_plane_label, "plane");
}

Dataset make_playground_multi_gaussian(int64_t n, double noise, uint64_t seed) {
  return playground_regression(n, noise, seed, playground_multi_gaussian_label, "multi-gaussian");
}

PointsData parse_points_csv(std::string_view text, const std::string& source) {
  NABLA_CHECK(text.size() <= kMaxCsvBytes, ValueError, source, ": ", text.size(), " bytes; at most ", kMaxCsvBytes,
              " (1 MB)");
  int bom = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(bom = 3);
  const std::vector<FirstField> first = first_record(text);
  if (first.empty()) throw ParseError(source + ":1:1: empty file: expected lines x1,x2,label", source, 1, 1);
  const bool header = !is_number(first[0].text);
  if (header && first.size() != 3) {
    const FirstField& at = first.size() > 3 ? first[3] : first.back();
    const int column = at.column + (at.line == 1 ? bom : 0);
    throw ParseError(detail::concat(source, ":", at.line, ":", column, ": the header has ", first.size(),
                                    " columns; expected 3: x1, x2, label"),
                     source, at.line, column);
  }
  // Without a header, parse_csv gets ours, and its line numbers are moved back to the file's.
  const std::vector<std::string> names =
      header ? std::vector<std::string>{trimmed(first[0].text), trimmed(first[1].text), trimmed(first[2].text)}
             : std::vector<std::string>{"x1", "x2", "label"};
  const std::string csv = header ? std::string(text) : "x1,x2,label\n" + std::string(text);
  auto parse = [&](CsvTarget target) {
    try {
      return parse_csv(csv, {.label = names[2], .features = {names[0], names[1]}, .target = target, .dtype = kDType},
                       source);
    } catch (const ParseError& e) {
      rethrow_shifted(e, header ? 0 : 1, bom);
    }
  };
  // Numbers first; a label that is not a number makes every label a class name.
  Dataset d;
  bool numeric = true;
  try {
    d = parse(CsvTarget::real);
  } catch (const ParseError&) {
    d = parse(CsvTarget::classes);
    numeric = false;
  }
  const int64_t n = d.size();
  NABLA_CHECK(n <= kMaxPoints, ValueError, source, ": ", n, " points; at most ", kMaxPoints);
  const std::vector<double> xy = d.x.to_vector<double>();
  for (int64_t i = 0; i < 2 * n; ++i)
    NABLA_CHECK(std::abs(xy[size_t(i)]) <= 1e12, ValueError, source, ": point ", i / 2 + 1, " has x", i % 2 + 1, " = ",
                xy[size_t(i)], ", beyond ±1e12");

  PointsData p;
  p.xy = d.x;
  p.source = source;
  std::vector<int64_t> ids(static_cast<size_t>(n));
  if (numeric) {
    const std::vector<double> y = d.y.to_vector<double>();
    const std::set<double> distinct(y.begin(), y.end());
    NABLA_CHECK(distinct.size() >= 2, ValueError, source, ": every label is ", number_text(*distinct.begin()),
                ": there is nothing to learn");
    const bool integers = std::all_of(distinct.begin(), distinct.end(), [](double v) { return v == std::floor(v); });
    if (!integers || int64_t(distinct.size()) > kMaxClasses) {  // a regression target
      for (double v : y) NABLA_CHECK(std::abs(v) <= 1e12, ValueError, source, ": the label ", v, " is beyond ±1e12");
      p.y = d.y;
      p.num_classes = 0;
      return p;
    }
    const std::vector<double> values(distinct.begin(), distinct.end());  // ascending: -1 before 1
    for (double v : values) p.class_names.push_back(number_text(v));
    for (int64_t i = 0; i < n; ++i)
      ids[size_t(i)] = std::lower_bound(values.begin(), values.end(), y[size_t(i)]) - values.begin();
  } else {
    NABLA_CHECK(d.num_classes <= kMaxClasses, ValueError, source, ": the labels hold ", d.num_classes,
                " different words; at most ", kMaxClasses, " classes");
    p.class_names = d.class_names;
    ids = d.y.to_vector<int64_t>();
  }
  p.num_classes = int64_t(p.class_names.size());
  if (p.num_classes == 2) {
    std::vector<double> y01(ids.begin(), ids.end());
    p.y = Tensor::from_vector(y01, {n, 1}, kDType);
  } else {
    p.y = Tensor::from_vector(ids, {n});
  }
  return p;
}

Tensor compute_features(const Tensor& xy, const std::vector<std::string>& features) {
  NABLA_CHECK(xy.dim() == 2 && xy.size(1) == 2, ShapeError, "compute_features: points must be [N, 2], got ",
              xy.shape().to_string());
  const std::vector<double> p = xy.contiguous().to_vector<double>();
  const int64_t n = xy.size(0), f = int64_t(features.size());
  std::vector<double> out(size_t(n * f));
  for (int64_t i = 0; i < n; ++i) {
    const double x1 = p[size_t(2 * i)], x2 = p[size_t(2 * i + 1)];
    for (int64_t k = 0; k < f; ++k) {
      const std::string& name = features[size_t(k)];
      double v = 0;
      if (name == "x1")
        v = x1;
      else if (name == "x2")
        v = x2;
      else if (name == "x1sq")
        v = x1 * x1;
      else if (name == "x2sq")
        v = x2 * x2;
      else if (name == "x1x2")
        v = x1 * x2;
      else if (name == "sinx1")
        v = std::sin(x1);
      else if (name == "sinx2")
        v = std::sin(x2);
      else
        NABLA_CHECK(false, ValueError, "unknown feature \"", name, "\" (known: ", joined(session_feature_names()), ")");
      out[size_t(i * f + k)] = v;
    }
  }
  return Tensor::from_vector(out, {n, f}, kDType);
}

void Session::set_points(PointsData p) {
  NABLA_CHECK(p.xy.defined() && p.xy.dim() == 2 && p.xy.size(1) == 2 && p.xy.size(0) >= 2 && p.y.defined() &&
                  p.y.size(0) == p.xy.size(0),
              ShapeError, "set_points: need [N, 2] points (N >= 2) and N labels");
  // The box around the points, mapped onto [-1, 1]² with one scale for both axes.
  const std::vector<double> xy = p.xy.to_vector<double>();
  double lo[2] = {xy[0], xy[1]}, hi[2] = {xy[0], xy[1]};
  for (size_t i = 0; i < xy.size(); ++i) lo[i % 2] = std::min(lo[i % 2], xy[i]), hi[i % 2] = std::max(hi[i % 2], xy[i]);
  points_centre_ = {(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2};
  points_scale_ = std::max((hi[0] - lo[0]) / 2, (hi[1] - lo[1]) / 2);
  if (!(points_scale_ > 0) || !std::isfinite(points_scale_)) points_scale_ = 1;
  points_ = std::make_shared<const PointsData>(std::move(p));
  config_.dataset = "csv";
  build_data();
  build_model();
}

void Session::build_data() {
  const SessionConfig& c = config_;
  SyntheticOptions o{.n = c.points, .noise = dataset_sigma(c), .dtype = kDType, .seed = data_seed_};
  Dataset d;
  // Each dataset is brought to about [-1, 1]² so one learning rate suits them all.
  if (c.dataset == "circle") {
    d = make_circles(o);
  } else if (c.dataset == "xor") {
    d = make_xor(o);
    d.x = d.x * 2.0 - 1.0;  // corners at ±1
  } else if (c.dataset == "gaussian") {
    d = make_gaussian_quantiles(o, c.classes);
    d.x = d.x * 0.5;
  } else if (c.dataset == "spiral") {
    d = make_spirals(o, c.classes);
  } else if (c.dataset == "moons") {
    d = make_moons(o);
    d.x = d.x - Tensor::from_vector({0.5, 0.25}, {2}, kDType);
  } else if (c.dataset == "blobs") {
    d = make_blobs(o, /*centers=*/c.classes, /*features=*/2, /*box=*/1.0);
  } else if (c.dataset == "plane" || c.dataset == "multi-gaussian") {
    d = c.dataset == "plane" ? make_playground_plane(c.points, c.noise / 100, data_seed_)
                             : make_playground_multi_gaussian(c.points, c.noise / 100, data_seed_);
    d.x = d.x / 6.0;  // the playground's [-6, 6]² onto [-1, 1]²
  } else {
    NABLA_CHECK(points_, ValueError, "dataset \"csv\": no points uploaded yet (send the CSV file first)");
    d.x = (points_->xy - Tensor::from_vector(points_centre_, {2}, kDType)) / points_scale_;
    d.y = points_->y;
    d.num_classes = points_->num_classes;
    d.class_names = points_->class_names;
    d.name = points_->source;
  }
  num_classes_ = d.num_classes;
  class_names_ = d.class_names;
  value_scale_ = 1;  // plane and multi-gaussian: the playground's colour scale, [-1, 1]
  if (num_classes_ == 0 && c.dataset == "csv") {
    value_scale_ = 0;
    for (double v : d.y.to_vector<double>()) value_scale_ = std::max(value_scale_, std::abs(v));
    if (!(value_scale_ > 0)) value_scale_ = 1;
  }
  auto [train, test] = train_test_split(d, 1.0 - c.train_ratio / 100.0, data_seed_);
  train_xy_ = train.x;
  test_xy_ = test.x;
  double e = 0;
  for (double v : d.x.to_vector<double>()) e = std::max(e, std::abs(v));
  extent_ = std::ceil(std::max(e, 0.5) * 1.1 * 10) / 10;
  train_ = train;
  test_ = test;
  train_.x = compute_features(train.x, c.features);
  test_.x = compute_features(test.x, c.features);
  train_.feature_names = test_.feature_names = c.features;
  data_version_ = structure_version_ = ++version_;
}

}  // namespace nabla::serve
