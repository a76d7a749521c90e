#include "nabla/viz/svg.h"

#include <cmath>
#include <cstdio>

#include "nabla/error.h"
#include "nabla/viz/canvas.h"
#include "nabla/viz/image_io.h"
#include "viz/font.h"

namespace nabla::viz {
namespace {

// Two decimals are finer than any screen needs and keep files small.
std::string num(double v) {
  if (!std::isfinite(v)) v = 0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // Control characters are not allowed in XML 1.0.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') out += c;
    }
  }
  return out;
}

std::string fill_attr(Color c) {
  if (c.a == 0) return " fill=\"none\"";
  std::string s = " fill=\"" + c.to_hex() + "\"";
  if (c.a < 255) s += " fill-opacity=\"" + num(c.a / 255.0) + "\"";
  return s;
}

std::string stroke_attr(const Stroke& st) {
  if (!st.visible()) return "";
  std::string s = " stroke=\"" + st.color.to_hex() + "\" stroke-width=\"" + num(st.width) +
                  "\" stroke-linecap=\"round\" stroke-linejoin=\"round\"";
  if (st.color.a < 255) s += " stroke-opacity=\"" + num(st.color.a / 255.0) + "\"";
  if (!st.dash.empty()) {
    s += " stroke-dasharray=\"";
    for (std::size_t i = 0; i < st.dash.size(); ++i) {
      if (i) s += ' ';
      s += num(st.dash[i]);
    }
    s += "\"";
  }
  return s;
}

std::string points_attr(std::span<const Point> pts) {
  std::string s;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    if (i) s += ' ';
    s += num(pts[i].x);
    s += ',';
    s += num(pts[i].y);
  }
  return s;
}

std::string base64(const std::vector<std::uint8_t>& data) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < data.size(); i += 3) {
    const std::uint32_t n = (std::uint32_t{data[i]} << 16) | (i + 1 < data.size() ? data[i + 1] << 8 : 0) |
                            (i + 2 < data.size() ? data[i + 2] : 0);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < data.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < data.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

}  // namespace

SvgSurface::SvgSurface(int width, int height, Color background)
    : width_(width), height_(height), background_(background) {
  NABLA_CHECK(width > 0 && height > 0, ValueError, "SvgSurface: size must be positive, got ", width, "x", height);
}

std::string SvgSurface::str() const {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"" +
         std::to_string(width_) + "\" height=\"" + std::to_string(height_) + "\" viewBox=\"0 0 " +
         std::to_string(width_) + " " + std::to_string(height_) + "\" font-family=\"" +
         (detail::vector_font() ? "DejaVu Sans, Verdana, sans-serif" : "DejaVu Sans Mono, Menlo, Consolas, monospace") +
         "\">\n";
  if (background_.a > 0) out += "<rect width=\"100%\" height=\"100%\"" + fill_attr(background_) + "/>\n";
  out += body_.str();
  for (int i = 0; i < open_groups_; ++i) out += "</g>\n";
  out += "</svg>\n";
  return out;
}

void SvgSurface::save(const std::string& path) const { write_file_atomic(path, str(), "SvgSurface::save"); }

void SvgSurface::polyline(std::span<const Point> points, const Stroke& stroke, bool closed) {
  if (!stroke.visible() || points.empty()) return;
  body_ << (closed ? "<polygon" : "<polyline") << " points=\"" << points_attr(points) << "\" fill=\"none\""
        << stroke_attr(stroke) << "/>\n";
}

void SvgSurface::path(const std::vector<std::vector<Point>>& subpaths, const Stroke& stroke) {
  if (!stroke.visible()) return;
  if (subpaths.size() == 1 && subpaths[0].size() >= 2) return polyline(subpaths[0], stroke, false);
  std::string d;
  for (const auto& sp : subpaths) {
    for (std::size_t i = 0; i < sp.size(); ++i) {
      if (!d.empty()) d += ' ';
      d += i ? 'L' : 'M';
      d += num(sp[i].x);
      d += ' ';
      d += num(sp[i].y);
    }
    if (sp.size() == 1) d += " l0 0";  // a zero-length piece still shows its round cap
  }
  if (d.empty()) return;
  body_ << "<path d=\"" << d << "\" fill=\"none\"" << stroke_attr(stroke) << "/>\n";
}

