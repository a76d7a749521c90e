#include "viz/axes.h"

#include <cmath>
#include <cstdio>
#include <numbers>

#include "nabla/error.h"

namespace nabla::viz {

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {};
  if (!(hi > lo)) return {lo};
  target = std::max(target, 2);
  const double raw = (hi - lo) / target;
  double base = std::pow(10.0, std::floor(std::log10(raw)));
  static constexpr double kMult[] = {1, 2, 5, 10};
  int m = 0;
  while (m < 3 && kMult[m] * base < raw * (1 - 1e-9)) ++m;
  std::vector<double> ticks;
  for (int attempt = 0; attempt < 6; ++attempt) {
    const double step = kMult[m] * base;
    ticks.clear();
    // Integer multiples of the step, so 0.1 + 0.2 drift cannot creep into the positions.
    const double k0 = std::ceil(lo / step - 1e-9), k1 = std::floor(hi / step + 1e-9);
    for (double k = k0; k <= k1 && ticks.size() < 1000; ++k) ticks.push_back(k == 0 ? 0.0 : k * step);
    if (ticks.size() >= 2) break;
    // Too coarse for this range: one step down the 1-2-5 ladder.
    if (m == 0)
      m = 2, base /= 10;
    else
      --m;
  }
  return ticks;
}

std::string format_tick(double value, double step) {
  step = std::abs(step);
  if (!(step > 0) || !std::isfinite(step)) step = std::abs(value) > 0 ? std::abs(value) : 1;
  if (std::abs(value) < step * 1e-9) value = 0;
  const double mag = std::max(std::abs(value), step);
  char buf[64];
  std::string s;
  if (mag >= 1e6 || mag < 1e-4) {
    const int e = static_cast<int>(std::floor(std::log10(std::max(std::abs(value), step))));
    const double scaled_step = step / std::pow(10.0, e);
    int d = 0;
    while (d < 6 && std::abs(scaled_step * std::pow(10.0, d) - std::round(scaled_step * std::pow(10.0, d))) > 1e-6) ++d;
    std::snprintf(buf, sizeof buf, "%.*fe%d", d, value / std::pow(10.0, e), e);
    s = value == 0 ? "0" : buf;
  } else {
    int d = 0;
    while (d < 12) {
      const double scaled = step * std::pow(10.0, d);
      if (std::abs(scaled - std::round(scaled)) < 1e-6 * std::max(1.0, scaled)) break;
      ++d;
    }
    std::snprintf(buf, sizeof buf, "%.*f", d, value);
    s = buf;
  }
  // A real minus sign is as wide as the digits and lines up in tick columns.
  std::string out;
  for (char c : s) out += c == '-' ? "\u2212" : std::string(1, c);
  return out;
}

Stroke make_stroke(Color color, double width, LineStyle style) {
  switch (style) {
    case LineStyle::Solid:
      return Stroke::solid(color, width);
    case LineStyle::Dashed:
      return Stroke::dashed(color, width);
    case LineStyle::Dotted:
      return Stroke::dotted(color, width);
    case LineStyle::DashDot:
      return Stroke::dash_dot(color, width);
    case LineStyle::None:
      return Stroke::none();
  }
  return Stroke::none();
}

}  // namespace nabla::viz

