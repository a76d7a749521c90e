#include "nabla/viz/canvas.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "nabla/error.h"
#include "nabla/viz/image_io.h"
#include "viz/font.h"

namespace nabla::viz {
namespace {

double dist_to_segment(double px, double py, Point a, Point b) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((px - a.x) * dx + (py - a.y) * dy) / len2 : 0.0;
  t = std::clamp(t, 0.0, 1.0);
  const double ex = a.x + t * dx - px, ey = a.y + t * dy - py;
  return std::sqrt(ex * ex + ey * ey);
}

// Coverage of a pixel whose centre is d px from a stroke's centre line: a 1-px ramp across
// the edge. Strokes thinner than 1 px are drawn 1 px wide at reduced opacity instead, which
// looks like a thin line rather than a broken one.
float stroke_coverage(double d, double width) {
  const double half = std::max(width, 1.0) / 2;
  const double c = std::clamp(half + 0.5 - d, 0.0, 1.0);
  return static_cast<float>(width < 1.0 ? c * width : c);
}

// Splits a polyline into the "on" pieces of a dash pattern (pattern continues across vertices).
std::vector<std::vector<Point>> dash_pieces(std::span<const Point> pts, const std::vector<double>& dash) {
  std::vector<std::vector<Point>> out;
  double total = 0;
  for (double d : dash) total += std::max(d, 0.0);
  if (dash.empty() || total <= 0 || pts.size() < 2) {
    out.emplace_back(pts.begin(), pts.end());
    return out;
  }
  std::size_t k = 0;
  double left = std::max(dash[0], 0.0);
  bool on = true;
  std::vector<Point> cur = {pts[0]};
  for (std::size_t i = 0; i + 1 < pts.size(); ++i) {
    const Point p = pts[i], q = pts[i + 1];
    const double len = std::hypot(q.x - p.x, q.y - p.y);
    if (len <= 0) continue;
    double t = 0;
    while (left <= len - t) {
      t += left;
      const Point m{p.x + (q.x - p.x) * t / len, p.y + (q.y - p.y) * t / len};
      if (on) {
        cur.push_back(m);
        out.push_back(std::move(cur));
        cur.clear();
      } else {
        cur = {m};
      }
      on = !on;
      k = (k + 1) % dash.size();
      left = std::max(dash[k], 0.0);
    }
    left -= len - t;
    if (on) cur.push_back(q);
  }
  if (on && !cur.empty()) out.push_back(std::move(cur));
  return out;
}

}  // namespace

Canvas::Canvas(int width, int height, Color background) : width_(width), height_(height) {
  NABLA_CHECK(width > 0 && height > 0 && width <= 1 << 15 && height <= 1 << 15, ValueError,
              "Canvas: size must be between 1x1 and 32768x32768, got ", width, "x", height);
  rgba_.resize(static_cast<std::size_t>(width) * height * 4);
  clear(background);
}

Color Canvas::pixel(int x, int y) const {
  NABLA_CHECK(x >= 0 && y >= 0 && x < width_ && y < height_, ValueError, "Canvas::pixel: (", x, ", ", y,
              ") is outside the ", width_, "x", height_, " canvas");
  const std::uint8_t* p = &rgba_[(static_cast<std::size_t>(y) * width_ + x) * 4];
  return {p[0], p[1], p[2], p[3]};
}

void Canvas::set_pixel(int x, int y, Color c) {
  NABLA_CHECK(x >= 0 && y >= 0 && x < width_ && y < height_, ValueError, "Canvas::set_pixel: (", x, ", ", y,
              ") is outside the ", width_, "x", height_, " canvas");
  std::uint8_t* p = &rgba_[(static_cast<std::size_t>(y) * width_ + x) * 4];
  p[0] = c.r, p[1] = c.g, p[2] = c.b, p[3] = c.a;
}

