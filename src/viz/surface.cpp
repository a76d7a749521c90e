#include "nabla/viz/surface.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace nabla::viz {

void Surface::line(Point a, Point b, const Stroke& stroke) {
  const Point pts[2] = {a, b};
  polyline(pts, stroke, false);
}

void Surface::marker(Point p, Marker shape, double size, Color fill, const Stroke& edge) {
  const double r = size / 2;
  switch (shape) {
    case Marker::None:
      return;
    case Marker::Circle:
      circle(p, r, fill, edge);
      return;
    case Marker::Square: {
      // Slightly smaller than the circle so that both read as the same visual weight.
      const double h = r * 0.886;
      rect({p.x - h, p.y - h, 2 * h, 2 * h}, fill, edge);
      return;
    }
    case Marker::Triangle: {
      // Centroid on p; circumradius chosen so the area matches the circle marker.
      const double R = r * 1.2;
      std::vector<Point> pts;
      for (int k = 0; k < 3; ++k) {
        const double a = -std::numbers::pi / 2 + k * 2 * std::numbers::pi / 3;
        pts.push_back({p.x + R * std::cos(a), p.y + R * std::sin(a)});
      }
      polygon(pts, fill, edge);
      return;
    }
    case Marker::Diamond: {
      const double R = r * 1.15;
      const Point pts[4] = {{p.x, p.y - R}, {p.x + R, p.y}, {p.x, p.y + R}, {p.x - R, p.y}};
      polygon(pts, fill, edge);
      return;
    }
    case Marker::Cross:
    case Marker::Plus: {
      const Stroke s = edge.visible() ? edge : Stroke::solid(fill, std::max(1.5, size / 5));
      const double h = shape == Marker::Cross ? r * 0.8 : r;
      std::vector<std::vector<Point>> arms;
      if (shape == Marker::Cross) {
        arms = {{{p.x - h, p.y - h}, {p.x + h, p.y + h}}, {{p.x - h, p.y + h}, {p.x + h, p.y - h}}};
      } else {
        arms = {{{p.x - h, p.y}, {p.x + h, p.y}}, {{p.x, p.y - h}, {p.x, p.y + h}}};
      }
      path(arms, s);
      return;
    }
  }
}

}  // namespace nabla::viz
