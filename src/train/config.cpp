#include "nabla/train/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "nabla/data/features.h"
#include "nabla/data/numpy_random.h"
#include "nabla/error.h"
#include "nabla/optim/registry.h"
#include "nabla/train/recipes.h"

namespace nabla::train {

namespace {

// Upper bounds on sizes (README, "Configuration"): far beyond any model nabla is for, and small
// enough that every size computed from them fits in memory arithmetic, so a typo such as
// out = 4611686018427387904 is an error naming the key instead of a crash or a huge allocation.
constexpr int64_t kMaxWidth = int64_t(1) << 20;         // [model] inputs, a layer's out, groups
constexpr int64_t kMaxLayerWeights = int64_t(1) << 28;  // in x out of one linear layer
constexpr int64_t kMaxRows = 100'000'000;               // [data] n, [train] batch_size
constexpr int64_t kMaxClasses = 65536;                  // [data] classes
constexpr int64_t kMaxGifFrames = 2000;                 // [train] epochs / gif_every
constexpr const char* kWidthRule = "must be in [1, 2^20]";

// ---- error helpers: every message starts with file:line:column and the dotted key ----

[[noreturn]] void fail(const std::string& source, const toml::node* node, const std::string& key,
                       const std::string& what) {
  int line = 0, column = 0;
  if (node) {
    line = int(node->source().begin.line);
    column = int(node->source().begin.column);
  }
  std::ostringstream msg;
  msg << source;
  if (line > 0) msg << ":" << line << ":" << column;
  msg << ": " << key << ": " << what;
  throw ParseError(msg.str(), source, line, column);
}

std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date/time";
  }
}

// Reads the keys of one table, remembering which were used, so that any key left over is
// reported as unknown (a typo must never be silently ignored).
class Section {
 public:
  Section(const toml::table* table, std::string prefix, const std::string& source)
      : table_(table), prefix_(std::move(prefix)), source_(source) {}

  const toml::node* node(const std::string& key) {
    used_.insert(key);
    return table_ ? table_->get(key) : nullptr;
  }
  std::string full(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }

  void read(const std::string& key, int64_t& out) {
    if (const toml::node* n = node(key)) {
      if (auto v = n->value_exact<int64_t>())
        out = *v;
      else
        fail(source_, n, full(key), "expected an integer, got " + type_name(*n));
    }
  }
  void read(const std::string& key, uint64_t& out) {
    int64_t v = int64_t(out);
    read(key, v);
    if (const toml::node* n = table_ ? table_->get(key) : nullptr; n && v < 0)
      fail(source_, n, full(key), "must be non-negative, got " + std::to_string(v));
    out = uint64_t(v);
  }
  void read(const std::string& key, double& out) {
    if (const toml::node* n = node(key)) {
      if (auto v = n->value<double>(); v && (n->is_floating_point() || n->is_integer()))
        out = *v;
      else
        fail(source_, n, full(key), "expected a number, got " + type_name(*n));
      if (!std::isfinite(out)) fail(source_, n, full(key), "must be a finite number");
    }
  }
  void read(const std::string& key, bool& out) {
    if (const toml::node* n = node(key)) {
      if (auto v = n->value_exact<bool>())
        out = *v;
      else
        fail(source_, n, full(key), "expected true or false, got " + type_name(*n));
    }
  }
  void read(const std::string& key, std::string& out) {
    if (const toml::node* n = node(key)) {
      if (auto v = n->value_exact<std::string>())
        out = *v;
      else
        fail(source_, n, full(key), "expected a string, got " + type_name(*n));
    }
  }
  // A string that must be one of `choices`.
  void read_choice(const std::string& key, std::string& out, const std::vector<std::string>& choices) {
    read(key, out);
    for (const auto& c : choices)
      if (c == out) return;
    std::string list;
    for (const auto& c : choices) list += (list.empty() ? "" : "|") + c;
    fail(source_, table_ ? table_->get(key) : nullptr, full(key),
         "unknown value \"" + out + "\" (expected " + list + ")");
  }
  // An array of finite numbers.
  void read_numbers(const std::string& key, std::vector<double>& out) {
    const toml::node* n = node(key);
    if (!n) return;
    const toml::array* a = n->as_array();
    if (!a) fail(source_, n, full(key), "expected an array of numbers, got " + type_name(*n));
    out.clear();
    for (const toml::node& e : *a) {
      const auto v = e.value<double>();
      if (!v || !(e.is_floating_point() || e.is_integer()) || !std::isfinite(*v))
        fail(source_, &e, full(key), "expected finite numbers, got " + type_name(e));
      out.push_back(*v);
    }
  }
  // An array of feature names from point_feature_names().
  void read_features(const std::string& key, std::vector<std::string>& out) {
    const toml::node* n = node(key);
    if (!n) return;
    const toml::array* a = n->as_array();
    if (!a) fail(source_, n, full(key), "expected an array of feature names, got " + type_name(*n));
    const std::vector<std::string>& known = point_feature_names();
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    out.clear();
    for (const toml::node& e : *a) {
      const auto v = e.value_exact<std::string>();
      if (!v || std::find(known.begin(), known.end(), *v) == known.end())
        fail(source_, &e, full(key),
             (v ? "unknown feature \"" + *v + "\"" : "expected a feature name, got " + type_name(e)) +
                 " (known: " + list + ")");
      out.push_back(*v);
    }
  }
  template <class T, class Pred>
  void check(const std::string& key, const T& value, Pred ok, const std::string& requirement) {
    if (!ok(value)) {
      std::ostringstream v;
      v << value;
      fail(source_, table_ ? table_->get(key) : nullptr, full(key), requirement + ", got " + v.str());
    }
  }
  void reject_unknown() const {
    if (!table_) return;
    for (auto&& [k, n] : *table_) {
      std::string key(k.str());
      if (!used_.count(key)) fail(source_, &n, full(key), "unknown key");
    }
  }

