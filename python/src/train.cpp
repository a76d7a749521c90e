// python/src/train.cpp — `nabla train`'s trainer and nabla's line plots, for notebooks:
// nabla.train(config) (python/nabla/training.py) steps a train::Trainer one epoch at a time, so
// a notebook can draw its live loss curve where a terminal shows a progress bar; nabla.viz's
// figures render to PNG and SVG (shown inline by their _repr_png_ / _repr_svg_).
#include "bindings.h"
#include "nabla/train/config.h"
#include "nabla/train/trainer.h"
#include "nabla/viz/image_io.h"
#include "nabla/viz/plot.h"

namespace nabla::python {
namespace {

py::dict metrics_dict(const train::EpochMetrics& m, bool classification) {
  py::dict d;
  d["epoch"] = m.epoch;
  d["train_loss"] = m.train_loss;
  d["test_loss"] = m.test_loss;
  if (classification) {
    d["train_acc"] = m.train_acc;
    d["test_acc"] = m.test_acc;
  }
  d["lr"] = m.lr;
  py::dict norms;
  for (const auto& [name, norm] : m.grad_norms) norms[py::str(name)] = norm;
  d["grad_norms"] = norms;
  return d;
}

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

void bind(py::module_& m) {
  py::class_<train::Trainer>(m, "_Trainer")
      .def(py::init([](const std::string& toml, const std::string& source, const std::vector<std::string>& overrides) {
             return std::make_unique<train::Trainer>(train::parse_train_config(toml, source, overrides));
           }),
           py::arg("toml"), py::arg("source"), py::arg("overrides"))
      .def_property_readonly("epochs", [](const train::Trainer& t) { return t.config().train.epochs; })
      .def_property_readonly("epoch", &train::Trainer::epoch)
      .def_property_readonly("classification", &train::Trainer::classification)
      .def("run_epoch",
           [](train::Trainer& t) {
             const train::EpochMetrics m = without_gil([&] { return t.run_epoch(); });
             return metrics_dict(m, t.classification());
           })
      .def("named_parameters", [](train::Trainer& t) { return t.model().named_parameters(); });
  m.def("_line_plot", &line_plot, py::arg("lines"), py::arg("title") = "", py::arg("xlabel") = "",
        py::arg("ylabel") = "", py::arg("log_y") = false, py::arg("width") = 640, py::arg("height") = 480,
        py::arg("format") = "png");
}

const bool registered = register_binding(300, &bind);

}  // namespace
}  // namespace nabla::python
