// nabla/viz/surface.h — the drawing interface every plot renders through.
//
// One plot description, two renderers: Canvas (RGBA pixels, written as PNG/GIF) and
// SvgSurface (vector, text stays text) both implement Surface, so a LinePlot draws itself
// once and comes out identically in both. Coordinates are pixels, origin top-left, y down.
//
//   nabla::viz::Canvas canvas(200, 100);                       // or SvgSurface svg(200, 100)
//   canvas.line({10, 50}, {190, 50}, nabla::viz::Stroke::dashed(nabla::viz::colors::blue, 2));
//   canvas.text({100, 10}, "¿Qué tal?", {.halign = nabla::viz::HAlign::Center});
#pragma once
#include <span>
#include <string_view>
#include <vector>

#include "nabla/viz/color.h"

namespace nabla::viz {

class Canvas;

struct Point {
  double x = 0, y = 0;
};

struct Rect {
  double x = 0, y = 0, w = 0, h = 0;
  double right() const { return x + w; }
  double bottom() const { return y + h; }
  bool contains(Point p) const { return p.x >= x && p.x <= x + w && p.y >= y && p.y <= y + h; }
};

// How a line is drawn. Caps and joins are round in both backends. `dash` alternates on/off
// lengths in pixels; an "on" of 0 draws a round dot of the line's width.
struct Stroke {
  Color color = colors::black;
  double width = 1.0;
  std::vector<double> dash;

  static Stroke solid(Color c, double width = 1.0) { return {c, width, {}}; }
  static Stroke dashed(Color c, double width = 1.0) { return {c, width, {3.7 * width, 1.6 * width}}; }
  static Stroke dotted(Color c, double width = 1.0) { return {c, width, {0.0, 2.0 * width}}; }
  static Stroke dash_dot(Color c, double width = 1.0) {
    return {c, width, {6.4 * width, 1.6 * width, 0.0, 1.6 * width}};
  }
  static Stroke none() { return {colors::transparent, 0.0, {}}; }
  bool visible() const { return width > 0 && color.a > 0; }
};

enum class Marker { None, Circle, Square, Triangle, Diamond, Cross, Plus };

enum class HAlign { Left, Center, Right };
// Top/Bottom are the font's full cell (ascent + descent); Baseline is where letters sit.
enum class VAlign { Top, Middle, Baseline, Bottom };

struct TextStyle {
  Color color = colors::text;
  // 1: body text (11 px DejaVu Sans, or the 8x13 bitmap font); 2: titles. Fractional sizes
  // (a plot drawn at another dpi) round to whole px, and to whole factors for the bitmap font.
  double scale = 1;
  HAlign halign = HAlign::Left;
  VAlign valign = VAlign::Top;
  bool vertical = false;  // rotated 90° counter-clockwise (reads bottom to top), for y labels
};

// Size of a single line of UTF-8 text in pixels, before rotation. The embedded font is
// fixed-width, so this is exact for Canvas and what SVG layout assumes too.
struct TextSize {
  int width = 0, height = 0;
};
TextSize measure_text(std::string_view utf8, double scale = 1);

class Surface {
 public:
  virtual ~Surface() = default;
  virtual int width() const = 0;
  virtual int height() const = 0;

  // An open (or closed) polyline drawn as one shape: where segments overlap, anti-aliased
  // edges are not blended twice, so joints of a thick curve look clean.
  virtual void polyline(std::span<const Point> points, const Stroke& stroke, bool closed = false) = 0;
  // Several polylines with one stroke (contour lines, grids), one shape for the same reason.
  virtual void path(const std::vector<std::vector<Point>>& subpaths, const Stroke& stroke) = 0;
  // Filled and/or outlined shapes; a transparent fill or Stroke::none() leaves that part out.
  virtual void rect(const Rect& r, Color fill, const Stroke& stroke) = 0;
  virtual void circle(Point center, double radius, Color fill, const Stroke& stroke) = 0;
  virtual void polygon(std::span<const Point> points, Color fill, const Stroke& stroke) = 0;
  // One line of UTF-8 text anchored at `at` according to style's alignment.
  virtual void text(Point at, std::string_view utf8, const TextStyle& style) = 0;
  // Draws an RGBA image scaled into dst (heatmaps).
  virtual void image(const Canvas& img, const Rect& dst) = 0;
  // Drawing is limited to the intersection of all pushed rectangles until the matching pop.
  virtual void push_clip(const Rect& r) = 0;
  virtual void pop_clip() = 0;

  // Conveniences built on the primitives above.
  void line(Point a, Point b, const Stroke& stroke);
  void fill_rect(const Rect& r, Color fill) { rect(r, fill, Stroke::none()); }
  void stroke_rect(const Rect& r, const Stroke& stroke) { rect(r, colors::transparent, stroke); }
  void fill_circle(Point c, double radius, Color fill) { circle(c, radius, fill, Stroke::none()); }
  // A marker of the given size (diameter in px) centred on p. Cross and Plus use only edge
  // (or fill's colour when edge is invisible).
  void marker(Point p, Marker shape, double size, Color fill, const Stroke& edge = Stroke::none());
};

}  // namespace nabla::viz
