#include "nabla/viz/decision_map.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "nabla/error.h"
#include "viz/axes.h"

namespace nabla::viz {

std::vector<double> Grid2D::xs() const {
  std::vector<double> out(size());
  for (int iy = 0; iy < ny; ++iy)
    for (int ix = 0; ix < nx; ++ix) out[static_cast<std::size_t>(iy) * nx + ix] = x(ix);
  return out;
}

std::vector<double> Grid2D::ys() const {
  std::vector<double> out(size());
  for (int iy = 0; iy < ny; ++iy)
    for (int ix = 0; ix < nx; ++ix) out[static_cast<std::size_t>(iy) * nx + ix] = y(iy);
  return out;
}

std::vector<double> Grid2D::points() const {
  std::vector<double> out(2 * size());
  for (int iy = 0; iy < ny; ++iy)
    for (int ix = 0; ix < nx; ++ix) {
      const std::size_t i = static_cast<std::size_t>(iy) * nx + ix;
      out[2 * i] = x(ix);
      out[2 * i + 1] = y(iy);
    }
  return out;
}

Grid2D Grid2D::around(const std::vector<double>& x, const std::vector<double>& y, int size, double margin) {
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
    x0 = std::min(x0, x[i]), x1 = std::max(x1, x[i]);
    y0 = std::min(y0, y[i]), y1 = std::max(y1, y[i]);
  }
  const double mx = margin * (x1 - x0) + 0.1, my = margin * (y1 - y0) + 0.1;
  return {.nx = size, .ny = size, .xmin = x0 - mx, .xmax = x1 + mx, .ymin = y0 - my, .ymax = y1 + my};
}

namespace {

void check_grid(const Grid2D& g, std::size_t n, const char* who) {
  NABLA_CHECK(g.nx >= 2 && g.ny >= 2, ValueError, who, ": the grid needs at least 2x2 points, got nx=", g.nx,
              " ny=", g.ny);
  NABLA_CHECK(g.xmax > g.xmin && g.ymax > g.ymin, ValueError, who, ": empty grid bounds [", g.xmin, ", ", g.xmax,
              "] x [", g.ymin, ", ", g.ymax, "]");
  NABLA_CHECK(n == g.size(), ShapeError, who, ": expected nx*ny = ", g.nx, "*", g.ny, " = ", g.size(), " values, got ",
              n);
}

// Marching squares at `level` over grid values; segments in data coordinates.
std::vector<std::vector<Point>> contour_segments(const Grid2D& g, const std::vector<double>& v, double level) {
  std::vector<std::vector<Point>> segs;
  auto at = [&](int ix, int iy) { return v[static_cast<std::size_t>(iy) * g.nx + ix]; };
  for (int iy = 0; iy + 1 < g.ny; ++iy) {
    for (int ix = 0; ix + 1 < g.nx; ++ix) {
      const double v00 = at(ix, iy), v10 = at(ix + 1, iy), v11 = at(ix + 1, iy + 1), v01 = at(ix, iy + 1);
      const int idx = (v00 >= level) | (v10 >= level) << 1 | (v11 >= level) << 2 | (v01 >= level) << 3;
      if (idx == 0 || idx == 15) continue;
      const double x0 = g.x(ix), x1 = g.x(ix + 1), y0 = g.y(iy), y1 = g.y(iy + 1);
      auto frac = [&](double a, double b) { return a == b ? 0.5 : std::clamp((level - a) / (b - a), 0.0, 1.0); };
      // Edges: 0 bottom (00-10), 1 right (10-11), 2 top (01-11), 3 left (00-01).
      auto edge = [&](int e) -> Point {
        switch (e) {
          case 0:
            return {x0 + (x1 - x0) * frac(v00, v10), y0};
          case 1:
            return {x1, y0 + (y1 - y0) * frac(v10, v11)};
          case 2:
            return {x0 + (x1 - x0) * frac(v01, v11), y1};
          default:
            return {x0, y0 + (y1 - y0) * frac(v00, v01)};
        }
      };
      auto seg = [&](int a, int b) { segs.push_back({edge(a), edge(b)}); };
      const bool centre_above = (v00 + v10 + v11 + v01) / 4 >= level;
      switch (idx) {
        case 1:
        case 14:
          seg(3, 0);
          break;
        case 2:
        case 13:
          seg(0, 1);
          break;
        case 3:
        case 12:
          seg(3, 1);
          break;
        case 4:
        case 11:
          seg(1, 2);
          break;
        case 6:
        case 9:
          seg(0, 2);
          break;
        case 7:
        case 8:
          seg(3, 2);
          break;
        case 5:  // 00 and 11 above: the saddle's centre decides which corners are joined
          if (centre_above)
            seg(0, 1), seg(2, 3);
          else
            seg(3, 0), seg(1, 2);
          break;
        case 10:
          if (centre_above)
            seg(3, 0), seg(1, 2);
          else
            seg(0, 1), seg(2, 3);
          break;
      }
    }
  }
  return segs;
}

double bilinear(const Grid2D& g, const std::vector<double>& v, double gx, double gy) {
  const int ix = std::clamp(static_cast<int>(gx), 0, g.nx - 2), iy = std::clamp(static_cast<int>(gy), 0, g.ny - 2);
  const double tx = std::clamp(gx - ix, 0.0, 1.0), ty = std::clamp(gy - iy, 0.0, 1.0);
  auto at = [&](int x, int y) { return v[static_cast<std::size_t>(y) * g.nx + x]; };
  const double a = at(ix, iy) + (at(ix + 1, iy) - at(ix, iy)) * tx;
  const double b = at(ix, iy + 1) + (at(ix + 1, iy + 1) - at(ix, iy + 1)) * tx;
  return a + (b - a) * ty;
}

}  // namespace

