// nabla/viz/plot.h — matplotlib-style line plots (loss curves, functions with tangent lines).
//
// A plot is a description (series, labels, options set with chained setters) that renders
// itself onto any Surface, so the same object is saved as PNG, SVG, or used as a GIF frame.
//
//   nabla::viz::LinePlot p;
//   p.title("Pérdida").xlabel("época").ylabel("C(W)").log_y().line("train", epochs, loss);
//   p.save_png("loss.png");                      // 640x480; p.save_svg("loss.svg") for vector
//   p.save_png("loss@2x.png", {.dpi = 200});     // 1280x960, text and lines twice as large
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nabla/std_function.h"
#include "nabla/viz/canvas.h"
#include "nabla/viz/surface.h"

namespace nabla::viz {

enum class LineStyle { Solid, Dashed, Dotted, DashDot, None };
// The Stroke a LineStyle stands for (dash lengths scale with the width, as in matplotlib).
Stroke make_stroke(Color color, double width, LineStyle style);

enum class LegendLoc { Best, UpperRight, UpperLeft, LowerLeft, LowerRight, Hidden };
// Where an annotation's (x, y) lives: data units, or fractions of the axes (0..1, origin at
// the lower-left corner, like matplotlib's transform=ax.transAxes).
enum class Coords { Data, Axes };

struct SeriesStyle {
  std::optional<Color> color;  // unset: the next colour of the palette
  double width = 2.0;
  LineStyle line = LineStyle::Solid;
  Marker marker = Marker::None;
  double marker_size = 6.0;
};

struct RefLineStyle {
  Color color = colors::grey;
  double width = 1.0;
  LineStyle line = LineStyle::Dashed;
  std::string label;  // shown in the legend when non-empty
};

struct TangentStyle {
  std::optional<Color> color;  // unset: the next colour of the palette
  double width = 1.5;
  LineStyle line = LineStyle::Dashed;
  std::string label;       // shown in the legend when non-empty
  double half_width = 0;   // > 0: only x0 ± half_width (data units); 0: across the axes
  bool mark_point = true;  // a dot at (x0, y0)
};

struct AnnotationStyle {
  Coords coords = Coords::Axes;
  HAlign halign = HAlign::Left;  // which side of the box (x, y) is on
  VAlign valign = VAlign::Top;
  Color color = colors::text;
  bool box = true;
  Color box_fill = Color{255, 255, 255, 220};
  Color box_edge = colors::light_grey;
};

struct PlotSize {
  int width = 640, height = 480;
};

// An image's size the way matplotlib gives it: inches and dots per inch, pixels = inches × dpi.
// A plot's own size in px is its size at 100 dpi (640x480 = 6.4x4.8 in, matplotlib's default);
// at 200 dpi it has twice the pixels and its text, lines and markers are twice as large.
struct Resolution {
  static constexpr double kBaseDpi = 100;
  static constexpr double kMinDpi = 10, kMaxDpi = 1200;
  static constexpr double kMaxInches = 100;
  // A bound on width × height (RGBA: 4 bytes each), so a typo is an error, not an OOM.
  static constexpr std::int64_t kMaxPixels = 50'000'000;

  double dpi = kBaseDpi;
  double width_in = 0, height_in = 0;  // 0 (both): the plot's own size

  // How much larger than at 100 dpi everything is drawn.
  double scale() const { return dpi / kBaseDpi; }
  // The image size in px of a plot whose own size (px at 100 dpi) is `own`. Throws ValueError
  // naming the value for a dpi outside [kMinDpi, kMaxDpi], a size of one side only, a side
  // outside (0, kMaxInches], or an image of more than kMaxPixels.
  PlotSize pixels(PlotSize own) const;
};

// Anything that draws itself into a rectangle of a Surface: LinePlot, DecisionMap, Figure.
class Plot {
 public:
  virtual ~Plot() = default;
  virtual void render(Surface& surface, const Rect& area) const = 0;
  virtual PlotSize default_size() const { return {}; }

