// Internal: a Surface that draws onto another one k times larger: what a plot rendered at
// another dpi is. The plot lays itself out on width/k x height/k px; every coordinate, line
// width, dash, marker and text size reaches the target multiplied by k, as matplotlib draws a
// figure at dpi/100 (text in points, lines in points, so all of it grows with dpi).
#pragma once
#include <vector>

#include "nabla/viz/canvas.h"
#include "nabla/viz/surface.h"

namespace nabla::viz::detail {

class ScaledSurface : public Surface {
 public:
  ScaledSurface(Surface& target, double k) : target_(target), k_(k) {}

  int width() const override { return static_cast<int>(target_.width() / k_); }
  int height() const override { return static_cast<int>(target_.height() / k_); }

  void polyline(std::span<const Point> points, const Stroke& stroke, bool closed) override {
    const std::vector<Point> p = scaled(points);
    target_.polyline(p, scaled(stroke), closed);
  }
  void path(const std::vector<std::vector<Point>>& subpaths, const Stroke& stroke) override {
    std::vector<std::vector<Point>> p;
    p.reserve(subpaths.size());
    for (const auto& sp : subpaths) p.push_back(scaled(sp));
    target_.path(p, scaled(stroke));
  }
  void rect(const Rect& r, Color fill, const Stroke& stroke) override { target_.rect(scaled(r), fill, scaled(stroke)); }
  void circle(Point c, double radius, Color fill, const Stroke& stroke) override {
    target_.circle(scaled(c), radius * k_, fill, scaled(stroke));
  }
  void polygon(std::span<const Point> points, Color fill, const Stroke& stroke) override {
    const std::vector<Point> p = scaled(points);
    target_.polygon(p, fill, scaled(stroke));
  }
  void text(Point at, std::string_view utf8, const TextStyle& style) override {
    TextStyle s = style;
    s.scale *= k_;
    target_.text(scaled(at), utf8, s);
  }
  void image(const Canvas& img, const Rect& dst) override { target_.image(img, scaled(dst)); }
  void push_clip(const Rect& r) override { target_.push_clip(scaled(r)); }
  void pop_clip() override { target_.pop_clip(); }

 private:
  Point scaled(Point p) const { return {p.x * k_, p.y * k_}; }
  Rect scaled(const Rect& r) const { return {r.x * k_, r.y * k_, r.w * k_, r.h * k_}; }
  std::vector<Point> scaled(std::span<const Point> pts) const {
    std::vector<Point> out(pts.size());
    for (std::size_t i = 0; i < pts.size(); ++i) out[i] = scaled(pts[i]);
    return out;
  }
  Stroke scaled(Stroke s) const {
    s.width *= k_;
    for (double& d : s.dash) d *= k_;
    return s;
  }

  Surface& target_;
  double k_;
};

}  // namespace nabla::viz::detail