 private:
  const toml::table* table_;
  std::string prefix_;
  const std::string& source_;
  std::set<std::string> used_;
};

LayerConfig read_layer(const toml::node& node, size_t index, const std::string& source) {
  const std::string where = "model.layers[" + std::to_string(index) + "]";
  const toml::table* t = node.as_table();
  if (!t) fail(source, &node, where, "expected a table like { type = \"linear\", out = 4 }, got " + type_name(node));
  Section s(t, where, source);
  LayerConfig layer;
  layer.line = int(node.source().begin.line);
  if (!t->contains("type")) fail(source, &node, where, "missing key \"type\"");
  s.read_choice("type", layer.type, recipe_names(layer_recipes()));
  s.read("id", layer.id);
  const LayerRecipe& recipe = layer_recipe(layer.type);
  if (layer.type == "linear") {
    s.read("out", layer.out);
    if (!t->contains("out")) fail(source, &node, where, "a linear layer needs \"out\" (its number of outputs)");
    s.check(
        "out", layer.out, [](int64_t v) { return v > 0 && v <= kMaxWidth; }, kWidthRule);
    if (const toml::node* b = t->get("bias"); b && b->is_array()) {
      s.node("bias");
      for (const toml::node& v : *b->as_array()) {
        auto d = v.value<double>();
        if (!d || !(v.is_integer() || v.is_floating_point())) fail(source, &v, where + ".bias", "expected numbers");
        layer.bias_values.push_back(*d);
      }
      if (int64_t(layer.bias_values.size()) != layer.out)
        fail(source, b, where + ".bias",
             "has " + std::to_string(layer.bias_values.size()) + " values for " + std::to_string(layer.out) +
                 " outputs");
    } else {
      s.read("bias", layer.bias);
    }
    if (const toml::node* w = s.node("weight")) {
      const toml::array* rows = w->as_array();
      if (!rows) fail(source, w, where + ".weight", "expected an array of rows [[...], ...] ([out][in])");
      for (const toml::node& row : *rows) {
        const toml::array* r = row.as_array();
        if (!r) fail(source, &row, where + ".weight", "expected an array of rows [[...], ...] ([out][in])");
        std::vector<double> values;
        for (const toml::node& v : *r) {
          auto d = v.value<double>();
          if (!d || !(v.is_integer() || v.is_floating_point())) fail(source, &v, where + ".weight", "expected numbers");
          values.push_back(*d);
        }
        layer.weight_values.push_back(std::move(values));
      }
      if (int64_t(layer.weight_values.size()) != layer.out)
        fail(source, w, where + ".weight",
             "has " + std::to_string(layer.weight_values.size()) + " rows for " + std::to_string(layer.out) +
                 " outputs ([out][in] layout)");
    }
    s.read_choice("init", layer.init,
                  {"default", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "normal", "zeros",
                   "constant"});
  }
  if (layer.type == "add") {
    s.read("from", layer.from);
    if (layer.from.empty()) fail(source, &node, where, "an add layer needs \"from\" (the id of an earlier layer)");
  }
  if (layer.type == "gelu") {
    std::string approx = "none";
    s.read_choice("approximate", approx, {"none", "tanh"});
    layer.params["tanh"] = approx == "tanh" ? 1.0 : 0.0;
  }
  for (const LayerOption& option : recipe.options) {
    if (layer.type == "gelu" && option.key == "tanh") continue;
    if (option.required && !t->contains(option.key))
      fail(source, &node, where, "a " + layer.type + " layer needs \"" + option.key + "\"");
    double value = option.default_value;
    s.read(option.key, value);
    if (option.valid) s.check(option.key, value, option.valid, option.rule);
    layer.params[option.key] = value;
  }
  s.reject_unknown();
  return layer;
}

