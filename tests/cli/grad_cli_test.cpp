// `nabla grad` run as a subprocess: exit codes, JSON against the PyTorch goldens, the text trace
// (English and Spanish), error messages with a caret, and the DOT / SVG files.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "cli/grad_golden.h"
#include "cli/subprocess.h"
#include "nabla/expr/expr.h"

namespace nabla::testing {
namespace {

const char* kSeed = "x3*tanh(w4*sigmoid(w3*(relu(w1*x1)+sigmoid(w2*x2))))";
const char* kSeedAt = "x1=-1.5,x2=3.1,x3=7.3,w1=4.5,w2=-2.7,w3=0.2,w4=-5";

// English unless a test says otherwise, whatever the machine running the tests is set to.
const std::map<std::string, std::string> kEnglish{{"LC_ALL", ""}, {"LC_MESSAGES", ""}, {"LANG", "C.UTF-8"}};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const GradGolden& golden(const std::string& name) {
  for (const auto& g : grad_goldens())
    if (g.name == name) return g;
  throw std::runtime_error("no golden " + name);
}

void expect_matches_golden(const nlohmann::json& j, const GradGolden& g, bool hessian) {
  EXPECT_NEAR(j.at("value").get<double>(), g.value, 1e-13 * (1 + std::fabs(g.value)));
  ASSERT_EQ(j.at("grad").size(), g.grad.size());
  for (const auto& [name, d] : g.grad)
    EXPECT_NEAR(j.at("grad").at(name).get<double>(), d, 1e-13 * (1 + std::fabs(d))) << name;
  ASSERT_EQ(j.contains("hessian"), hessian);
  if (!hessian) return;
  for (size_t r = 0; r < g.grad.size(); ++r)
    for (size_t c = 0; c < g.grad.size(); ++c) {
      const double h = g.hessian[r][c];
      EXPECT_NEAR(j["hessian"][g.grad[r].first][g.grad[c].first].get<double>(), h, 1e-12 * (1 + std::fabs(h)))
          << g.grad[r].first << "," << g.grad[c].first;
    }
}

TEST(GradCli, Version) {
  CliResult r = run_cli({"--version"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string("nabla ") + NABLA_VERSION + "\n");
}

TEST(GradCli, SeedJson) {
  CliResult r = run_cli({"grad", kSeed, "--at", kSeedAt, "--json"}, kEnglish);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);  // the whole of stdout is one JSON object
  expect_matches_golden(j, golden("seed"), false);
  // Variables in --at order, then the steps in evaluation order.
  std::vector<std::string> ids;
  for (const auto& n : j.at("nodes")) {
    ids.push_back(n.at("id"));
    EXPECT_TRUE(n.contains("op") && n.contains("value") && n.contains("adjoint")) << n.dump();
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"x1", "x2", "x3", "w1", "w2", "w3", "w4", "a1", "r1", "a2", "s2", "b1", "a3",
                                           "s3", "a4", "t4", "f"}));
  const auto& a4 = j["nodes"][14];
  EXPECT_EQ(a4["op"], "mul");
  EXPECT_EQ(a4["formula"], "w4·s3");
  EXPECT_EQ(a4["inputs"], (nlohmann::json{"w4", "s3"}));
  EXPECT_NEAR(a4["local"][0].get<double>(), 0.5000115, 1e-7);
  EXPECT_EQ(j["nodes"].back()["adjoint"].get<double>(), 1.0);
  // Full precision: every number reads back as the exact double the library computed.
  expr::Trace t = expr::trace(expr::Expression(kSeed).evaluate(expr::parse_bindings(kSeedAt)));
  EXPECT_EQ(j["value"].get<double>(), t.value);
  for (const auto& v : t.variables) EXPECT_EQ(j["grad"][v.name].get<double>(), v.gradient) << v.name;
  for (size_t i = 0; i < t.nodes.size(); ++i) EXPECT_EQ(j["nodes"][7 + i]["adjoint"].get<double>(), t.nodes[i].adjoint);
}