DecisionMap::DecisionMap() { axes_.grid = false; }

DecisionMap& DecisionMap::probabilities(const Grid2D& grid, std::vector<double> p) {
  check_grid(grid, p.size(), "DecisionMap::probabilities");
  for (double& v : p) v = std::isfinite(v) ? std::clamp(v, 0.0, 1.0) : 0.5;
  grid_ = grid, binary_ = true, p_ = std::move(p), predicted_.clear();
  return *this;
}

DecisionMap& DecisionMap::classes(const Grid2D& grid, std::vector<int> predicted, std::vector<double> max_probability) {
  check_grid(grid, predicted.size(), "DecisionMap::classes");
  NABLA_CHECK(max_probability.empty() || max_probability.size() == predicted.size(), ShapeError,
              "DecisionMap::classes: max_probability has ", max_probability.size(), " values but predicted has ",
              predicted.size());
  for (int c : predicted) NABLA_CHECK(c >= 0, ValueError, "DecisionMap::classes: negative class index ", c);
  for (double& v : max_probability) v = std::isfinite(v) ? std::clamp(v, 0.0, 1.0) : 0.0;
  grid_ = grid, binary_ = false, p_ = std::move(max_probability), predicted_ = std::move(predicted);
  return *this;
}

DecisionMap& DecisionMap::add_points(std::vector<double> x1, std::vector<double> x2, std::vector<int> labels,
                                     bool test) {
  const char* who = test ? "DecisionMap::test_points" : "DecisionMap::train_points";
  NABLA_CHECK(x1.size() == x2.size() && x1.size() == labels.size(), ShapeError, who, ": x1, x2 and labels have ",
              x1.size(), ", ", x2.size(), " and ", labels.size(), " values; they must match");
  for (int c : labels) NABLA_CHECK(c >= 0, ValueError, who, ": negative class label ", c);
  points_.push_back({std::move(x1), std::move(x2), std::move(labels), test});
  return *this;
}

