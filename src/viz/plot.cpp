#include "nabla/viz/plot.h"

#include <algorithm>
#include <cmath>

#include "nabla/error.h"
#include "nabla/viz/image_io.h"
#include "nabla/viz/svg.h"
#include "viz/axes.h"
#include "viz/scaled_surface.h"

namespace nabla::viz {

// ---------------------------------------------------------------- Plot

Canvas Plot::to_canvas() const { return to_canvas(default_size().width, default_size().height); }

Canvas Plot::to_canvas(int width, int height) const { return to_canvas(width, height, 1.0); }

namespace {

// Renders `plot` onto `surface` (width x height px) at `scale`: through a ScaledSurface unless 1.
void render_scaled(const Plot& plot, Surface& surface, int width, int height, double scale) {
  NABLA_CHECK(std::isfinite(scale) && scale >= Resolution::kMinDpi / Resolution::kBaseDpi &&
                  scale <= Resolution::kMaxDpi / Resolution::kBaseDpi,
              ValueError, "plot: scale ", scale, " is outside [", Resolution::kMinDpi / Resolution::kBaseDpi, ", ",
              Resolution::kMaxDpi / Resolution::kBaseDpi, "] (dpi ", Resolution::kMinDpi, " to ", Resolution::kMaxDpi,
              ")");
  if (scale == 1.0) {
    plot.render(surface, {0, 0, static_cast<double>(width), static_cast<double>(height)});
    return;
  }
  detail::ScaledSurface scaled(surface, scale);
  plot.render(scaled, {0, 0, width / scale, height / scale});
}

}  // namespace

Canvas Plot::to_canvas(int width, int height, double scale) const {
  Canvas c(width, height);
  render_scaled(*this, c, width, height, scale);
  return c;
}

Canvas Plot::to_canvas(const Resolution& r) const {
  const PlotSize px = r.pixels(default_size());
  return to_canvas(px.width, px.height, r.scale());
}

std::string Plot::to_svg() const { return to_svg(default_size().width, default_size().height); }

std::string Plot::to_svg(int width, int height) const { return to_svg(width, height, 1.0); }

std::string Plot::to_svg(int width, int height, double scale) const {
  SvgSurface svg(width, height);
  render_scaled(*this, svg, width, height, scale);
  return svg.str();
}

std::string Plot::to_svg(const Resolution& r) const {
  const PlotSize px = r.pixels(default_size());
  return to_svg(px.width, px.height, r.scale());
}

void Plot::save_png(const std::string& path) const { write_png(to_canvas(), path); }
void Plot::save_png(const std::string& path, int width, int height) const { write_png(to_canvas(width, height), path); }
void Plot::save_png(const std::string& path, const Resolution& r) const { write_png(to_canvas(r), path); }
void Plot::save_svg(const std::string& path) const { write_file_atomic(path, to_svg(), "save_svg"); }
void Plot::save_svg(const std::string& path, int width, int height) const {
  write_file_atomic(path, to_svg(width, height), "save_svg");
}
void Plot::save_svg(const std::string& path, const Resolution& r) const {
  write_file_atomic(path, to_svg(r), "save_svg");
}

// ---------------------------------------------------------------- Resolution

PlotSize Resolution::pixels(PlotSize own) const {
  NABLA_CHECK(std::isfinite(dpi) && dpi >= kMinDpi && dpi <= kMaxDpi, ValueError, "plot dpi ", dpi, " is outside [",
              kMinDpi, ", ", kMaxDpi, "]");
  NABLA_CHECK((width_in == 0) == (height_in == 0), ValueError, "plot size ", width_in, "x", height_in,
              " in: give both width and height (or neither, for the plot's own size)");
  double w = own.width * scale(), h = own.height * scale();
  if (width_in != 0) {
    NABLA_CHECK(std::isfinite(width_in) && std::isfinite(height_in) && width_in > 0 && height_in > 0 &&
                    width_in <= kMaxInches && height_in <= kMaxInches,
                ValueError, "plot size ", width_in, "x", height_in, " in: each side must be in (0, ", kMaxInches,
                "] inches");
    w = width_in * dpi, h = height_in * dpi;
  }
  const double pw = std::max(1.0, std::round(w)), ph = std::max(1.0, std::round(h));
  NABLA_CHECK(pw * ph <= double(kMaxPixels), ValueError, "plot size ", pw, "x", ph, " px (",
              width_in != 0 ? width_in : own.width / kBaseDpi, "x", height_in != 0 ? height_in : own.height / kBaseDpi,
              " in at ", dpi, " dpi) is more than ", kMaxPixels, " pixels; lower the dpi or the size");
  return {static_cast<int>(pw), static_cast<int>(ph)};
}

// ---------------------------------------------------------------- LinePlot

Color LinePlot::next_color() { return palette_color(auto_colors_++); }

LinePlot& LinePlot::line(std::string name, std::vector<double> x, std::vector<double> y, SeriesStyle style) {
  NABLA_CHECK(x.size() == y.size(), ShapeError, "LinePlot::line(\"", name, "\"): x has ", x.size(),
              " values but y has ", y.size());
  const Color c = style.color ? *style.color : next_color();
  series_.push_back({std::move(name), std::move(x), std::move(y), style, c});
  return *this;
}

LinePlot& LinePlot::line(std::string name, std::vector<double> y, SeriesStyle style) {
  std::vector<double> x(y.size());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i);
  return line(std::move(name), std::move(x), std::move(y), style);
}