TEST(GradCli, HessianJsonMatchesPyTorch) {
  for (const auto& g : grad_goldens()) {
    SCOPED_TRACE(g.name);
    CliResult r = run_cli({"grad", g.expression, "--at", g.at, "--order", "2", "--json"}, kEnglish);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_matches_golden(nlohmann::json::parse(r.out), g, true);
  }
}

TEST(GradCli, SeedTextTrace) {
  CliResult r = run_cli({"grad", kSeed, "--at", kSeedAt}, kEnglish);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string& o = r.out;
  EXPECT_TRUE(contains(o, "Forward pass")) << o;
  EXPECT_TRUE(contains(o, " 1. a1 = w1·x1 = 4.5000·(-1.5000) = -6.7500\n")) << o;
  EXPECT_TRUE(contains(o, " 2. r1 = relu(a1) = relu(-6.7500) = 0\n")) << o;
  EXPECT_TRUE(contains(o, "10. f = x3·t4 = 7.3000·(-0.9866) = -7.2023\n")) << o;
  EXPECT_TRUE(contains(o, "Backward pass")) << o;
  EXPECT_TRUE(contains(o, "w4' = a4' · ∂a4/∂w4 = 0.1941 · 0.5000 = 0.0971\n")) << o;
  EXPECT_TRUE(contains(o, "s3' = a4' · ∂a4/∂s3 = 0.1941 · (-5.0000) = -0.9705\n")) << o;
  EXPECT_TRUE(contains(o, "a1' = r1' · ∂r1/∂a1 = (-0.0485) · 0 = 0\n")) << o;
  EXPECT_TRUE(contains(o, "∂f/∂w4 = 0.0971\n")) << o;
  EXPECT_TRUE(contains(o, "∂f/∂x3 = -0.9866\n")) << o;
  EXPECT_TRUE(contains(o, "∂f/∂x2 = 3.034e-05\n")) << o;
  EXPECT_TRUE(contains(o, "∂f/∂x1 = 0\n")) << o;
  EXPECT_FALSE(contains(o, "Hessian")) << o;
  // The backward pass runs last node first.
  EXPECT_LT(o.find("f = x3·t4   "), o.find("t4 = tanh(a4)   ")) << o;
}

TEST(GradCli, TextHessianAndSeveralPaths) {
  CliResult r = run_cli({"grad", "x*x + x", "--at", "x=3", "--order", "2"}, kEnglish);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "x' += a1' · ∂a1/∂x = 1.0000 · 3.0000 = 3.0000\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "∂f/∂x = 1.0000 + 3.0000 + 3.0000 = 7.0000   (sum over 3 paths)\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "Hessian")) << r.out;
  EXPECT_TRUE(contains(r.out, "  x  2.0000\n")) << r.out;
}

TEST(GradCli, Spanish) {
  CliResult r = run_cli({"grad", kSeed, "--at", kSeedAt, "--lang", "es", "--order", "2"}, kEnglish);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "Paso hacia adelante")) << r.out;
  EXPECT_TRUE(contains(r.out, "Paso hacia atrás")) << r.out;
  EXPECT_TRUE(contains(r.out, "Gradiente")) << r.out;
  EXPECT_TRUE(contains(r.out, "Hessiana")) << r.out;
  EXPECT_FALSE(contains(r.out, "Forward pass")) << r.out;
  // From the environment when there is no --lang; LC_ALL wins over LANG; --lang wins over both.
  EXPECT_TRUE(
      contains(run_cli({"grad", "x", "--at", "x=1"}, {{"LC_ALL", ""}, {"LANG", "es_MX.UTF-8"}}).out, "Gradiente"));
  EXPECT_TRUE(contains(run_cli({"grad", "x", "--at", "x=1"}, {{"LC_ALL", "en_US.UTF-8"}, {"LANG", "es_ES.UTF-8"}}).out,
                       "Gradient:"));
  EXPECT_TRUE(
      contains(run_cli({"grad", "x", "--at", "x=1", "--lang", "en"}, {{"LC_ALL", "es_ES.UTF-8"}}).out, "Gradient:"));
  EXPECT_TRUE(contains(run_cli({"--lang", "es", "grad", "x", "--at", "x=1"}, kEnglish).out, "Gradiente"));
  // Help in Spanish too.
  CliResult help = run_cli({"grad", "--help", "--lang", "es"}, kEnglish);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_TRUE(contains(help.out, "Valores de las variables")) << help.out;
}

