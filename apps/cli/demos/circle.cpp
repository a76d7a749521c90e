// `nabla demo circle-2-2-1`: notebook 000 §7's 2-2-1 network on a circle, and why two hidden
// units are too few.
// The numbers come from the library (apps/course/, the course component); this file words and draws them.
#include "demos/demo.h"
#include "demos/training.h"

namespace nabla::cli {
namespace circle_demo {  // this file's own names (a named namespace: the command is a unity build)

constexpr Message kCircleTitle{"A 2-2-1 network and a circle (notebook 000 §7)",
                               "Una red 2-2-1 y un círculo (libreta 000 §7)"};
constexpr Message kCircleIntro{
    "Two hidden sigmoid units, one sigmoid output, the notebook's starting weights\n"
    "(W1 = [[1.2, −0.7], [−0.9, 1.0]], W2 = [[0.8, −0.6]], biases 0), C = ½·mean((a − y)²), η = {}, {} epochs.\n"
    "Backpropagation as the notebook writes it: δ2 = (a2 − y)·a2(1 − a2) at the output,\n"
    "δ1 = (δ2·W2) ⊙ a1(1 − a1) in the hidden layer, ∂C/∂W = mean(δ·aᵀ) and ∂C/∂b = mean(δ) in each;\n"
    "nabla's autograd computes exactly these. Task: the notebook's {} points (np.random.default_rng(3),\n"
    "reproduced bit for bit), class 1 outside the circle x1² + x2² = 1.3, so the costs are the notebook's.",
    "Dos unidades ocultas sigmoides, una salida sigmoide, los pesos iniciales del notebook\n"
    "(W1 = [[1.2, −0.7], [−0.9, 1.0]], W2 = [[0.8, −0.6]], sesgos 0), C = ½·media((a − y)²), η = {}, {} épocas.\n"
    "Retropropagación como la escribe el notebook: δ2 = (a2 − y)·a2(1 − a2) en la salida,\n"
    "δ1 = (δ2·W2) ⊙ a1(1 − a1) en la capa oculta, ∂C/∂W = media(δ·aᵀ) y ∂C/∂b = media(δ) en cada una;\n"
    "el autograd de nabla calcula exactamente eso. Tarea: los {} puntos del notebook (np.random.default_rng(3),\n"
    "reproducido bit a bit), clase 1 fuera del círculo x1² + x2² = 1.3, así que los costos son los del notebook."};
constexpr Message kCircleWhy{
    "Final accuracy {}. Look at the boundary: not a circle. Each hidden unit can only say on which side\n"
    "of one straight line a point is (σ(w·x + b) = 0.5 on that line), and the output mixes those two\n"
    "answers, so the region it marks is bounded by at most two lines: a wedge or a band. A closed curve\n"
    "needs at least three hidden units. The same training with 4 hidden units (default initialisation)\n"
    "reaches {}.",
    "Exactitud final {}. Mira la frontera: no es un círculo. Cada unidad oculta solo puede decir de qué lado\n"
    "de una recta está un punto (σ(w·x + b) = 0.5 sobre esa recta), y la salida mezcla esas dos respuestas,\n"
    "así que la región que marca está limitada por a lo sumo dos rectas: una cuña o una franja. Una curva\n"
    "cerrada necesita al menos tres unidades ocultas. El mismo entrenamiento con 4 unidades ocultas\n"
    "(inicialización por omisión) llega a {}."};
constexpr Message kCircleWiderTitle{"2-4-1, epoch {}", "2-4-1, época {}"};
constexpr Message kFileCircleGif{"the 2-2-1 boundary forming, next to the cost",
                                 "la frontera 2-2-1 formándose, junto al costo"};
constexpr Message kFileCirclePng{"the final 2-2-1 boundary and the cost curve", "la frontera 2-2-1 final y el costo"};
constexpr Message kFileCircleWider{"2-2-1 against 2-4-1 after the same training",
                                   "2-2-1 frente a 2-4-1 tras el mismo entrenamiento"};

void demo_circle(Run& r) {
  const train::TrainConfig& cfg = r.configs[0];
  const demo::TrainingRun run = demo::train_run(cfg, {.boundary_frames = r.pictures ? 40 : 0});
  r.line(r.text(kCircleTitle));
  r.line();
  r.line(r(kCircleIntro, sig(cfg.optim.lr, 4), cfg.train.epochs, run.train_size));
  print_config_lines(r, "circle-2-2-1");
  r.line();
  print_history(r, run, every_for(cfg));
  r.line();
  // The same run with four hidden units, when the config has the 2-h-1 shape to widen.
  const std::optional<train::TrainConfig> wider = demo::widened(cfg, 4);
  const bool widenable = wider.has_value();
  demo::TrainingRun wide;
  if (widenable) {
    wide = demo::train_run(*wider, {.boundary_frames = r.pictures ? 1 : 0});
    r.line(r(kCircleWhy, pct(run.final_train_acc()), pct(wide.final_train_acc())));
  }
  r.numbers = run_json(run);
  if (widenable) r.numbers["wider_4_units"] = run_json(wide);
  if (!r.pictures) return;
  save_boundary_pictures(r, run, r.text(kCostHalfMse), kFileCircleGif, kFileCirclePng);
  if (widenable && !wide.frames.empty() && !run.frames.empty()) {
    viz::Figure fig(1, 2);
    fig.cell_size(480, 420);
    fig.add(boundary_map(r, run, run.frames.back(), "2-2-1, " + r(kEpochTitle, run.frames.back().epoch)))
        .add(boundary_map(r, wide, wide.frames.back(), r(kCircleWiderTitle, wide.frames.back().epoch)));
    fig.save_png(r.path("wider.png"));
    r.wrote("wider.png", kFileCircleWider);
  }
}

const bool registered = register_demo(
    {"circle-2-2-1",
     {"a 2-2-1 sigmoid network by backpropagation on points inside/outside a circle, and why 2 units are few",
      "una red sigmoide 2-2-1 por retropropagación con puntos dentro/fuera de un círculo, y por qué 2 unidades son "
      "pocas"},
     {"notebook 000 §7, the 2-2-1 simulation", "libreta 000 §7, la simulación 2-2-1"},
     demo_circle,
     {"circle_2_2_1.toml"},
     5});

}  // namespace circle_demo
}  // namespace nabla::cli