void Canvas::blend_pixel(int x, int y, Color c, double coverage) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_ || coverage <= 0) return;
  std::uint8_t* p = &rgba_[(static_cast<std::size_t>(y) * width_ + x) * 4];
  const double sa = c.a / 255.0 * std::min(coverage, 1.0);
  if (sa >= 1.0) {
    p[0] = c.r, p[1] = c.g, p[2] = c.b, p[3] = 255;
    return;
  }
  const double da = p[3] / 255.0;
  const double oa = sa + da * (1 - sa);
  if (oa <= 0) return;
  auto ch = [&](std::uint8_t s, std::uint8_t d) {
    return static_cast<std::uint8_t>(std::lround((s * sa + d * da * (1 - sa)) / oa));
  };
  p[0] = ch(c.r, p[0]), p[1] = ch(c.g, p[1]), p[2] = ch(c.b, p[2]);
  p[3] = static_cast<std::uint8_t>(std::lround(oa * 255));
}

void Canvas::clear(Color c) {
  for (std::size_t i = 0; i < rgba_.size(); i += 4) {
    rgba_[i] = c.r, rgba_[i + 1] = c.g, rgba_[i + 2] = c.b, rgba_[i + 3] = c.a;
  }
}

void Canvas::blit(const Canvas& src, int x, int y) {
  for (int sy = 0; sy < src.height_; ++sy) {
    for (int sx = 0; sx < src.width_; ++sx) blend_pixel(x + sx, y + sy, src.pixel(sx, sy));
  }
}

void Canvas::save_png(const std::string& path) const { write_png(*this, path); }

Canvas::Box Canvas::clip_box() const { return clips_.empty() ? Box{0, 0, width_, height_} : clips_.back(); }

void Canvas::push_clip(const Rect& r) {
  // A pixel is inside when its centre is; this matches how SVG viewers clip.
  Box b{static_cast<int>(std::ceil(r.x - 0.5)), static_cast<int>(std::ceil(r.y - 0.5)),
        static_cast<int>(std::ceil(r.right() - 0.5)), static_cast<int>(std::ceil(r.bottom() - 0.5))};
  const Box cur = clip_box();
  b = {std::max(b.x0, cur.x0), std::max(b.y0, cur.y0), std::min(b.x1, cur.x1), std::min(b.y1, cur.y1)};
  b.x1 = std::max(b.x1, b.x0);
  b.y1 = std::max(b.y1, b.y0);
  clips_.push_back(b);
}

void Canvas::pop_clip() {
  NABLA_CHECK(!clips_.empty(), ValueError, "Canvas::pop_clip: no clip rectangle was pushed");
  clips_.pop_back();
}

void Canvas::touch(int x0, int y0, int x1, int y1) {
  if (coverage_.empty()) coverage_.assign(static_cast<std::size_t>(width_) * height_, 0.0f);
  if (dirty_.x0 >= dirty_.x1 || dirty_.y0 >= dirty_.y1) {
    dirty_ = {x0, y0, x1, y1};
  } else {
    dirty_ = {std::min(dirty_.x0, x0), std::min(dirty_.y0, y0), std::max(dirty_.x1, x1), std::max(dirty_.y1, y1)};
  }
}

void Canvas::flush_coverage(Color c) {
  for (int y = dirty_.y0; y < dirty_.y1; ++y) {
    float* row = &coverage_[static_cast<std::size_t>(y) * width_];
    for (int x = dirty_.x0; x < dirty_.x1; ++x) {
      if (row[x] > 0) {
        blend_pixel(x, y, c, row[x]);
        row[x] = 0;
      }
    }
  }
  dirty_ = {0, 0, 0, 0};
}

