#include "nabla/viz/plot.h"

#include <gif_lib.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>

#include "nabla/error.h"
#include "nabla/viz/animation.h"
#include "nabla/viz/figure.h"
#include "viz_test_util.h"

namespace nabla::viz {
namespace {

using testing::color_diff;

struct Span {
  int x0 = 1 << 30, x1 = -1, y0 = 1 << 30, y1 = -1, n = 0;
};
// Where pixels close to `c` are (anti-aliased edges excluded by the tolerance).
Span find_color(const Canvas& img, Color c, int tol = 30) {
  Span s;
  for (int y = 0; y < img.height(); ++y)
    for (int x = 0; x < img.width(); ++x)
      if (color_diff(img.pixel(x, y), c) <= tol) {
        s.x0 = std::min(s.x0, x), s.x1 = std::max(s.x1, x), s.y0 = std::min(s.y0, y), s.y1 = std::max(s.y1, y), ++s.n;
      }
  return s;
}

TEST(VizPlotTicks, NiceTicksFollowOneTwoFive) {
  EXPECT_EQ(nice_ticks(0, 10, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(nice_ticks(0, 1, 5), (std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1}));
  const auto t = nice_ticks(-0.37, 2.61, 6);
  ASSERT_GE(t.size(), 2u);
  const double step = t[1] - t[0];
  EXPECT_NEAR(step, 0.5, 1e-12);
  EXPECT_GE(t.front(), -0.37);
  EXPECT_LE(t.back(), 2.61);
  EXPECT_GE(nice_ticks(1.01, 1.02, 6).size(), 2u);
  EXPECT_GE(nice_ticks(5, 5.1, 2).size(), 2u);
  for (double lo : {-1e-7, 3.0, 1e6}) {
    const auto u = nice_ticks(lo, lo * 1.5 + 1, 7);
    ASSERT_GE(u.size(), 2u);
    const double st = u[1] - u[0];
    const double mant = st / std::pow(10.0, std::floor(std::log10(st)));
    EXPECT_TRUE(std::abs(mant - 1) < 1e-9 || std::abs(mant - 2) < 1e-9 || std::abs(mant - 5) < 1e-9) << st;
  }
}

TEST(VizPlotTicks, FormatTickUsesStepPrecision) {
  EXPECT_EQ(format_tick(0.6000000000000001, 0.2), "0.6");
  EXPECT_EQ(format_tick(2, 0.5), "2.0");
  EXPECT_EQ(format_tick(150, 50), "150");
  EXPECT_EQ(format_tick(-1.5, 0.5), "\u22121.5");
  EXPECT_EQ(format_tick(1e-17, 0.1), "0.0");
  EXPECT_EQ(format_tick(2e6, 1e6), "2e6");
  EXPECT_EQ(format_tick(0.00025, 0.00005), "0.00025");
  EXPECT_EQ(format_tick(2.5e-5, 5e-6), "2.5e\u22125");
}

TEST(VizPlot, LineIsDrawnWhereExpectedOnWhite) {
  LinePlot p;
  p.grid(false).line("", {0, 10}, {1, 1});  // a flat line: it sits in the middle of the axes
  const Canvas img = p.to_canvas(400, 300);
  EXPECT_EQ(img.pixel(0, 0), colors::white);
  EXPECT_EQ(img.pixel(399, 299), colors::white);
  EXPECT_EQ(img.pixel(200, 60), colors::white);
  const Span s = find_color(img, colors::blue, 10);
  ASSERT_GT(s.n, 0);
  EXPECT_LE(s.y1 - s.y0, 2);  // 2 px thick
  EXPECT_NEAR((s.y0 + s.y1) / 2.0, 150, 15);
  EXPECT_GT(s.x1 - s.x0, 250);  // spans the axes
}

TEST(VizPlot, SeriesTakePaletteColoursAndMarkers) {
  LinePlot p;
  p.line("a", {0, 1, 2}, {0, 1, 0}).line("b", {0, 1, 2}, {1, 0, 1}, {.marker = Marker::Square});
  p.scatter("c", {0.5, 1.5}, {0.5, 0.5});
  const Canvas img = p.to_canvas(320, 240);
  EXPECT_GT(find_color(img, palette_color(0), 10).n, 50);
  EXPECT_GT(find_color(img, palette_color(1), 10).n, 50);
  EXPECT_GT(find_color(img, palette_color(2), 10).n, 40);  // two 7-px circles
}

TEST(VizPlot, LogScaleIgnoresNonPositiveValues) {
  // Points with y <= 0 cannot be shown on a log axis: the plot must look exactly as if they
  // were never there (same axis limits, same ticks, same line).
  LinePlot with_bad;
  with_bad.log_y().line("loss", {0, 1, 2, 3, 4}, {-5, 0, 1, 100, 1e4});
  LinePlot clean;
  clean.log_y().line("loss", {2, 3, 4}, {1, 100, 1e4});
  const Canvas a = with_bad.to_canvas(320, 240), b = clean.to_canvas(320, 240);
  ASSERT_EQ(a.width(), b.width());
  EXPECT_EQ(0, std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.width()) * a.height() * 4));
  const std::string svg = with_bad.to_svg(320, 240);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_NE(svg.find(">10\u00b2</text>"), std::string::npos) << "decade labels as powers of ten";
  EXPECT_THROW(LinePlot().log_y().ylim(-1, 10).to_canvas(100, 100), ValueError);
}

TEST(VizPlot, LogScaleBreaksTheLineAtNonPositiveValues) {
  LinePlot p;
  p.log_y().line("", {0, 1, 2, 3, 4}, {1, 2, 0, 4, 8});
  const std::string svg = p.to_svg(320, 240);
  EXPECT_NE(svg.find("<path d=\"M"), std::string::npos);  // two pieces in one path
}

TEST(VizPlot, TangentIsClippedToTheAxes) {
  const Color magenta{255, 0, 255};
  auto render = [&](double half_width) {
    LinePlot p;
    p.ylim(-2, 5)
        .function(
            "", [](double x) { return x * x; }, -2, 2)
        .tangent(0, 0, 0.5, {.color = magenta, .line = LineStyle::Solid, .half_width = half_width});
    return find_color(p.to_canvas(400, 300), magenta, 20);
  };
  const Span whole = render(0), part = render(0.5);
  ASSERT_GT(whole.n, 0);
  ASSERT_GT(part.n, 0);
  EXPECT_LT(part.x1 - part.x0, 0.4 * (whole.x1 - whole.x0));
  // A near-vertical tangent must not spill outside the axes (and must not hang).
  LinePlot steep;
  steep.grid(false)
      .function(
          "", [](double x) { return x; }, 0, 1)
      .tangent(0.5, 0.5, 1e9, {.color = magenta});
  const Span s = find_color(steep.to_canvas(300, 300), magenta, 20);
  EXPECT_GT(s.n, 0);
  EXPECT_GT(s.y0, 5);
  EXPECT_LT(s.y1, 295);
}

TEST(VizPlot, AnnotationsLegendAndReferenceLinesShowUp) {
  LinePlot p;
  p.title("C(W) y tangente")
      .function(
          "C(W)", [](double w) { return w * w; }, -1, 1);
  p.hline(0.25, {.color = Color{10, 200, 10}, .width = 3, .line = LineStyle::Solid, .label = "umbral"}).vline(0.5);
  p.annotate({"C′(W) = 1.00", "C″(W) = 2.00"}, 0.5, 0.5, {.halign = HAlign::Center, .valign = VAlign::Middle});
  const std::string svg = p.to_svg(640, 480);
  EXPECT_NE(svg.find(">C(W)</text>"), std::string::npos);  // legend
  EXPECT_NE(svg.find(">umbral</text>"), std::string::npos);
  EXPECT_NE(svg.find(">C″(W) = 2.00</text>"), std::string::npos);
  EXPECT_NE(svg.find("stroke=\"#0ac80a\""), std::string::npos);
  const Canvas img = p.to_canvas(640, 480);
  EXPECT_GT(find_color(img, Color{10, 200, 10}, 10).n, 100);
}

TEST(VizPlot, FixedRangesAreHonoured) {
  LinePlot p;
  p.xlim(-3, 3).ylim(0, 2).line("", {0, 1}, {1, 1});
  const std::string svg = p.to_svg(640, 480);
  EXPECT_NE(svg.find(">\u22123</text>"), std::string::npos);
  EXPECT_NE(svg.find(">3</text>"), std::string::npos);
  EXPECT_NE(svg.find(">2.0</text>"), std::string::npos);
  EXPECT_THROW(LinePlot().xlim(1, 1).to_canvas(100, 100), ValueError);
}

TEST(VizPlot, MismatchedSeriesThrowShapeError) {
  LinePlot p;
  EXPECT_THROW(p.line("x", {1, 2, 3}, {1, 2}), ShapeError);
}

TEST(VizPlot, EmptyPlotAndTinySizesStillRender) {
  EXPECT_NO_THROW(LinePlot().to_canvas(640, 480));
  EXPECT_NO_THROW(LinePlot().title("a very long title that will not fit").line("a", {1}).to_canvas(40, 30));
  EXPECT_NO_THROW(LinePlot().line("nan", {0, 1, 2}, {NAN, INFINITY, 1}).to_canvas(200, 100));
}

TEST(VizFigure, PlotsSideBySide) {
  LinePlot a, b;
  a.title("Red A").line("", {0, 1, 2}, {2, 1, 0.5}, {.color = colors::blue});
  b.title("Red B").line("", {0, 1, 2}, {2, 1.5, 1.2}, {.color = colors::vermillion});
  Figure f(1, 2);
  f.add(a).add(b);
  EXPECT_THROW(f.add(a), ValueError);
  EXPECT_EQ(f.default_size().width, 1120);
  const Canvas img = f.to_canvas(800, 300);
  const Span left = find_color(img, colors::blue, 10), right = find_color(img, colors::vermillion, 10);
  ASSERT_GT(left.n, 0);
  ASSERT_GT(right.n, 0);
  EXPECT_LT(left.x1, 400);
  EXPECT_GE(right.x0, 400);
  const std::string svg = f.title("Dos redes").to_svg(800, 340);
  EXPECT_NE(svg.find(">Red A</text>"), std::string::npos);
  EXPECT_NE(svg.find(">Red B</text>"), std::string::npos);
  EXPECT_NE(svg.find(">Dos redes</text>"), std::string::npos);
  EXPECT_THROW(f.set(1, 0, a), ValueError);
}

TEST(VizAnimation, WritesOneGifFrameEach) {
  testing::TempDir dir;
  Animation anim(200, 150);
  for (int k = 0; k < 3; ++k) {
    const double w = -1 + k;
    anim.add_frame(LinePlot()
                       .xlim(-2, 2)
                       .ylim(0, 4)
                       .function(
                           "", [](double x) { return x * x; }, -2, 2)
                       .tangent(w, w * w, 2 * w));
  }
  anim.add_frame(Canvas(200, 150), 500);
  EXPECT_THROW(anim.add_frame(Canvas(10, 10)), ValueError);
  EXPECT_EQ(anim.frame_count(), 4u);
  const std::string path = dir.file("t.gif");
  anim.delay_ms(50).save_gif(path);
  int err = 0;
  GifFileType* gif = DGifOpenFileName(path.c_str(), &err);
  ASSERT_NE(gif, nullptr);
  ASSERT_EQ(DGifSlurp(gif), GIF_OK);
  EXPECT_EQ(gif->ImageCount, 4);
  EXPECT_EQ(gif->SWidth, 200);
  EXPECT_EQ(gif->SHeight, 150);
  GraphicsControlBlock gcb;
  ASSERT_EQ(DGifSavedExtensionToGCB(gif, 3, &gcb), GIF_OK);
  EXPECT_EQ(gcb.DelayTime, 50);
  ASSERT_EQ(DGifSavedExtensionToGCB(gif, 1, &gcb), GIF_OK);
  EXPECT_EQ(gcb.DelayTime, 5);
  DGifCloseFile(gif, &err);
  EXPECT_THROW(Animation(10, 10).save_gif(dir.file("empty.gif")), ValueError);
  EXPECT_EQ(dir.files(), std::vector<std::string>{"t.gif"});
}

// ---- issue #19: 20+ series stay readable ----

// CIE76 ΔE between two sRGB colours (D65).
double delta_e(Color a, Color b) {
  auto lab = [](Color c) {
    auto lin = [](double u) {
      u /= 255;
      return u > 0.04045 ? std::pow((u + 0.055) / 1.055, 2.4) : u / 12.92;
    };
    const double r = lin(c.r), g = lin(c.g), bl = lin(c.b);
    const double x = (0.4124 * r + 0.3576 * g + 0.1805 * bl) / 0.95047, y = 0.2126 * r + 0.7152 * g + 0.0722 * bl,
                 z = (0.0193 * r + 0.1192 * g + 0.9505 * bl) / 1.08883;
    auto f = [](double t) { return t > 0.008856 ? std::cbrt(t) : 7.787 * t + 16.0 / 116; };
    return std::array<double, 3>{116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))};
  };
  const auto p = lab(a), q = lab(b);
  return std::hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