TEST(GradCli, ParseErrorShowsACaret) {
  CliResult r = run_cli({"grad", "x + * y", "--at", "x=1,y=2"}, kEnglish);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_EQ(r.err, "nabla: error: unexpected '*' (expected a number, a name or '(') (column 5)\n  x + * y\n      ^\n");

  CliResult unknown = run_cli({"grad", "2*foo(x)", "--at", "x=1"}, kEnglish);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(contains(unknown.err, "unknown function 'foo'")) << unknown.err;
  EXPECT_TRUE(contains(unknown.err, "  2*foo(x)\n    ^\n")) << unknown.err;

  CliResult arity = run_cli({"grad", "sigmoid(x, x)", "--at", "x=1"}, kEnglish);
  EXPECT_EQ(arity.exit_code, 2);
  EXPECT_TRUE(contains(arity.err, "sigmoid takes 1 argument, got 2")) << arity.err;
}

TEST(GradCli, VariableErrors) {
  // No value: the caret under the variable in the expression.
  CliResult missing = run_cli({"grad", "x*y", "--at", "x=1"}, kEnglish);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(contains(missing.err, "no value given for the variable 'y'")) << missing.err;
  EXPECT_TRUE(contains(missing.err, "  x*y\n    ^\n")) << missing.err;
  // A value for a name the expression lacks: the caret under it in the values.
  CliResult unknown = run_cli({"grad", "x*y", "--at", "x=1,y=2,z=3"}, kEnglish);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(contains(unknown.err, "'z' is not a variable of the expression")) << unknown.err;
  EXPECT_TRUE(contains(unknown.err, "  x=1,y=2,z=3\n          ^\n")) << unknown.err;
  // Several --at are joined with commas.
  EXPECT_EQ(run_cli({"grad", "x*y", "--at", "x=1", "--at", "y=2"}, kEnglish).exit_code, 0);
  CliResult bad = run_cli({"grad", "x", "--at", "x=one"}, kEnglish);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(contains(bad.err, "expected a number for 'x'")) << bad.err;
}

TEST(GradCli, DeepNestingFailsCleanly) {
  // (Kept under the kernel's 128 KiB limit on one argument.)
  CliResult r = run_cli({"grad", std::string(50000, '(') + "x" + std::string(50000, ')'), "--at", "x=1"}, kEnglish);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.signal, 0);
  EXPECT_TRUE(contains(r.err, "nested too deeply")) << r.err.substr(0, 200);
}

TEST(GradCli, UsageErrorsExit2) {
  EXPECT_EQ(run_cli({}, kEnglish).exit_code, 2);
  EXPECT_EQ(run_cli({"grad"}, kEnglish).exit_code, 2);  // no expression
  EXPECT_EQ(run_cli({"grad", "x", "--at", "x=1", "--bogus"}, kEnglish).exit_code, 2);
  EXPECT_EQ(run_cli({"grad", "x", "--at", "x=1", "--order", "3"}, kEnglish).exit_code, 2);
  EXPECT_EQ(run_cli({"grad", "x", "--at", "x=1", "--lang", "fr"}, kEnglish).exit_code, 2);
  EXPECT_EQ(run_cli({"frobnicate"}, kEnglish).exit_code, 2);
  CliResult r = run_cli({"grad", "x", "--order", "0", "--at", "x=1"}, kEnglish);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "nabla: error:")) << r.err;
  EXPECT_EQ(run_cli({"grad", "--help"}, kEnglish).exit_code, 0);
}