namespace nabla::viz::detail {
namespace {

constexpr int kTickLen = 4;
constexpr int kPad = 8;
constexpr int kFontH = 13;

// Crisp 1-px lines sit on pixel centres.
double snap(double v) { return std::floor(v) + 0.5; }

std::string superscript(int k) {
  static const char* kDigits[] = {"\u2070", "\u00b9", "\u00b2", "\u00b3", "\u2074",
                                  "\u2075", "\u2076", "\u2077", "\u2078", "\u2079"};
  std::string s = k < 0 ? "\u207b" : "";
  for (char c : std::to_string(std::abs(k))) s += kDigits[c - '0'];
  return s;
}

void pad_range(double& lo, double& hi, bool log, double margin) {
  if (log) {
    lo = std::log10(lo), hi = std::log10(hi);
  }
  if (hi == lo) {
    const double d = log ? 0.5 : (lo != 0 ? std::abs(lo) * 0.1 : 0.5);
    lo -= d, hi += d;
  } else {
    const double d = (hi - lo) * margin;
    lo -= d, hi += d;
  }
  if (log) lo = std::pow(10.0, lo), hi = std::pow(10.0, hi);
}

}  // namespace

Ticks make_ticks(double lo, double hi, bool log, int target) {
  Ticks t;
  if (!log) {
    t.major = nice_ticks(lo, hi, target);
    const double step = t.major.size() >= 2 ? t.major[1] - t.major[0] : std::abs(hi - lo);
    for (double v : t.major) t.labels.push_back(format_tick(v, step));
    return t;
  }
  const int k0 = static_cast<int>(std::ceil(std::log10(lo) - 1e-9));
  const int k1 = static_cast<int>(std::floor(std::log10(hi) + 1e-9));
  const int n = k1 - k0 + 1;
  if (n >= 4) {
    const int stride = std::max(1, (n + target - 1) / target);
    for (int k = k0; k <= k1; ++k) {
      const double v = std::pow(10.0, k);
      if (k % stride == 0) {
        t.major.push_back(v);
        t.labels.push_back("10" + superscript(k));
      } else {
        t.minor.push_back(v);
      }
    }
    if (stride == 1 && n <= 12) {
      for (int k = k0 - 1; k <= k1; ++k)
        for (int m = 2; m <= 9; ++m) {
          const double v = m * std::pow(10.0, k);
          if (v >= lo && v <= hi) t.minor.push_back(v);
        }
    }
    return t;
  }
  if (n >= 1 || hi / lo >= 4) {
    // A few decades (a typical loss curve): 1-2-5 steps with plain numbers read better than
    // two lonely powers of ten.
    for (int k = k0 - 1; k <= k1; ++k) {
      for (int m = 1; m <= 9; ++m) {
        const double v = m * std::pow(10.0, k);
        if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9)) continue;
        if (m == 1 || m == 2 || m == 5) {
          t.major.push_back(v);
          t.labels.push_back(format_tick(v, std::pow(10.0, k)));
        } else {
          t.minor.push_back(v);
        }
      }
    }
    if (t.major.size() >= 2) return t;
    t = Ticks{};
  }
  // Less than two decades visible: decade labels alone would leave the axis almost bare.
  const std::vector<double> lin = nice_ticks(lo, hi, target);
  const double step = lin.size() >= 2 ? lin[1] - lin[0] : hi - lo;
  for (double v : lin) {
    if (v <= 0) continue;
    t.major.push_back(v);
    t.labels.push_back(format_tick(v, step));
  }
  return t;
}

Axes::Axes(const AxesOptions& options, Range data_x, Range data_y, double margin) : options_(options) {
  const bool log = options.log_y;
  NABLA_CHECK(!(options.xmin && options.xmax) || *options.xmin < *options.xmax, ValueError, "plot: xlim(",
              options.xmin.value_or(0), ", ", options.xmax.value_or(0), ") needs lo < hi");
  NABLA_CHECK(!(options.ymin && options.ymax) || *options.ymin < *options.ymax, ValueError, "plot: ylim(",
              options.ymin.value_or(0), ", ", options.ymax.value_or(0), ") needs lo < hi");
  NABLA_CHECK(!log || ((!options.ymin || *options.ymin > 0) && (!options.ymax || *options.ymax > 0)), ValueError,
              "plot: a log-scale y axis needs positive limits, got ylim(", options.ymin.value_or(1), ", ",
              options.ymax.value_or(1), ")");
  xlo_ = data_x.empty ? 0 : data_x.lo, xhi_ = data_x.empty ? 1 : data_x.hi;
  if (!data_x.empty) pad_range(xlo_, xhi_, false, margin);
  ylo_ = data_y.empty ? (log ? 1 : 0) : data_y.lo, yhi_ = data_y.empty ? (log ? 10 : 1) : data_y.hi;
  if (!data_y.empty) pad_range(ylo_, yhi_, log, margin);
  if (options.xmin) xlo_ = *options.xmin;
  if (options.xmax) xhi_ = *options.xmax;
  if (options.ymin) ylo_ = *options.ymin;
  if (options.ymax) yhi_ = *options.ymax;
  // One limit set by hand on the far side of all the data: keep a usable range.
  if (!(xhi_ > xlo_)) options.xmin ? xhi_ = xlo_ + 1 : xlo_ = xhi_ - 1;
  if (!(yhi_ > ylo_)) {
    if (log)
      options.ymin ? yhi_ = ylo_* 10 : ylo_ = yhi_ / 10;
    else
      options.ymin ? yhi_ = ylo_ + 1 : ylo_ = yhi_ - 1;
  }
}