void SvgSurface::rect(const Rect& r, Color fill, const Stroke& stroke) {
  if (fill.a == 0 && !stroke.visible()) return;
  body_ << "<rect x=\"" << num(r.x) << "\" y=\"" << num(r.y) << "\" width=\"" << num(r.w) << "\" height=\"" << num(r.h)
        << "\"" << fill_attr(fill) << stroke_attr(stroke) << "/>\n";
}

void SvgSurface::circle(Point c, double radius, Color fill, const Stroke& stroke) {
  if (fill.a == 0 && !stroke.visible()) return;
  body_ << "<circle cx=\"" << num(c.x) << "\" cy=\"" << num(c.y) << "\" r=\"" << num(radius) << "\"" << fill_attr(fill)
        << stroke_attr(stroke) << "/>\n";
}

void SvgSurface::polygon(std::span<const Point> points, Color fill, const Stroke& stroke) {
  if (points.empty() || (fill.a == 0 && !stroke.visible())) return;
  body_ << "<polygon points=\"" << points_attr(points) << "\"" << fill_attr(fill) << stroke_attr(stroke) << "/>\n";
}

void SvgSurface::text(Point at, std::string_view utf8, const TextStyle& style) {
  if (utf8.empty()) return;
  const double scale = style.scale;
  // Place the baseline where Canvas puts it, so both backends lay out identically.
  const detail::LineMetrics lm = detail::line_metrics(scale);
  const double h = lm.height, ascent = lm.baseline;
  const double dy = style.valign == VAlign::Top        ? ascent
                    : style.valign == VAlign::Middle   ? ascent - h / 2
                    : style.valign == VAlign::Baseline ? 0
                                                       : ascent - h;
  const char* anchor = style.halign == HAlign::Left ? "start" : style.halign == HAlign::Center ? "middle" : "end";
  // The em size of the font the raster backend draws with (the bitmap font's cell is 13 px).
  const int font_size =
      detail::vector_font() ? detail::vector_pixels(scale) : detail::kGlyphHeight * detail::bitmap_scale(scale);
  body_ << "<text x=\"" << num(at.x) << "\" y=\"" << num(at.y + dy) << "\" font-size=\"" << font_size << "\""
        << fill_attr(style.color) << " text-anchor=\"" << anchor << "\"";
  if (style.vertical) body_ << " transform=\"rotate(-90 " << num(at.x) << " " << num(at.y) << ")\"";
  body_ << " xml:space=\"preserve\">" << escape(utf8) << "</text>\n";
}

void SvgSurface::image(const Canvas& img, const Rect& dst) {
  const std::string uri = "data:image/png;base64," + base64(encode_png(img));
  body_ << "<image x=\"" << num(dst.x) << "\" y=\"" << num(dst.y) << "\" width=\"" << num(dst.w) << "\" height=\""
        << num(dst.h) << "\" preserveAspectRatio=\"none\" href=\"" << uri << "\" xlink:href=\"" << uri << "\"/>\n";
}

void SvgSurface::push_clip(const Rect& r) {
  const int id = next_clip_id_++;
  body_ << "<clipPath id=\"clip" << id << "\"><rect x=\"" << num(r.x) << "\" y=\"" << num(r.y) << "\" width=\""
        << num(r.w) << "\" height=\"" << num(r.h) << "\"/></clipPath>\n<g clip-path=\"url(#clip" << id << ")\">\n";
  ++open_groups_;
}

void SvgSurface::pop_clip() {
  NABLA_CHECK(open_groups_ > 0, ValueError, "SvgSurface::pop_clip: no clip rectangle was pushed");
  body_ << "</g>\n";
  --open_groups_;
}

}  // namespace nabla::viz