  Canvas to_canvas() const;
  Canvas to_canvas(int width, int height) const;
  // width x height px, laid out as width/scale x height/scale px and drawn scale times larger
  // (what dpi = 100·scale does).
  Canvas to_canvas(int width, int height, double scale) const;
  Canvas to_canvas(const Resolution& resolution) const;
  std::string to_svg() const;
  std::string to_svg(int width, int height) const;
  std::string to_svg(int width, int height, double scale) const;
  std::string to_svg(const Resolution& resolution) const;
  // Atomic writes; throw nabla::IOError naming the path.
  void save_png(const std::string& path) const;
  void save_png(const std::string& path, int width, int height) const;
  void save_png(const std::string& path, const Resolution& resolution) const;
  void save_svg(const std::string& path) const;
  void save_svg(const std::string& path, int width, int height) const;
  void save_svg(const std::string& path, const Resolution& resolution) const;
};

// Options shared by plots with one pair of axes.
struct AxesOptions {
  std::string title, xlabel, ylabel;
  std::optional<double> xmin, xmax, ymin, ymax;  // unset: from the data, plus a 5% margin
  bool log_y = false;
  bool grid = true;
  LegendLoc legend = LegendLoc::Best;
};

// Chained setters for AxesOptions that return the concrete plot type, so that
// `LinePlot().title("a").line(...)` keeps LinePlot's methods available.
template <class Derived>
class AxesPlot : public Plot {
 public:
  Derived& title(std::string text) { return axes_.title = std::move(text), self(); }
  Derived& xlabel(std::string text) { return axes_.xlabel = std::move(text), self(); }
  Derived& ylabel(std::string text) { return axes_.ylabel = std::move(text), self(); }
  Derived& xlim(double lo, double hi) { return axes_.xmin = lo, axes_.xmax = hi, self(); }
  Derived& ylim(double lo, double hi) { return axes_.ymin = lo, axes_.ymax = hi, self(); }
  // Log-scale y: values <= 0 cannot be shown and are skipped (lines break there).
  Derived& log_y(bool on = true) { return axes_.log_y = on, self(); }
  Derived& grid(bool on = true) { return axes_.grid = on, self(); }
  Derived& legend(LegendLoc loc) { return axes_.legend = loc, self(); }
  const AxesOptions& axes() const { return axes_; }

 protected:
  AxesOptions axes_;

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
};

class LinePlot : public AxesPlot<LinePlot> {
 public:
  // A named series; an empty name keeps it out of the legend. x and y must have equal length;
  // NaN/inf values break the line.
  LinePlot& line(std::string name, std::vector<double> x, std::vector<double> y, SeriesStyle style = {});
  // y against 0, 1, 2, ... (e.g. a loss per epoch).
  LinePlot& line(std::string name, std::vector<double> y, SeriesStyle style = {});
  // f sampled at `samples` points over [x0, x1].
  LinePlot& function(std::string name, const std::function<double(double)>& f, double x0, double x1,
                     SeriesStyle style = {}, int samples = 200);
  // Markers only (default: circles).
  LinePlot& scatter(std::string name, std::vector<double> x, std::vector<double> y,
                    SeriesStyle style = {.line = LineStyle::None, .marker = Marker::Circle, .marker_size = 7});
  LinePlot& hline(double y, RefLineStyle style = {});
  LinePlot& vline(double x, RefLineStyle style = {});
  // The line through (x0, y0) with the given slope, clipped to the axes: the tangent of a
  // curve at x0 when slope = f'(x0).
  LinePlot& tangent(double x0, double y0, double slope, TangentStyle style = {});
  // A box with one text line per entry, e.g. {"C'(W) = 0.42", "C''(W) = 1.7"}.
  LinePlot& annotate(std::vector<std::string> lines, double x, double y, AnnotationStyle style = {});

  void render(Surface& surface, const Rect& area) const override;

 private:
  struct Series {
    std::string name;
    std::vector<double> x, y;
    SeriesStyle style;
    Color color;
  };
  struct RefLine {
    bool horizontal;
    double value;
    RefLineStyle style;
  };
  struct Tangent {
    double x0, y0, slope;
    TangentStyle style;
    Color color;
  };
  struct Annotation {
    std::vector<std::string> lines;
    double x, y;
    AnnotationStyle style;
  };
  Color next_color();

  std::vector<Series> series_;
  std::vector<RefLine> ref_lines_;
  std::vector<Tangent> tangents_;
  std::vector<Annotation> annotations_;
  std::size_t auto_colors_ = 0;
};

// Tick positions for [lo, hi] with steps of 1, 2 or 5 times a power of ten, aiming at about
// `target` ticks (never fewer than 2 when lo < hi).
std::vector<double> nice_ticks(double lo, double hi, int target = 6);
// A tick label with as many decimals as `step` needs (step 0.5: "1.5", step 0.02: "0.04"), a
// proper minus sign (U+2212), and scientific notation for very large or small magnitudes.
std::string format_tick(double value, double step);

}  // namespace nabla::viz
