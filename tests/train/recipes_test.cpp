// The recipe tables (nabla/train/recipes.h, nabla/optim/registry.h): every row — layer type,
// loss, optimizer, scheduler — is reachable from a TOML file, from `--set`, from the
// playground's session config where the playground offers it, and is named in the README's
// schema; its defaults are its options' own, and its options' checks reach the config's errors.
// (tests/python/test_recipes.py does the same from Python.)
#include "nabla/train/recipes.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nabla/optim/optim.h"
#include "nabla/train/trainer.h"
#include "session/session.h"

namespace nabla::train {
namespace {

// A 2-4-<layer>-(k) network on `data`, with one layer of type `type` in the middle.
std::string config_with_layer(const std::string& type) {
  std::string extra;
  if (type == "groupnorm") extra = ", groups = 2";
  if (type == "add") extra = ", from = \"h\"";
  if (type == "linear") extra = ", out = 4";
  return "seed = 1\n[data]\nname = \"moons\"\nn = 32\n[model]\ninputs = 2\nlayers = [\n"
         "  { type = \"linear\", out = 4, id = \"h\" },\n  { type = \"" +
         type + "\"" + extra +
         " },\n  { type = \"linear\", out = 1 },\n  { type = \"sigmoid\" },\n]\n"
         "[loss]\nname = \"bce\"\n[train]\nepochs = 2\nbatch_size = 8\n";
}

TEST(Recipes, EveryLayerTypeIsReachableFromTomlAndSet) {
  for (const LayerRecipe& row : layer_recipes()) {
    SCOPED_TRACE(row.name);
    // TOML.
    const TrainConfig from_file = parse_train_config(config_with_layer(row.name), "layer.toml");
    ASSERT_EQ(from_file.model.layers[1].type, row.name);
    for (const LayerOption& o : row.options) EXPECT_TRUE(from_file.model.layers[1].params.count(o.key)) << o.key;
    Trainer trainer(from_file);
    EXPECT_TRUE(std::isfinite(trainer.run_epoch().train_loss));
    // --set: the type of the middle layer replaced on top of a relu.
    std::vector<std::string> sets = {"model.layers.1.type=" + row.name};
    for (const LayerOption& o : row.options)
      if (o.required) sets.push_back("model.layers.1." + o.key + "=2");
    if (row.name == "add") sets.push_back("model.layers.1.from=h");
    if (row.name == "linear") sets.push_back("model.layers.1.out=4");
    const TrainConfig from_set = parse_train_config(config_with_layer("relu"), "layer.toml", sets);
    EXPECT_EQ(to_toml(from_set), to_toml(from_file));
    // to_toml writes every option, and reads back the same.
    EXPECT_EQ(to_toml(parse_train_config(to_toml(from_file), "resolved.toml")), to_toml(from_file));
  }
}

TEST(Recipes, LayerOptionChecksComeFromTheRow) {
  for (const LayerRecipe& row : layer_recipes())
    for (const LayerOption& o : row.options) {
      if (!o.valid) continue;
      SCOPED_TRACE(row.name + "." + o.key);
      try {
        parse_train_config(config_with_layer(row.name), "layer.toml", {"model.layers.1." + o.key + "=-7.5"});
        ADD_FAILURE() << "no error";
      } catch (const ParseError& e) {
        EXPECT_NE(std::string(e.what()).find("model.layers[1]." + o.key + ": " + o.rule), std::string::npos)
            << e.what();
      }
    }
}

TEST(Recipes, EveryLossIsReachableFromTomlAndSet) {
  for (const LossRecipe& row : loss_recipes()) {
    SCOPED_TRACE(row.name);
    const std::string text = config_with_layer("relu") + "";
    const TrainConfig c = parse_train_config(text, "loss.toml", {"loss.name=" + row.name});
    EXPECT_EQ(c.loss.name, row.name);
    EXPECT_NE(make_loss(c.loss), nullptr);
    std::string toml = text;
    toml.replace(toml.find("name = \"bce\""), 12, "name = \"" + row.name + "\"");
    EXPECT_EQ(parse_train_config(toml, "loss.toml").loss.name, row.name);
  }
}

TEST(Recipes, EveryOptimizerIsReachableWithItsOwnDefaults) {
  for (const optim::OptimizerRecipe& row : optim::optimizer_recipes()) {
    SCOPED_TRACE(row.name);
    std::string text = config_with_layer("relu") + "[optim]\nname = \"" + row.name + "\"\nlr = 0.01\n";
    const TrainConfig c = parse_train_config(text, "optim.toml");
    const TrainConfig set = parse_train_config(config_with_layer("relu"), "optim.toml", {"optim.name=" + row.name});
    EXPECT_EQ(to_toml(set), to_toml(c));
    // The defaults are the options' own: what the optimizer built from the config holds equals
    // its options type's defaults (lr aside).
    Trainer trainer(c);
    nlohmann::json built = trainer.optimizer().group_options(0).to_json(), defaults = row.options()->to_json();
    built.erase("lr"), defaults.erase("lr");
    EXPECT_EQ(built, defaults);
    EXPECT_EQ(trainer.optimizer().name(), row.type);
    EXPECT_TRUE(std::isfinite(trainer.run_epoch().train_loss));
    // Every numeric key the row reads is checked by the options, and the error names the key.
    for (const std::string& key : row.keys) {
      if (!optim_number(c.optim, key)) continue;
      try {
        parse_train_config(text, "optim.toml", {"optim." + key + "=-1"});
        ADD_FAILURE() << key << " = -1 accepted";
      } catch (const ParseError& e) {
        EXPECT_NE(std::string(e.what()).find("optim." + key + ": must be"), std::string::npos) << e.what();
      }
    }
  }
}

TEST(Recipes, EverySchedulerIsReachable) {
  for (const SchedulerRecipe& row : scheduler_recipes()) {
    SCOPED_TRACE(row.name);
    const TrainConfig c = parse_train_config(config_with_layer("relu"), "s.toml", {"scheduler.name=" + row.name});
    Trainer trainer(c);
    EXPECT_TRUE(std::isfinite(trainer.run_epoch().train_loss));
    for (const std::string& key : row.keys) EXPECT_NE(to_toml(c).find(key + " = "), std::string::npos) << key;
  }
}

TEST(Recipes, ThePlaygroundReachesEveryOptimizerAndActivation) {
  using serve::Session;
  for (const optim::OptimizerRecipe& row : optim::optimizer_recipes()) {
    SCOPED_TRACE(row.name);
    Session s(serve::session_config_from_json({{"optimizer", row.name}, {"points", 40}}));
    s.train_batches(3);
    EXPECT_EQ(s.train_config().optim.name, row.name);
    EXPECT_NE(s.export_toml().find("name = \"" + row.name + "\""), std::string::npos);
  }
  for (const LayerRecipe& row : layer_recipes()) {
    if (!row.activation) continue;
    SCOPED_TRACE(row.name);
    const std::string name = row.name == "identity" ? "linear" : row.name;
    Session s(serve::session_config_from_json({{"activation", name}, {"points", 40}}));
    s.train_batches(3);
    EXPECT_EQ(s.train_config().model.layers[1].type, row.name);
  }
  // The playground's losses are rows of the loss table (bce, mse; cross_entropy for k classes).
  for (const char* loss : {"bce", "mse"})
    EXPECT_EQ(Session(serve::session_config_from_json({{"loss", loss}})).train_config().loss.name, loss);
  EXPECT_EQ(Session(serve::session_config_from_json({{"dataset", "blobs"}, {"classes", 3}})).train_config().loss.name,
            "cross_entropy");
}

std::string readme() {
  std::ifstream in(std::string(NABLA_SOURCE_DIR) + "/README.md");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The README line that starts with `start`, up to the next blank line.
std::string readme_part(const std::string& start) {
  const std::string text = readme();
  const size_t at = text.find(start);
  if (at == std::string::npos) return "";
  return text.substr(at, text.find("\n\n", at) - at);
}

TEST(Recipes, TheReadmeSchemaNamesEveryRow) {
  const std::string layers = readme_part("Layer types and their options:");
  for (const LayerRecipe& row : layer_recipes()) {
    EXPECT_NE(layers.find("`" + row.name + "`"), std::string::npos) << "layer type " << row.name;
    for (const LayerOption& o : row.options)
      if (row.name != "gelu") EXPECT_NE(layers.find("`" + o.key + "`"), std::string::npos) << row.name << "." << o.key;
  }
  const std::string loss = readme_part("| `[loss] name` |").substr(0, readme_part("| `[loss] name` |").find('\n'));
  for (const LossRecipe& row : loss_recipes())
    EXPECT_NE(loss.find("`" + row.name + "`"), std::string::npos) << row.name;
  const std::string optim = readme_part("| `[optim] name` |");
  for (const optim::OptimizerRecipe& row : optim::optimizer_recipes()) {
    EXPECT_NE(optim.substr(0, optim.find('\n')).find("`" + row.name + "`"), std::string::npos) << row.name;
    for (const std::string& key : row.keys) EXPECT_NE(optim.find(key + "`"), std::string::npos) << key;
  }
  const std::string sched = readme_part("| `[scheduler] name` |");
  for (const SchedulerRecipe& row : scheduler_recipes()) {
    EXPECT_NE(sched.find("`" + row.name + "`"), std::string::npos) << row.name;
    for (const std::string& key : row.keys) EXPECT_NE(sched.find("`" + key + "`"), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace nabla::train
