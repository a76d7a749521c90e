// `nabla demo` and `nabla explore` run as subprocesses into temporary directories: exit codes,
// the key numbers of each demo's text, English and Spanish, and every picture read back as a
// valid PNG / GIF / SVG of a sensible size.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cli/subprocess.h"
#include "demo/image_checks.h"

namespace nabla::testing {
namespace {

using demo::testing::ImageInfo;
using demo::testing::inspect_image;

const std::map<std::string, std::string> kEnglish{{"LC_ALL", ""}, {"LC_MESSAGES", ""}, {"LANG", "C.UTF-8"}};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Every file of `names` exists in `dir` and is a valid picture: a few hundred pixels a side, a few
// KB to a few MB; GIFs have more than one frame.
void expect_pictures(const std::filesystem::path& dir, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const std::filesystem::path p = dir / name;
    ASSERT_TRUE(std::filesystem::exists(p));
    const ImageInfo info = inspect_image(p.string());
    EXPECT_TRUE(info.ok()) << info.error;
    EXPECT_GE(info.width, 300);
    EXPECT_LE(info.width, 3000);
    EXPECT_GE(info.height, 200);
    EXPECT_LE(info.height, 2000);
    EXPECT_GT(info.bytes, 2000u);
    EXPECT_LT(info.bytes, 4u << 20);
    if (info.format == "gif") EXPECT_GE(info.frames, 20);
  }
}

CliResult run_demo(const std::string& name, const TempDir& dir, std::vector<std::string> extra = {},
                   const std::map<std::string, std::string>& env = kEnglish) {
  std::vector<std::string> args{"demo", name, "--out", dir.path.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_cli(args, env);
}

TEST(DemoCli, ListNamesEveryDemoWithItsSeed) {
  const CliResult r = run_cli({"demo", "--list"}, kEnglish);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* name : {"cost-landscape", "chain-rule", "neuron-step", "neuron-boundary", "circle-2-2-1", "xor",
                           "xnor-threshold", "residual-vs-sigmoid", "bce-mean-vs-sum", "autodiff", "dense-configs"})
    EXPECT_TRUE(contains(r.out, std::string(name) + " ")) << name;
  EXPECT_TRUE(contains(r.out, "notebook 000"));
  EXPECT_TRUE(contains(r.out, "notebook 002 §3"));
  EXPECT_FALSE(contains(r.out, "seed")) << r.out;  // students know them as notebooks
  const CliResult es = run_cli({"demo", "--list", "--lang", "es"});
  ASSERT_EQ(es.exit_code, 0) << es.err;
  EXPECT_TRUE(contains(es.out, "libreta 003"));
  EXPECT_FALSE(contains(es.out, "semilla")) << es.out;
}

TEST(DemoCli, UnknownOrMissingNameIsAUsageError) {
  const CliResult unknown = run_cli({"demo", "no-such-demo"}, kEnglish);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(contains(unknown.err, "no demo 'no-such-demo'")) << unknown.err;
  EXPECT_TRUE(contains(unknown.err, "cost-landscape")) << unknown.err;
  const CliResult none = run_cli({"demo"}, kEnglish);
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_TRUE(contains(none.err, "--list")) << none.err;
}

TEST(DemoCli, CostLandscape) {
  TempDir dir;
  const CliResult r = run_demo("cost-landscape", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The four critical points with their kinds, as numpy finds them (demo_lib_test checks digits).
  for (const char* row : {"-2.0000   5.2000      0  23.4724  minimum", "0  15.7000      0  -9.3025  maximum",
                          "2.9998   1.5006      0   5.3302  minimum", "3.8918   2.3869      0  -8.1489  maximum"})
    EXPECT_TRUE(contains(r.out, row)) << row << "\n" << r.out;
  EXPECT_TRUE(contains(r.out, "η < 0.0852 at W = -2.0000")) << r.out;
  EXPECT_TRUE(contains(r.out, "no global minimum"));
  expect_pictures(dir.path, {"cost.png", "derivatives.png", "descent.png", "tangent.gif"});
  EXPECT_EQ(inspect_image((dir / "tangent.gif").string()).frames, 76);
}

TEST(DemoCli, ChainRule) {
  TempDir dir;
  const CliResult r = run_demo("chain-rule", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "-0.0875")) << r.out;          // ∂C/∂x at x = 0
  EXPECT_TRUE(contains(r.out, "1.2345")) << r.out;           // where z = t
  EXPECT_TRUE(contains(r.out, "a − y = -0.3543")) << r.out;  // the right dL/da
  EXPECT_TRUE(contains(r.out, "0.81144")) << r.out;          // the notebook's W
  EXPECT_TRUE(contains(r.out, "0.80405")) << r.out;          // the right W
  expect_pictures(dir.path, {"chain.png", "chain.gif", "composite.png"});
}

TEST(DemoCli, NeuronStep) {
  TempDir dir;
  const CliResult r = run_demo("neuron-step", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* n : {"0.574443", "0.425557", "0.104031", "(0.204031, 0.304031)", "0.624352", "0.375648", "5.000000",
                        "4.425557", "1.081864", "4.078440"})
    EXPECT_TRUE(contains(r.out, n)) << n;
  EXPECT_TRUE(contains(r.out, "the method works"));
  expect_pictures(dir.path, {"neuron_step.png"});
}

TEST(DemoCli, XnorThresholdInSpanishFromLang) {
  TempDir dir;
  const CliResult r =
      run_demo("xnor-threshold", dir, {}, {{"LC_ALL", ""}, {"LC_MESSAGES", ""}, {"LANG", "es_MX.UTF-8"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "Tabla de verdad")) << r.out;
  EXPECT_TRUE(contains(r.out, "Las 4 filas coinciden")) << r.out;
  EXPECT_TRUE(contains(r.out, "escalón(z) = 1 si z > 0"));
  EXPECT_TRUE(contains(r.out, "Imágenes en"));
  // Four rows, each checked against XNOR.
  size_t ticks = 0;
  for (size_t at = r.out.find("✓"); at != std::string::npos; at = r.out.find("✓", at + 1)) ++ticks;
  EXPECT_EQ(ticks, 4u);
  expect_pictures(dir.path, {"regions.png"});
}

TEST(DemoCli, AutodiffTraceAndGraph) {
  TempDir dir;
  const CliResult r = run_demo("autodiff", dir, {"--lang", "es"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "Paso hacia atrás")) << r.out;
  EXPECT_TRUE(contains(r.out, "∂f/∂w4 = 0.0971"));
  EXPECT_TRUE(contains(r.out, "∂f/∂x2 = 3.034e-05"));
  EXPECT_TRUE(contains(r.out, "16 de 26 coinciden"));
  const std::string dot = read_file(dir / "graph.dot");
  EXPECT_EQ(dot.rfind("digraph", 0), 0u) << dot.substr(0, 40);
  EXPECT_TRUE(contains(dot, "a4 = w4·s3"));
  // The node boxes speak Spanish too.
  EXPECT_TRUE(contains(dot, "valor = ")) << dot;
  EXPECT_TRUE(contains(dot, "gradiente = ")) << dot;
  EXPECT_FALSE(contains(dot, "value = ")) << dot;
  EXPECT_FALSE(contains(dot, "grad = ")) << dot;
  if (std::filesystem::exists(dir / "graph.svg")) expect_pictures(dir.path, {"graph.svg"});
}

TEST(DemoCli, Explore) {
  TempDir dir;
  const CliResult r = run_cli({"explore", "x^4 - 3*x^2 + x", "--from", "-2", "--to", "2", "--start", "1.5", "--lr",
                               "0.05", "--frames", "24", "--out", dir.path.string()},
                              kEnglish);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* row :
       {"-1.3008   -3.5139       0   14.3062   minimum", "0.1699    0.0841       0   -5.6535   maximum",
        "1.1309   -1.0702       0    9.3472   minimum"})
    EXPECT_TRUE(contains(r.out, row)) << row << "\n" << r.out;
  EXPECT_TRUE(contains(r.out, "ended at x = 1.1309")) << r.out;
  expect_pictures(dir.path, {"function.png", "derivatives.png", "descent.png", "tangent.gif"});
  EXPECT_EQ(inspect_image((dir / "tangent.gif").string()).frames, 24);
}

TEST(DemoCli, ExploreInSpanishWithOtherVariables) {
  TempDir dir;
  const CliResult r = run_cli({"explore", "a*W^2 - W", "--var", "W", "--at", "a=0.5", "--frames", "20", "--out",
                               dir.path.string(), "--lang", "es"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "Puntos críticos")) << r.out;
  EXPECT_TRUE(contains(r.out, "mínimo (f″ > 0)")) << r.out;
  EXPECT_TRUE(contains(r.out, "1.0000")) << r.out;  // W = 1
}

TEST(DemoCli, ExploreErrors) {
  TempDir dir;
  const CliResult constant = run_cli({"explore", "3", "--out", dir.path.string()}, kEnglish);
  EXPECT_EQ(constant.exit_code, 2);
  EXPECT_TRUE(contains(constant.err, "no variable")) << constant.err;
  const CliResult window =
      run_cli({"explore", "x^2", "--from", "2", "--to", "1", "--out", dir.path.string()}, kEnglish);
  EXPECT_EQ(window.exit_code, 2);
  EXPECT_TRUE(contains(window.err, "--from")) << window.err;
  const CliResult parse = run_cli({"explore", "x^^2", "--out", dir.path.string()}, kEnglish);
  EXPECT_EQ(parse.exit_code, 2);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path));  // nothing written on bad input
}

