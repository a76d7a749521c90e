// `nabla demo xor`: notebook 001's XOR, trained from the notebook's weights, against its printout.
// The numbers come from the library (apps/course/, the course component); this file words and draws them.
#include "demos/demo.h"
#include "demos/training.h"
#include "trace_format.h"

namespace nabla::cli {
namespace xor_demo {  // this file's own names (a named namespace: the command is a unity build)

constexpr Message kXorTitle{"XOR with a 2-2-1 sigmoid network (notebook 001, \"El problema del XOR\")",
                            "XOR con una red sigmoide 2-2-1 (libreta 001, \"El problema del XOR\")"};
constexpr Message kXorIntro{
    "The notebook's network and starting weights (np.random.seed(42), np.random.rand), α = {}, {} epochs over\n"
    "the 4 rows of the truth table. Its update W += α·dW with error = y − A2 and dA2 = error·σ′ is gradient\n"
    "descent on L = ½·Σ(y − ŷ)², the sign folded into the error; sigmoid_derivative(x) = x(1 − x) is handed\n"
    "σ's output (A2, A1), which is what that formula needs. So the code is right, and nabla trains the same\n"
    "thing with loss half_mse, reduction \"sum\", SGD.",
    "La red y los pesos iniciales del notebook (np.random.seed(42), np.random.rand), α = {}, {} épocas sobre\n"
    "las 4 filas de la tabla de verdad. Su actualización W += α·dW con error = y − A2 y dA2 = error·σ′ es\n"
    "descenso por gradiente sobre L = ½·Σ(y − ŷ)², con el signo metido en el error; a sigmoid_derivative(x) =\n"
    "x(1 − x) se le pasa la salida de σ (A2, A1), que es lo que esa fórmula necesita. El código es correcto,\n"
    "y nabla entrena lo mismo con la pérdida half_mse, reducción \"sum\", SGD."};
constexpr Message kXorErrors{
    "Error every {} epochs (mean |y − ŷ| of that epoch's forward pass, as the notebook prints it):",
    "Error cada {} épocas (media de |y − ŷ| del paso hacia adelante de esa época, como lo imprime el notebook):"};
constexpr Message kNotebookCol{"notebook", "notebook"};
constexpr Message kXorOutputs{"Final outputs (the last epoch's forward pass, the notebook's A2):",
                              "Salidas finales (el paso hacia adelante de la última época, el A2 del notebook):"};
constexpr Message kXorMatch{
    "Every printed number is reproduced to the digits printed: nabla's float64 training retraces numpy's.\n"
    "After the last update the outputs are {}: XOR learned, each within {} of its target.",
    "Cada número impreso se reproduce en las cifras impresas: el entrenamiento en float64 de nabla repite el de "
    "numpy.\n"
    "Tras la última actualización las salidas son {}: XOR aprendido, cada una a menos de {} de su objetivo."};
constexpr Message kXorMismatch{
    "The largest difference from the printed numbers is {} (this configuration is not the notebook's).",
    "La mayor diferencia con los números impresos es {} (esta configuración no es la del notebook)."};
constexpr Message kXorErrorTitle{"Mean |y − a| during training", "Media de |y − a| durante el entrenamiento"};
constexpr Message kXorPrinted{"notebook (printed)", "notebook (impreso)"};
constexpr Message kFileXorGif{"the XOR boundary forming, next to the loss",
                              "la frontera de XOR formándose, junto a la pérdida"};
constexpr Message kFileXorPng{"the final XOR boundary and the loss curve", "la frontera final de XOR y la pérdida"};
constexpr Message kFileXorErrors{"the error curve, with the notebook's printed errors on it",
                                 "la curva del error, con los errores impresos por el notebook encima"};

void demo_xor(Run& r) {
  const train::TrainConfig& cfg = r.configs[0];
  // Every 100 epochs for the curve; the table shows the notebook's every 1000.
  const demo::XorReport rep = demo::seed001_xor(cfg, 100, r.pictures ? 40 : 0);
  r.line(r.text(kXorTitle));
  r.line();
  r.line(r(kXorIntro, sig(cfg.optim.lr, 4), cfg.train.epochs));
  print_config_lines(r, "xor");
  r.line();
  const auto& seed_e = demo::XorReport::seed_errors();
  const auto& seed_o = demo::XorReport::seed_outputs();
  r.line(r(kXorErrors, 1000));
  std::vector<std::vector<std::string>> rows{{r.text(kEpoch), r.text(kNotebookCol), "nabla"}};
  for (const auto& [epoch, error] : rep.errors) {
    if (epoch % 1000 != 0) continue;
    const size_t k = size_t(epoch / 1000);
    const bool has_seed = k < seed_e.size();
    rows.push_back({std::to_string(epoch), has_seed ? fmt(seed_e[k], 4) : "", fmt(error, 4)});
  }
  table(r, rows);
  r.line();
  r.line(r.text(kXorOutputs));
  rows = {{"x1", "x2", "y", r.text(kNotebookCol), "nabla"}};
  const std::vector<double> x = {0, 0, 0, 1, 1, 0, 1, 1};
  for (size_t i = 0; i < rep.final_outputs.size() && 2 * i + 1 < x.size(); ++i) {
    const bool has_seed = i < seed_o.size();
    rows.push_back({num(x[2 * i], 0), num(x[2 * i + 1], 0), i < rep.targets.size() ? num(rep.targets[i], 0) : "",
                    has_seed ? fmt(seed_o[i], 8) : "", fmt(rep.final_outputs[i], 8)});
  }
  table(r, rows);
  r.line();
  const demo::XorComparison verdict = demo::compare_with_notebook(rep);
  if (verdict.reproduced)
    r.line(r(kXorMatch, vec(rep.trained_outputs, 4), fmt(verdict.max_target_distance, 3)));
  else
    r.line(r(kXorMismatch, fmt(verdict.worst_excess, 2)));
  if (!rep.run.failure.empty()) r.line(r(kStopped, rep.run.history.size(), rep.run.failure));

  r.numbers = run_json(rep.run);
  for (const auto& [epoch, error] : rep.errors)
    if (epoch % 1000 == 0) r.numbers["errors_every_1000"].push_back({{"epoch", epoch}, {"error", error}});
  r.numbers["notebook_errors"] = seed_e;
  r.numbers["final_outputs"] = rep.final_outputs;
  r.numbers["notebook_outputs"] = seed_o;
  r.numbers["trained_outputs"] = rep.trained_outputs;
  if (!r.pictures) return;
  // loss_curve draws the loss per row (½·Σ / n), so the axis says so.
  save_boundary_pictures(r, rep.run, "½·Σ(y − a)² / " + std::to_string(rep.run.train_size), kFileXorGif, kFileXorPng);
  viz::LinePlot errors;
  errors.title(r.text(kXorErrorTitle)).xlabel(r.text(kEpoch)).ylabel("|y − a|").log_y();
  std::vector<double> e, v, se, sv;
  for (const auto& [epoch, err] : rep.errors) e.push_back(double(epoch)), v.push_back(err);
  for (size_t k = 0; k < seed_e.size() && int64_t(k * 1000) < cfg.train.epochs; ++k)
    se.push_back(double(k * 1000)), sv.push_back(seed_e[k]);
  errors.line("nabla", e, v, {.color = viz::colors::blue, .width = 2});
  errors.scatter(
      r.text(kXorPrinted), se, sv,
      {.color = viz::colors::vermillion, .line = viz::LineStyle::None, .marker = viz::Marker::Plus, .marker_size = 12});
  errors.save_png(r.path("errors.png"));
  r.wrote("errors.png", kFileXorErrors);
}

const bool registered = register_demo(
    {"xor",
     {"XOR learned by a 2-2-1 sigmoid network: the notebook's errors every 1000 epochs and outputs, reproduced",
      "XOR aprendido por una red sigmoide 2-2-1: los errores cada 1000 épocas y las salidas del notebook, "
      "reproducidos"},
     {"notebook 001, \"El problema del XOR\"", "libreta 001, \"El problema del XOR\""},
     demo_xor,
     {"xor.toml"},
     6});

}  // namespace xor_demo
}  // namespace nabla::cli
