// nabla/viz/canvas.h — an RGBA8 raster Surface with anti-aliased drawing and an embedded font.
//
// Everything is anti-aliased by exact pixel coverage (distance to the stroke's centre line for
// lines and circles, scanline area for polygons), so thin plot lines look smooth. Text uses an
// embedded 8x13 bitmap font (ASCII, Latin-1 incl. Spanish, Greek, ′ ″ ∂ ∇ ≈ ² ...): no font files.
//
//   nabla::viz::Canvas c(320, 240);                             // white background
//   c.polyline(points, nabla::viz::Stroke::solid(nabla::viz::colors::blue, 2));
//   c.save_png("curve.png");
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/viz/surface.h"

namespace nabla::viz {

class Canvas : public Surface {
 public:
  Canvas(int width, int height, Color background = colors::white);

  int width() const override { return width_; }
  int height() const override { return height_; }

  // Pixel access; out-of-range coordinates throw nabla::ValueError.
  Color pixel(int x, int y) const;
  void set_pixel(int x, int y, Color c);
  // Source-over compositing of c with its alpha scaled by coverage in [0, 1]; ignores the
  // clip stack and silently skips pixels outside the canvas.
  void blend_pixel(int x, int y, Color c, double coverage = 1.0);
  void clear(Color c);
  // Copies src with its top-left corner at (x, y), compositing by src's alpha.
  void blit(const Canvas& src, int x, int y);

  // Rows top to bottom, 4 bytes (R, G, B, A) per pixel, stride 4 * width.
  const std::uint8_t* data() const { return rgba_.data(); }
  std::uint8_t* data() { return rgba_.data(); }

  // Writes a PNG (atomically; throws nabla::IOError naming the path).
  void save_png(const std::string& path) const;

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
  struct Box {  // half-open pixel box [x0, x1) x [y0, y1)
    int x0, y0, x1, y1;
  };
  Box clip_box() const;
  // Shapes are first rasterised into a coverage mask (max over the shape's parts), then
  // composited once, which is what keeps overlapping parts from double-blending.
  void cover_segment(Point a, Point b, double width, const Box& clip);
  void cover_polyline(std::span<const Point> pts, bool closed, const Stroke& stroke, const Box& clip);
  void cover_polygon(std::span<const Point> pts, const Box& clip);
  void touch(int x0, int y0, int x1, int y1);
  void flush_coverage(Color c);

  int width_, height_;
  std::vector<std::uint8_t> rgba_;  // (height, width, 4)
  std::vector<Box> clips_;
  std::vector<float> coverage_;  // (height, width), zero outside the dirty box
  Box dirty_{0, 0, 0, 0};
};

}  // namespace nabla::viz
