// `nabla demo neuron-boundary`: notebook 000 §4's sigmoid neuron learning a straight boundary.
// The numbers come from the library (apps/course/, the course component); this file words and draws them.
#include "demos/demo.h"
#include "demos/training.h"
#include "trace_format.h"

namespace nabla::cli {
namespace neuron_boundary_demo {  // this file's own names (a named namespace: the command is a unity build)

constexpr Message kNbTitle{"One sigmoid neuron learns a straight boundary (notebook 000 §4)",
                           "Una neurona sigmoide aprende una frontera recta (libreta 000 §4)"};
constexpr Message kNbIntro{
    "a = σ(w1·x1 + w2·x2 + b), cost C = ½·mean((a − y)²), gradient descent with η = {} for {} epochs\n"
    "over all {} points at once. Per point the chain rule gives δ = ∂C/∂z = (a − y)·a(1 − a), and then\n"
    "∂C/∂w = mean(δ·x), ∂C/∂b = mean(δ): the notebook writes these by hand; nabla's backward pass\n"
    "computes the same numbers. Starting weights w = {}, b = {}.\n"
    "Points and weights are the notebook's own: nabla reproduces numpy's generator bit for bit\n"
    "(np.random.default_rng(7): 60 normal points, labelled by the line 2·x1 − x2 + 0.5 = 0, then w from\n"
    "the same generator), so every cost below is the one the notebook's numpy loop computes.",
    "a = σ(w1·x1 + w2·x2 + b), costo C = ½·media((a − y)²), descenso por gradiente con η = {} durante {}\n"
    "épocas sobre los {} puntos a la vez. Por punto la regla de la cadena da δ = ∂C/∂z = (a − y)·a(1 − a), y\n"
    "luego ∂C/∂w = media(δ·x), ∂C/∂b = media(δ): el notebook los escribe a mano; el paso hacia atrás de\n"
    "nabla calcula los mismos números. Pesos iniciales w = {}, b = {}.\n"
    "Los puntos y los pesos son los del notebook: nabla reproduce el generador de numpy bit a bit\n"
    "(np.random.default_rng(7): 60 puntos normales, etiquetados por la recta 2·x1 − x2 + 0.5 = 0, y luego w\n"
    "del mismo generador), así que cada costo de abajo es el que calcula el bucle en numpy del notebook."};
constexpr Message kNbFinal{
    "After training: w = {}, b = {}. The boundary is the line where a = 0.5, that is where\n"
    "w1·x1 + w2·x2 + b = 0:  {}·x1{}{} = 0.\n"
    "One neuron always draws a straight line, whatever the data: it is σ of a linear function.\n"
    "The cost fell from {} to {}; accuracy {}.",
    "Tras el entrenamiento: w = {}, b = {}. La frontera es la recta donde a = 0.5, es decir donde\n"
    "w1·x1 + w2·x2 + b = 0:  {}·x1{}{} = 0.\n"
    "Una neurona siempre traza una recta, sean cuales sean los datos: es σ de una función lineal.\n"
    "El costo bajó de {} a {}; exactitud {}."};
constexpr Message kFileNbGif{"the boundary turning into place, epoch by epoch, next to the cost",
                             "la frontera acomodándose, época a época, junto al costo"};
constexpr Message kFileNbPng{"the final boundary and the cost curve", "la frontera final y la curva del costo"};

void demo_neuron_boundary(Run& r) {
  const train::TrainConfig& cfg = r.configs[0];
  const demo::TrainingRun run = demo::train_run(cfg, {.boundary_frames = r.pictures ? 40 : 1});
  const train::LayerConfig& first = cfg.model.layers.front();
  const std::vector<double> w0 = first.weight_values.empty() ? std::vector<double>{} : first.weight_values[0];
  const std::vector<double> b0 = first.bias_values;
  r.line(r.text(kNbTitle));
  r.line();
  r.line(r(kNbIntro, sig(cfg.optim.lr, 4), cfg.train.epochs, run.train_size, w0.empty() ? "?" : vec(w0),
           b0.empty() ? "?" : num(b0[0])));
  print_config_lines(r, "neuron-boundary");
  r.line();
  print_history(r, run, every_for(cfg));
  r.line();
  const std::vector<double>* w = parameter(run, "layers.0.weight");
  const std::vector<double>* b = parameter(run, "layers.0.bias");
  if (w && b && w->size() == 2 && !b->empty() && !run.history.empty() && !run.frames.empty())
    r.line(r(kNbFinal, vec(*w), num((*b)[0]), num((*w)[0]), signed_term((*w)[1]) + "·x2", signed_term((*b)[0]),
             fmt(run.frames.front().loss, 4), fmt(run.frames.back().loss, 4), pct(run.final_train_acc())));
  r.numbers = run_json(run);
  if (!run.frames.empty())
    r.numbers["initial_cost"] = run.frames.front().loss, r.numbers["final_cost"] = run.frames.back().loss;
  if (w) r.numbers["w"] = *w;
  if (b) r.numbers["b"] = *b;
  if (!r.pictures) return;
  // The notebook's readout: W, b and C at each frame.
  const Readout readout = [](const demo::BoundaryFrame& f) {
    std::vector<std::string> lines;
    for (const auto& [name, v] : f.parameters) {
      if (name == "layers.0.weight" && v.size() == 2) lines.push_back("W = " + vec(v, 3));
      if (name == "layers.0.bias" && v.size() == 1) lines.push_back("b = " + num(v[0], 3));
    }
    lines.push_back("C = " + num(f.loss, 4));
    return lines;
  };
  save_boundary_pictures(r, run, r.text(kCostHalfMse), kFileNbGif, kFileNbPng, readout);
}

const bool registered = register_demo(
    {"neuron-boundary",
     {"one sigmoid neuron trained by gradient descent: its straight decision boundary forming, and the cost",
      "una neurona sigmoide entrenada por descenso por gradiente: su frontera recta formándose, y el costo"},
     {"notebook 000 §4 \"Vamos con las derivadas parciales\"", "libreta 000 §4 \"Vamos con las derivadas parciales\""},
     demo_neuron_boundary,
     {"neuron_boundary.toml"},
     4});

}  // namespace neuron_boundary_demo
}  // namespace nabla::cli