LinePlot& LinePlot::function(std::string name, const std::function<double(double)>& f, double x0, double x1,
                             SeriesStyle style, int samples) {
  NABLA_CHECK(samples >= 2, ValueError, "LinePlot::function(\"", name, "\"): need at least 2 samples, got ", samples);
  std::vector<double> x(samples), y(samples);
  for (int i = 0; i < samples; ++i) {
    x[i] = x0 + (x1 - x0) * i / (samples - 1);
    y[i] = f(x[i]);
  }
  return line(std::move(name), std::move(x), std::move(y), style);
}

LinePlot& LinePlot::scatter(std::string name, std::vector<double> x, std::vector<double> y, SeriesStyle style) {
  if (style.marker == Marker::None) style.marker = Marker::Circle;
  return line(std::move(name), std::move(x), std::move(y), style);
}

LinePlot& LinePlot::hline(double y, RefLineStyle style) {
  ref_lines_.push_back({true, y, std::move(style)});
  return *this;
}

LinePlot& LinePlot::vline(double x, RefLineStyle style) {
  ref_lines_.push_back({false, x, std::move(style)});
  return *this;
}

LinePlot& LinePlot::tangent(double x0, double y0, double slope, TangentStyle style) {
  const Color c = style.color ? *style.color : next_color();
  tangents_.push_back({x0, y0, slope, std::move(style), c});
  return *this;
}

LinePlot& LinePlot::annotate(std::vector<std::string> lines, double x, double y, AnnotationStyle style) {
  annotations_.push_back({std::move(lines), x, y, style});
  return *this;
}

namespace {

// Liang–Barsky: clips segment a-b to r; false when nothing is left.
bool clip_segment(Point& a, Point& b, const Rect& r) {
  double t0 = 0, t1 = 1;
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {a.x - r.x, r.right() - a.x, a.y - r.y, r.bottom() - a.y};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0) {
      if (q[i] < 0) return false;
      continue;
    }
    const double t = q[i] / p[i];
    if (p[i] < 0)
      t0 = std::max(t0, t);
    else
      t1 = std::min(t1, t);
  }
  if (t0 > t1) return false;
  const Point a0 = a;
  a = {a0.x + t0 * dx, a0.y + t0 * dy};
  b = {a0.x + t1 * dx, a0.y + t1 * dy};
  return true;
}

}  // namespace