TEST(VizPlot, TwentySeriesGetTwentyDistinguishableColours) {
  ASSERT_GE(kPaletteSize, 20u);
  for (std::size_t i = 0; i < 20; ++i)
    for (std::size_t j = i + 1; j < 20; ++j)
      EXPECT_GT(delta_e(palette_color(i), palette_color(j)), 20) << "palette colours " << i << " and " << j;
}

// The x of the <text> element that shows `label`; NaN when there is none.
double svg_text_x(const std::string& svg, const std::string& label) {
  const size_t at = svg.find(">" + label + "</text>");
  if (at == std::string::npos) return NAN;
  const size_t x = svg.rfind("<text x=\"", at);
  return std::stod(svg.substr(x + 9));
}

// The largest x of the polylines with more than `min_points` points (the data, not legend handles).
double svg_data_max_x(const std::string& svg, size_t min_points) {
  double hi = -1;
  for (size_t p = 0; (p = svg.find("<polyline points=\"", p)) != std::string::npos;) {
    p += 18;
    const std::string pts = svg.substr(p, svg.find('"', p) - p);
    if (size_t(std::count(pts.begin(), pts.end(), ',')) <= min_points) continue;
    std::istringstream in(pts);
    std::string pair;
    while (in >> pair) hi = std::max(hi, std::stod(pair.substr(0, pair.find(','))));
  }
  return hi;
}

