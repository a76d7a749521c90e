// The playground session: data (toy datasets, TF Playground's regression sets, uploaded CSV),
// model, batch-by-batch training, state and step-through.
#include "nabla/serve/session.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

#include "nabla/autograd/engine.h"
#include "nabla/data/csv.h"
#include "nabla/data/synthetic.h"
#include "nabla/error.h"
#include "nabla/io/safetensors.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/utils.h"
#include "nabla/ops/ops.h"
#include "nabla/train/recipes.h"

namespace nabla::serve {
namespace {

using nlohmann::json;

constexpr DType kDType = DType::float64;
constexpr size_t kMaxHistory = 600;

bool one_of(const std::string& v, const std::vector<std::string>& names) {
  return std::find(names.begin(), names.end(), v) != names.end();
}

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

double read_number(const json& j, const char* key, double current, double lo, double hi) {
  if (!j.contains(key)) return current;
  const json& v = j.at(key);
  NABLA_CHECK(v.is_number(), ValueError, "\"", key, "\" must be a number");
  const double d = v.get<double>();
  NABLA_CHECK(std::isfinite(d) && d >= lo && d <= hi, ValueError, "\"", key, "\" = ", d, " is out of range [", lo, ", ",
              hi, "]");
  return d;
}

int64_t read_int(const json& j, const char* key, int64_t current, int64_t lo, int64_t hi) {
  const double d = read_number(j, key, double(current), double(lo), double(hi));
  NABLA_CHECK(d == std::floor(d), ValueError, "\"", key, "\" must be a whole number, got ", d);
  return int64_t(d);
}

std::string read_choice(const json& j, const char* key, const std::string& current,
                        const std::vector<std::string>& names) {
  if (!j.contains(key)) return current;
  const json& v = j.at(key);
  NABLA_CHECK(v.is_string(), ValueError, "\"", key, "\" must be a string");
  const std::string s = v.get<std::string>();
  NABLA_CHECK(one_of(s, names), ValueError, "\"", key, "\" = \"", s, "\" is not one of ", joined(names));
  return s;
}

double round4(double v) { return std::isfinite(v) ? std::round(v * 1e4) / 1e4 : 0.0; }

std::vector<double> rounded(const Tensor& t) {
  std::vector<double> v = t.contiguous().to_vector<double>();
  for (double& x : v) x = round4(x);
  return v;
}

// Row-major [rows][cols] of a 2-D tensor, rounded to 4 decimals (for drawing) or exact.
json matrix(const Tensor& t, bool round = true) {
  const std::vector<double> v = round ? rounded(t) : t.contiguous().to_vector<double>();
  const int64_t rows = t.size(0), cols = t.size(1);
  json m = json::array();
  for (int64_t r = 0; r < rows; ++r) m.push_back(std::vector<double>(v.begin() + r * cols, v.begin() + (r + 1) * cols));
  return m;
}

// A square grid of points covering [-e, e]², row 0 at the top (y = +e): [side², 2].
Tensor plane_grid(int64_t side, double e) {
  std::vector<double> xy;
  xy.reserve(size_t(side * side * 2));
  for (int64_t r = 0; r < side; ++r)
    for (int64_t c = 0; c < side; ++c) {
      const double t = side > 1 ? double(c) / double(side - 1) : 0.5, u = side > 1 ? double(r) / double(side - 1) : 0.5;
      xy.push_back(-e + 2 * e * t);
      xy.push_back(e - 2 * e * u);
    }
  return Tensor::from_vector(xy, {side * side, 2}, kDType);
}

}  // namespace

std::vector<std::string> session_dataset_names() {
  return {"circle", "xor", "gaussian", "spiral", "moons", "blobs", "plane", "multi-gaussian"};
}
std::vector<std::string> session_feature_names() { return {"x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"}; }
std::vector<std::string> session_activation_names() {
  // The playground's own five first (its menu's order), then every other activation of the layer
  // table; "linear" is the identity row.
  std::vector<std::string> names = {"tanh", "relu", "sigmoid", "linear", "leaky_relu"};
  for (const train::LayerRecipe& r : train::layer_recipes())
    if (r.activation && r.name != "identity" && !one_of(r.name, names)) names.push_back(r.name);
  return names;
}
std::vector<std::string> session_optimizer_names() {
  // "momentum" is SGD with the momentum control; the others are the optimizer table's rows.
  std::vector<std::string> names = {"sgd", "momentum"};
  for (const optim::OptimizerRecipe& r : optim::optimizer_recipes())
    if (!one_of(r.name, names)) names.push_back(r.name);
  return names;
}

SessionConfig session_config_from_json(const json& j, const SessionConfig& base) {
  NABLA_CHECK(j.is_object(), ValueError, "the configuration must be a JSON object");
  static const std::vector<std::string> known = {
      "dataset",   "noise",       "train_ratio", "points",        "batch_size",     "features",
      "hidden",    "activations", "activation",  "learning_rate", "regularization", "regularization_rate",
      "optimizer", "momentum",    "loss",        "dropout",       "seed",           "classes"};
  for (const auto& [key, _] : j.items())
    NABLA_CHECK(one_of(key, known), ValueError, "unknown configuration key \"", key, "\" (known: ", joined(known), ")");
  SessionConfig c = base;
  std::vector<std::string> datasets = session_dataset_names();
  datasets.push_back("csv");
  c.dataset = read_choice(j, "dataset", c.dataset, datasets);
  c.noise = read_number(j, "noise", c.noise, 0, 50);
  c.train_ratio = read_number(j, "train_ratio", c.train_ratio, 10, 90);
  c.points = read_int(j, "points", c.points, 10, kMaxPoints);
  c.batch_size = read_int(j, "batch_size", c.batch_size, 1, kMaxPoints);
  c.classes = read_int(j, "classes", c.classes, 2, kMaxClasses);
  c.learning_rate = read_number(j, "learning_rate", c.learning_rate, 1e-6, 10);
  c.regularization = read_choice(j, "regularization", c.regularization, {"none", "l1", "l2"});
  c.regularization_rate = read_number(j, "regularization_rate", c.regularization_rate, 0, 10);
  c.optimizer = read_choice(j, "optimizer", c.optimizer, session_optimizer_names());
  c.momentum = read_number(j, "momentum", c.momentum, 0, 0.999);
  c.loss = read_choice(j, "loss", c.loss, {"bce", "mse"});
  c.dropout = read_number(j, "dropout", c.dropout, 0, 0.9);
  c.seed = uint64_t(read_int(j, "seed", int64_t(c.seed), 0, int64_t(1) << 40));
  if (j.contains("features")) {
    const json& f = j.at("features");
    NABLA_CHECK(f.is_array() && !f.empty(), ValueError, "\"features\" must be a non-empty array of names");
    c.features.clear();
    for (const json& name : f) {
      NABLA_CHECK(name.is_string() && one_of(name.get<std::string>(), session_feature_names()), ValueError,
                  "\"features\": each entry must be one of ", joined(session_feature_names()));
      NABLA_CHECK(!one_of(name.get<std::string>(), c.features), ValueError, "\"features\": \"", name.get<std::string>(),
                  "\" is listed twice");
      c.features.push_back(name.get<std::string>());
    }
  }
  if (j.contains("hidden")) {
    const json& h = j.at("hidden");
    NABLA_CHECK(h.is_array() && int64_t(h.size()) <= kMaxHiddenLayers, ValueError,
                "\"hidden\" must be an array of at most ", kMaxHiddenLayers, " layer sizes");
    c.hidden.clear();
    for (const json& n : h) {
      NABLA_CHECK(n.is_number_integer() && n.get<int64_t>() >= 1 && n.get<int64_t>() <= kMaxNeurons, ValueError,
                  "\"hidden\": each layer needs 1 to ", kMaxNeurons, " neurons");
      c.hidden.push_back(n.get<int64_t>());
    }
  }
  if (j.contains("activation")) c.activations = {read_choice(j, "activation", "tanh", session_activation_names())};
  if (j.contains("activations")) {
    const json& a = j.at("activations");
    NABLA_CHECK(a.is_array() && !a.empty() && a.size() <= size_t(kMaxHiddenLayers), ValueError,
                "\"activations\" must be an array of 1 to ", kMaxHiddenLayers, " names");
    c.activations.clear();
    for (const json& name : a) {
      NABLA_CHECK(name.is_string() && one_of(name.get<std::string>(), session_activation_names()), ValueError,
                  "\"activations\": each entry must be one of ", joined(session_activation_names()));
      c.activations.push_back(name.get<std::string>());
    }
  }
  NABLA_CHECK(c.activations.size() == 1 || c.activations.size() >= c.hidden.size(), ValueError, "\"activations\" has ",
              c.activations.size(), " entries for ", c.hidden.size(), " hidden layers (give one, or one per layer)");
  return c;
}

json to_json(const SessionConfig& c) {
  return {{"dataset", c.dataset},
          {"noise", c.noise},
          {"train_ratio", c.train_ratio},
          {"points", c.points},
          {"batch_size", c.batch_size},
          {"classes", c.classes},
          {"features", c.features},
          {"hidden", c.hidden},
          {"activations", c.activations},
          {"learning_rate", c.learning_rate},
          {"regularization", c.regularization},
          {"regularization_rate", c.regularization_rate},
          {"optimizer", c.optimizer},
          {"momentum", c.momentum},
          {"loss", c.loss},
          {"dropout", c.dropout},
          {"seed", c.seed}};
}

namespace {

const std::string& activation_of(const SessionConfig& c, size_t layer) {
  return c.activations.size() == 1 ? c.activations[0] : c.activations[layer];
}

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

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
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

const char* task_name(Task task) {
  switch (task) {
    case Task::binary:
      return "binary";
    case Task::multiclass:
      return "multiclass";
    case Task::regression:
      return "regression";
  }
  return "binary";
}

int64_t dataset_classes(const SessionConfig& c) {
  if (c.dataset == "plane" || c.dataset == "multi-gaussian") return 0;
  if (c.dataset == "blobs" || c.dataset == "spiral" || c.dataset == "gaussian") return c.classes;
  return 2;
}

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

train::TrainConfig to_train_config(const SessionConfig& c, int64_t num_classes) {
  if (num_classes < 0) num_classes = dataset_classes(c);
  train::TrainConfig t;
  t.seed = c.seed;
  t.dtype = kDType;
  static const std::map<std::string, std::string> names = {
      {"circle", "circles"}, {"xor", "xor"},   {"gaussian", "gaussian"},  {"spiral", "spirals"}, {"moons", "moons"},
      {"blobs", "blobs"},    {"plane", "csv"}, {"multi-gaussian", "csv"}, {"csv", "csv"}};
  t.data.name = names.at(c.dataset);
  t.data.n = c.points;
  t.data.noise = dataset_sigma(c);
  t.data.test_fraction = 1.0 - c.train_ratio / 100.0;
  t.data.classes = std::max<int64_t>(num_classes, 2);
  if (t.data.name == "csv") {  // the points themselves: export_points_csv()
    t.data.path = "points.csv";
    t.data.label = "label";
  }
  t.model.inputs = int64_t(c.features.size());
  for (size_t i = 0; i < c.hidden.size(); ++i) {
    t.model.layers.push_back(train::default_layer("linear", c.hidden[i]));
    const std::string& act = activation_of(c, i);
    t.model.layers.push_back(train::default_layer(act == "linear" ? "identity" : act));
    if (c.dropout > 0) {
      train::LayerConfig d = train::default_layer("dropout");
      d.params.at("p") = c.dropout;
      t.model.layers.push_back(d);
    }
  }
  if (num_classes > 2) {  // logits; the loss applies the softmax
    t.model.layers.push_back(train::default_layer("linear", num_classes));
    t.loss.name = "cross_entropy";
  } else if (num_classes == 0) {  // a real number: no squashing
    t.model.layers.push_back(train::default_layer("linear", 1));
    t.model.layers.push_back(train::default_layer("identity"));
    t.loss.name = "mse";
  } else {
    t.model.layers.push_back(train::default_layer("linear", 1));
    t.model.layers.push_back(train::default_layer("sigmoid"));
    t.loss.name = c.loss;
  }
  t.optim = train::default_optim(c.optimizer == "momentum" ? "sgd" : c.optimizer);
  t.optim.lr = c.learning_rate;
  if (c.optimizer == "momentum") t.optim.momentum = c.momentum;
  if (c.regularization == "l1") t.optim.l1 = c.regularization_rate;
  if (c.regularization == "l2") t.optim.l2 = c.regularization_rate;
  t.train.batch_size = c.batch_size;
  t.train.shuffle = true;
  return t;
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

Session::Session(SessionConfig config)
    : config_(std::move(config)), data_seed_(config_.seed), model_seed_(config_.seed) {
  build_data();
  build_model();
}

void Session::configure(SessionConfig config) {
  NABLA_CHECK(config.dataset != "csv" || points_, ValueError,
              "dataset \"csv\": no points uploaded yet (send the CSV file first)");
  const bool same_data = config.dataset == config_.dataset && config.noise == config_.noise &&
                         config.train_ratio == config_.train_ratio && config.points == config_.points &&
                         config.classes == config_.classes && config.features == config_.features &&
                         config.seed == config_.seed;
  if (config.seed != config_.seed) data_seed_ = model_seed_ = config.seed;
  config_ = std::move(config);
  if (!same_data) build_data();
  build_model();
}

void Session::reset() {
  ++model_seed_;
  build_model();
}

void Session::regenerate() {
  ++data_seed_;
  build_data();
  build_model();
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

Task Session::task() const {
  return num_classes_ == 0 ? Task::regression : num_classes_ > 2 ? Task::multiclass : Task::binary;
}

std::string Session::loss_name() const {
  switch (task()) {
    case Task::multiclass:
      return "cross_entropy";
    case Task::regression:
      return "mse";
    case Task::binary:
      break;
  }
  return config_.loss;
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
}

void Session::build_model() {
  const train::TrainConfig t = train_config();
  generator_ = Generator(model_seed_);
  model_ = std::make_shared<train::ConfigModel>(t, generator_);
  model_->train();
  loss_ = train::make_loss(t.loss);  // t.loss.name is loss_name()
  optimizer_ = train::make_optimizer(t.optim, model_->parameters());
  step_.emplace(*model_, *loss_, *optimizer_, train::step_options(t.optim));
  order_.clear();
  cursor_ = 0;
  epoch_ = steps_ = 0;
  history_.clear();
  grad_norms_.assign(config_.hidden.size() + 1, 0.0);
  measure();
  history_.push_back({0, last_train_loss_, last_test_loss_, grad_norms_});
}

Tensor Session::loss_of(const Tensor& out, const Tensor& y) const { return (*loss_)(out, y); }

Session::Evaluation Session::evaluate(const Dataset& d) {
  if (d.size() == 0) return {std::nan(""), std::nan("")};
  NoGradGuard no_grad;
  const bool was_training = model_->is_training();
  model_->eval();
  const Tensor out = (*model_)(d.x);
  Evaluation e{loss_of(out, d.y).item(), std::nan("")};
  model_->train(was_training);
  if (task() == Task::regression) return e;
  int64_t right = 0;
  if (task() == Task::multiclass) {
    const std::vector<int64_t> guess = argmax(out, 1).to_vector<int64_t>(), y = d.y.to_vector<int64_t>();
    for (size_t i = 0; i < y.size(); ++i) right += guess[i] == y[i];
  } else {
    const std::vector<double> p = out.to_vector<double>(), y = d.y.to_vector<double>();
    for (size_t i = 0; i < y.size(); ++i) right += (p[i] > 0.5) == (y[i] > 0.5);
  }
  e.accuracy = double(right) / double(d.size());
  return e;
}

void Session::measure() {
  const Evaluation train = evaluate(train_), test = evaluate(test_);
  last_train_loss_ = train.loss;
  last_test_loss_ = test.loss;
  last_train_acc_ = train.accuracy;
  last_test_acc_ = test.accuracy;
}

int64_t Session::batches_per_epoch() const {
  const int64_t b = std::min(config_.batch_size, train_.size());
  return (train_.size() + b - 1) / b;
}

namespace {

std::vector<std::shared_ptr<nn::Linear>> linears(const train::ConfigModel& m) {
  std::vector<std::shared_ptr<nn::Linear>> out;
  for (size_t i = 0; i < m.layers().size(); ++i)
    if (auto lin = std::dynamic_pointer_cast<nn::Linear>(m.layers()[i])) out.push_back(lin);
  return out;
}

}  // namespace

int64_t Session::train_batches(int64_t batches) {
  int64_t epochs_done = 0;
  const int64_t n = train_.size();
  if (n == 0) return 0;
  const int64_t b = std::min(config_.batch_size, n);
  for (int64_t k = 0; k < batches; ++k) {
    if (cursor_ == 0) order_ = randperm(n, &generator_).to_vector<int64_t>();
    const int64_t end = std::min(cursor_ + b, n);
    Tensor index =
        Tensor::from_vector(std::vector<int64_t>(order_.begin() + cursor_, order_.begin() + end), {end - cursor_});
    const Tensor x = index_select(train_.x, 0, index), y = index_select(train_.y, 0, index);
    const train::StepResult r = (*step_)(x, y);
    NABLA_CHECK(r.updated, ValueError, "training diverged: the loss became ", r.value, " at epoch ", epoch_ + 1,
                " (lower the learning rate and reset)");
    ++steps_;
    cursor_ = end;
    if (cursor_ >= n) {
      cursor_ = 0;
      end_epoch();
      ++epochs_done;
    }
  }
  return epochs_done;
}

void Session::step_epoch() {
  const int64_t b = std::min(config_.batch_size, std::max<int64_t>(train_.size(), 1));
  const int64_t left = (train_.size() - cursor_ + b - 1) / b;
  train_batches(std::max<int64_t>(left, 1));
}

void Session::end_epoch() {
  ++epoch_;
  grad_norms_.clear();  // per linear layer (the only layers with parameters): weight and bias together
  for (const auto& [layer, norm] : nn::per_module_norms(nn::grad_norms(*model_))) grad_norms_.push_back(norm);
  measure();
  history_.push_back({epoch_, last_train_loss_, last_test_loss_, grad_norms_});
  if (history_.size() > kMaxHistory) {  // keep the curve's shape: drop every other old point
    std::vector<HistoryPoint> thin;
    for (size_t i = 0; i < history_.size(); ++i)
      if (i % 2 == 0 || i + 1 == history_.size()) thin.push_back(history_[i]);
    history_ = std::move(thin);
  }
}

namespace {

json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

}  // namespace

json Session::state(const StateOptions& o) {
  NoGradGuard no_grad;
  const bool was_training = model_->is_training();
  model_->eval();
  const Task t = task();
  json s;
  s["epoch"] = epoch_;
  s["steps"] = steps_;
  s["batches_per_epoch"] = batches_per_epoch();
  s["train_loss"] = last_train_loss_;
  s["test_loss"] = last_test_loss_;
  s["train_accuracy"] = number_or_null(last_train_acc_);
  s["test_accuracy"] = number_or_null(last_test_acc_);
  s["task"] = task_name(t);
  s["num_classes"] = num_classes_;
  s["class_names"] = class_names_;
  s["loss_name"] = loss_name();
  s["value_scale"] = value_scale_;
  s["num_points"] = train_.size() + test_.size();
  s["extent"] = extent_;
  s["config"] = to_json(config_);
  s["has_points"] = points_ != nullptr;
  if (points_)
    s["upload"] = {{"source", points_->source},
                   {"points", points_->xy.size(0)},
                   {"num_classes", points_->num_classes},
                   {"centre", points_centre_},
                   {"scale", points_scale_}};
  s["grad_norms"] = grad_norms_;
  json h = {{"epoch", json::array()}, {"train", json::array()}, {"test", json::array()}, {"grad_norms", json::array()}};
  for (const HistoryPoint& p : history_) {
    h["epoch"].push_back(p.epoch);
    h["train"].push_back(round4(p.train_loss));
    h["test"].push_back(std::isfinite(p.test_loss) ? json(round4(p.test_loss)) : json(nullptr));
    std::vector<double> g = p.grad_norms;
    for (double& v : g) v = round4(v);
    h["grad_norms"].push_back(g);
  }
  s["history"] = h;

  std::vector<int64_t> sizes = {int64_t(config_.features.size())};
  json weights = json::array();
  for (const auto& lin : linears(*model_)) {
    sizes.push_back(lin->weight.size(0));
    weights.push_back({{"w", matrix(lin->weight)}, {"b", rounded(lin->bias)}});
  }
  s["layer_sizes"] = sizes;
  s["weights"] = weights;

  // The output, and every neuron's activation, over the plane. With k classes the output
  // neurons are shown as probabilities: softmax of the logits.
  auto walk = [&](const Tensor& xy, bool all_neurons) {
    Tensor h = compute_features(xy, config_.features);
    json layers = json::array();
    if (all_neurons) layers.push_back(matrix(h.t()));
    const nn::Sequential& seq = model_->layers();
    Tensor a = h;
    for (size_t i = 0; i < seq.size(); ++i) {
      a = (*seq[i])(a);
      // A layer's neurons are shown after its activation: the module following a linear one.
      const bool after_activation = i > 0 && std::dynamic_pointer_cast<nn::Linear>(seq[i - 1]) != nullptr;
      if (all_neurons && after_activation) layers.push_back(matrix(a.t()));
    }
    if (t == Task::multiclass) {
      a = softmax(a, 1);
      if (all_neurons) layers.push_back(matrix(a.t()));
    }
    return std::make_pair(a, layers);
  };
  if (o.grid > 0) {
    const int64_t side = std::min<int64_t>(o.grid, 200);
    // 4096 points at a time: through 64-wide layers that is 2 MB per layer's output, where the
    // whole 200 × 200 grid at once would be 20 MB each.
    const Tensor xy = plane_grid(side, extent_);
    constexpr int64_t kChunk = 4096;
    std::vector<Tensor> parts;
    for (int64_t r = 0; r < xy.size(0); r += kChunk)
      parts.push_back(walk(xy.slice(0, r, std::min(xy.size(0), r + kChunk)), false).first);
    const Tensor out = parts.size() == 1 ? parts[0] : concat(parts, 0);
    if (t == Task::multiclass) {  // the most likely class, and its probability
      const std::vector<int64_t> cls = argmax(out, 1).to_vector<int64_t>();
      const std::vector<double> p = rounded(amax(out, {1}));
      s["boundary"] = {{"side", side}, {"values", cls}, {"confidence", p}};
    } else {
      s["boundary"] = {{"side", side}, {"values", rounded(out)}};
    }
  }
  if (o.neuron_grid > 0)
    s["neurons"] = {{"side", std::min<int64_t>(o.neuron_grid, 64)},
                    {"layers", walk(plane_grid(std::min<int64_t>(o.neuron_grid, 64), extent_), true).second}};
  if (o.points) {
    const bool classes = t != Task::regression;
    auto pts = [classes](const Tensor& xy, const Tensor& y) {
      const std::vector<double> p = rounded(xy), l = y.to_vector<double>();
      json out = json::array();
      for (size_t i = 0; i < l.size(); ++i)
        out.push_back({p[2 * i], p[2 * i + 1], classes ? json(int64_t(l[i])) : json(round4(l[i]))});
      return out;
    };
    s["points"] = {{"train", pts(train_xy_, train_.y)}, {"test", pts(test_xy_, test_.y)}};
  }
  model_->train(was_training);
  return s;
}

void Session::set_weight(int64_t layer, int64_t to, int64_t from, double value) {
  const auto lin = linears(*model_);
  NABLA_CHECK(layer >= 0 && layer < int64_t(lin.size()), ValueError, "layer ", layer, " does not exist (0 to ",
              lin.size() - 1, ")");
  const Tensor& w = lin[size_t(layer)]->weight;
  NABLA_CHECK(to >= 0 && to < w.size(0) && from >= 0 && from < w.size(1), ValueError, "weight [", to, ", ", from,
              "] is outside layer ", layer, "'s ", w.shape().to_string());
  NABLA_CHECK(std::isfinite(value), ValueError, "a weight must be a finite number");
  w.data<double>()[to * w.size(1) + from] = value;
  measure();
}

void Session::set_bias(int64_t layer, int64_t neuron, double value) {
  const auto lin = linears(*model_);
  NABLA_CHECK(layer >= 0 && layer < int64_t(lin.size()), ValueError, "layer ", layer, " does not exist (0 to ",
              lin.size() - 1, ")");
  const Tensor& b = lin[size_t(layer)]->bias;
  NABLA_CHECK(neuron >= 0 && neuron < b.size(0), ValueError, "neuron ", neuron, " is outside layer ", layer, "'s ",
              b.size(0), " neurons");
  NABLA_CHECK(std::isfinite(value), ValueError, "a bias must be a finite number");
  b.data<double>()[neuron] = value;
  measure();
}

json Session::step_through(int64_t sample) {
  NABLA_CHECK(sample >= 0 && sample < train_.size(), ValueError, "sample ", sample, " is outside the ", train_.size(),
              " training points");
  const bool was_training = model_->is_training();
  model_->eval();  // dropout off: the step is deterministic and readable
  const Tensor x = train_.x.slice(0, sample, sample + 1), y = train_.y.slice(0, sample, sample + 1);

  // Forward, keeping each linear layer's z and the activation a that follows it (with k classes
  // the output layer has none: the loss takes the logits).
  std::vector<Tensor> zs, as;
  const nn::Sequential& seq = model_->layers();
  Tensor h = x;
  for (size_t i = 0; i < seq.size(); ++i) {
    h = (*seq[i])(h);
    if (std::dynamic_pointer_cast<nn::Linear>(seq[i]))
      zs.push_back(h);
    else if (as.size() < zs.size())
      as.push_back(h);
  }
  const Tensor loss = loss_of(h, y);

  // Backward through nabla's autograd: δ_l = ∂C/∂z_l, ∂C/∂a_l, ∂C/∂W_l, ∂C/∂b_l in one pass.
  const auto lin = linears(*model_);
  // An identity activation's a is z itself: asked for once (grad() keeps one slot per node).
  const size_t nz = zs.size(), na = as.size();
  std::vector<Tensor> inputs = zs;
  std::vector<size_t> a_slot(na);
  for (size_t l = 0; l < na; ++l) {
    a_slot[l] = as[l].same(zs[l]) ? l : inputs.size();
    if (!as[l].same(zs[l])) inputs.push_back(as[l]);
  }
  const size_t w_slot = inputs.size();
  for (const auto& l : lin) inputs.push_back(l->weight), inputs.push_back(l->bias);
  const std::vector<Tensor> g = grad({loss}, inputs, {.retain_graph = true});

  json layers = json::array();
  for (size_t l = 0; l < nz; ++l) {
    json L;
    L["z"] = zs[l].reshape({-1}).to_vector<double>();
    if (l < na) {
      L["a"] = as[l].reshape({-1}).to_vector<double>();
      // The activation's local derivative da/dz, from its node's backward formula.
      if (as[l].grad_fn() && !as[l].same(zs[l]))
        L["da_dz"] = as[l].grad_fn()->apply(ones_like(as[l]))[0].reshape({-1}).to_vector<double>();
      L["dC_da"] = g[a_slot[l]].reshape({-1}).to_vector<double>();
    } else {  // the logits of k classes: a = softmax(z), and δ = a − onehot(target)
      NoGradGuard no_grad;
      L["a"] = softmax(zs[l], 1).reshape({-1}).to_vector<double>();
      L["softmax"] = true;
    }
    L["delta"] = g[l].reshape({-1}).to_vector<double>();
    L["dC_dw"] = matrix(g[w_slot + 2 * l], /*round=*/false);
    L["dC_db"] = g[w_slot + 2 * l + 1].to_vector<double>();
    L["w"] = matrix(lin[l]->weight, /*round=*/false);
    L["b"] = lin[l]->bias.to_vector<double>();
    layers.push_back(L);
  }
  json out;
  out["sample"] = sample;
  out["task"] = task_name(task());
  out["loss_name"] = loss_name();
  out["point"] = train_xy_.slice(0, sample, sample + 1).reshape({-1}).to_vector<double>();
  out["features"] = x.reshape({-1}).to_vector<double>();
  out["target"] = y.item();
  if (task() == Task::multiclass) {
    out["output"] = layers.back()["a"];
    out["predicted"] = argmax(zs.back(), 1).item();
  } else {
    out["output"] = h.item();
  }
  out["loss_before"] = loss.item();
  out["layers"] = layers;

  // The update: one optimizer step on this sample (with the regularization term, as training).
  step_->update(loss);
  ++steps_;
  {
    NoGradGuard no_grad;
    out["loss_after"] = loss_of((*model_)(x), y).item();
  }
  model_->train(was_training);
  measure();
  return out;
}

std::string Session::export_safetensors() const {
  return serialize_safetensors(
      model_->named_parameters(),
      {{"format", "nabla serve"}, {"features", joined(config_.features)}, {"config", to_json(config_).dump()}});
}

std::string Session::export_toml() const {
  std::string head = "# Exported from the nabla serve playground. Train it with: nabla train playground.toml\n";
  head += "# --init model.safetensors starts from the playground's weights.\n";
  if (config_.features != std::vector<std::string>{"x1", "x2"})
    head += "# The playground's input features (" + joined(config_.features) +
            ") have no TOML counterpart: `nabla train` feeds the raw x1, x2.\n";
  const train::TrainConfig t = train_config();
  if (t.data.name == "csv")
    head += "# The data are the playground's points: save its points.csv next to this file.\n";
  else
    head += "# The playground rescales some datasets (xor to ±1, gaussian by 0.5, moons centred).\n";
  return head + train::to_toml(t);
}

std::string Session::export_points_csv() const {
  std::string csv = "x1,x2,label\n";
  const bool classes = task() != Task::regression;
  for (const auto& [xy, d] : {std::pair{&train_xy_, &train_}, std::pair{&test_xy_, &test_}}) {
    const std::vector<double> p = xy->to_vector<double>(), y = d->y.to_vector<double>();
    for (size_t i = 0; i < y.size(); ++i)
      csv += number_text(p[2 * i]) + "," + number_text(p[2 * i + 1]) + "," +
             (classes ? std::to_string(int64_t(y[i])) : number_text(y[i])) + "\n";
  }
  return csv;
}

}  // namespace nabla::serve