// Splits "a.b.0.c" into its parts.
std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : key) {
    if (c == '.') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  return parts;
}

void apply_override(toml::table& root, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ParseError("--set " + detail::excerpt(assignment) + ": expected key=value, e.g. optim.lr=0.1", "--set");
  const std::string key = assignment.substr(0, eq), text = assignment.substr(eq + 1);
  // The value in TOML syntax; a bare word that is not valid TOML is taken as a string.
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + text);
  } catch (const toml::parse_error&) {
    // A number TOML cannot hold is out of range, not a string.
    const bool integer =
        !text.empty() && text.find_first_not_of("0123456789", text[0] == '-' || text[0] == '+') == std::string::npos;
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    bool out_of_range = errno == ERANGE && std::isinf(v);
    if (integer) {
      errno = 0;
      (void)std::strtoll(text.c_str(), nullptr, 10);
      out_of_range = errno == ERANGE;
    }
    if (!text.empty() && end == text.c_str() + text.size() && out_of_range)
      throw ParseError("--set " + detail::excerpt(assignment) + ": " + detail::excerpt(text) + " is out of range (" +
                           (integer ? "an integer must be within ±2^63" : "a number must be within ±1.8e308") + ")",
                       "--set");
    parsed = toml::table{{"v", text}};
  }
  std::vector<std::string> parts = split_key(key);
  toml::node* cur = &root;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    const std::string& p = parts[i];
    if (auto* tbl = cur->as_table()) {
      if (!tbl->contains(p)) tbl->insert(p, toml::table{});
      cur = tbl->get(p);
    } else if (auto* arr = cur->as_array()) {
      char* end = nullptr;
      long idx = std::strtol(p.c_str(), &end, 10);
      if (*end || idx < 0 || size_t(idx) >= arr->size())
        throw ParseError("--set " + detail::excerpt(assignment) + ": \"" + p + "\" is not an index of the array",
                         "--set");
      cur = arr->get(size_t(idx));
    } else {
      throw ParseError("--set " + detail::excerpt(assignment) + ": \"" + p + "\" is not a table", "--set");
    }
  }
  const std::string& last = parts.back();
  if (auto* tbl = cur->as_table()) {
    tbl->insert_or_assign(last, *parsed.get("v"));
  } else {
    throw ParseError("--set " + detail::excerpt(assignment) + ": cannot set \"" + last + "\" here", "--set");
  }
}

}  // namespace