void Axes::layout(const Rect& area) {
  area_ = area;
  const bool has_title = !options_.title.empty();
  title_scale_ = has_title && measure_text(options_.title, 2).width <= area.w - 2 * kPad ? 2 : 1;
  const double top = area.y + kPad + (has_title ? kFontH * title_scale_ + kPad : 0);
  const double below = legend_where_ == LegendWhere::Below ? legend_.height + kPad : 0;
  const double bottom =
      area.bottom() - kPad - below - (options_.xlabel.empty() ? 0 : kFontH + 6) - kFontH - 3 - kTickLen;
  const double frame_h = std::max(10.0, bottom - top);
  yt_ = make_ticks(ylo_, yhi_, options_.log_y, std::clamp(static_cast<int>(frame_h / 50), 3, 9));
  int ylab_w = 0;
  for (const auto& l : yt_.labels) ylab_w = std::max(ylab_w, measure_text(l).width);
  const double left = area.x + kPad + (options_.ylabel.empty() ? 0 : kFontH + 8) + ylab_w + 3 + kTickLen;
  const double beside = legend_where_ == LegendWhere::Right ? legend_.width + kPad : 0;
  double right = area.right() - 2 * kPad - beside;
  // x ticks: as many as fit with room between labels.
  int target = std::clamp(static_cast<int>((right - left) / 80), 3, 10);
  for (; target >= 2; --target) {
    xt_ = make_ticks(xlo_, xhi_, false, target);
    int total = 0;
    for (const auto& l : xt_.labels) total += measure_text(l).width + 16;
    if (total <= right - left) break;
  }
  if (!xt_.labels.empty()) {
    // The last label is centred on its tick: leave room for its right half.
    const double half = measure_text(xt_.labels.back()).width / 2.0;
    const double tick_px = left + (xt_.major.back() - xlo_) / (xhi_ - xlo_) * (right - left);
    const double limit = area.right() - kPad - beside;
    right = std::min(right, limit - std::max(0.0, half - (right - tick_px)));
  }
  frame_ = {snap(left), snap(top), std::floor(right) - std::floor(left), std::floor(bottom) - std::floor(top)};
  frame_.w = std::max(frame_.w, 1.0);
  frame_.h = std::max(frame_.h, 1.0);
  if (legend_where_ == LegendWhere::Right) {
    legend_box_ = {frame_.right() + kPad, frame_.y, legend_.width, legend_.height};
  } else if (legend_where_ == LegendWhere::Below) {
    const double x = std::max(area.x + kPad, frame_.x + (frame_.w - legend_.width) / 2);
    legend_box_ = {x, area.bottom() - kPad - legend_.height, legend_.width, legend_.height};
  }
}

double Axes::px_x(double x) const { return frame_.x + (x - xlo_) / (xhi_ - xlo_) * frame_.w; }

double Axes::px_y(double y) const {
  if (options_.log_y) {
    if (!(y > 0)) return std::numeric_limits<double>::quiet_NaN();
    return frame_.bottom() - (std::log10(y) - std::log10(ylo_)) / (std::log10(yhi_) - std::log10(ylo_)) * frame_.h;
  }
  return frame_.bottom() - (y - ylo_) / (yhi_ - ylo_) * frame_.h;
}

double Axes::data_x(double px) const { return xlo_ + (px - frame_.x) / frame_.w * (xhi_ - xlo_); }

double Axes::data_y(double py) const {
  const double t = (frame_.bottom() - py) / frame_.h;
  if (options_.log_y) return std::pow(10.0, std::log10(ylo_) + t * (std::log10(yhi_) - std::log10(ylo_)));
  return ylo_ + t * (yhi_ - ylo_);
}

void Axes::draw_background(Surface& s) const {
  s.fill_rect(area_, colors::white);
  if (!options_.grid) return;
  std::vector<std::vector<Point>> lines;
  for (double v : xt_.major) {
    const double x = snap(px_x(v));
    if (x > frame_.x + 1 && x < frame_.right() - 1) lines.push_back({{x, frame_.y}, {x, frame_.bottom()}});
  }
  for (double v : yt_.major) {
    const double y = snap(px_y(v));
    if (y > frame_.y + 1 && y < frame_.bottom() - 1) lines.push_back({{frame_.x, y}, {frame_.right(), y}});
  }
  s.path(lines, Stroke::solid(colors::grid, 1));
}

