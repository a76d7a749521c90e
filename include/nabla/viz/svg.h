// nabla/viz/svg.h — a Surface that records vector SVG instead of pixels.
//
// Same drawing calls as Canvas, so plots render to SVG unchanged: lines become <polyline>/<path>,
// text stays selectable <text> in a monospace font sized like the bitmap font, heatmaps are
// embedded PNG <image>s.
//
//   nabla::viz::SvgSurface svg(640, 480);
//   svg.text({320, 20}, "Pérdida", {.scale = 2, .halign = nabla::viz::HAlign::Center});
//   svg.save("loss.svg");   // or svg.str()
#pragma once
#include <sstream>
#include <string>

#include "nabla/viz/surface.h"

namespace nabla::viz {

class SvgSurface : public Surface {
 public:
  SvgSurface(int width, int height, Color background = colors::white);

  int width() const override { return width_; }
  int height() const override { return height_; }

  // The complete document (closes any clip groups still open).
  std::string str() const;
  // Writes str() atomically; throws nabla::IOError naming the path.
  void save(const std::string& path) const;

  void polyline(std::span<const Point> points, const Stroke& stroke, bool closed = false) override;
  void path(const std::vector<std::vector<Point>>& subpaths, const Stroke& stroke) override;
  void rect(const Rect& r, Color fill, const Stroke& stroke) override;
  void circle(Point center, double radius, Color fill, const Stroke& stroke) override;
  void polygon(std::span<const Point> points, Color fill, const Stroke& stroke) override;
  void text(Point at, std::string_view utf8, const TextStyle& style) override;
  void image(const Canvas& img, const Rect& dst) override;
  void push_clip(const Rect& r) override;
  void pop_clip() override;

 private:
  int width_, height_;
  Color background_;
  std::ostringstream body_;
  int open_groups_ = 0;
  int next_clip_id_ = 0;
};

}  // namespace nabla::viz