// ---- training demos, shortened with --set train.epochs=... so the suite stays fast ----

TEST(DemoCli, NeuronBoundary) {
  TempDir dir;
  const CliResult r = run_demo("neuron-boundary", dir, {"--set", "train.epochs=20"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "w = (0.0447, -0.2955), b = 0")) << r.out;  // the notebook's start
  EXPECT_TRUE(contains(r.out, "examples/neuron_boundary.toml"));
  expect_pictures(dir.path, {"boundary.gif", "boundary.png"});
}

// The whole run, as a student runs it: the notebook's first and last costs, and an animation that
// stays small (41 frames of a drifting heatmap, which GIF stores at great cost).
TEST(DemoCli, NeuronBoundaryFullRunAndGifSize) {
  TempDir dir;
  const CliResult r = run_demo("neuron-boundary", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "1      0.11409")) << r.out;  // C of the notebook's first step
  EXPECT_TRUE(contains(r.out, "100    0.04767")) << r.out;  // and of its 100th
  EXPECT_FALSE(contains(r.out, "stand in"));
  const ImageInfo gif = inspect_image((dir / "boundary.gif").string());
  EXPECT_TRUE(gif.ok()) << gif.error;
  EXPECT_EQ(gif.frames, 41);
  EXPECT_LT(gif.bytes, 600u << 10);
}

