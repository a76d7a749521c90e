// course/plots.h — the pictures of a function of one variable (course/calculus.h):
// the curve with its critical points, f / f′ / f″ stacked, gradient-descent paths, and the
// tangent line sliding along the curve as a GIF. Every word on them comes from the caller (the
// CLI speaks English or Spanish); every number from the analysis.
//
//   auto curve = f.sample(-3.5, 4, 400);
//   auto cps = nabla::demo::critical_points(f, -3.5, 4);
//   nabla::demo::function_plot(curve, cps, text).save_png("cost.png");
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "course/calculus.h"
#include "nabla/std_function.h"
#include "nabla/viz/animation.h"
#include "nabla/viz/figure.h"
#include "nabla/viz/plot.h"

namespace nabla::demo {

struct FunctionPlotText {
  std::string title;                                   // above the curve plot
  std::string variable = "x";                          // the x-axis label
  std::string f = "f(x)", d1 = "f′(x)", d2 = "f″(x)";  // the curves' names
  std::string minimum = "minimum", maximum = "maximum", inflection = "inflection";
  std::string derivatives_title;                  // above the stacked f, f′, f″ figure
  std::string descent_title, step = "step";       // the descent figure, and its right panel's x label
  std::optional<std::pair<double, double>> ylim;  // of the curve plots (unset: from the data)
};

// The curve with its critical points marked (minima and maxima in their own colours).
viz::LinePlot function_plot(const std::vector<Point>& curve, const CriticalPoints& cps, const FunctionPlotText& text);

// f, f′ and f″ one above the other over the same x range, the critical points on all three
// (f′ = 0 there; the sign of f″ tells minimum from maximum).
viz::Figure derivatives_figure(const std::vector<Point>& curve, const CriticalPoints& cps,
                               const FunctionPlotText& text);

// Left: the curve with each descent's path (start marked, every iterate a dot); right: f at each
// iterate against the step number. `names` labels the paths in the legend.
viz::Figure descent_figure(const std::vector<Point>& curve, const std::vector<Descent>& descents,
                           const std::vector<std::string>& names, const FunctionPlotText& text);

// One frame per entry of `frames`: the curve, the tangent at that point, and a box with the
// lines `box(point)` returns; `title(point)` titles the frame. The y range is fixed for the whole
// animation (text.ylim, else the curve's range).
viz::Animation tangent_animation(const std::vector<Point>& curve, const CriticalPoints& cps,
                                 const std::vector<Point>& frames, const FunctionPlotText& text,
                                 const std::function<std::vector<std::string>(const Point&)>& box,
                                 const std::function<std::string(const Point&)>& title, int width = 640,
                                 int height = 480);

// The y range of the finite values of the curve, with a margin of `margin` × its height.
std::pair<double, double> value_range(const std::vector<Point>& curve, double margin = 0.08);

}  // namespace nabla::demo
