// `nabla explore --json`: the numbers the text tells, checked against the calculus of the formula
// itself (f = x⁴ − 3x² + x: f′ = 4x³ − 6x + 1, f″ = 12x² − 6) rather than against nabla's output.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "cli/subprocess.h"

namespace nabla::testing {
namespace {

double f(double x) { return x * x * x * x - 3 * x * x + x; }
double d1(double x) { return 4 * x * x * x - 6 * x + 1; }
double d2(double x) { return 12 * x * x - 6; }

TEST(ExploreJson, CriticalPointsAndDescentAreTheFormulasOwn) {
  const CliResult r = run_cli({"explore", "x^4 - 3*x^2 + x", "--from", "-2", "--to", "2", "--start", "1.5", "--lr",
                               "0.05", "--steps", "30", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);  // nothing but the JSON on stdout
  EXPECT_EQ(j["variable"], "x");
  const auto& points = j["critical_points"];
  ASSERT_EQ(points.size(), 3u);  // the three real roots of 4x³ − 6x + 1
  const char* kinds[] = {"minimum", "maximum", "minimum"};
  for (size_t i = 0; i < 3; ++i) {
    const double x = points[i]["x"];
    EXPECT_NEAR(d1(x), 0.0, 1e-9) << x;
    EXPECT_NEAR(points[i]["f"].get<double>(), f(x), 1e-12);
    EXPECT_NEAR(points[i]["d2"].get<double>(), d2(x), 1e-9);
    EXPECT_EQ(points[i]["kind"], kinds[i]);
  }
  // A minimum's largest stable step is 2 / f″ there.
  EXPECT_NEAR(points[0]["largest_stable_lr"].get<double>(), 2.0 / d2(points[0]["x"].get<double>()), 1e-9);
  const auto& path = j["descent"]["path"];
  ASSERT_EQ(path.size(), 31u);
  EXPECT_EQ(path[0]["x"], 1.5);
  for (size_t k = 0; k + 1 < path.size(); ++k) {
    const double x = path[k]["x"];
    EXPECT_NEAR(path[k]["d1"].get<double>(), d1(x), 1e-9);
    EXPECT_NEAR(path[k + 1]["x"].get<double>(), x - 0.05 * d1(x), 1e-12);
  }
  EXPECT_FALSE(j["descent"]["diverged"].get<bool>());
}

TEST(ExploreJson, BadInputIsStillAUsageError) {
  const CliResult r = run_cli({"explore", "x^", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;
}

}  // namespace
}  // namespace nabla::testing
