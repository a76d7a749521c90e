// `nabla demo NAME --json` for every demo: one JSON object {"demo": NAME, "numbers": {...}} on
// stdout and nothing else, no pictures unless --out is given, and the numbers at full precision:
// compared with the numpy references of demo_reference.h and PyTorch's dense-configs golden
// (residual-vs-sigmoid and bce-mean-vs-sum: backprop_notebook_test.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/subprocess.h"
#include "demo/demo_reference.h"

namespace nabla::testing {
namespace {

using nlohmann::json;
namespace ref = nabla::demo::reference;

const std::map<std::string, std::string> kEnglish{{"LC_ALL", ""}, {"LC_MESSAGES", ""}, {"LANG", "C.UTF-8"}};

json demo_json(const std::string& name) {
  const CliResult r = run_cli({"demo", name, "--json"}, kEnglish);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  json j;
  EXPECT_NO_THROW(j = json::parse(r.out)) << r.out;  // one JSON document, nothing around it
  EXPECT_EQ(j.value("demo", ""), name);
  EXPECT_TRUE(j["numbers"].is_object() && !j["numbers"].empty()) << r.out;
  return j["numbers"];
}

TEST(DemoJson, CostLandscapeIsNumpys) {
  const json n = demo_json("cost-landscape");
  ASSERT_EQ(n["critical_points"].size(), std::size(ref::kCostCritical));
  for (size_t i = 0; i < std::size(ref::kCostCritical); ++i) {
    const json& p = n["critical_points"][i];
    EXPECT_NEAR(p["W"].get<double>(), ref::kCostCritical[i].w, 1e-9);
    EXPECT_NEAR(p["C"].get<double>(), ref::kCostCritical[i].c, 1e-9);
    EXPECT_NEAR(p["d2C"].get<double>(), ref::kCostCritical[i].d2, 1e-8);
    EXPECT_EQ(p["kind"], ref::kCostCritical[i].d2 > 0 ? "minimum" : "maximum");
  }
  EXPECT_NEAR(n["C_at_6"].get<double>(), ref::kCostAt6, 1e-9);
  EXPECT_NEAR(n["descents"][0]["W"].get<double>(), ref::kCostCritical[0].w, 1e-3);  // W0 = −0.5 ends at −2
  EXPECT_NEAR(n["descents"][1]["W"].get<double>(), ref::kCostCritical[2].w, 1e-3);  // W0 = 0.5 ends at 3
}

TEST(DemoJson, ChainRuleIsNumpys) {
  const json n = demo_json("chain-rule");
  // Rows at x = −4, −2, 0, 1, argmin, 2, 4; the reference has them without the argmin.
  const json& rows = n["sigmoid_square"];
  ASSERT_EQ(rows.size(), 7u);
  size_t k = 0;
  for (const json& row : rows) {
    if (row["x"].get<double>() == n["argmin_x"].get<double>()) continue;
    const ref::ChainRow& r = ref::kChain[k++];
    EXPECT_EQ(row["x"].get<double>(), r.x);
    EXPECT_NEAR(row["C"].get<double>(), r.C, 1e-15);
    EXPECT_NEAR(row["dC_dx"].get<double>(), r.dC_dx, 1e-15);
    EXPECT_NEAR(row["dC_dx_autograd"].get<double>(), r.dC_dx, 1e-15);
  }
  EXPECT_NEAR(n["argmin_x"].get<double>(), ref::kChainArgmin, 1e-12);
  EXPECT_NEAR(n["notebook_001_step"]["notebook_new_W"].get<double>(), ref::kSeed001SeedW, 1e-15);
  EXPECT_NEAR(n["notebook_001_step"]["new_W"].get<double>(), ref::kSeed001RightW, 1e-15);
}

TEST(DemoJson, NeuronStepIsNumpys) {
  const json n = demo_json("neuron-step");
  for (auto [key, r] : {std::pair{"step", ref::kNeuronY1}, {"step_with_implied_target", ref::kNeuronY5}}) {
    SCOPED_TRACE(key);
    const json& s = n[key];
    EXPECT_NEAR(s["output"].get<double>(), r.output, 1e-15);
    EXPECT_NEAR(s["residual"].get<double>(), r.residual, 1e-15);
    EXPECT_NEAR(s["delta"].get<double>(), r.delta, 1e-15);
    EXPECT_NEAR(s["new_w"][0].get<double>(), r.w0, 1e-15);
    EXPECT_NEAR(s["new_output"].get<double>(), r.new_output, 1e-15);
  }
}

TEST(DemoJson, XnorThresholdIsTheTruthTable) {
  const json n = demo_json("xnor-threshold");
  ASSERT_EQ(n["truth_table"].size(), 4u);
  for (const json& row : n["truth_table"]) {
    const bool x1 = row["x1"].get<double>() > 0.5, x2 = row["x2"].get<double>() > 0.5;
    EXPECT_EQ(row["y"].get<double>(), x1 == x2 ? 1.0 : 0.0);
  }
  EXPECT_EQ(n["rows_wrong"], 0);
}

TEST(DemoJson, AutodiffIsNumpys) {
  const json n = demo_json("autodiff");
  bool found = false;
  for (const ref::Named& v : ref::kTraceValues) {
    if (std::string(v.name) != "f") continue;
    EXPECT_NEAR(n["f"].get<double>(), v.value, 1e-14);
    found = true;
  }
  EXPECT_TRUE(found);
  EXPECT_GT(n["checks"].size(), 20u);
  EXPECT_EQ(n["agree"].get<int>(), 16);  // the notebook's 26 hand values: 16 to the digits written
}

TEST(DemoJson, TrainingDemosRetraceTheNotebooks) {
  const json nb = demo_json("neuron-boundary");
  ASSERT_EQ(nb["train_loss"].size(), std::size(ref::kNeuronBoundaryCosts));
  // The cost before each epoch's update, as the notebook's loop computes it.
  for (size_t e = 0; e < std::size(ref::kNeuronBoundaryCosts); ++e)
    EXPECT_NEAR(nb["train_loss"][e].get<double>(), ref::kNeuronBoundaryCosts[e], 1e-12) << e;
  EXPECT_NEAR(nb["w"][0].get<double>(), ref::kNeuronBoundaryFinal[0], 1e-12);
  EXPECT_NEAR(nb["w"][1].get<double>(), ref::kNeuronBoundaryFinal[1], 1e-12);

  const json x = demo_json("xor");
  ASSERT_EQ(x["errors_every_1000"].size(), x["notebook_errors"].size());
  for (size_t k = 0; k < x["notebook_errors"].size(); ++k)  // the printout's 4 digits
    EXPECT_NEAR(x["errors_every_1000"][k]["error"].get<double>(), x["notebook_errors"][k].get<double>(), 0.5e-4);
  for (size_t k = 0; k < x["notebook_outputs"].size(); ++k)
    EXPECT_NEAR(x["final_outputs"][k].get<double>(), x["notebook_outputs"][k].get<double>(), 0.5e-8);

  const json c = demo_json("circle-2-2-1");
  for (const ref::StepCost& sc : ref::kCircleCosts)
    EXPECT_NEAR(c["train_loss"][size_t(sc.step)].get<double>(), sc.cost, 1e-12) << "step " << sc.step;
  EXPECT_TRUE(c["wider_4_units"].is_object());
}

// The dense-network homework against PyTorch running its protocol (tests/golden/dense_configs_golden.json,
// made by tests/golden/gen_dense_configs.py): float32, so the first epochs' losses to 1e-4, and
// the test MSE, within three times the spread PyTorch's own one-ulp runs show (as dense_configs_test).
TEST(DemoJson, DenseConfigsIsPyTorchs) {
  std::ifstream in(std::string(NABLA_SOURCE_DIR) + "/tests/golden/dense_configs_golden.json");
  ASSERT_TRUE(in) << "tests/golden/dense_configs_golden.json is missing";
  const json g = json::parse(in);
  const json n = demo_json("dense-configs");
  for (size_t c = 0; c < 3; ++c) {
    const json& got = n["config" + std::to_string(c + 1)];
    const json& want = g["configs"][c];
    SCOPED_TRACE(c + 1);
    EXPECT_EQ(got["params"], want["params"]);
    const auto train = got["train_loss"].get<std::vector<double>>(), val = got["val_loss"].get<std::vector<double>>();
    ASSERT_EQ(train.size(), want["train_mse"].size());
    ASSERT_EQ(val.size(), want["val_mse"].size());
    // The first epochs to 1e-4, or three times what PyTorch's own one-ulp runs move them by so far
    // (configuration 1's validation MSE moves by up to 3.6e-4 there).
    double train_reach = 0, val_reach = 0;
    for (size_t e = 0; e < 5; ++e) {
      const double t = want["train_mse"][e], v = want["val_mse"][e];
      train_reach = std::max(train_reach, want["spread"]["train_mse"][e].get<double>());
      val_reach = std::max(val_reach, want["spread"]["val_mse"][e].get<double>());
      EXPECT_NEAR(train[e], t, std::max(1e-4 * t, 3 * train_reach)) << "training MSE, epoch " << e + 1;
      EXPECT_NEAR(val[e], v, std::max(1e-4 * v, 3 * val_reach)) << "validation MSE, epoch " << e + 1;
    }
    const double torch_test = want["test_mse"], spread = want["spread"]["test_mse"];
    EXPECT_NEAR(got["test_mse"].get<double>(), torch_test, std::max(1e-4 * torch_test, 3 * spread));
    EXPECT_NEAR(n["predict_mean_test_mse"].get<double>(), want["mean_predictor_test_mse"].get<double>(),
                1e-12 * want["mean_predictor_test_mse"].get<double>());
  }
}

TEST(DemoJson, NoPicturesWithoutOutButWithIt) {
  TempDir cwd;
  const auto here = std::filesystem::current_path();
  std::filesystem::current_path(cwd.path);
  const CliResult r = run_cli({"demo", "xnor-threshold", "--json"}, kEnglish);
  std::filesystem::current_path(here);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(cwd.path / "demo-xnor-threshold"));
  TempDir out;
  const CliResult with = run_cli({"demo", "xnor-threshold", "--json", "--out", out.path.string()}, kEnglish);
  ASSERT_EQ(with.exit_code, 0) << with.err;
  EXPECT_TRUE(json::accept(with.out)) << with.out;  // the list of pictures is not printed
  EXPECT_TRUE(std::filesystem::exists(out.path / "regions.png"));
}

}  // namespace
}  // namespace nabla::testing
