// The playground's input features of 2-D points (nabla/data/features.h), one definition for
// `nabla serve` and `nabla train`: values against the formulas written out here, and errors.
#include "nabla/data/features.h"

#include <gtest/gtest.h>

#include <cmath>

#include "nabla/error.h"

namespace nabla {
namespace {

TEST(PointFeatures, EachFeatureIsItsFormula) {
  const Tensor xy = Tensor::from_vector({0.5, -2.0, 0.0, 1.25, -0.75, 0.3}, {3, 2}, DType::float64);
  const std::vector<std::string> all = {"x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"};
  EXPECT_EQ(point_feature_names(), all);
  const Tensor f = point_features(xy, all);
  ASSERT_EQ(f.shape().to_string(), "[3, 7]");
  EXPECT_EQ(f.dtype(), DType::float64);
  const std::vector<double> v = f.to_vector<double>();
  const double pts[3][2] = {{0.5, -2.0}, {0.0, 1.25}, {-0.75, 0.3}};
  for (int i = 0; i < 3; ++i) {
    const double a = pts[i][0], b = pts[i][1];
    const double want[7] = {a, b, a * a, b * b, a * b, std::sin(a), std::sin(b)};
    for (int k = 0; k < 7; ++k) EXPECT_EQ(v[i * 7 + k], want[k]) << all[k] << " of row " << i;
  }
  // sin(0.5) as numpy prints it: the map is the plain sine, in radians.
  EXPECT_NEAR(v[5], 0.479425538604203, 1e-15);
  // Any order, repeats allowed; float32 points give float32 features.
  const Tensor g = point_features(xy.to(DType::float32), {"sinx2", "x1", "x1"});
  EXPECT_EQ(g.dtype(), DType::float32);
  EXPECT_EQ(g.shape().to_string(), "[3, 3]");
  EXPECT_FLOAT_EQ(g.to_vector<double>()[1], 0.5f);
}

TEST(PointFeatures, BadInputIsAnErrorNamingIt) {
  const Tensor xy = Tensor::from_vector({1, 2, 3, 4}, {2, 2});
  try {
    point_features(xy, {"x1", "cosx1"});
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown feature \"cosx1\" (known: x1, x2, x1sq"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(point_features(xy, {}), ValueError);
  EXPECT_THROW(point_features(Tensor::from_vector({1, 2, 3}, {1, 3}), {"x1"}), ShapeError);
}

}  // namespace
}  // namespace nabla