DecisionMap& DecisionMap::train_points(std::vector<double> x1, std::vector<double> x2, std::vector<int> labels) {
  return add_points(std::move(x1), std::move(x2), std::move(labels), false);
}
DecisionMap& DecisionMap::test_points(std::vector<double> x1, std::vector<double> x2, std::vector<int> labels) {
  return add_points(std::move(x1), std::move(x2), std::move(labels), true);
}
DecisionMap& DecisionMap::class_names(std::vector<std::string> names) { return names_ = std::move(names), *this; }
DecisionMap& DecisionMap::set_names(std::string train, std::string test) {
  return train_name_ = std::move(train), test_name_ = std::move(test), *this;
}
DecisionMap& DecisionMap::class_colors(std::vector<Color> c) { return colors_ = std::move(c), *this; }
DecisionMap& DecisionMap::contour(bool on) { return contour_ = on, *this; }
DecisionMap& DecisionMap::point_size(double px) { return point_size_ = px, *this; }

Color DecisionMap::class_color(int c) const {
  return c >= 0 && static_cast<std::size_t>(c) < colors_.size() ? colors_[c]
                                                                : palette_color(static_cast<std::size_t>(c));
}

int DecisionMap::class_count() const {
  int k = binary_ ? 2 : 0;
  for (int c : predicted_) k = std::max(k, c + 1);
  for (const PointSet& ps : points_)
    for (int c : ps.labels) k = std::max(k, c + 1);
  return k;
}

