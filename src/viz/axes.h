// Internal: the pair of axes every AxesPlot draws on — range, layout, ticks, frame, legend.
#pragma once
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "nabla/viz/plot.h"

namespace nabla::viz::detail {

struct Range {
  double lo = 0, hi = 0;
  bool empty = true;
  void add(double v) {
    if (!std::isfinite(v)) return;
    if (empty)
      lo = hi = v, empty = false;
    else
      lo = std::min(lo, v), hi = std::max(hi, v);
  }
};

struct Ticks {
  std::vector<double> major;
  std::vector<std::string> labels;
  std::vector<double> minor;
};
Ticks make_ticks(double lo, double hi, bool log, int target);

// One legend row: a line handle and/or a marker, then the label.
struct LegendEntry {
  std::string label;
  Stroke line = Stroke::none();
  Marker marker = Marker::None;
  double marker_size = 6;
  Color marker_fill = colors::transparent;
  Stroke marker_edge = Stroke::none();
};

class Axes {
 public:
  // data_x / data_y: extent of what is plotted (y only of values valid on the y scale).
  // margin: fraction of the range added on each side when a limit is automatic.
  Axes(const AxesOptions& options, Range data_x, Range data_y, double margin = 0.05);

  // Places the frame inside area, leaving room for title, labels and tick labels.
  void layout(const Rect& area);

  const Rect& frame() const { return frame_; }
  double px_x(double x) const;
  double px_y(double y) const;  // NaN for y <= 0 on a log axis
  Point px(double x, double y) const { return {px_x(x), px_y(y)}; }
  double data_x(double px) const;
  double data_y(double py) const;
  bool valid_y(double y) const { return std::isfinite(y) && (!options_.log_y || y > 0); }
  double xlo() const { return xlo_; }
  double xhi() const { return xhi_; }

  void draw_background(Surface& s) const;  // area background, frame fill and grid
  void draw_frame(Surface& s) const;       // spines, ticks, tick labels, axis labels, title
  // The Best legend location: inside the frame where it covers none of `avoid` (data points in
  // px); else outside, right of the frame, in as many columns as its height needs (smaller text
  // if that is what keeps the frame at least 60% of the width); else below the frame, in
  // columns across the width (many series: a deep net's per-parameter gradient norms).
  // Call after a first layout(); when the legend goes outside it lays the axes out again.
  void place_legend(const std::vector<std::string>& labels, const std::vector<Point>& avoid);
  enum class LegendWhere { Inside, Right, Below };
  LegendWhere legend_where() const { return legend_where_; }
  bool legend_outside() const { return legend_where_ != LegendWhere::Inside; }
  // Where draw_legend puts the box (valid after place_legend, for the Best location outside).
  const Rect& legend_box() const { return legend_box_; }
  // avoid: data points in px that the Best location should try not to cover.
  void draw_legend(Surface& s, const std::vector<LegendEntry>& entries, const std::vector<Point>& avoid) const;

 private:
  AxesOptions options_;
  double xlo_, xhi_, ylo_, yhi_;  // final limits (y in data units, also for log)
  Rect area_, frame_;
  Ticks xt_, yt_;
  double title_scale_ = 2;
  void draw_outside_legend(Surface& s, const std::vector<LegendEntry>& entries) const;

 public:
  // A legend's rows and columns: text at `scale`, entries filled column by column.
  struct LegendLayout {
    double scale = 1;
    int cols = 1, rows = 0;
    double col_w = 0, width = 0, height = 0;
  };

 private:
  LegendWhere legend_where_ = LegendWhere::Inside;
  LegendLayout legend_;  // for a legend outside the frame
  Rect legend_box_;
};

// A text box with one line per entry; anchor and alignment as in AnnotationStyle, kept inside `bounds`.
void draw_text_box(Surface& s, const std::vector<std::string>& lines, Point anchor, const AnnotationStyle& style,
                   const Rect& bounds);
// Points of a rectangle with rounded corners (for legend and annotation boxes).
std::vector<Point> rounded_rect(const Rect& r, double radius);
// Splits a polyline in px where points are NaN (invalid on a log axis, or missing data).
std::vector<std::vector<Point>> split_at_nan(const std::vector<Point>& pts);
// Samples a polyline every few px so the legend's Best placement sees long straight segments.
void sample_for_legend(const std::vector<Point>& pts, std::vector<Point>& out);

}  // namespace nabla::viz::detail