TEST(VizPlot, LegendGoesOutsideWhenItWouldCoverData) {
  // 20 curves filling the axes (a deep net's gradient norms): no corner is free.
  LinePlot many;
  many.title("Gradient norm per parameter").log_y(true);
  std::vector<double> x(60);
  for (size_t i = 0; i < x.size(); ++i) x[i] = double(i);
  for (int k = 0; k < 20; ++k) {
    std::vector<double> y(x.size());
    for (size_t i = 0; i < x.size(); ++i) y[i] = std::pow(10.0, -k / 5.0) * (1 + 0.5 * std::sin(0.3 * i + k));
    many.line("layers." + std::to_string(k) + ".weight", x, y);
  }
  const std::string svg = many.to_svg(640, 480);
  const double data_right = svg_data_max_x(svg, 10);
  ASSERT_GT(data_right, 100);
  for (int k : {0, 7, 19}) {
    const std::string label = "layers." + std::to_string(k) + ".weight";
    EXPECT_GT(svg_text_x(svg, label), data_right) << label << " is not right of the data";
  }

  // Two curves with a free corner: the legend stays inside, in that corner.
  LinePlot two;
  two.line("up", {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
      .line("flat", {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  const std::string svg2 = two.to_svg(640, 480);
  EXPECT_LT(svg_text_x(svg2, "up"), svg_data_max_x(svg2, 10));
}

}  // namespace
}  // namespace nabla::viz