void Canvas::cover_segment(Point a, Point b, double width, const Box& clip) {
  const double reach = std::max(width, 1.0) / 2 + 1;
  const int x0 = std::max(clip.x0, static_cast<int>(std::floor(std::min(a.x, b.x) - reach)));
  const int x1 = std::min(clip.x1, static_cast<int>(std::ceil(std::max(a.x, b.x) + reach)));
  const int y0 = std::max(clip.y0, static_cast<int>(std::floor(std::min(a.y, b.y) - reach)));
  const int y1 = std::min(clip.y1, static_cast<int>(std::ceil(std::max(a.y, b.y) + reach)));
  if (x0 >= x1 || y0 >= y1) return;
  touch(x0, y0, x1, y1);
  const double dx = b.x - a.x, dy = b.y - a.y;
  for (int y = y0; y < y1; ++y) {
    const double py = y + 0.5;
    int xs = x0, xe = x1;
    // Narrow each row to where the stroke can reach, so long diagonal lines stay cheap.
    if (std::abs(dy) > 1e-9) {
      const double t_lo = std::clamp((py - reach - a.y) / dy, 0.0, 1.0),
                   t_hi = std::clamp((py + reach - a.y) / dy, 0.0, 1.0);
      const double xa = a.x + dx * std::min(t_lo, t_hi), xb = a.x + dx * std::max(t_lo, t_hi);
      // The nearest centre-line point to a pixel within reach lies within reach vertically.
      xs = std::max(x0, static_cast<int>(std::floor(std::min(xa, xb) - reach)));
      xe = std::min(x1, static_cast<int>(std::ceil(std::max(xa, xb) + reach)));
    }
    float* row = &coverage_[static_cast<std::size_t>(y) * width_];
    for (int x = xs; x < xe; ++x) {
      const float c = stroke_coverage(dist_to_segment(x + 0.5, py, a, b), width);
      if (c > row[x]) row[x] = c;
    }
  }
}

void Canvas::cover_polyline(std::span<const Point> pts, bool closed, const Stroke& stroke, const Box& clip) {
  std::vector<Point> ring;
  if (closed && pts.size() > 2) {
    ring.assign(pts.begin(), pts.end());
    ring.push_back(pts.front());
    pts = ring;
  }
  for (const auto& piece : dash_pieces(pts, stroke.dash)) {
    if (piece.size() == 1) cover_segment(piece[0], piece[0], stroke.width, clip);
    for (std::size_t i = 0; i + 1 < piece.size(); ++i) cover_segment(piece[i], piece[i + 1], stroke.width, clip);
  }
}

void Canvas::cover_polygon(std::span<const Point> pts, const Box& clip) {
  if (pts.size() < 3) return;
  double minx = pts[0].x, maxx = minx, miny = pts[0].y, maxy = miny;
  for (const Point& p : pts) {
    minx = std::min(minx, p.x), maxx = std::max(maxx, p.x);
    miny = std::min(miny, p.y), maxy = std::max(maxy, p.y);
  }
  const int x0 = std::max(clip.x0, static_cast<int>(std::floor(minx)));
  const int x1 = std::min(clip.x1, static_cast<int>(std::ceil(maxx)) + 1);
  const int y0 = std::max(clip.y0, static_cast<int>(std::floor(miny)));
  const int y1 = std::min(clip.y1, static_cast<int>(std::ceil(maxy)) + 1);
  if (x0 >= x1 || y0 >= y1) return;
  touch(x0, y0, x1, y1);
  // Exact horizontal coverage on 4 sub-scanlines per row (even-odd rule).
  constexpr int kSub = 4;
  std::vector<float> acc(x1 - x0);
  std::vector<double> xs;
  for (int y = y0; y < y1; ++y) {
    std::fill(acc.begin(), acc.end(), 0.0f);
    for (int s = 0; s < kSub; ++s) {
      const double sy = y + (s + 0.5) / kSub;
      xs.clear();
      for (std::size_t i = 0; i < pts.size(); ++i) {
        const Point a = pts[i], b = pts[(i + 1) % pts.size()];
        if ((a.y <= sy) != (b.y <= sy)) xs.push_back(a.x + (sy - a.y) * (b.x - a.x) / (b.y - a.y));
      }
      std::sort(xs.begin(), xs.end());
      for (std::size_t i = 0; i + 1 < xs.size(); i += 2) {
        const double xa = std::max(xs[i], static_cast<double>(x0)), xb = std::min(xs[i + 1], static_cast<double>(x1));
        for (int x = static_cast<int>(std::floor(xa)); x < xb && x < x1; ++x) {
          const double overlap = std::min(xb, x + 1.0) - std::max(xa, static_cast<double>(x));
          if (overlap > 0) acc[x - x0] += static_cast<float>(overlap / kSub);
        }
      }
    }
    float* row = &coverage_[static_cast<std::size_t>(y) * width_];
    for (int x = x0; x < x1; ++x) row[x] = std::max(row[x], std::min(acc[x - x0], 1.0f));
  }
}

