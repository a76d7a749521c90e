// to_toml: a TrainConfig written back as the TOML nabla train reads, every number the shortest
// way that reads back exactly (the reading side is config.cpp).
#include <toml++/toml.h>

#include <charconv>
#include <cmath>
#include <sstream>

#include "nabla/error.h"
#include "nabla/optim/registry.h"
#include "nabla/train/config.h"
#include "nabla/train/recipes.h"

namespace nabla::train {

namespace {

// toml++'s writer (Debian's compiled 3.3, without floating-point to_chars) prints every double
// with 17 significant digits (0.03 as 0.029999999999999999). Ours prints the shortest text that
// reads back as the same double (std::to_chars), and leaves strings, integers and booleans to
// toml++.
std::string toml_double(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";  // "3" would read back as an integer
  return s;
}

constexpr auto kTomlFlags = toml::toml_formatter::default_flags & ~toml::format_flags::allow_literal_strings;

std::string toml_key(std::string_view k) {
  const bool bare = !k.empty() && std::all_of(k.begin(), k.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  if (bare) return std::string(k);
  std::ostringstream out;
  out << toml::toml_formatter(toml::value<std::string>(std::string(k)), kTomlFlags);
  return out.str();
}

void write_toml_value(std::ostream& out, const toml::node& n) {
  if (const auto* d = n.as_floating_point()) {
    out << toml_double(d->get());
  } else if (const auto* a = n.as_array()) {
    out << "[";
    for (size_t i = 0; i < a->size(); ++i) {
      out << (i ? ", " : "");
      write_toml_value(out, *a->get(i));
    }
    out << "]";
  } else if (const auto* t = n.as_table()) {  // inline
    out << "{";
    bool first = true;
    for (auto&& [k, v] : *t) {
      out << (first ? " " : ", ") << toml_key(k.str()) << " = ";
      write_toml_value(out, v);
      first = false;
    }
    out << (first ? "}" : " }");
  } else {
    out << toml::toml_formatter(n, kTomlFlags);
  }
}

// A root of plain values and [sections] of plain values (arrays and inline tables included).
std::string write_toml(const toml::table& root) {
  std::ostringstream out;
  auto entries = [&](const toml::table& t) {
    for (auto&& [k, v] : t) {
      if (v.is_table() && &t == &root) continue;
      out << toml_key(k.str()) << " = ";
      write_toml_value(out, v);
      out << "\n";
    }
  };
  entries(root);
  for (auto&& [k, v] : root) {
    if (const auto* t = v.as_table()) {
      out << "\n[" << toml_key(k.str()) << "]\n";
      entries(*t);
    }
  }
  return out.str();
}

}  // namespace

toml::array number_array(const std::vector<double>& v) {
  toml::array a;
  for (double x : v) a.push_back(x);
  return a;
}

toml::array string_array(const std::vector<std::string>& v) {
  toml::array a;
  for (const std::string& s : v) a.push_back(s);
  return a;
}

std::string to_toml(const TrainConfig& c) {
  auto num = [](double v) { return v; };
  toml::table root;
  root.insert("seed", int64_t(c.seed));
  root.insert("dtype", std::string(dtype_name(c.dtype)));
  root.insert("data", toml::table{{"name", c.data.name},
                                  {"n", c.data.n},
                                  {"noise", num(c.data.noise)},
                                  {"test_fraction", num(c.data.test_fraction)},
                                  {"classes", c.data.classes},
                                  {"path", c.data.path},
                                  {"label", c.data.label},
                                  {"standardize", c.data.standardize},
                                  {"split", c.data.split},
                                  {"random_state", c.data.random_state},
                                  {"validation_fraction", num(c.data.validation_fraction)},
                                  {"features", string_array(c.data.features)},
                                  {"scale", c.data.scale},
                                  {"shift", number_array(c.data.shift)},
                                  {"box", c.data.box}});
  toml::array layers;
  for (const LayerConfig& l : c.model.layers) {
    toml::table t{{"type", l.type}};
    if (!l.id.empty()) t.insert("id", l.id);
    if (l.type == "linear") {
      t.insert("out", l.out);
      if (!l.bias_values.empty()) {
        toml::array b;
        for (double v : l.bias_values) b.push_back(v);
        t.insert("bias", std::move(b));
      } else {
        t.insert("bias", l.bias);
      }
      t.insert("init", l.init);
      if (!l.weight_values.empty()) {
        toml::array w;
        for (const auto& row : l.weight_values) {
          toml::array r;
          for (double v : row) r.push_back(v);
          w.push_back(std::move(r));
        }
        t.insert("weight", std::move(w));
      }
    }
    if (l.type == "add") t.insert("from", l.from);
    for (const auto& [k, v] : l.params) {
      if (l.type == "gelu" && k == "tanh")
        t.insert("approximate", v != 0 ? "tanh" : "none");
      else
        t.insert(k, v);
    }
    t.is_inline(true);
    layers.push_back(std::move(t));
  }
  root.insert("model", toml::table{{"inputs", c.model.inputs}, {"layers", std::move(layers)}});
  root.insert(
      "loss",
      toml::table{{"name", c.loss.name}, {"reduction", c.loss.reduction}, {"label_smoothing", c.loss.label_smoothing}});
  const OptimConfig& o = c.optim;
  toml::table optim{{"name", o.name}, {"lr", o.lr}, {"l1", o.l1}, {"l2", o.l2}, {"clip_grad_norm", o.clip_grad_norm}};
  for (const std::string& key : optimizer_keys()) {
    if (const double* number = optim_number(o, key))
      optim.insert(key, *number);
    else
      optim.insert(key, *optim_flag(o, key));
  }
  root.insert("optim", std::move(optim));
  const SchedulerConfig& s = c.scheduler;
  root.insert("scheduler", toml::table{{"name", s.name},
                                       {"step_size", s.step_size},
                                       {"gamma", s.gamma},
                                       {"t_max", s.t_max},
                                       {"eta_min", s.eta_min},
                                       {"warmup_epochs", s.warmup_epochs},
                                       {"start_factor", s.start_factor}});
  const TrainLoopConfig& t = c.train;
  root.insert("train", toml::table{{"epochs", t.epochs},
                                   {"batch_size", t.batch_size},
                                   {"shuffle", t.shuffle},
                                   {"drop_last", t.drop_last},
                                   {"log_every", t.log_every},
                                   {"checkpoint_every", t.checkpoint_every},
                                   {"gif_every", t.gif_every},
                                   {"generator", t.generator}});
  return write_toml(root);
}

}  // namespace nabla::train