void Axes::draw_frame(Surface& s) const {
  const Stroke axis = Stroke::solid(colors::axis, 1);
  s.stroke_rect(frame_, axis);
  std::vector<std::vector<Point>> ticks;
  const double fb = frame_.bottom(), fl = frame_.x;
  for (double v : xt_.major) ticks.push_back({{snap(px_x(v)), fb}, {snap(px_x(v)), fb + kTickLen}});
  for (double v : yt_.major) ticks.push_back({{fl - kTickLen, snap(px_y(v))}, {fl, snap(px_y(v))}});
  for (double v : yt_.minor) ticks.push_back({{fl - kTickLen / 2.0, snap(px_y(v))}, {fl, snap(px_y(v))}});
  s.path(ticks, axis);
  for (std::size_t i = 0; i < xt_.major.size(); ++i) {
    s.text({snap(px_x(xt_.major[i])), fb + kTickLen + 3}, xt_.labels[i],
           {.halign = HAlign::Center, .valign = VAlign::Top});
  }
  for (std::size_t i = 0; i < yt_.major.size(); ++i) {
    s.text({fl - kTickLen - 3, snap(px_y(yt_.major[i]))}, yt_.labels[i],
           {.halign = HAlign::Right, .valign = VAlign::Middle});
  }
  const double cx = frame_.x + frame_.w / 2, cy = frame_.y + frame_.h / 2;
  if (!options_.xlabel.empty()) {
    s.text({cx, fb + kTickLen + 3 + kFontH + 6}, options_.xlabel, {.halign = HAlign::Center, .valign = VAlign::Top});
  }
  if (!options_.ylabel.empty()) {
    s.text({area_.x + kPad, cy}, options_.ylabel, {.halign = HAlign::Center, .valign = VAlign::Top, .vertical = true});
  }
  if (!options_.title.empty()) {
    s.text({cx, area_.y + kPad}, options_.title,
           {.color = colors::black, .scale = title_scale_, .halign = HAlign::Center, .valign = VAlign::Top});
  }
}

namespace {

constexpr double kRow = 17, kHandle = 26, kGap = 7, kInner = 7, kInset = 8, kColGap = 12;

using LegendLayout = Axes::LegendLayout;

// `cols` columns of entries at text `scale` (rows filled top to bottom, then the next column).
LegendLayout legend_layout(const std::vector<std::string>& labels, double scale, int cols) {
  LegendLayout l;
  l.scale = scale;
  l.cols = std::max(1, std::min(cols, static_cast<int>(labels.size())));
  l.rows = static_cast<int>((labels.size() + l.cols - 1) / l.cols);
  int text_w = 0;
  for (const auto& s : labels) text_w = std::max(text_w, measure_text(s, scale).width);
  l.col_w = (kHandle + kGap) * scale + text_w;
  l.width = 2 * kInner + l.cols * l.col_w + (l.cols - 1) * kColGap * scale;
  l.height = 2 * kInner + (l.rows * kRow - (kRow - kFontH)) * scale;
  return l;
}

// The fewest columns at `scale` whose height fits in max_h (at most one entry per column).
LegendLayout legend_fitting(const std::vector<std::string>& labels, double scale, double max_h) {
  const int rows_fit = std::max(1, static_cast<int>((max_h - 2 * kInner + (kRow - kFontH) * scale) / (kRow * scale)));
  const int n = static_cast<int>(labels.size());
  return legend_layout(labels, scale, (n + rows_fit - 1) / rows_fit);
}

struct LegendSize {
  double width, height;
};

LegendSize legend_size(const std::vector<std::string>& labels) {
  const LegendLayout l = legend_layout(labels, 1, 1);
  return {l.width, l.height};
}

// The Best candidates inside frame f for a w x h box, and the one that covers the fewest points.
Rect best_inside(const Rect& f, double w, double h, const std::vector<Point>& avoid, std::size_t& hits_out) {
  // Like matplotlib's "best": the candidate that covers the fewest plotted points.
  const std::vector<Rect> candidates = {
      {f.right() - kInset - w, f.y + kInset, w, h},  {f.x + kInset, f.y + kInset, w, h},
      {f.x + kInset, f.bottom() - kInset - h, w, h}, {f.right() - kInset - w, f.bottom() - kInset - h, w, h},
      {f.x + (f.w - w) / 2, f.y + kInset, w, h},     {f.x + (f.w - w) / 2, f.bottom() - kInset - h, w, h}};
  Rect box = candidates[0];
  hits_out = static_cast<std::size_t>(-1);
  for (const Rect& c : candidates) {
    std::size_t hits = 0;
    for (const Point& p : avoid) hits += c.contains(p);
    if (hits < hits_out) hits_out = hits, box = c;
  }
  return box;
}

// One row: the handle (line and/or marker) from x, then the label, centred on cy; text at `scale`.
void draw_legend_entry(Surface& s, const LegendEntry& e, double x, double cy, double scale) {
  const double hx0 = x, hx1 = hx0 + kHandle * scale;
  if (e.line.visible()) s.line({hx0, cy}, {hx1, cy}, e.line);
  if (e.marker != Marker::None) s.marker({(hx0 + hx1) / 2, cy}, e.marker, e.marker_size, e.marker_fill, e.marker_edge);
  s.text({hx1 + kGap * scale, cy}, e.label, {.scale = scale, .halign = HAlign::Left, .valign = VAlign::Middle});
}

}  // namespace

