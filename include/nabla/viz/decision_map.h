// nabla/viz/decision_map.h — a classifier's decision regions over a 2-D input plane.
//
// Evaluate the model on a regular grid (Grid2D::xs()/ys() give the inputs in one batch), hand
// the probabilities over, add the data points: the map shades each class's region, draws the
// p = 0.5 boundary (marching squares) and marks train points filled, test points hollow.
//
//   nabla::viz::Grid2D g{.nx = 100, .ny = 100, .xmin = -3, .xmax = 3, .ymin = -3, .ymax = 3};
//   std::vector<double> p = my_net_probability(g.xs(), g.ys());          // p(class 1), nx*ny
//   nabla::viz::DecisionMap().probabilities(g, p).train_points(x1, x2, y).save_png("map.png");
#pragma once
#include <string>
#include <vector>

#include "nabla/viz/plot.h"

namespace nabla::viz {

// A regular grid over [xmin, xmax] x [ymin, ymax]; values are stored row-major with y outer:
// value[iy * nx + ix] belongs to the point (x(ix), y(iy)).
struct Grid2D {
  int nx = 0, ny = 0;
  double xmin = 0, xmax = 1, ymin = 0, ymax = 1;

  double x(int ix) const { return nx > 1 ? xmin + (xmax - xmin) * ix / (nx - 1) : xmin; }
  double y(int iy) const { return ny > 1 ? ymin + (ymax - ymin) * iy / (ny - 1) : ymin; }
  std::size_t size() const { return static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny); }
  // The x (resp. y) coordinate of every grid point in storage order, ready to batch.
  std::vector<double> xs() const;
  std::vector<double> ys() const;
  // Every grid point as (x, y) pairs in storage order, x0 y0 x1 y1 ...: a [size(), 2] batch.
  std::vector<double> points() const;
  // A size × size grid over the box of the points (x[i], y[i]), widened on each side by
  // margin · the box's extent + 0.1, so that a boundary has room around the data.
  static Grid2D around(const std::vector<double>& x, const std::vector<double>& y, int size, double margin);
};

class DecisionMap : public AxesPlot<DecisionMap> {
 public:
  DecisionMap();

  // Two classes: p[i] = probability of class 1 at grid point i (clamped to [0, 1]). The map is a
  // diverging heatmap, white at 0.5, with the 0.5 contour drawn.
  DecisionMap& probabilities(const Grid2D& grid, std::vector<double> p);
  // Any number of classes: the predicted class per grid point, and optionally its probability
  // (the shading gets lighter where the model is unsure). Boundaries are drawn between classes.
  DecisionMap& classes(const Grid2D& grid, std::vector<int> predicted, std::vector<double> max_probability = {});

  // Labelled points (label = class index). Train points are filled, test points outlined.
  DecisionMap& train_points(std::vector<double> x1, std::vector<double> x2, std::vector<int> labels);
  DecisionMap& test_points(std::vector<double> x1, std::vector<double> x2, std::vector<int> labels);

  DecisionMap& class_names(std::vector<std::string> names);     // legend labels; default "class 0", ...
  DecisionMap& set_names(std::string train, std::string test);  // legend labels of the point kinds
  DecisionMap& class_colors(std::vector<Color> colors);         // default: palette order
  DecisionMap& contour(bool on = true);                         // the boundary line
  DecisionMap& point_size(double px);

  void render(Surface& surface, const Rect& area) const override;
  PlotSize default_size() const override { return {560, 480}; }

 private:
  struct PointSet {
    std::vector<double> x1, x2;
    std::vector<int> labels;
    bool test;
  };
  DecisionMap& add_points(std::vector<double> x1, std::vector<double> x2, std::vector<int> labels, bool test);
  Color class_color(int c) const;
  int class_count() const;

  Grid2D grid_;
  bool binary_ = true;
  std::vector<double> p_;       // binary: p(class 1); multi-class: max probability (or empty)
  std::vector<int> predicted_;  // multi-class only
  std::vector<PointSet> points_;
  std::vector<std::string> names_;
  std::string train_name_ = "train", test_name_ = "test";
  std::vector<Color> colors_;
  bool contour_ = true;
  double point_size_ = 7;
};

}  // namespace nabla::viz