namespace {

TrainConfig parse_config_text(const std::string& text, const std::string& source,
                              const std::vector<std::string>& overrides) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << source << ":" << e.source().begin.line << ":" << e.source().begin.column << ": " << e.description();
    throw ParseError(msg.str(), source, int(e.source().begin.line), int(e.source().begin.column));
  }
  for (const auto& o : overrides) apply_override(root, o);

  TrainConfig cfg;
  cfg.source = source;
  Section top(&root, "", source);
  top.read("seed", cfg.seed);
  std::string dtype = "float32";
  top.read_choice("dtype", dtype, {"float32", "float64"});
  cfg.dtype = dtype == "float64" ? DType::float64 : DType::float32;

  auto section = [&](const char* name) -> const toml::table* {
    const toml::node* n = top.node(name);
    if (!n) return nullptr;
    if (!n->is_table()) fail(source, n, name, "expected a table [" + std::string(name) + "], got " + type_name(*n));
    return n->as_table();
  };

  {
    Section s(section("data"), "data", source);
    DataConfig& d = cfg.data;
    s.read_choice("name", d.name,
                  {"xor", "xnor", "and", "or", "moons", "circles", "spirals", "blobs", "gaussian", "numpy_normal",
                   "csv", "mnist", "diabetes"});
    s.read("n", d.n);
    s.check(
        "n", d.n, [](int64_t v) { return v > 0 && v <= kMaxRows; }, "must be in [1, 10^8]");
    if (d.name == "numpy_normal") d.noise = 0.0;  // its points are numpy's own, nothing added
    s.read("noise", d.noise);
    s.check(
        "noise", d.noise, [](double v) { return v >= 0; }, "must be non-negative");
    if (d.name == "numpy_normal" && d.noise != 0)
      fail(source, s.node("noise"), "data.noise", "numpy_normal draws numpy's points exactly; noise must be 0");
    s.read("test_fraction", d.test_fraction);
    s.check(
        "test_fraction", d.test_fraction, [](double v) { return v >= 0 && v < 1; }, "must be in [0, 1)");
    s.read("classes", d.classes);
    s.check(
        "classes", d.classes, [](int64_t v) { return v >= 2 && v <= kMaxClasses; }, "must be in [2, 65536]");
    s.read("path", d.path);
    s.read("label", d.label);
    s.read("standardize", d.standardize);
    s.read_choice("split", d.split, {"random", "sklearn"});
    s.read_features("features", d.features);
    s.read("scale", d.scale);
    s.check(
        "scale", d.scale, [](double v) { return v != 0; }, "must not be 0");
    s.read_numbers("shift", d.shift);
    s.read("box", d.box);
    s.check(
        "box", d.box, [](double v) { return v > 0; }, "must be positive");
    s.read("random_state", d.random_state);
    s.check(
        "random_state", d.random_state, [](int64_t v) { return v >= 0 && v <= 0xffffffffLL; },
        "must be in [0, 2^32) (numpy's RandomState seed)");
    s.read("validation_fraction", d.validation_fraction);
    s.check(
        "validation_fraction", d.validation_fraction, [](double v) { return v >= 0 && v < 1; }, "must be in [0, 1)");
    if (d.validation_fraction > 0 && d.split != "sklearn")
      fail(source, s.node("validation_fraction"), "data.validation_fraction",
           "a validation set is split off with split = \"sklearn\" only");
    if (d.validation_fraction > 0 && d.test_fraction <= 0)
      fail(source, s.node("validation_fraction"), "data.validation_fraction",
           "a validation set needs test_fraction > 0 (the test rows are set aside first)");
    if ((d.name == "csv" || d.name == "mnist") && d.path.empty())
      fail(source, nullptr, "data.path", "the " + d.name + " dataset needs a path");
    if (d.name == "csv" && d.label.empty())
      fail(source, nullptr, "data.label", "the csv dataset needs the label column's name");
    if (d.name == "numpy_normal" && d.label.empty())
      fail(source, nullptr, "data.label", "the numpy_normal dataset needs a label rule, e.g. \"x1^2 + x2^2 > 1.3\"");
    s.reject_unknown();
  }
  {
    Section s(section("model"), "model", source);
    s.read("inputs", cfg.model.inputs);
    s.check(
        "inputs", cfg.model.inputs, [](int64_t v) { return v > 0 && v <= kMaxWidth; }, kWidthRule);
    const std::vector<std::string>& features = cfg.data.features;
    if (!features.empty() && cfg.model.inputs != int64_t(features.size()))
      fail(source, s.node("inputs"), "model.inputs",
           "the network's inputs are data.features' " + std::to_string(features.size()) +
               " columns, but inputs = " + std::to_string(cfg.model.inputs));
    if (!features.empty() &&
        (cfg.data.name == "numpy_normal" || cfg.data.name == "mnist" || cfg.data.name == "diabetes"))
      fail(source, nullptr, "data.features", "features of points need 2-D data, not the " + cfg.data.name + " dataset");
    if (const toml::node* n = s.node("layers")) {
      const toml::array* arr = n->as_array();
      if (!arr) fail(source, n, "model.layers", "expected an array of layer tables, got " + type_name(*n));
      for (size_t i = 0; i < arr->size(); ++i) cfg.model.layers.push_back(read_layer(*arr->get(i), i, source));
    }
    if (cfg.model.layers.empty()) fail(source, nullptr, "model.layers", "the model needs at least one layer");
    s.reject_unknown();
  }
  if (cfg.data.name == "numpy_normal") {  // the rule's variables are the model's inputs x1 .. xN
    try {
      const numpy::LabelRule rule(cfg.data.label, cfg.model.inputs);
    } catch (const ParseError& e) {
      const toml::table* data = root["data"].as_table();
      fail(source, data ? data->get("label") : nullptr, "data.label", e.what());
    }
  }
  {
    Section s(section("loss"), "loss", source);
    s.read_choice("name", cfg.loss.name, recipe_names(loss_recipes()));
    s.read_choice("reduction", cfg.loss.reduction, {"mean", "sum"});
    s.read("label_smoothing", cfg.loss.label_smoothing);
    s.check(
        "label_smoothing", cfg.loss.label_smoothing, [](double v) { return v >= 0 && v <= 1; }, "must be in [0, 1]");
    s.reject_unknown();
  }
  {
    Section s(section("optim"), "optim", source);
    OptimConfig& o = cfg.optim;
    s.read_choice("name", o.name, recipe_names(optim::optimizer_recipes()));
    set_optimizer_defaults(o);  // AdamW's weight_decay 0.01, Adagrad's eps 1e-10, ...
    s.read("lr", o.lr);
    s.check(
        "lr", o.lr, [](double v) { return v > 0; }, "must be positive");
    // Every optimizer's keys are accepted; the chosen one's are checked by its own options.
    for (const std::string& key : optimizer_keys()) {
      if (double* number = optim_number(o, key))
        s.read(key, *number);
      else
        s.read(key, *optim_flag(o, key));
    }
    try {
      optimizer_options(o);
    } catch (const optim::OptionError& e) {
      std::ostringstream got;
      got << e.value();
      const std::string key = e.option();
      const toml::node* at = s.node(key);
      fail(source, at, "optim." + key,
           e.rule() + (key == "nesterov" ? std::string() : ", got " + got.str()) +
               (at ? "" : " (the " + o.name + " default)"));
    }
    s.read("l1", o.l1);
    s.check(
        "l1", o.l1, [](double v) { return v >= 0; }, "must be non-negative");
    s.read("l2", o.l2);
    s.check(
        "l2", o.l2, [](double v) { return v >= 0; }, "must be non-negative");
    s.read("clip_grad_norm", o.clip_grad_norm);
    s.check(
        "clip_grad_norm", o.clip_grad_norm, [](double v) { return v >= 0; }, "must be non-negative");
    s.reject_unknown();
  }
  {
    Section s(section("scheduler"), "scheduler", source);
    SchedulerConfig& c = cfg.scheduler;
    s.read_choice("name", c.name, recipe_names(scheduler_recipes()));
    s.read("step_size", c.step_size);
    s.check(
        "step_size", c.step_size, [](int64_t v) { return v > 0; }, "must be positive");
    s.read("gamma", c.gamma);
    s.check(
        "gamma", c.gamma, [](double v) { return v > 0; }, "must be positive");
    s.read("t_max", c.t_max);
    s.check(
        "t_max", c.t_max, [](int64_t v) { return v >= 0; }, "must be non-negative");
    s.read("eta_min", c.eta_min);
    s.read("warmup_epochs", c.warmup_epochs);
    s.check(
        "warmup_epochs", c.warmup_epochs, [](int64_t v) { return v >= 0; }, "must be non-negative");
    s.read("start_factor", c.start_factor);
    s.check(
        "start_factor", c.start_factor, [](double v) { return v > 0 && v <= 1; }, "must be in (0, 1]");
    s.reject_unknown();
  }
  {
    Section s(section("train"), "train", source);
    TrainLoopConfig& t = cfg.train;
    s.read("epochs", t.epochs);
    s.check(
        "epochs", t.epochs, [](int64_t v) { return v >= 1; }, "must be at least 1");
    s.read("batch_size", t.batch_size);
    s.check(
        "batch_size", t.batch_size, [](int64_t v) { return v >= 0 && v <= kMaxRows; },
        "must be in [0, 10^8] (0 = full batch)");
    s.read("shuffle", t.shuffle);
    s.read("drop_last", t.drop_last);
    s.read("log_every", t.log_every);
    s.check(
        "log_every", t.log_every, [](int64_t v) { return v >= 0; }, "must be non-negative");
    s.read("checkpoint_every", t.checkpoint_every);
    s.check(
        "checkpoint_every", t.checkpoint_every, [](int64_t v) { return v >= 0; }, "must be non-negative");
    s.read("gif_every", t.gif_every);
    s.check(
        "gif_every", t.gif_every, [](int64_t v) { return v >= 0; }, "must be non-negative");
    // boundary.gif keeps every frame until the end: at most kMaxGifFrames of them.
    s.check(
        "gif_every", t.gif_every, [&](int64_t v) { return v == 0 || t.epochs / v < kMaxGifFrames; },
        "makes more than 2000 boundary.gif frames (train.epochs / gif_every): use a larger gif_every, or 0 "
        "(about 40 frames)");
    s.read_choice("generator", t.generator, {"run", "global"});
    s.reject_unknown();
  }
  top.reject_unknown();
  layer_widths(cfg);  // the layers must chain
  return cfg;
}

}  // namespace