void Axes::place_legend(const std::vector<std::string>& labels, const std::vector<Point>& avoid) {
  if (labels.empty() || options_.legend != LegendLoc::Best) return;
  const LegendSize sz = legend_size(labels);
  std::size_t hits = 0;
  best_inside(frame_, sz.width, sz.height, avoid, hits);
  const bool fits = sz.height <= frame_.h - 2 * kInset && sz.width <= frame_.w - 2 * kInset;
  if (hits == 0 && fits) return;
  // Right of the frame, in columns as tall as the frame, the text smaller if need be.
  for (double scale : {1.0, 0.85, 0.7}) {
    const LegendLayout l = legend_fitting(labels, scale, frame_.h);
    if (l.width + kPad <= 0.4 * area_.w) {
      legend_ = l, legend_where_ = LegendWhere::Right;
      layout(area_);
      return;
    }
  }
  // Below the axes, in as many columns as the width takes, at the smallest text.
  const double max_w = area_.w - 2 * kPad;
  LegendLayout l = legend_layout(labels, 0.7, 1);
  for (int cols = static_cast<int>(labels.size()); cols >= 1; --cols) {
    l = legend_layout(labels, 0.7, cols);
    if (l.width <= max_w) break;
  }
  // Too many to leave the frame a third of the height: an inside legend rather than no plot.
  if (l.height > area_.h / 2) return;
  legend_ = l, legend_where_ = LegendWhere::Below;
  layout(area_);
}

void Axes::draw_legend(Surface& s, const std::vector<LegendEntry>& entries, const std::vector<Point>& avoid) const {
  if (entries.empty() || options_.legend == LegendLoc::Hidden) return;
  std::vector<std::string> labels;
  for (const auto& e : entries) labels.push_back(e.label);
  const LegendSize sz = legend_size(labels);
  const double w = sz.width, h = sz.height;
  const Rect f = frame_;
  Rect box;
  switch (options_.legend) {
    case LegendLoc::UpperLeft:
      box = {f.x + kInset, f.y + kInset, w, h};
      break;
    case LegendLoc::LowerLeft:
      box = {f.x + kInset, f.bottom() - kInset - h, w, h};
      break;
    case LegendLoc::LowerRight:
      box = {f.right() - kInset - w, f.bottom() - kInset - h, w, h};
      break;
    case LegendLoc::Best: {
      if (legend_outside()) return draw_outside_legend(s, entries);
      std::size_t hits = 0;
      box = best_inside(f, w, h, avoid, hits);
      break;
    }
    default:
      box = {f.right() - kInset - w, f.y + kInset, w, h};
  }
  s.polygon(rounded_rect(box, 3), Color{255, 255, 255, 215}, Stroke::solid(colors::light_grey, 1));
  for (std::size_t i = 0; i < entries.size(); ++i)
    draw_legend_entry(s, entries[i], box.x + kInner, box.y + kInner + i * kRow + kFontH / 2.0, 1);
}