void Canvas::polyline(std::span<const Point> points, const Stroke& stroke, bool closed) {
  if (!stroke.visible() || points.empty()) return;
  cover_polyline(points, closed, stroke, clip_box());
  flush_coverage(stroke.color);
}

void Canvas::path(const std::vector<std::vector<Point>>& subpaths, const Stroke& stroke) {
  if (!stroke.visible()) return;
  const Box clip = clip_box();
  for (const auto& sp : subpaths) cover_polyline(sp, false, stroke, clip);
  flush_coverage(stroke.color);
}

void Canvas::rect(const Rect& r, Color fill, const Stroke& stroke) {
  const Point pts[4] = {{r.x, r.y}, {r.right(), r.y}, {r.right(), r.bottom()}, {r.x, r.bottom()}};
  polygon(pts, fill, stroke);
}

void Canvas::polygon(std::span<const Point> points, Color fill, const Stroke& stroke) {
  if (fill.a > 0) {
    cover_polygon(points, clip_box());
    flush_coverage(fill);
  }
  polyline(points, stroke, true);
}

void Canvas::circle(Point c, double radius, Color fill, const Stroke& stroke) {
  const Box clip = clip_box();
  const double reach = radius + std::max(stroke.width, 1.0) / 2 + 1;
  const int x0 = std::max(clip.x0, static_cast<int>(std::floor(c.x - reach)));
  const int x1 = std::min(clip.x1, static_cast<int>(std::ceil(c.x + reach)));
  const int y0 = std::max(clip.y0, static_cast<int>(std::floor(c.y - reach)));
  const int y1 = std::min(clip.y1, static_cast<int>(std::ceil(c.y + reach)));
  if (x0 >= x1 || y0 >= y1) return;
  for (int pass = 0; pass < 2; ++pass) {
    const bool is_fill = pass == 0;
    if (is_fill ? fill.a == 0 : !stroke.visible()) continue;
    touch(x0, y0, x1, y1);
    for (int y = y0; y < y1; ++y) {
      float* row = &coverage_[static_cast<std::size_t>(y) * width_];
      for (int x = x0; x < x1; ++x) {
        const double d = std::hypot(x + 0.5 - c.x, y + 0.5 - c.y);
        row[x] = is_fill ? static_cast<float>(std::clamp(radius + 0.5 - d, 0.0, 1.0))
                         : stroke_coverage(std::abs(d - radius), stroke.width);
      }
    }
    flush_coverage(is_fill ? fill : stroke.color);
  }
}

