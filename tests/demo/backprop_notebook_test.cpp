// Notebook 002 §2 on the backpropagation notebook's protocol (course/backprop_notebook.h)
// against numpy running the same protocol with the notebook's hand-written backward pass:
// tests/golden/backprop_notebook_golden.json, made by tests/golden/gen_backprop_notebook.py.
// The losses match to 1e-10 relative for as long as numpy's own runs, started one ulp apart, stay
// within 1e-10 of each other (exact_epochs); beyond that point only the outcome is compared, within
// the spread those one-ulp runs show. The same comparison is made on `nabla demo ... --json`.
#include "course/backprop_notebook.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/subprocess.h"
#include "nabla/error.h"

namespace nabla::demo {
namespace {

using nlohmann::json;

const json& golden() {
  static const json doc = [] {
    std::ifstream in(std::string(NABLA_SOURCE_DIR) + "/tests/golden/backprop_notebook_golden.json");
    return in ? json::parse(in) : json();
  }();
  return doc;
}

double relative(double a, double b) { return std::fabs(a - b) / std::max({std::fabs(a), std::fabs(b), 1e-300}); }

// One run's numbers against numpy's: `name` is "relu_mean", "sigmoid_sum", ...
void expect_run_matches(const std::string& name, const std::vector<double>& train_loss,
                        const std::vector<double>& grad_norms, double val_accuracy) {
  SCOPED_TRACE(name);
  ASSERT_FALSE(golden().is_null()) << "tests/golden/backprop_notebook_golden.json is missing; regenerate it with "
                                      "/usr/bin/python3 tests/golden/gen_backprop_notebook.py";
  const json& g = golden()["runs"][name];
  const double tol = golden()["tolerance"].get<double>();
  const auto epochs = golden()["epochs"].get<size_t>();
  ASSERT_EQ(train_loss.size(), epochs);

  // Exactly, up to where rounding alone starts to change the trajectory.
  const auto exact = g["train_loss_exact"].get<std::vector<double>>();
  ASSERT_EQ(exact.size(), g["exact_epochs"].get<size_t>());
  for (size_t e = 0; e < exact.size(); ++e)
    ASSERT_LE(relative(train_loss[e], exact[e]), tol)
        << "epoch " << e + 1 << ": nabla " << train_loss[e] << ", numpy " << exact[e];
  const auto norms = g["grad_norms_first_step"].get<std::vector<double>>();
  ASSERT_EQ(grad_norms.size(), norms.size());
  for (size_t l = 0; l < norms.size(); ++l) EXPECT_LE(relative(grad_norms[l], norms[l]), tol) << "layer " << l + 1;

  // Beyond it, the outcome within the spread that one-ulp changes cause in numpy (widened by its
  // own width, since four perturbed runs only sample that spread), or exactly where there is none.
  const auto loss_range = g["spread"]["final_train_loss"].get<std::vector<double>>();
  const auto acc_range = g["spread"]["val_accuracy"].get<std::vector<double>>();
  const double final_loss = train_loss.back();
  if (exact.size() == epochs) {
    EXPECT_EQ(val_accuracy, g["val_accuracy"].get<double>());
  } else {
    const double w = loss_range[1] - loss_range[0];
    EXPECT_GE(final_loss, loss_range[0] - w - tol * loss_range[0]);
    EXPECT_LE(final_loss, loss_range[1] + w + tol * loss_range[1]);
    const double aw = std::max(acc_range[1] - acc_range[0], 0.5);  // at least one of the 200 rows
    EXPECT_GE(val_accuracy, acc_range[0] - aw);
    EXPECT_LE(val_accuracy, acc_range[1] + aw);
  }
}

const BackpropNotebookData& data() {
  static const BackpropNotebookData d = backprop_notebook_data();
  return d;
}

TEST(BackpropNotebook, DataIsNumpysAndScikitLearns) {
  ASSERT_FALSE(golden().is_null());
  const json& g = golden()["data"];
  ASSERT_EQ(data().train_rows(), g["train_rows"].get<int64_t>());
  ASSERT_EQ(data().val_rows(), g["val_rows"].get<int64_t>());
  double class1 = 0, val1 = 0;
  for (double y : data().y_train) class1 += y;
  for (double y : data().y_val) val1 += y;
  EXPECT_EQ(class1, g["train_class1"].get<double>());
  EXPECT_EQ(val1, g["val_class1"].get<double>());
  // The generator is numpy's bit for bit: the first rows are the same doubles.
  const auto first = g["X_train_first"].get<std::vector<double>>();
  const auto val_first = g["X_val_first"].get<std::vector<double>>();
  for (size_t i = 0; i < first.size(); ++i) EXPECT_EQ(data().x_train[i], first[i]) << i;
  for (size_t i = 0; i < val_first.size(); ++i) EXPECT_EQ(data().x_val[i], val_first[i]) << i;
  double sum = 0;
  for (double v : data().x_train) sum += v;
  EXPECT_LE(relative(sum, g["X_train_sum"].get<double>()), 1e-12);
}

struct Case {
  const char* name;
  HiddenUnits units;
  nn::Reduction reduction;
};

class BackpropNotebookRuns : public ::testing::TestWithParam<Case> {};

TEST_P(BackpropNotebookRuns, MatchNumpyRunningTheSameProtocol) {
  const Case c = GetParam();
  const BackpropNotebookRun run = backprop_notebook_run(data(), c.units, c.reduction);
  expect_run_matches(c.name, run.train_loss, {run.grad_norms_first_step.begin(), run.grad_norms_first_step.end()},
                     run.val_accuracy);
  EXPECT_EQ(run.val_accuracy_per_epoch.size(), run.train_loss.size());
  EXPECT_EQ(run.val_accuracy_per_epoch.back(), run.val_accuracy);
  // The trained parameters give the same predictions again.
  const std::vector<double> p = backprop_notebook_predict(run, data().x_val);
  ASSERT_EQ(p.size(), data().y_val.size());
  int right = 0;
  for (size_t i = 0; i < p.size(); ++i) right += (p[i] > 0.5) == (data().y_val[i] > 0.5);
  EXPECT_DOUBLE_EQ(100.0 * right / double(p.size()), run.val_accuracy);
  // What the demo's text says about rounding is what numpy measured.
  const json& g = golden()["runs"][c.name];
  const RoundingSensitivity rs = backprop_notebook_sensitivity(c.units, c.reduction);
  EXPECT_EQ(rs.exact_epochs, g["exact_epochs"].get<int64_t>());
  EXPECT_EQ(rs.val_accuracy_min, g["spread"]["val_accuracy"][0].get<double>());
  EXPECT_EQ(rs.val_accuracy_max, g["spread"]["val_accuracy"][1].get<double>());
}

INSTANTIATE_TEST_SUITE_P(FourRuns, BackpropNotebookRuns,
                         ::testing::Values(Case{"relu_mean", HiddenUnits::relu_residual, nn::Reduction::mean},
                                           Case{"relu_sum", HiddenUnits::relu_residual, nn::Reduction::sum},
                                           Case{"sigmoid_mean", HiddenUnits::sigmoid, nn::Reduction::mean},
                                           Case{"sigmoid_sum", HiddenUnits::sigmoid, nn::Reduction::sum}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(BackpropNotebook, BadSettingsAreClearErrors) {
  BackpropNotebookSettings s;
  s.batch = 0;
  EXPECT_THROW(backprop_notebook_run(data(), HiddenUnits::sigmoid, nn::Reduction::mean, s), ValueError);
  EXPECT_THROW(backprop_notebook_run(data(), HiddenUnits::sigmoid, nn::Reduction::none), ValueError);
  BackpropNotebookData broken = data();
  broken.x_train.pop_back();
  EXPECT_THROW(backprop_notebook_run(broken, HiddenUnits::sigmoid), ValueError);
  EXPECT_THROW(backprop_notebook_predict(BackpropNotebookRun{}, {0.0, 0.0}), ValueError);
}

// `nabla demo NAME --json` prints the same numbers: one JSON object and nothing else.
json demo_json(const std::string& name) {
  const testing::CliResult r = testing::run_cli({"demo", name, "--json"}, {{"LC_ALL", ""}, {"LANG", "C.UTF-8"}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);  // throws (fails the test) on anything but one JSON document
  EXPECT_EQ(j["demo"], name);
  return j["numbers"];
}

void expect_json_run(const json& n, const std::string& golden_name, bool norms) {
  ASSERT_TRUE(n.is_object()) << golden_name;
  expect_run_matches(golden_name, n["train_loss"].get<std::vector<double>>(),
                     norms ? n["grad_norms_first_step"].get<std::vector<double>>()
                           : golden()["runs"][golden_name]["grad_norms_first_step"].get<std::vector<double>>(),
                     n["val_accuracy"].get<double>());
}

TEST(BackpropNotebookCli, ResidualVsSigmoidJson) {
  const json n = demo_json("residual-vs-sigmoid");
  expect_json_run(n["residual"], "relu_mean", true);
  expect_json_run(n["sigmoid"], "sigmoid_mean", true);
}

TEST(BackpropNotebookCli, BceMeanVsSumJson) {
  const json n = demo_json("bce-mean-vs-sum");
  for (const char* name : {"relu_mean", "relu_sum", "sigmoid_mean", "sigmoid_sum"})
    expect_json_run(n[name], name, false);
}

}  // namespace
}  // namespace nabla::demo
