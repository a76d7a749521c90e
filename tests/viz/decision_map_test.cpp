#include "nabla/viz/decision_map.h"

#include <gtest/gtest.h>

#include "nabla/error.h"
#include "viz_test_util.h"

namespace nabla::viz {
namespace {

using testing::color_diff;

// p = 1 right of x = 0.5, 0 left of it (a vertical boundary in the middle).
DecisionMap split_map() {
  Grid2D g{.nx = 21, .ny = 11, .xmin = 0, .xmax = 1, .ymin = 0, .ymax = 1};
  std::vector<double> p;
  for (double x : g.xs()) p.push_back(x > 0.5 ? 1.0 : (x < 0.5 ? 0.0 : 0.5));
  DecisionMap m;
  m.probabilities(g, p);
  return m;
}

// A colour is "tinted towards" c when it lies between white and c.
bool tinted_towards(Color got, Color c) {
  return color_diff(got, colors::white) > 60 && color_diff(got, c) < color_diff(colors::white, c);
}

TEST(VizDecisionMap, GridCoordinatesAreRowMajorYOuter) {
  Grid2D g{.nx = 3, .ny = 2, .xmin = 0, .xmax = 2, .ymin = 10, .ymax = 20};
  EXPECT_EQ(g.xs(), (std::vector<double>{0, 1, 2, 0, 1, 2}));
  EXPECT_EQ(g.ys(), (std::vector<double>{10, 10, 10, 20, 20, 20}));
}

TEST(VizDecisionMap, DivergingColoursOnEachSideOfTheBoundary) {
  const Canvas img = split_map().to_canvas(400, 300);
  // Left quarter is class 0 (blue), right quarter class 1 (vermillion).
  EXPECT_TRUE(tinted_towards(img.pixel(130, 150), palette_color(0))) << img.pixel(130, 150).to_hex();
  EXPECT_TRUE(tinted_towards(img.pixel(330, 150), palette_color(1))) << img.pixel(330, 150).to_hex();
  // The 0.5 contour: a dark vertical line somewhere in the middle of each row.
  int dark = 0;
  for (int x = 150; x < 320; ++x) {
    const Color c = img.pixel(x, 150);
    if (c.r + c.g + c.b < 320) ++dark;  // both tinted sides sum to > 420
  }
  EXPECT_GE(dark, 1);
  EXPECT_LE(dark, 4);
}

TEST(VizDecisionMap, TrainPointsFilledTestPointsOutlined) {
  DecisionMap m = split_map();
  m.point_size(14).legend(LegendLoc::Hidden);
  m.train_points({0.25}, {0.5}, {1}).test_points({0.75}, {0.5}, {0});
  // Find the markers through SVG (their exact place), then check pixels there.
  const std::string svg = m.to_svg(400, 300);
  EXPECT_NE(svg.find("<circle"), std::string::npos);
  EXPECT_NE(svg.find("<image"), std::string::npos);
  const Canvas img = m.to_canvas(400, 300);
  // Filled class-1 marker in the blue half; hollow class-0 marker (white centre) in the red half.
  bool filled = false, hollow = false;
  for (int y = 140; y < 160; ++y)
    for (int x = 100; x < 300; ++x) {
      if (color_diff(img.pixel(x, y), palette_color(1)) < 10 && x < 200) filled = true;
      if (img.pixel(x, y) == colors::white && x > 200) hollow = true;
    }
  EXPECT_TRUE(filled);
  EXPECT_TRUE(hollow);
}

TEST(VizDecisionMap, MultiClassShadesEachRegion) {
  Grid2D g{.nx = 30, .ny = 30, .xmin = -1, .xmax = 1, .ymin = -1, .ymax = 1};
  std::vector<int> cls;
  std::vector<double> conf;
  const auto xs = g.xs(), ys = g.ys();
  for (std::size_t i = 0; i < xs.size(); ++i) {
    cls.push_back(ys[i] > 0 ? 2 : (xs[i] < 0 ? 0 : 1));
    conf.push_back(0.95);
  }
  DecisionMap m;
  m.classes(g, cls, conf).class_names({"a", "b", "c"}).train_points({-0.5, 0.5, 0}, {-0.5, -0.5, 0.5}, {0, 1, 2});
  const Canvas img = m.to_canvas(400, 400);
  EXPECT_TRUE(tinted_towards(img.pixel(110, 320), palette_color(0)));
  EXPECT_TRUE(tinted_towards(img.pixel(330, 320), palette_color(1)));
  EXPECT_TRUE(tinted_towards(img.pixel(200, 90), palette_color(2)));
  const std::string svg = m.to_svg(400, 400);
  EXPECT_NE(svg.find(">c</text>"), std::string::npos);
}

TEST(VizDecisionMap, BadInputsThrow) {
  Grid2D g{.nx = 4, .ny = 3, .xmin = 0, .xmax = 1, .ymin = 0, .ymax = 1};
  EXPECT_THROW(DecisionMap().probabilities(g, std::vector<double>(11)), ShapeError);
  EXPECT_THROW(DecisionMap().classes(g, std::vector<int>(12), std::vector<double>(3)), ShapeError);
  EXPECT_THROW(DecisionMap().probabilities(Grid2D{.nx = 1, .ny = 5}, std::vector<double>(5)), ValueError);
  EXPECT_THROW(DecisionMap().train_points({1, 2}, {1}, {0, 1}), ShapeError);
  EXPECT_THROW(DecisionMap().train_points({1}, {1}, {-1}), ValueError);
}

TEST(VizDecisionMap, PointsAloneStillRender) {
  DecisionMap m;
  m.train_points({0, 1, 2}, {0, 1, 0}, {0, 1, 0});
  EXPECT_NO_THROW(m.to_canvas(300, 200));
}

}  // namespace
}  // namespace nabla::viz