void DecisionMap::render(Surface& s, const Rect& area) const {
  const bool has_grid = grid_.nx >= 2 && (binary_ ? !p_.empty() : !predicted_.empty());
  detail::Range rx, ry;
  if (has_grid) {
    rx.add(grid_.xmin), rx.add(grid_.xmax), ry.add(grid_.ymin), ry.add(grid_.ymax);
  }
  // With a grid, its bounds are the axes (points outside are clipped) so no blank band appears
  // around the map; without one, the points set the range.
  for (const PointSet& ps : points_) {
    for (std::size_t i = 0; i < ps.x1.size() && !has_grid; ++i) {
      if (!std::isfinite(ps.x1[i]) || !std::isfinite(ps.x2[i])) continue;
      rx.add(ps.x1[i]), ry.add(ps.x2[i]);
    }
  }
  AxesOptions opts = axes_;
  opts.log_y = false;  // a probability map over a log axis would need a log-spaced grid
  // The map fills the axes exactly, as matplotlib's contourf does; bare points get a margin.
  detail::Axes ax(opts, rx, ry, has_grid ? 0.0 : 0.05);
  ax.layout(area);
  ax.draw_background(s);
  const Rect frame = ax.frame();
  const int k = class_count();

  s.push_clip(frame);
  if (has_grid) {
    // One image pixel per surface pixel of the frame, sampled at pixel centres.
    const double x0 = std::floor(frame.x), y0 = std::floor(frame.y);
    const int w = static_cast<int>(std::floor(frame.right()) - x0) + 1;
    const int h = static_cast<int>(std::floor(frame.bottom()) - y0) + 1;
    Canvas img(w, h, colors::transparent);
    const Color c0 = class_color(0), c1 = class_color(1);
    for (int j = 0; j < h; ++j) {
      const double gy = (ax.data_y(y0 + j + 0.5) - grid_.ymin) / (grid_.ymax - grid_.ymin) * (grid_.ny - 1);
      if (gy < -0.5 || gy > grid_.ny - 0.5) continue;
      for (int i = 0; i < w; ++i) {
        const double gx = (ax.data_x(x0 + i + 0.5) - grid_.xmin) / (grid_.xmax - grid_.xmin) * (grid_.nx - 1);
        if (gx < -0.5 || gx > grid_.nx - 0.5) continue;
        Color c;
        if (binary_) {
          // Diverging: white where the model is undecided, deeper towards certainty.
          const double p = bilinear(grid_, p_, gx, gy);
          c = mix(colors::white, p >= 0.5 ? c1 : c0, 0.72 * std::min(1.0, std::abs(p - 0.5) * 2));
        } else {
          const int ix = std::clamp(static_cast<int>(std::lround(gx)), 0, grid_.nx - 1);
          const int iy = std::clamp(static_cast<int>(std::lround(gy)), 0, grid_.ny - 1);
          const int cls = predicted_[static_cast<std::size_t>(iy) * grid_.nx + ix];
          double strength = 0.6;
          if (!p_.empty()) {
            const double chance = 1.0 / std::max(k, 2);
            strength = std::clamp((bilinear(grid_, p_, gx, gy) - chance) / (1 - chance), 0.0, 1.0);
          }
          c = mix(colors::white, class_color(cls), 0.12 + 0.6 * strength);
        }
        img.set_pixel(i, j, c);
      }
    }
    s.image(img, {x0, y0, static_cast<double>(w), static_cast<double>(h)});

    if (contour_) {
      std::vector<std::vector<Point>> segs;
      if (binary_) {
        segs = contour_segments(grid_, p_, 0.5);
      } else {
        std::set<int> present(predicted_.begin(), predicted_.end());
        std::vector<double> indicator(predicted_.size());
        for (int c : present) {
          // A 3x3 box blur of the 0/1 indicator turns the staircase of grid cells into a
          // line that follows the boundary's direction, as a contour of probabilities would.
          for (int iy = 0; iy < grid_.ny; ++iy) {
            for (int ix = 0; ix < grid_.nx; ++ix) {
              double sum = 0;
              int n = 0;
              for (int dy = -1; dy <= 1; ++dy)
                for (int dx = -1; dx <= 1; ++dx) {
                  const int x = ix + dx, y = iy + dy;
                  if (x < 0 || y < 0 || x >= grid_.nx || y >= grid_.ny) continue;
                  sum += predicted_[static_cast<std::size_t>(y) * grid_.nx + x] == c, ++n;
                }
              indicator[static_cast<std::size_t>(iy) * grid_.nx + ix] = sum / n;
            }
          }
          auto part = contour_segments(grid_, indicator, 0.5);
          segs.insert(segs.end(), part.begin(), part.end());
        }
      }
      for (auto& seg : segs)
        for (Point& p : seg) p = ax.px(p.x, p.y);
      s.path(segs, Stroke::solid(Color{40, 40, 40}, 1.5));
    }
  }
  std::vector<Point> occupied;
  bool any_test = false, any_train = false;
  const Stroke dark_edge = Stroke::solid(Color{40, 40, 40}, 0.8);
  for (const PointSet& ps : points_) {
    (ps.test ? any_test : any_train) = true;
    for (std::size_t i = 0; i < ps.x1.size(); ++i) {
      const Point p = ax.px(ps.x1[i], ps.x2[i]);
      if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
      occupied.push_back(p);
      const Color c = class_color(ps.labels[i]);
      if (ps.test) {
        s.marker(p, Marker::Circle, point_size_, colors::white, Stroke::solid(c, 2));
      } else {
        s.marker(p, Marker::Circle, point_size_, c, dark_edge);
      }
    }
  }
  s.pop_clip();
  ax.draw_frame(s);

  std::vector<detail::LegendEntry> legend;
  for (int c = 0; c < k; ++c) {
    const std::string name = static_cast<std::size_t>(c) < names_.size() ? names_[c] : "class " + std::to_string(c);
    legend.push_back({name, Stroke::none(), Marker::Circle, point_size_, class_color(c), dark_edge});
  }
  if (any_train && any_test) {
    legend.push_back({train_name_, Stroke::none(), Marker::Circle, point_size_, colors::grey, dark_edge});
    legend.push_back(
        {test_name_, Stroke::none(), Marker::Circle, point_size_, colors::white, Stroke::solid(colors::grey, 2)});
  }
  if (!points_.empty() || !names_.empty()) ax.draw_legend(s, legend, occupied);
}

}  // namespace nabla::viz
