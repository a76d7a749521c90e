#include "course/plots.h"

#include <algorithm>
#include <cmath>

#include "nabla/viz/color.h"
#include "nabla/viz/surface.h"

namespace nabla::demo {

namespace {

using viz::LineStyle;
using viz::Marker;
using viz::SeriesStyle;
namespace colors = viz::colors;

constexpr viz::Color kCurve = colors::blue;
constexpr viz::Color kMinimum = colors::green;
constexpr viz::Color kMaximum = colors::vermillion;
constexpr viz::Color kInflection = colors::purple;

std::vector<double> xs_of(const std::vector<Point>& c) {
  std::vector<double> v;
  for (const Point& p : c) v.push_back(p.x);
  return v;
}

template <class Get>
std::vector<double> ys_of(const std::vector<Point>& c, Get get) {
  std::vector<double> v;
  for (const Point& p : c) v.push_back(get(p));
  return v;
}

// The critical points of one kind, as (x, value) with the value picked by `get`.
template <class Get>
void mark_critical(viz::LinePlot& plot, const CriticalPoints& cps, Get get, const FunctionPlotText& text, bool legend) {
  struct Kind {
    CriticalKind kind;
    const std::string* name;
    viz::Color color;
    Marker marker;
  };
  const Kind kinds[] = {{CriticalKind::minimum, &text.minimum, kMinimum, Marker::Circle},
                        {CriticalKind::maximum, &text.maximum, kMaximum, Marker::Triangle},
                        {CriticalKind::inflection, &text.inflection, kInflection, Marker::Diamond}};
  for (const Kind& k : kinds) {
    std::vector<double> x, y;
    for (const CriticalPoint& cp : cps.points)
      if (cp.kind == k.kind) x.push_back(cp.point.x), y.push_back(get(cp.point));
    if (x.empty()) continue;
    plot.scatter(legend ? *k.name : "", x, y,
                 {.color = k.color, .line = LineStyle::None, .marker = k.marker, .marker_size = 10});
  }
}

viz::RefLineStyle reference_line(viz::Color color, LineStyle line) {
  viz::RefLineStyle style;
  style.color = color;
  style.width = 1;
  style.line = line;
  return style;
}

// Flat pieces of f (f′ = 0 on a whole interval), drawn as a thick bar at height y.
void mark_flat(viz::LinePlot& plot, const CriticalPoints& cps, double y) {
  for (const FlatInterval& fl : cps.flat) plot.line("", {fl.from, fl.to}, {y, y}, {.color = kInflection, .width = 5});
}

void critical_vlines(viz::LinePlot& plot, const CriticalPoints& cps) {
  for (const CriticalPoint& cp : cps.points)
    plot.vline(cp.point.x, reference_line(colors::light_grey, LineStyle::Dotted));
}

}  // namespace

std::pair<double, double> value_range(const std::vector<Point>& curve, double margin) {
  double lo = INFINITY, hi = -INFINITY;
  for (const Point& p : curve)
    if (std::isfinite(p.f)) lo = std::min(lo, p.f), hi = std::max(hi, p.f);
  if (!std::isfinite(lo)) return {-1, 1};
  if (hi - lo < 1e-12 * std::max(1.0, std::fabs(hi))) return {lo - 1, hi + 1};
  const double m = margin * (hi - lo);
  return {lo - m, hi + m};
}

viz::LinePlot function_plot(const std::vector<Point>& curve, const CriticalPoints& cps, const FunctionPlotText& text) {
  viz::LinePlot p;
  p.title(text.title).xlabel(text.variable).ylabel(text.f);
  if (!curve.empty()) p.xlim(curve.front().x, curve.back().x);
  if (text.ylim) p.ylim(text.ylim->first, text.ylim->second);
  critical_vlines(p, cps);
  p.line(text.f, xs_of(curve), ys_of(curve, [](const Point& q) { return q.f; }), {.color = kCurve, .width = 2.5});
  for (const FlatInterval& fl : cps.flat) {
    // f is constant on a flat piece: its value at either end.
    double y = NAN;
    for (const Point& q : curve)
      if (q.x >= fl.from && std::isfinite(q.f)) {
        y = q.f;
        break;
      }
    p.line("", {fl.from, fl.to}, {y, y}, {.color = kInflection, .width = 5});
  }
  mark_critical(
      p, cps, [](const Point& q) { return q.f; }, text, true);
  return p;
}

viz::Figure derivatives_figure(const std::vector<Point>& curve, const CriticalPoints& cps,
                               const FunctionPlotText& text) {
  viz::Figure fig(3, 1);
  fig.cell_size(640, 250);
  if (!text.derivatives_title.empty()) fig.title(text.derivatives_title);
  const std::vector<double> xs = xs_of(curve);
  const double x0 = curve.empty() ? 0 : curve.front().x, x1 = curve.empty() ? 1 : curve.back().x;

  viz::LinePlot pf;
  pf.ylabel(text.f).xlim(x0, x1).legend(viz::LegendLoc::Best);
  if (text.ylim) pf.ylim(text.ylim->first, text.ylim->second);
  critical_vlines(pf, cps);
  pf.line(text.f, xs, ys_of(curve, [](const Point& q) { return q.f; }), {.color = kCurve, .width = 2});
  mark_critical(
      pf, cps, [](const Point& q) { return q.f; }, text, true);

  viz::LinePlot p1;
  p1.ylabel(text.d1).xlim(x0, x1).legend(viz::LegendLoc::Hidden);
  p1.hline(0, reference_line(colors::grey, LineStyle::Solid));
  critical_vlines(p1, cps);
  p1.line(text.d1, xs, ys_of(curve, [](const Point& q) { return q.d1; }), {.color = colors::orange, .width = 2});
  mark_critical(
      p1, cps, [](const Point&) { return 0.0; }, text, false);
  mark_flat(p1, cps, 0.0);

  viz::LinePlot p2;
  p2.ylabel(text.d2).xlabel(text.variable).xlim(x0, x1).legend(viz::LegendLoc::Hidden);
  p2.hline(0, reference_line(colors::grey, LineStyle::Solid));
  critical_vlines(p2, cps);
  p2.line(text.d2, xs, ys_of(curve, [](const Point& q) { return q.d2; }), {.color = colors::purple, .width = 2});
  mark_critical(
      p2, cps, [](const Point& q) { return q.d2; }, text, false);

  fig.add(pf).add(p1).add(p2);
  return fig;
}

viz::Figure descent_figure(const std::vector<Point>& curve, const std::vector<Descent>& descents,
                           const std::vector<std::string>& names, const FunctionPlotText& text) {
  viz::Figure fig(1, 2);
  fig.cell_size(560, 440);
  if (!text.descent_title.empty()) fig.title(text.descent_title);

  viz::LinePlot left;
  left.xlabel(text.variable).ylabel(text.f);
  if (!curve.empty()) left.xlim(curve.front().x, curve.back().x);
  if (text.ylim) left.ylim(text.ylim->first, text.ylim->second);
  left.line(text.f, xs_of(curve), ys_of(curve, [](const Point& q) { return q.f; }),
            {.color = colors::grey, .width = 2});

  viz::LinePlot right;
  right.xlabel(text.step).ylabel(text.f);
  for (size_t i = 0; i < descents.size(); ++i) {
    const Descent& d = descents[i];
    const viz::Color color = viz::palette_color(i == 0 ? 0 : i + 1);  // blue, green, orange, ...
    std::vector<double> x, y, k;
    for (const DescentStep& s : d.path) x.push_back(s.x), y.push_back(s.f), k.push_back(s.step);
    const std::string name = i < names.size() ? names[i] : "";
    left.line(name, x, y, {.color = color, .width = 1.5, .marker = Marker::Circle, .marker_size = 5});
    if (!x.empty())
      left.scatter("", {x.front()}, {y.front()},
                   {.color = color, .line = LineStyle::None, .marker = Marker::Square, .marker_size = 10});
    right.line(name, k, y, {.color = color, .width = 2, .marker = Marker::Circle, .marker_size = 4});
  }
  fig.add(left).add(right);
  return fig;
}

namespace {

// Where a tangent frame's text box goes: the upper left corner unless the point or its tangent
// segment would be under the box; then whichever of the lower left and lower right corners covers
// fewer of the curve's samples (the legend holds the upper right). Positions are fractions of the
// axes; the box's size is estimated from its text as the embedded font measures it.
struct BoxPlace {
  double x, y;
  viz::HAlign halign;
  viz::VAlign valign;
};
BoxPlace place_box(const std::vector<std::string>& lines, const std::vector<std::pair<double, double>>& avoid,
                   const std::vector<std::pair<double, double>>& curve, int width, int height) {
  int text_width = 0, line_height = 13;
  for (const std::string& l : lines) {
    const viz::TextSize t = viz::measure_text(l);
    text_width = std::max(text_width, t.width), line_height = std::max(line_height, t.height);
  }
  const double w = (text_width + 14.0) / (0.88 * width),
               h = ((line_height + 3.0) * double(lines.size()) + 10) / (0.80 * height);
  struct Candidate {
    BoxPlace place;
    double x0, x1, y0, y1;
  };
  const Candidate candidates[] = {
      {{0.02, 0.98, viz::HAlign::Left, viz::VAlign::Top}, 0.02, 0.02 + w, 0.98 - h, 0.98},
      {{0.02, 0.02, viz::HAlign::Left, viz::VAlign::Bottom}, 0.02, 0.02 + w, 0.02, 0.02 + h},
      {{0.98, 0.02, viz::HAlign::Right, viz::VAlign::Bottom}, 0.98 - w, 0.98, 0.02, 0.02 + h}};
  auto inside = [](const Candidate& c, const std::pair<double, double>& p, double margin) {
    return p.first > c.x0 - margin && p.first < c.x1 + margin && p.second > c.y0 - margin && p.second < c.y1 + margin;
  };
  auto blocked = [&](const Candidate& c) {
    for (const auto& p : avoid)
      if (inside(c, p, 0.03)) return true;
    return false;
  };
  if (!blocked(candidates[0])) return candidates[0].place;
  const Candidate* best = &candidates[0];
  double best_cost = 1e300;
  for (const Candidate& c : candidates) {
    double cost = blocked(c) ? 1e6 : 0;
    for (const auto& p : curve) cost += inside(c, p, 0.0);
    if (cost < best_cost) best = &c, best_cost = cost;
  }
  return best->place;
}

}  // namespace

viz::Animation tangent_animation(const std::vector<Point>& curve, const CriticalPoints& cps,
                                 const std::vector<Point>& frames, const FunctionPlotText& text,
                                 const std::function<std::vector<std::string>(const Point&)>& box,
                                 const std::function<std::string(const Point&)>& title, int width, int height) {
  // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
  const std::pair<double, double> yrange = text.ylim ? *text.ylim : value_range(curve);
  const double ylo = yrange.first, yhi = yrange.second;
  const std::vector<double> xs = xs_of(curve), fs = ys_of(curve, [](const Point&q) { return q.f; });
  viz::Animation anim(width, height);
  // The curve in fractions of the axes, for place_box.
  const double x_lo = curve.empty() ? 0 : curve.front().x, x_span = curve.empty() ? 1 : curve.back().x - x_lo;
  auto fraction = [&](double x, double y) { return std::pair{(x - x_lo) / x_span, (y - ylo) / (yhi - ylo)}; };
  std::vector<std::pair<double, double>> curve_fractions;
  for (const Point& q : curve) curve_fractions.push_back(fraction(q.x, q.f));
  for (const Point& at : frames) {
    viz::LinePlot p;
    std::vector<std::pair<double, double>> avoid{fraction(at.x, at.f)};
    p.title(title(at)).xlabel(text.variable).ylabel(text.f).ylim(ylo, yhi).legend(viz::LegendLoc::UpperRight);
    if (!curve.empty()) p.xlim(curve.front().x, curve.back().x);
    p.line(text.f, xs, fs, {.color = kCurve, .width = 2.5});
    mark_critical(
        p, cps, [](const Point& q) { return q.f; }, text, false);
    if (std::isfinite(at.f) && std::isfinite(at.d1)) {
      viz::TangentStyle style;
      style.color = colors::black;
      style.width = 2;
      style.line = LineStyle::Solid;
      // A segment of the same length on screen whatever the slope, rather than a line across the
      // axes: it reads as "the slope here", and keeps each GIF frame's changed part (and the file)
      // small. The axes fill about 88% x 80% of the frame.
      if (!curve.empty()) {
        const double xr = curve.back().x - curve.front().x, yr = yhi - ylo;
        const double screen_slope = at.d1 * (xr / yr) * (0.80 * height) / (0.88 * width);
        style.half_width = 0.16 * xr / std::sqrt(1 + screen_slope * screen_slope);
      }
      p.tangent(at.x, at.f, at.d1, style);
      for (double t = -1; t <= 1; t += 0.25)
        avoid.push_back(fraction(at.x + t * style.half_width, at.f + t * style.half_width * at.d1));
    }
    const std::vector<std::string> lines = box(at);
    const BoxPlace place = place_box(lines, avoid, curve_fractions, width, height);
    viz::AnnotationStyle box_style;
    box_style.halign = place.halign;
    box_style.valign = place.valign;
    p.annotate(lines, place.x, place.y, box_style);
    anim.add_frame(p);
  }
  return anim;
}

}  // namespace nabla::demo
