// Plots at another dpi or size (issue #19): pixels = inches × dpi as in matplotlib, with text,
// lines and markers growing with the dpi; sizes that cannot be drawn are errors naming the value.
// And a legend with many series (a deep net's grad_norms.png) kept off the data.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "nabla/error.h"
#include "nabla/viz/canvas.h"
#include "nabla/viz/plot.h"
#include "viz/axes.h"
#include "viz/font.h"
#include "viz_test_util.h"

namespace nabla::viz {
namespace {

// Rows from the first to the last that hold a pixel darker than `level` in all of R, G, B,
// between rows y0 and y1, in the middle 40% of the columns (where the centred title is, away
// from the y tick labels).
int ink_height(const Canvas& c, int y0, int y1, int level = 60) {
  int top = -1, bottom = -1;
  for (int y = y0; y < std::min(y1, c.height()); ++y)
    for (int x = c.width() * 3 / 10; x < c.width() * 7 / 10; ++x) {
      const Color p = c.pixel(x, y);
      if (p.r < level && p.g < level && p.b < level) {
        if (top < 0) top = y;
        bottom = y;
        break;
      }
    }
  return top < 0 ? 0 : bottom - top + 1;
}

LinePlot titled_plot() {
  LinePlot p;
  p.title("Loss |y").xlabel("epoch").ylabel("loss").line("train", {0, 1, 2}, {1, 0.5, 0.25});
  return p;
}

TEST(VizResolution, PixelsAreInchesTimesDpi) {
  const LinePlot p = titled_plot();
  testing::TempDir dir;
  p.save_png(dir.file("default.png"), Resolution{});
  p.save_png(dir.file("dpi150.png"), {.dpi = 150});
  p.save_png(dir.file("8x6at50.png"), {.dpi = 50, .width_in = 8, .height_in = 6});
  p.save_png(dir.file("8x6at150.png"), {.dpi = 150, .width_in = 8, .height_in = 6});
  const auto size = [&](const char* name) {
    const testing::RgbaImage img = testing::read_png(dir.file(name));
    return std::pair{img.width, img.height};
  };
  EXPECT_EQ(size("default.png"), std::pair(640, 480));  // matplotlib's 6.4x4.8 in at 100 dpi
  EXPECT_EQ(size("dpi150.png"), std::pair(960, 720));
  EXPECT_EQ(size("8x6at50.png"), std::pair(400, 300));
  EXPECT_EQ(size("8x6at150.png"), std::pair(1200, 900));
  // A plot's own size is its size at 100 dpi (a decision map's 560x480, a figure's cells).
  EXPECT_EQ((Resolution{.dpi = 200}.pixels({560, 480}).width), 1120);
  const std::string svg = p.to_svg(Resolution{.dpi = 200});
  EXPECT_NE(svg.find("width=\"1280\""), std::string::npos);
}

TEST(VizResolution, TextHeightIsProportionalToDpi) {
  const LinePlot p = titled_plot();
  // The title (black, scale 2) sits in the top band: 8 + 2·13 px at 100 dpi, times the scale.
  std::vector<double> heights;
  for (double dpi : {100.0, 150.0, 200.0, 300.0}) {
    const Canvas c = p.to_canvas(Resolution{.dpi = dpi});
    heights.push_back(ink_height(c, 0, static_cast<int>(40 * dpi / 100)));
    ASSERT_GT(heights.back(), 5) << "no title ink at " << dpi << " dpi";
  }
  // "Loss |y": the bar and the descender span the font's full height, which is hinted to
  // whole pixels: within 2 px of proportional.
  EXPECT_NEAR(heights[1], heights[0] * 1.5, 2.0);
  EXPECT_NEAR(heights[2], heights[0] * 2.0, 2.0);
  EXPECT_NEAR(heights[3], heights[0] * 3.0, 3.0);
  // And it is the font's own size: the em of the title at 200 dpi is 44 px (DejaVu Sans).
  if (detail::vector_font()) {
    EXPECT_GE(heights[2], 0.8 * detail::vector_pixels(4.0));
    EXPECT_LE(heights[2], 1.3 * detail::vector_pixels(4.0));
  }
}

TEST(VizResolution, LinesAndMarkersGrowWithDpi) {
  // One thick horizontal line, no text: count its rows at the middle column.
  LinePlot p;
  p.grid(false).line("", {0, 1}, {0.5, 0.5}, {.color = colors::black, .width = 4});
  const auto thickness = [&](double dpi) {
    const Canvas c = p.to_canvas(Resolution{.dpi = dpi});
    int rows = 0;
    // (the middle half of the height: the line, not the spines)
    for (int y = c.height() / 4; y < 3 * c.height() / 4; ++y) rows += c.pixel(c.width() / 2, y).r < 128;
    return rows;
  };
  EXPECT_NEAR(thickness(100), 4, 1);
  EXPECT_NEAR(thickness(200), 8, 1);
  EXPECT_NEAR(thickness(300), 12, 1);
}

TEST(VizResolution, SizesThatCannotBeDrawnAreErrors) {
  const auto message = [](const Resolution& r) {
    try {
      r.pixels({});
    } catch (const ValueError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(message({.dpi = 5}).find("dpi 5 is outside [10, 1200]"), std::string::npos) << message({.dpi = 5});
  EXPECT_NE(message({.dpi = 0}).find("dpi 0"), std::string::npos);
  EXPECT_NE(message({.dpi = std::nan("")}).find("dpi"), std::string::npos);
  EXPECT_NE(message({.width_in = 8}).find("give both width and height"), std::string::npos);
  EXPECT_NE(message({.width_in = -8, .height_in = 6}).find("(0, 100] inches"), std::string::npos);
  // 100x100 in at 1200 dpi would be 1.4e10 px (56 GB of RGBA): refused before any allocation.
  const std::string huge = message({.dpi = 1200, .width_in = 100, .height_in = 100});
  EXPECT_NE(huge.find("120000x120000 px"), std::string::npos) << huge;
  EXPECT_NE(huge.find("lower the dpi or the size"), std::string::npos) << huge;
  EXPECT_EQ(message({.dpi = 300, .width_in = 8, .height_in = 6}), "(no error)");
  EXPECT_THROW(LinePlot().to_canvas(Resolution{.dpi = 2000}), ValueError);
}

// ---- a legend with many series ----

std::vector<std::string> parameter_names(int n) {
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back("layers." + std::to_string(i / 2 * 2) + (i % 2 ? ".bias" : ".weight"));
  return names;
}

bool overlaps(const Rect& a, const Rect& b) {
  return a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom();
}

TEST(VizLegend, FortyFiveSeriesStayOutsideTheAxes) {
  const std::vector<std::string> names = parameter_names(45);
  LinePlot p;
  p.title("Gradient norm per parameter").xlabel("epoch").ylabel("||grad||").log_y();
  std::vector<double> x;
  for (int e = 1; e <= 50; ++e) x.push_back(e);
  detail::Range rx, ry;
  std::vector<std::vector<double>> ys;
  for (int k = 0; k < 45; ++k) {
    std::vector<double> y;
    for (double e : x) y.push_back(std::pow(10.0, -3 + 4.0 * k / 44) * (1 + 0.5 / e));
    for (size_t i = 0; i < x.size(); ++i) rx.add(x[i]), ry.add(y[i]);
    p.line(names[k], x, y);
    ys.push_back(y);
  }
  // The layout LinePlot::render makes, with the same inputs.
  const Rect area{0, 0, 640, 480};
  detail::Axes ax(p.axes(), rx, ry);
  ax.layout(area);
  std::vector<Point> data;
  for (const auto& y : ys)
    for (size_t i = 0; i < x.size(); ++i) data.push_back(ax.px(x[i], y[i]));
  ax.place_legend(names, data);
  ASSERT_TRUE(ax.legend_outside());
  const Rect frame = ax.frame(), box = ax.legend_box();
  EXPECT_FALSE(overlaps(frame, box)) << "legend over the axes";
  EXPECT_GE(box.x, 0);
  EXPECT_GE(box.y, 0);
  EXPECT_LE(box.right(), 640);
  EXPECT_LE(box.bottom(), 480);
  EXPECT_GE(frame.w, 0.45 * 640) << "the axes keep a good part of the width";
  EXPECT_GE(frame.h, 0.4 * 480) << "and a good part of the height";

  // In the picture: every one of the 20 colours of the cycle is drawn across the whole frame
  // (a legend box over the data would hide the lines in some columns), and every label's
  // handle is in the legend box, in its series' colour.
  const Canvas c = p.to_canvas(640, 480);
  for (double t : {0.1, 0.3, 0.5, 0.7, 0.9}) {  // (the data start 5% in)
    const int col = static_cast<int>(frame.x + t * frame.w);
    for (int k = 0; k < 20; ++k) {
      const Color want = palette_color(k);
      int found = 0;
      for (int y = static_cast<int>(frame.y) + 1; y < static_cast<int>(frame.bottom()); ++y) {
        const Color got = c.pixel(col, y);
        found += std::abs(got.r - want.r) + std::abs(got.g - want.g) + std::abs(got.b - want.b) < 30;
      }
      EXPECT_GT(found, 0) << "colour " << k << " hidden at column " << col;
    }
  }
  int handles = 0;
  for (int k = 0; k < 20; ++k) {
    const Color want = palette_color(k);
    bool seen = false;
    for (int y = static_cast<int>(box.y); y < static_cast<int>(box.bottom()) && !seen; ++y)
      for (int x = static_cast<int>(box.x); x < static_cast<int>(box.right()) && !seen; ++x) {
        const Color got = c.pixel(x, y);
        seen = std::abs(got.r - want.r) + std::abs(got.g - want.g) + std::abs(got.b - want.b) < 30;
      }
    handles += seen;
  }
  EXPECT_EQ(handles, 20);
}

TEST(VizLegend, AFewSeriesStillGoInsideWhereThereIsRoom) {
  LinePlot p;
  p.line("train", {0, 1, 2, 3}, {1, 0.5, 0.3, 0.2}).line("test", {0, 1, 2, 3}, {1.1, 0.6, 0.4, 0.35});
  detail::Range rx, ry;
  for (double v : {0.0, 3.0}) rx.add(v);
  for (double v : {0.2, 1.1}) ry.add(v);
  detail::Axes ax(p.axes(), rx, ry);
  ax.layout({0, 0, 640, 480});
  ax.place_legend({"train", "test"}, {ax.px(0, 1), ax.px(1, 0.5), ax.px(3, 0.2)});
  EXPECT_FALSE(ax.legend_outside());
}

}  // namespace
}  // namespace nabla::viz