TEST(GradCli, ExpressionStartingWithMinus) {
  CliResult r = run_cli({"grad", "-x^2", "--at", "x=3", "--json"}, kEnglish);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["value"].get<double>(), -9.0);
  EXPECT_EQ(j["grad"]["x"].get<double>(), -6.0);
  CliResult bracket = run_cli({"grad", "-(x+1)^2", "--at", "x=3", "--json"}, kEnglish);
  ASSERT_EQ(bracket.exit_code, 0) << bracket.err;
  EXPECT_EQ(nlohmann::json::parse(bracket.out)["value"].get<double>(), -16.0);
  CliResult dot = run_cli({"grad", "-.5*x", "--at", "x=3", "--json"}, kEnglish);
  ASSERT_EQ(dot.exit_code, 0) << dot.err;
  CliResult after = run_cli({"grad", "--at", "x=3", "--json", "--", "-x*sigmoid(x)"}, kEnglish);
  ASSERT_EQ(after.exit_code, 0) << after.err;
  CliResult numeric = run_cli({"grad", "-2*x", "--at", "x=3", "--json"}, kEnglish);
  ASSERT_EQ(numeric.exit_code, 0) << numeric.err;
  EXPECT_EQ(nlohmann::json::parse(numeric.out)["grad"]["x"].get<double>(), -2.0);
}

TEST(GradCli, DotFileHasEveryNode) {
  TempDir dir;
  const std::string path = (dir / "seed.dot").string();
  CliResult r = run_cli({"grad", kSeed, "--at", kSeedAt, "--dot", path}, kEnglish);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "wrote the graph (DOT) to " + path)) << r.out;
  const std::string dot = read_file(path);
  EXPECT_TRUE(contains(dot, "digraph")) << dot;
  for (const char* label : {"a1 = w1·x1", "r1 = relu(a1)", "a2 = w2·x2", "s2 = sigmoid(a2)", "b1 = r1 + s2",
                            "a3 = w3·b1", "s3 = sigmoid(a3)", "a4 = w4·s3", "t4 = tanh(a4)", "f = x3·t4"})
    EXPECT_TRUE(contains(dot, std::string("\"") + label + "\\n")) << label;
  for (const char* v : {"x1", "x2", "x3", "w1", "w2", "w3", "w4"})
    EXPECT_TRUE(contains(dot, std::string("\"") + v + "\\nvalue = ")) << v;
  EXPECT_TRUE(contains(dot, "grad = 0.09705")) << dot;  // ∂f/∂w4 on the w4 leaf
  // 10 ops + 7 leaves, 16 edges (every op's inputs; mul w1·x1 has two, ...).
  size_t boxes = 0, edges = 0;
  for (size_t p = dot.find("[label="); p != std::string::npos; p = dot.find("[label=", p + 1)) boxes++;
  for (size_t p = dot.find(" -> "); p != std::string::npos; p = dot.find(" -> ", p + 1)) edges++;
  EXPECT_EQ(boxes, 17u);
  EXPECT_EQ(edges, 16u);
  // Only the file itself: the temporary file was renamed, not left behind.
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path)) files++;
  EXPECT_EQ(files, 1u);
}

TEST(GradCli, SvgFile) {
  TempDir dir;
  const std::string path = (dir / "g.svg").string();
  if (std::system("command -v dot > /dev/null 2>&1") == 0) {
    CliResult r = run_cli({"grad", "tanh(w*x)", "--at", "w=2,x=0.5", "--svg", path, "--json"}, kEnglish);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    nlohmann::json::parse(r.out);  // still a single JSON object on stdout
    EXPECT_TRUE(contains(read_file(path), "<svg")) << read_file(path).substr(0, 200);
    std::filesystem::remove(path);
  }
  // Without Graphviz: exit 1, a clear message, and no file at all.
  CliResult missing =
      run_cli({"grad", "tanh(w*x)", "--at", "w=2,x=0.5", "--svg", path}, {{"PATH", "/nonexistent"}, {"LC_ALL", "C"}});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(contains(missing.err, "nabla: error:") && contains(missing.err, "Graphviz")) << missing.err;
  EXPECT_TRUE(missing.out.empty()) << missing.out;
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path));
}

TEST(GradCli, UnwritableFileIsABadInput) {
  CliResult r = run_cli({"grad", "x", "--at", "x=1", "--dot", "/nonexistent-dir/g.dot"}, kEnglish);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "nabla: error: cannot write '/nonexistent-dir/g.dot'")) << r.err;
}

}  // namespace
}  // namespace nabla::testing