TEST(DemoCli, Circle221InSpanish) {
  TempDir dir;
  const CliResult r = run_demo("circle-2-2-1", dir, {"--set", "train.epochs=60", "--lang", "es"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "época")) << r.out;
  EXPECT_TRUE(contains(r.out, "no es un círculo")) << r.out;
  expect_pictures(dir.path, {"boundary.gif", "boundary.png", "wider.png"});
}

TEST(DemoCli, XorShortRunComparesWithTheNotebook) {
  TempDir dir;
  const CliResult r = run_demo("xor", dir, {"--set", "train.epochs=2000"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The errors of epochs 0 and 1000 are the notebook's; the full 10 000 epochs are checked in
  // DemoTraining.XorReproducesTheNotebookPrintout.
  EXPECT_TRUE(contains(r.out, "0        0.4978  0.4978")) << r.out;
  EXPECT_TRUE(contains(r.out, "1000     0.1119  0.1119")) << r.out;
  EXPECT_TRUE(contains(r.out, "not the notebook's")) << r.out;  // 2000 epochs: different final outputs
  expect_pictures(dir.path, {"boundary.gif", "boundary.png", "errors.png"});
}

// The numbers of these two demos are compared with numpy in backprop_notebook_test.cpp; here, what
// the text says about them and where they come from.
TEST(DemoCli, ResidualVsSigmoid) {
  TempDir dir;
  const CliResult r = run_demo("residual-vs-sigmoid", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* part : {"1b_retropropagacion.ipynb", "np.random.seed(42)", "random_state=42", "800 training, 200",
                           "batches of 16", "α = 0.1; 500 epochs", "log(1 − ŷ", "‖∂L/∂W1‖, first batch",
                           "the ranking is reversed", "digit for digit for the first 396 epochs"})
    EXPECT_TRUE(contains(r.out, part)) << part << "\n" << r.out;
  expect_pictures(dir.path, {"comparison.png", "boundaries.png"});
  const CliResult es = run_demo("residual-vs-sigmoid", dir, {"--lang", "es"});
  ASSERT_EQ(es.exit_code, 0) << es.err;
  EXPECT_TRUE(contains(es.out, "libreta 002 §2")) << es.out;
  EXPECT_TRUE(contains(es.out, "el orden es el inverso")) << es.out;
}

TEST(DemoCli, BceMeanVsSum) {
  TempDir dir;
  const CliResult r = run_demo("bce-mean-vs-sum", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "every step is 16 times longer")) << r.out;
  EXPECT_TRUE(contains(r.out, "this protocol it is ReLU + residual")) << r.out;
  expect_pictures(dir.path, {"mean_vs_sum.png"});
  // Spanish says mean and sum in Spanish.
  const CliResult es = run_demo("bce-mean-vs-sum", dir, {"--lang", "es"});
  ASSERT_EQ(es.exit_code, 0) << es.err;
  EXPECT_TRUE(contains(es.out, "promedio")) << es.out;
  EXPECT_FALSE(contains(es.out, " mean ")) << es.out;
  EXPECT_FALSE(contains(es.out, " sum ")) << es.out;
}

TEST(DemoCli, DenseConfigs) {
  TempDir dir;
  const CliResult r = run_demo("dense-configs", dir, {"--set", "train.epochs=3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* part : {"1c_redes_densas.ipynb", "load_diabetes()", "247 training, 62 validation, 133 test rows",
                           "[64, 128, 64, 32, 16]", "groupnorm", "weight_decay 0.001", "ReLU, sigmoid", "test MSE"})
    EXPECT_TRUE(contains(r.out, part)) << part << "\n" << r.out;
  EXPECT_FALSE(contains(r.out, "Rounding (the built-in")) << r.out;  // measured for 200 epochs only
  expect_pictures(dir.path, {"comparison.png"});
  const CliResult es = run_demo("dense-configs", dir, {"--set", "train.epochs=1", "--lang", "es"});
  ASSERT_EQ(es.exit_code, 0) << es.err;
  EXPECT_TRUE(contains(es.out, "ReLU, sigmoide")) << es.out;
  EXPECT_TRUE(contains(es.out, "un solo flujo aleatorio")) << es.out;  // the open choices, in Spanish
}

TEST(DemoCli, ConfigOptions) {
  TempDir dir;
  // A user's copy of a config runs instead of the built-in one.
  const std::string mine = (dir / "mine.toml").string();
  {
    std::ofstream out(mine);
    out << read_file(std::filesystem::path(NABLA_SOURCE_DIR) / "examples" / "neuron_boundary.toml");
  }
  const CliResult ok = run_demo("neuron-boundary", dir, {"--config", mine, "--set", "train.epochs=5"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(contains(ok.out, "Configuration: " + mine)) << ok.out;
  // Wrong count, a demo that trains nothing, a bad key: usage errors, nothing run.
  EXPECT_EQ(run_demo("residual-vs-sigmoid", dir, {"--config", mine}).exit_code, 2);
  EXPECT_EQ(run_demo("cost-landscape", dir, {"--set", "train.epochs=5"}).exit_code, 2);
  const CliResult bad = run_demo("xor", dir, {"--set", "train.epoch=5"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(contains(bad.err, "train.epoch")) << bad.err;
}

}  // namespace
}  // namespace nabla::testing