void Axes::draw_outside_legend(Surface& s, const std::vector<LegendEntry>& entries) const {
  const Rect& box = legend_box_;
  const double k = legend_.scale;
  s.polygon(rounded_rect(box, 3), Color{255, 255, 255, 215}, Stroke::solid(colors::light_grey, 1));
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const int col = static_cast<int>(i) / legend_.rows, row = static_cast<int>(i) % legend_.rows;
    const double x = box.x + kInner + col * (legend_.col_w + kColGap * k);
    draw_legend_entry(s, entries[i], x, box.y + kInner + (row * kRow + kFontH / 2.0) * k, k);
  }
}

void draw_text_box(Surface& s, const std::vector<std::string>& lines, Point anchor, const AnnotationStyle& style,
                   const Rect& bounds) {
  if (lines.empty()) return;
  constexpr double kLine = 16, kInner = 6;
  int text_w = 0;
  for (const auto& l : lines) text_w = std::max(text_w, measure_text(l).width);
  const double w = text_w + 2 * kInner, h = lines.size() * kLine - (kLine - kFontH) + 2 * kInner;
  double x = style.halign == HAlign::Left ? anchor.x : style.halign == HAlign::Center ? anchor.x - w / 2 : anchor.x - w;
  double y = style.valign == VAlign::Top ? anchor.y : style.valign == VAlign::Middle ? anchor.y - h / 2 : anchor.y - h;
  // Keep the box readable rather than half outside the axes.
  x = std::clamp(x, bounds.x + 2, std::max(bounds.x + 2, bounds.right() - 2 - w));
  y = std::clamp(y, bounds.y + 2, std::max(bounds.y + 2, bounds.bottom() - 2 - h));
  const Rect box{std::round(x) + 0.5, std::round(y) + 0.5, std::round(w), std::round(h)};
  if (style.box) s.polygon(rounded_rect(box, 3), style.box_fill, Stroke::solid(style.box_edge, 1));
  for (std::size_t i = 0; i < lines.size(); ++i) {
    s.text({box.x + kInner, box.y + kInner + i * kLine}, lines[i], {.color = style.color});
  }
}

std::vector<Point> rounded_rect(const Rect& r, double radius) {
  radius = std::min({radius, r.w / 2, r.h / 2});
  std::vector<Point> pts;
  const Point centres[4] = {{r.right() - radius, r.y + radius},
                            {r.right() - radius, r.bottom() - radius},
                            {r.x + radius, r.bottom() - radius},
                            {r.x + radius, r.y + radius}};
  constexpr int kSteps = 4;
  for (int c = 0; c < 4; ++c) {
    for (int k = 0; k <= kSteps; ++k) {
      const double a = (c - 1) * std::numbers::pi / 2 + k * (std::numbers::pi / 2) / kSteps;
      pts.push_back({centres[c].x + radius * std::cos(a), centres[c].y + radius * std::sin(a)});
    }
  }
  return pts;
}

std::vector<std::vector<Point>> split_at_nan(const std::vector<Point>& pts) {
  std::vector<std::vector<Point>> out(1);
  for (const Point& p : pts) {
    if (std::isfinite(p.x) && std::isfinite(p.y)) {
      out.back().push_back(p);
    } else if (!out.back().empty()) {
      out.emplace_back();
    }
  }
  if (out.back().empty()) out.pop_back();
  return out;
}

void sample_for_legend(const std::vector<Point>& pts, std::vector<Point>& out) {
  for (std::size_t i = 0; i < pts.size(); ++i) {
    if (!std::isfinite(pts[i].x) || !std::isfinite(pts[i].y)) continue;
    out.push_back(pts[i]);
    if (i + 1 >= pts.size() || !std::isfinite(pts[i + 1].x) || !std::isfinite(pts[i + 1].y)) continue;
    const double len = std::hypot(pts[i + 1].x - pts[i].x, pts[i + 1].y - pts[i].y);
    const int n = std::min(200, static_cast<int>(len / 6));
    for (int k = 1; k < n; ++k) {
      const double t = static_cast<double>(k) / n;
      out.push_back({pts[i].x + t * (pts[i + 1].x - pts[i].x), pts[i].y + t * (pts[i + 1].y - pts[i].y)});
    }
  }
}

}  // namespace nabla::viz::detail