void LinePlot::render(Surface& s, const Rect& area) const {
  const bool log = axes_.log_y;
  detail::Range rx, ry;
  auto add_y = [&](double v) {
    if (!log || v > 0) ry.add(v);
  };
  for (const Series& se : series_) {
    for (std::size_t i = 0; i < se.x.size(); ++i) {
      // A point only counts when both coordinates can be drawn.
      if (!std::isfinite(se.x[i]) || !std::isfinite(se.y[i]) || (log && !(se.y[i] > 0))) continue;
      rx.add(se.x[i]);
      ry.add(se.y[i]);
    }
  }
  for (const RefLine& r : ref_lines_) r.horizontal ? add_y(r.value) : rx.add(r.value);
  for (const Tangent& t : tangents_) {
    rx.add(t.x0);
    add_y(t.y0);
  }
  detail::Axes ax(axes_, rx, ry);
  ax.layout(area);
  {
    // Where the legend goes depends on where the data are: outside when it would cover them.
    std::vector<std::string> labels;
    std::vector<Point> data;
    for (const Series& se : series_) {
      if (!se.name.empty()) labels.push_back(se.name);
      std::vector<Point> pts(se.x.size());
      for (std::size_t i = 0; i < pts.size(); ++i) pts[i] = ax.px(se.x[i], se.y[i]);
      if (make_stroke(se.color, se.style.width, se.style.line).visible())
        detail::sample_for_legend(pts, data);
      else
        data.insert(data.end(), pts.begin(), pts.end());
    }
    for (const Tangent& t : tangents_)
      if (!t.style.label.empty()) labels.push_back(t.style.label);
    for (const RefLine& r : ref_lines_)
      if (!r.style.label.empty()) labels.push_back(r.style.label);
    ax.place_legend(labels, data);
  }
  const Rect frame = ax.frame();
  ax.draw_background(s);

  std::vector<detail::LegendEntry> legend, ref_legend;  // reference lines are listed last
  std::vector<Point> occupied;                          // px positions the legend should avoid
  s.push_clip(frame);
  for (const RefLine& r : ref_lines_) {
    const Stroke st = make_stroke(r.style.color, r.style.width, r.style.line);
    if (r.horizontal) {
      const double y = ax.px_y(r.value);
      if (std::isfinite(y)) s.line({frame.x, y}, {frame.right(), y}, st);
    } else {
      const double x = ax.px_x(r.value);
      s.line({x, frame.y}, {x, frame.bottom()}, st);
    }
    if (!r.style.label.empty()) ref_legend.push_back({r.style.label, st});
  }
  for (const Series& se : series_) {
    std::vector<Point> pts(se.x.size());
    for (std::size_t i = 0; i < pts.size(); ++i) pts[i] = ax.px(se.x[i], se.y[i]);
    const Stroke st = make_stroke(se.color, se.style.width, se.style.line);
    if (st.visible()) {
      s.path(detail::split_at_nan(pts), st);
      detail::sample_for_legend(pts, occupied);
    } else {
      for (const Point& p : pts) occupied.push_back(p);
    }
    if (se.style.marker != Marker::None) {
      for (const Point& p : pts) {
        if (std::isfinite(p.x) && std::isfinite(p.y)) s.marker(p, se.style.marker, se.style.marker_size, se.color);
      }
    }
    if (!se.name.empty()) legend.push_back({se.name, st, se.style.marker, se.style.marker_size, se.color});
  }
  for (const Tangent& t : tangents_) {
    double xa = ax.xlo(), xb = ax.xhi();
    if (t.style.half_width > 0) xa = t.x0 - t.style.half_width, xb = t.x0 + t.style.half_width;
    const Stroke st = make_stroke(t.color, t.style.width, t.style.line);
    std::vector<Point> pts;
    if (!log) {
      Point a = ax.px(xa, t.y0 + t.slope * (xa - t.x0)), b = ax.px(xb, t.y0 + t.slope * (xb - t.x0));
      // Clip exactly (the slope may send the ends millions of px away).
      const double m = st.width + 2;
      if (clip_segment(a, b, {frame.x - m, frame.y - m, frame.w + 2 * m, frame.h + 2 * m})) pts = {a, b};
    } else {
      // A straight line is curved on a log axis; sample it and drop the non-positive part.
      for (int i = 0; i <= 256; ++i) {
        const double x = xa + (xb - xa) * i / 256;
        pts.push_back(ax.px(x, t.y0 + t.slope * (x - t.x0)));
      }
    }
    s.path(detail::split_at_nan(pts), st);
    detail::sample_for_legend(pts, occupied);
    if (t.style.mark_point && ax.valid_y(t.y0)) s.marker(ax.px(t.x0, t.y0), Marker::Circle, 7, t.color);
    if (!t.style.label.empty()) {
      legend.push_back({t.style.label, st, t.style.mark_point ? Marker::Circle : Marker::None, 7, t.color});
    }
  }
  s.pop_clip();
  legend.insert(legend.end(), ref_legend.begin(), ref_legend.end());
  ax.draw_frame(s);
  for (const Annotation& a : annotations_) {
    const Point p = a.style.coords == Coords::Axes ? Point{frame.x + a.x * frame.w, frame.bottom() - a.y * frame.h}
                                                   : ax.px(a.x, a.y);
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    detail::draw_text_box(s, a.lines, p, a.style, frame);
  }
  ax.draw_legend(s, legend, occupied);
}

}  // namespace nabla::viz
