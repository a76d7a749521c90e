// The playground's controls: their names, their JSON (checked), and the `nabla train`
// configuration they amount to.
#include <cmath>
#include <map>

#include "nabla/error.h"
#include "nabla/optim/optimizer.h"
#include "nabla/train/recipes.h"
#include "session/internal.h"
#include "session/session.h"

namespace nabla::serve {

using nlohmann::json;
using namespace internal;

namespace {

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

}  // namespace nabla::serve