void Canvas::text(Point at, std::string_view utf8, const TextStyle& style) {
  const detail::TextMask mask = detail::render_text_mask(utf8, style.scale);
  if (mask.width == 0) return;
  const double along = style.halign == HAlign::Left     ? 0
                       : style.halign == HAlign::Center ? mask.width / 2.0
                                                        : mask.width;
  const double across = style.valign == VAlign::Top        ? 0
                        : style.valign == VAlign::Middle   ? mask.height / 2.0
                        : style.valign == VAlign::Baseline ? mask.baseline
                                                           : mask.height;
  const Box clip = clip_box();
  // ink is coverage (0-255; the bitmap font's is 0 or 255): it scales the colour's alpha.
  auto put = [&](int x, int y, std::uint8_t ink) {
    if (x < clip.x0 || x >= clip.x1 || y < clip.y0 || y >= clip.y1) return;
    Color c = style.color;
    c.a = static_cast<std::uint8_t>((c.a * ink + 127) / 255);
    blend_pixel(x, y, c);
  };
  // Rounding the origin to whole pixels keeps the glyphs crisp (FreeType's are hinted to the grid).
  if (!style.vertical) {
    const int ox = static_cast<int>(std::lround(at.x - along)), oy = static_cast<int>(std::lround(at.y - across));
    for (int v = 0; v < mask.height; ++v)
      for (int u = 0; u < mask.width; ++u)
        if (mask.ink[v * mask.width + u]) put(ox + u, oy + v, mask.ink[v * mask.width + u]);
  } else {
    // Rotated 90° counter-clockwise: "along the text" is up, "down the glyph" is right.
    const int ox = static_cast<int>(std::lround(at.x - across)), oy = static_cast<int>(std::lround(at.y + along));
    for (int v = 0; v < mask.height; ++v)
      for (int u = 0; u < mask.width; ++u)
        if (mask.ink[v * mask.width + u]) put(ox + v, oy - 1 - u, mask.ink[v * mask.width + u]);
  }
}

void Canvas::image(const Canvas& img, const Rect& dst) {
  if (dst.w <= 0 || dst.h <= 0) return;
  const Box clip = clip_box();
  const int x0 = std::max(clip.x0, static_cast<int>(std::ceil(dst.x - 0.5)));
  const int x1 = std::min(clip.x1, static_cast<int>(std::ceil(dst.right() - 0.5)));
  const int y0 = std::max(clip.y0, static_cast<int>(std::ceil(dst.y - 0.5)));
  const int y1 = std::min(clip.y1, static_cast<int>(std::ceil(dst.bottom() - 0.5)));
  const double fx = img.width_ / dst.w, fy = img.height_ / dst.h;
  for (int y = y0; y < y1; ++y) {
    // Bilinear sampling; at 1:1 scale it reduces to a straight copy.
    const double sy = std::clamp((y + 0.5 - dst.y) * fy - 0.5, 0.0, img.height_ - 1.0);
    const int iy = std::min(static_cast<int>(sy), img.height_ - 1), iy1 = std::min(iy + 1, img.height_ - 1);
    const double ty = sy - iy;
    for (int x = x0; x < x1; ++x) {
      const double sx = std::clamp((x + 0.5 - dst.x) * fx - 0.5, 0.0, img.width_ - 1.0);
      const int ix = std::min(static_cast<int>(sx), img.width_ - 1), ix1 = std::min(ix + 1, img.width_ - 1);
      const double tx = sx - ix;
      const std::uint8_t* p00 = &img.rgba_[(static_cast<std::size_t>(iy) * img.width_ + ix) * 4];
      const std::uint8_t* p01 = &img.rgba_[(static_cast<std::size_t>(iy) * img.width_ + ix1) * 4];
      const std::uint8_t* p10 = &img.rgba_[(static_cast<std::size_t>(iy1) * img.width_ + ix) * 4];
      const std::uint8_t* p11 = &img.rgba_[(static_cast<std::size_t>(iy1) * img.width_ + ix1) * 4];
      std::uint8_t out[4];
      for (int k = 0; k < 4; ++k) {
        const double top = p00[k] + (p01[k] - p00[k]) * tx, bot = p10[k] + (p11[k] - p10[k]) * tx;
        out[k] = static_cast<std::uint8_t>(std::lround(top + (bot - top) * ty));
      }
      blend_pixel(x, y, {out[0], out[1], out[2], out[3]});
    }
  }
}

}  // namespace nabla::viz