TrainConfig parse_train_config(const std::string& text, const std::string& source,
                               const std::vector<std::string>& overrides) {
  try {
    return parse_config_text(text, source, overrides);
  } catch (const ParseError& e) {
    // An error at a line of this file: the line goes with it, for the CLI to echo.
    if (!e.text().empty() || e.line() <= 0 || e.source() != source) throw;
    throw ParseError(e.what(), e.source(), e.line(), e.column(), text);
  }
}

TrainConfig parse_train_config_file(const std::string& path, const std::vector<std::string>& overrides) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw IOError(path + ": is a directory; expected a configuration file (CONFIG.toml)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IOError(path + ": cannot open the configuration file");
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) throw IOError(path + ": cannot read the configuration file");
  return parse_train_config(text.str(), path, overrides);
}

std::vector<int64_t> layer_widths(const TrainConfig& cfg) {
  std::vector<int64_t> widths;
  std::map<std::string, int64_t> by_id;
  int64_t width = cfg.model.inputs;
  for (size_t i = 0; i < cfg.model.layers.size(); ++i) {
    const LayerConfig& l = cfg.model.layers[i];
    auto where = [&] {
      return cfg.source + ":" + std::to_string(l.line) + ": model.layers[" + std::to_string(i) + "] (" + l.type + ")";
    };
    if (l.type == "linear") {
      for (size_t r = 0; r < l.weight_values.size(); ++r)
        if (int64_t(l.weight_values[r].size()) != width)
          throw ParseError(where() + ": weight row " + std::to_string(r) + " has " +
                               std::to_string(l.weight_values[r].size()) + " values, but the layer has " +
                               std::to_string(width) + " inputs ([out][in] layout)",
                           cfg.source, l.line);
      if (width * l.out > kMaxLayerWeights)  // both at most kMaxWidth: the product cannot overflow
        throw ParseError(where() + ": a " + std::to_string(l.out) + "x" + std::to_string(width) +
                             " weight is more than the 2^28 elements a layer may have",
                         cfg.source, l.line);
      width = l.out;
    }
    if (l.type == "add") {
      auto it = by_id.find(l.from);
      if (it == by_id.end())
        throw ParseError(where() + ": from = \"" + l.from + "\" names no earlier layer id", cfg.source, l.line);
      if (it->second != width)
        throw ParseError(where() + ": cannot add the output of \"" + l.from + "\" (" + std::to_string(it->second) +
                             " features) to the current value (" + std::to_string(width) + " features)",
                         cfg.source, l.line);
    }
    if (l.type == "groupnorm" && width % int64_t(l.params.at("groups")) != 0)
      throw ParseError(where() + ": " + std::to_string(width) + " features cannot be split into " +
                           std::to_string(int64_t(l.params.at("groups"))) + " groups",
                       cfg.source, l.line);
    if (!l.id.empty()) {
      if (by_id.count(l.id)) throw ParseError(where() + ": id \"" + l.id + "\" is used twice", cfg.source, l.line);
      by_id[l.id] = width;
    }
    widths.push_back(width);
  }
  return widths;
}
}  // namespace nabla::train
