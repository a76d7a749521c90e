// python/src/viz.cpp — nabla's line plots for notebooks: nabla.viz's figures (python/nabla/viz.py)
// render to PNG and SVG with the renderer behind every picture of `nabla demo` and `nabla train`,
// and Jupyter shows them inline through their _repr_png_ / _repr_svg_.
#include "bindings.h"
#include "nabla/viz/image_io.h"
#include "nabla/viz/plot.h"

namespace nabla::python {
namespace {

// One line plot: [(name, xs, ys), ...] with the axes' words, as PNG bytes or SVG text.
py::object line_plot(const std::vector<std::tuple<std::string, std::vector<double>, std::vector<double>>>& lines,
                     const std::string& title, const std::string& xlabel, const std::string& ylabel, bool log_y,
                     int width, int height, const std::string& format) {
  NABLA_CHECK(width >= 64 && width <= 4096 && height >= 64 && height <= 4096, ValueError,
              "viz: a figure's size must be 64..4096 pixels a side, got ", width, "x", height);
  NABLA_CHECK(format == "png" || format == "svg", ValueError, "viz: format must be \"png\" or \"svg\", got \"", format,
              "\"");
  viz::LinePlot plot;
  plot.title(title).xlabel(xlabel).ylabel(ylabel).log_y(log_y);
  for (const auto& [name, x, y] : lines) {
    NABLA_CHECK(x.size() == y.size(), ShapeError, "viz: the line '", name, "' has ", x.size(), " x values and ",
                y.size(), " y values");
    plot.line(name, x, y);
  }
  if (format == "svg") return py::str(plot.to_svg(width, height));
  const std::vector<std::uint8_t> png = viz::encode_png(plot.to_canvas(width, height));
  return py::bytes(reinterpret_cast<const char*>(png.data()), png.size());
}

void bind_viz(py::module_& m) {
  m.def("_line_plot", &line_plot, py::arg("lines"), py::arg("title") = "", py::arg("xlabel") = "",
        py::arg("ylabel") = "", py::arg("log_y") = false, py::arg("width") = 640, py::arg("height") = 480,
        py::arg("format") = "png");
}

const bool registered_viz = register_binding(310, bind_viz);

}  // namespace
}  // namespace nabla::python
