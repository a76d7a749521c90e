// `nabla demo residual-vs-sigmoid` and `nabla demo bce-mean-vs-sum`: notebook 002 §2 on the
// course's backpropagation notebook's protocol (course/backprop_notebook.h): the numbers
// come from the library, this file words and draws them.
#include "course/backprop_notebook.h"

#include <algorithm>
#include <cmath>

#include "course/training.h"
#include "demos/demo.h"
#include "nabla/viz/viz.h"
#include "trace_format.h"

namespace nabla::cli {
namespace backprop_notebook_demo {  // this file's own names (a named namespace: the command is a unity build)

// ============================== 8. residual-vs-sigmoid (notebook 002 §2) ==============================

constexpr Message kRvsTitle{"Three hidden layers: ReLU with a residual connection vs sigmoid (notebook 002 §2)",
                            "Tres capas ocultas: ReLU con conexión residual frente a sigmoide (libreta 002 §2)"};
// The protocol, shared with bce-mean-vs-sum.
constexpr Message kNotebookProtocol{
    "Data and settings: notebook 002 §2 says it modified the course's backpropagation notebook\n"
    "(1b_retropropagacion.ipynb) and gives neither its data nor its settings; these are that notebook's:\n"
    "  data      np.random.seed(42); X = np.random.randn(1000, 2); y = XOR(x1 > 0, x2 > 0)\n"
    "  split     train_test_split(X, y, test_size=0.2, random_state=42): {} training, {} validation points\n"
    "  weights   np.random.seed(0); per layer W = √(1/fan_in)·randn(fan_in, fan_out), b = 0\n"
    "  layers    2 → {} → {} → {} → 1, a sigmoid output unit\n"
    "  training  each epoch np.random.permutation({}) cut into {} batches of {}; W ← W − α·∂L/∂W,\n"
    "            α = {}; {} epochs; float64\n"
    "nabla draws the same numbers as numpy (numpy's legacy generator and scikit-learn's split,\n"
    "reproduced bit for bit) and its losses are numpy's to 1e-10 (tests/demo/backprop_notebook_test.cpp).\n"
    "Loss: notebook 002's eq. 5, −(1/n)·Σ[y·log ŷ + (1 − y)·log(1 − ŷ)] over the n points of a batch, with\n"
    "no clipping (eq. 5 has none), computed from z = logit(ŷ) so that it stays finite where ŷ rounds to\n"
    "0 or 1. Eq. 5 writes log(1 − y⁽ⁱ⁾) where it means log(1 − ŷ⁽ⁱ⁾) (with y ∈ {0, 1} that term would\n"
    "be log 0 or 0); nabla uses log(1 − ŷ).",
    "Datos y parámetros: la libreta 002 §2 dice que modificó la libreta de retropropagación del curso\n"
    "(1b_retropropagacion.ipynb) y no da ni sus datos ni sus parámetros; estos son los de esa libreta:\n"
    "  datos        np.random.seed(42); X = np.random.randn(1000, 2); y = XOR(x1 > 0, x2 > 0)\n"
    "  partición    train_test_split(X, y, test_size=0.2, random_state=42): {} puntos de entrenamiento,\n"
    "               {} de validación\n"
    "  pesos        np.random.seed(0); en cada capa W = √(1/fan_in)·randn(fan_in, fan_out), b = 0\n"
    "  capas        2 → {} → {} → {} → 1, con una unidad sigmoide de salida\n"
    "  entrenamiento cada época np.random.permutation({}) cortada en {} lotes de {}; W ← W − α·∂L/∂W,\n"
    "               α = {}; {} épocas; float64\n"
    "nabla genera los mismos números que numpy (el generador heredado de numpy y la partición de\n"
    "scikit-learn, reproducidos bit a bit) y sus pérdidas son las de numpy hasta 1e-10\n"
    "(tests/demo/backprop_notebook_test.cpp).\n"
    "Pérdida: la ec. 5 de la libreta 002, −(1/n)·Σ[y·log ŷ + (1 − y)·log(1 − ŷ)] sobre los n puntos de un\n"
    "lote, sin recorte (la ec. 5 no tiene), calculada desde z = logit(ŷ) para que siga siendo finita donde\n"
    "ŷ se redondea a 0 o 1. La ec. 5 escribe log(1 − y⁽ⁱ⁾) donde quiere decir log(1 − ŷ⁽ⁱ⁾) (con\n"
    "y ∈ {0, 1} ese término valdría log 0 o 0); nabla usa log(1 − ŷ)."};
constexpr Message kRvsNets{
    "Residual net: Z2 = X·W1 + b1, A2 = ReLU(Z2); Z3 = A2·W2 + b2, A3 = ReLU(Z3); Z4 = A3·W3 + b3 + A2,\n"
    "A4 = ReLU(Z4); ŷ = σ(A4·W4 + b4). Sigmoid net: the same layers with σ for ReLU and no \"+ A2\".\n"
    "The notebook's backward pass for the residual net is right: A2 feeds both Z3 and Z4, so\n"
    "δ2 = (δ3·W2ᵀ + δ4) ⊙ ReLU′(Z2) — the \"+ δ4\" is the gradient coming back along the skip connection.\n"
    "nabla takes the gradients from autograd; they are the notebook's formulas' (the test compares them).",
    "Red residual: Z2 = X·W1 + b1, A2 = ReLU(Z2); Z3 = A2·W2 + b2, A3 = ReLU(Z3); Z4 = A3·W3 + b3 + A2,\n"
    "A4 = ReLU(Z4); ŷ = σ(A4·W4 + b4). Red sigmoide: las mismas capas con σ en lugar de ReLU y sin \"+ A2\".\n"
    "El paso hacia atrás de la libreta para la red residual es correcto: A2 alimenta a Z3 y a Z4, así que\n"
    "δ2 = (δ3·W2ᵀ + δ4) ⊙ ReLU′(Z2) — el \"+ δ4\" es el gradiente que vuelve por la conexión residual.\n"
    "nabla obtiene los gradientes de autograd; son los de las fórmulas de la libreta (la prueba los compara)."};
constexpr Message kResidualName{"ReLU + residual", "ReLU + residual"};
constexpr Message kSigmoidName{"sigmoid", "sigmoide"};
constexpr Message kFinalTrainLoss{"training loss, epoch {}", "pérdida de entrenamiento, época {}"};
constexpr Message kValAcc{"validation accuracy", "exactitud de validación"};
constexpr Message kGradLayer{"‖∂L/∂W{}‖, first batch", "‖∂L/∂W{}‖, primer lote"};
constexpr Message kGradRatio{"‖∂L/∂W4‖ / ‖∂L/∂W1‖", "‖∂L/∂W4‖ / ‖∂L/∂W1‖"};
constexpr Message kRvsVanish{
    "At the first step the sigmoid net's first layer gets {} times less gradient than its output layer\n"
    "(ReLU + residual: {}). Backwards through each sigmoid layer the signal is multiplied by σ′ ≤ 0.25 and\n"
    "by the weights, so it fades towards the input: the vanishing gradient. ReLU passes the gradient\n"
    "through unchanged where it is active, and the skip connection gives it a second, shorter way back.",
    "En el primer paso la primera capa de la red sigmoide recibe {} veces menos gradiente que su capa de\n"
    "salida (ReLU + residual: {}). Hacia atrás, por cada capa sigmoide la señal se multiplica por σ′ ≤ 0.25\n"
    "y por los pesos, así que se apaga hacia la entrada: el gradiente que se desvanece. ReLU deja pasar el\n"
    "gradiente sin cambio donde está activa, y la conexión residual le da un segundo camino más corto."};
constexpr Message kRvsRanking{
    "Notebook 002 found the sigmoid net better (97.5% against 94.5%, on data it does not give). On the\n"
    "backpropagation notebook's own data and settings the ranking is {}:\n"
    "ReLU + residual classifies {} of the {} validation points right, sigmoid {}.",
    "La libreta 002 encontró mejor la red sigmoide (97.5% frente a 94.5%, con datos que no da). Con los\n"
    "datos y parámetros de la propia libreta de retropropagación el orden es {}:\n"
    "ReLU + residual clasifica bien {} de los {} puntos de validación, la sigmoide {}."};
constexpr Message kReversed{"reversed", "el inverso"};
constexpr Message kSame{"the same", "el mismo"};
constexpr Message kTied{"a tie", "un empate"};
constexpr Message kRounding{
    "Rounding, {}: reproducible digit for digit for the first {} epochs only;\n"
    "after that a one-ulp change of one starting weight moves numpy's losses by more than 1e-10 (the last\n"
    "bits of the arithmetic steer the run). Over such changes the validation accuracy ranges over [{}, {}].",
    "Redondeo, {}: se reproduce cifra a cifra solo en las primeras {} épocas;\n"
    "después, un cambio de un ulp en un peso inicial mueve las pérdidas de numpy más de 1e-10 (los últimos\n"
    "bits de la aritmética guían la corrida). Con esos cambios la exactitud de validación varía en [{}, {}]."};
constexpr Message kRoundingSame{
    "Rounding, {}: reproducible digit for digit for the first {} epochs only;\n"
    "after that a one-ulp change of one starting weight moves numpy's losses by more than 1e-10. The outcome\n"
    "does not depend on it: the validation accuracy is {} with every such change.",
    "Redondeo, {}: se reproduce cifra a cifra solo en las primeras {} épocas;\n"
    "después, un cambio de un ulp en un peso inicial mueve las pérdidas de numpy más de 1e-10. El resultado\n"
    "no depende de ello: la exactitud de validación es {} con cada uno de esos cambios."};
constexpr Message kRoundingExact{"Rounding, {}: reproducible digit for digit over all {} epochs.",
                                 "Redondeo, {}: se reproduce cifra a cifra en las {} épocas."};
constexpr Message kFileRvsCompare{
    "loss, validation accuracy and per-layer gradient norms of both nets, side by side",
    "pérdida, exactitud de validación y normas del gradiente por capa de las dos redes, lado a lado"};
constexpr Message kFileRvsBoundaries{"the two final decision boundaries, on the validation points",
                                     "las dos fronteras de decisión finales, sobre los puntos de validación"};
constexpr Message kValSet{"validation", "validación"};
constexpr Message kValAccTitle{"Validation accuracy", "Exactitud de validación"};
constexpr Message kBatchLossMean{"loss (mean over the epoch's batches)", "pérdida (promedio sobre los lotes)"};
// The pictures' font has no ‖: |·| there.
constexpr Message kGradMeanTitle{"{}: |∂L/∂W|", "{}: |∂L/∂W|"};
constexpr Message kGradMeanAxis{"|∂L/∂W| per layer (mean over batches)", "|∂L/∂W| por capa (promedio en lotes)"};

std::string pct_value(double percent) { return fmt(percent, 1) + "%"; }

void print_protocol(Run& r, const demo::BackpropNotebookData& d, const demo::BackpropNotebookSettings& s) {
  r.line(r(kNotebookProtocol, d.train_rows(), d.val_rows(), s.hidden, s.hidden, s.hidden, d.train_rows(),
           d.train_rows() / s.batch, s.batch, sig(s.alpha, 4), s.epochs));
}

// The rounding sentence for one run, from the spread measured in numpy.
void print_rounding(Run& r, const std::string& name, demo::HiddenUnits units, nn::Reduction reduction) {
  const demo::RoundingSensitivity rs = demo::backprop_notebook_sensitivity(units, reduction);
  if (rs.exact_epochs >= demo::BackpropNotebookSettings{}.epochs)
    r.line(r(kRoundingExact, name, rs.exact_epochs));
  else if (rs.val_accuracy_min == rs.val_accuracy_max)
    r.line(r(kRoundingSame, name, rs.exact_epochs, pct_value(rs.val_accuracy_min)));
  else
    r.line(r(kRounding, name, rs.exact_epochs, pct_value(rs.val_accuracy_min), pct_value(rs.val_accuracy_max)));
}

nlohmann::json notebook_run_json(const demo::BackpropNotebookRun& run) {
  nlohmann::json norms = nlohmann::json::array();
  for (const auto& e : run.grad_norms) norms.push_back(e);
  return {{"train_loss", run.train_loss},
          {"val_accuracy", run.val_accuracy},
          {"val_accuracy_per_epoch", run.val_accuracy_per_epoch},
          {"grad_norms_first_step", run.grad_norms_first_step},
          {"grad_norms_mean_per_epoch", norms}};
}

// The validation points as a DecisionMap wants them.
demo::Points val_points(const demo::BackpropNotebookData& d) {
  demo::Points p;
  for (int64_t i = 0; i < d.val_rows(); ++i) {
    p.x1.push_back(d.x_val[size_t(2 * i)]);
    p.x2.push_back(d.x_val[size_t(2 * i + 1)]);
    p.labels.push_back(d.y_val[size_t(i)] > 0.5);
  }
  return p;
}

viz::DecisionMap notebook_map(const Run& r, const demo::BackpropNotebookData& d, const demo::BackpropNotebookRun& run,
                              const std::string& title) {
  const viz::Grid2D g{.nx = 120, .ny = 120, .xmin = -3.5, .xmax = 3.5, .ymin = -3.5, .ymax = 3.5};
  const std::vector<double> xs = g.xs(), ys = g.ys();
  std::vector<double> x;
  for (size_t i = 0; i < xs.size(); ++i) x.push_back(xs[i]), x.push_back(ys[i]);
  const demo::Points v = val_points(d);
  viz::DecisionMap map;
  map.probabilities(g, demo::backprop_notebook_predict(run, x)).title(title).xlabel("x1").ylabel("x2");
  map.train_points(v.x1, v.x2, v.labels).class_names({r(kClass, 0), r(kClass, 1)}).set_names(r.text(kValSet), "");
  return map;
}

// Loss (log scale) and validation accuracy of several runs, and with `grad_norms` one panel per run
// with the gradient norm of each weight matrix, layer 1 (next to the input) first.
// `loss_axis`: what the loss panel's values are; `loss_top`: its upper limit (0: from the data).
viz::Figure notebook_figure(const Run& r, const std::vector<const demo::BackpropNotebookRun*>& runs,
                            const std::vector<std::string>& names, bool grad_norms, const std::string& loss_axis,
                            double loss_top = 0) {
  viz::Figure fig(1, grad_norms ? 2 + int(runs.size()) : 2);
  fig.cell_size(grad_norms ? 440 : 560, 420);
  viz::LinePlot loss, acc;
  loss.title(r.text(kLossBothTitle)).xlabel(r.text(kEpoch)).ylabel(loss_axis).log_y();
  if (loss_top > 0) {
    double bottom = loss_top;
    for (const demo::BackpropNotebookRun* run : runs)
      for (double v : run->train_loss)
        if (v > 0) bottom = std::min(bottom, v);
    loss.ylim(0.8 * bottom, loss_top);
  }
  acc.title(r.text(kValAccTitle)).xlabel(r.text(kEpoch)).ylabel("%").legend(viz::LegendLoc::LowerRight);
  std::vector<viz::LinePlot> grads;
  for (size_t i = 0; i < runs.size(); ++i) {
    const demo::BackpropNotebookRun& run = *runs[i];
    const viz::Color color = viz::palette_color(i == 0 ? 0 : i + 1);
    std::vector<double> e;
    for (size_t k = 0; k < run.train_loss.size(); ++k) e.push_back(double(k + 1));
    loss.line(names[i], e, run.train_loss, {.color = color, .width = 2});
    acc.line(names[i], e, run.val_accuracy_per_epoch, {.color = color, .width = 2});
    if (!grad_norms) continue;
    viz::LinePlot g;
    g.title(r(kGradMeanTitle, names[i])).xlabel(r.text(kEpoch)).ylabel(r.text(kGradMeanAxis)).log_y();
    g.legend(viz::LegendLoc::Best);
    for (size_t l = 0; l < 4; ++l) {
      std::vector<double> v;
      for (const auto& n : run.grad_norms) v.push_back(n[l]);
      g.line(r(kLayerN, l + 1), e, v, {.color = viz::palette_color(l), .width = 1.5});
    }
    grads.push_back(std::move(g));
  }
  fig.add(loss).add(acc);
  for (viz::LinePlot& g : grads) fig.add(std::move(g));
  return fig;
}

void demo_residual_vs_sigmoid(Run& r) {
  using demo::HiddenUnits;
  const demo::BackpropNotebookSettings s;
  const demo::BackpropNotebookData d = demo::backprop_notebook_data(s);
  const demo::BackpropNotebookRun res = demo::backprop_notebook_run(d, HiddenUnits::relu_residual);
  const demo::BackpropNotebookRun sgm = demo::backprop_notebook_run(d, HiddenUnits::sigmoid);
  const std::vector<std::string> names{r.text(kResidualName), r.text(kSigmoidName)};
  r.line(r.text(kRvsTitle));
  r.line();
  print_protocol(r, d, s);
  r.line();
  r.line(r.text(kRvsNets));
  r.line();
  std::vector<std::vector<std::string>> rows{{"", names[0], names[1]}};
  rows.push_back({r(kFinalTrainLoss, s.epochs), sig(res.train_loss.back(), 6), sig(sgm.train_loss.back(), 6)});
  rows.push_back({r.text(kValAcc), pct_value(res.val_accuracy), pct_value(sgm.val_accuracy)});
  for (size_t l = 0; l < 4; ++l)
    rows.push_back({r(kGradLayer, l + 1), sig(res.grad_norms_first_step[l], 4), sig(sgm.grad_norms_first_step[l], 4)});
  const double res_ratio = res.grad_norms_first_step[3] / res.grad_norms_first_step[0];
  const double sgm_ratio = sgm.grad_norms_first_step[3] / sgm.grad_norms_first_step[0];
  rows.push_back({r.text(kGradRatio), sig(res_ratio, 3), sig(sgm_ratio, 3)});
  table(r, rows);
  r.line();
  r.line(r(kRvsVanish, sig(sgm_ratio, 3), sig(res_ratio, 3)));
  r.line();
  const Message& ranking = res.val_accuracy > sgm.val_accuracy   ? kReversed
                           : res.val_accuracy < sgm.val_accuracy ? kSame
                                                                 : kTied;
  r.line(r(kRvsRanking, r.text(ranking), pct_value(res.val_accuracy), d.val_rows(), pct_value(sgm.val_accuracy)));
  print_rounding(r, names[0], HiddenUnits::relu_residual, nn::Reduction::mean);
  print_rounding(r, names[1], HiddenUnits::sigmoid, nn::Reduction::mean);

  r.numbers["residual"] = notebook_run_json(res);
  r.numbers["sigmoid"] = notebook_run_json(sgm);
  if (!r.pictures) return;
  notebook_figure(r, {&res, &sgm}, names, true, r.text(kBatchLossMean)).save_png(r.path("comparison.png"));
  r.wrote("comparison.png", kFileRvsCompare);
  viz::Figure fig(1, 2);
  fig.cell_size(480, 420);
  fig.add(notebook_map(r, d, res, names[0] + ": " + pct_value(res.val_accuracy)))
      .add(notebook_map(r, d, sgm, names[1] + ": " + pct_value(sgm.val_accuracy)));
  fig.save_png(r.path("boundaries.png"));
  r.wrote("boundaries.png", kFileRvsBoundaries);
}

// ============================== 9. bce-mean-vs-sum (notebook 002 §2.4) ==============================

constexpr Message kBceTitle{"Binary cross-entropy: mean or sum over the batch? (notebook 002 §2.4)",
                            "Entropía cruzada binaria: ¿promedio o suma sobre el lote? (libreta 002 §2.4)"};
constexpr Message kBceIntro{
    "Both networks of residual-vs-sigmoid, each trained twice: with eq. 5 (the mean over the batch) and\n"
    "with its sum, as notebook 002 §2.4 does, with the same α. The sum over a batch of n = {} points is\n"
    "n times the mean, and so is its gradient: every step is {} times longer. (With full-batch training\n"
    "on N points the factor would be N; it is the batch size, {}, that sets it here.)",
    "Las dos redes de residual-vs-sigmoid, cada una entrenada dos veces: con la ec. 5 (el promedio sobre el\n"
    "lote) y con su suma, como hace la libreta 002 §2.4, con el mismo α. La suma sobre un lote de n = {}\n"
    "puntos es n veces el promedio, y también su gradiente: cada paso es {} veces más largo. (Con todo el\n"
    "conjunto en un solo lote de N puntos el factor sería N; aquí lo fija el tamaño del lote, {}.)"};
constexpr Message kNet{"network", "red"};
constexpr Message kReduction{"loss", "pérdida"};
constexpr Message kMeanWord{"mean", "promedio"};
constexpr Message kSumWord{"sum", "suma"};
constexpr Message kLossPerPoint{"final loss per point", "pérdida final por punto"};
constexpr Message kBceRead{
    "Measured: with the mean, ReLU + residual reaches {} and sigmoid {}; with the sum, ReLU + residual\n"
    "{} and sigmoid {}. Steps {} times longer {} the ReLU net and {} the sigmoid net.",
    "Medido: con el promedio, ReLU + residual llega a {} y sigmoide a {}; con la suma, ReLU + residual a\n"
    "{} y sigmoide a {}. Pasos {} veces más largos {} a la red ReLU y {} a la red sigmoide."};
constexpr Message kHurt{"hurt", "perjudican"};
constexpr Message kHelp{"help", "benefician"};
constexpr Message kNoEffect{"do not change", "no cambian"};
constexpr Message kBceMoral{
    "Mean or sum is a choice of units for α: the mean keeps α independent of the batch size, which is why\n"
    "it is the usual choice. Which net fails under the sum depends on the data and the batch size: with\n"
    "this protocol it is {}.",
    "Promedio o suma es una elección de unidades para α: el promedio hace a α independiente del tamaño del\n"
    "lote, por eso es lo habitual. Qué red falla con la suma depende de los datos y del tamaño del lote: con\n"
    "este protocolo es {}."};
constexpr Message kNeither{"neither", "ninguna"};
constexpr Message kBoth{"both", "las dos"};
constexpr Message kLossPerPointAxis{"loss per point (sum ÷ {})", "pérdida por punto (suma ÷ {})"};
constexpr Message kBlowUp{
    "The ReLU net under the sum blows up: its loss per point reaches {} at epoch {} (the picture stops\n"
    "at 10), and ends at {}, with {} of the validation points right.",
    "La red ReLU con la suma explota: su pérdida por punto llega a {} en la época {} (la imagen se corta\n"
    "en 10), y termina en {}, con {} de los puntos de validación bien clasificados."};
constexpr Message kFileBce{"loss per point and validation accuracy of the four runs",
                           "pérdida por punto y exactitud de validación de las cuatro corridas"};

void demo_bce_mean_vs_sum(Run& r) {
  using demo::HiddenUnits;
  const demo::BackpropNotebookSettings s;
  const demo::BackpropNotebookData d = demo::backprop_notebook_data(s);
  struct Case {
    const char* key;
    HiddenUnits units;
    nn::Reduction reduction;
    demo::BackpropNotebookRun run;
  };
  std::vector<Case> cases{{"relu_mean", HiddenUnits::relu_residual, nn::Reduction::mean, {}},
                          {"relu_sum", HiddenUnits::relu_residual, nn::Reduction::sum, {}},
                          {"sigmoid_mean", HiddenUnits::sigmoid, nn::Reduction::mean, {}},
                          {"sigmoid_sum", HiddenUnits::sigmoid, nn::Reduction::sum, {}}};
  for (Case& c : cases) c.run = demo::backprop_notebook_run(d, c.units, c.reduction, s);
  r.line(r.text(kBceTitle));
  r.line();
  print_protocol(r, d, s);
  r.line();
  r.line(r(kBceIntro, s.batch, s.batch, s.batch));
  r.line();
  std::vector<std::vector<std::string>> rows{
      {r.text(kNet), r.text(kReduction), r(kFinalTrainLoss, s.epochs), r.text(kLossPerPoint), r.text(kValAcc)}};
  std::vector<std::string> names;
  for (const Case& c : cases) {
    const bool sum = c.reduction == nn::Reduction::sum;
    const double per_point = c.run.train_loss.back() / (sum ? double(s.batch) : 1.0);
    names.push_back(r.text(c.units == HiddenUnits::relu_residual ? kResidualName : kSigmoidName) + ", " +
                    r.text(sum ? kSumWord : kMeanWord));
    rows.push_back({r.text(c.units == HiddenUnits::relu_residual ? kResidualName : kSigmoidName),
                    r.text(sum ? kSumWord : kMeanWord), sig(c.run.train_loss.back(), 6), sig(per_point, 6),
                    pct_value(c.run.val_accuracy)});
  }
  table(r, rows, "  ", {1});
  r.line();
  auto effect = [&](const Case& mean, const Case& sum) -> const Message& {
    return sum.run.val_accuracy < mean.run.val_accuracy - 1   ? kHurt
           : sum.run.val_accuracy > mean.run.val_accuracy + 1 ? kHelp
                                                              : kNoEffect;
  };
  r.line(r(kBceRead, pct_value(cases[0].run.val_accuracy), pct_value(cases[2].run.val_accuracy),
           pct_value(cases[1].run.val_accuracy), pct_value(cases[3].run.val_accuracy), s.batch,
           r.text(effect(cases[0], cases[1])), r.text(effect(cases[2], cases[3]))));
  const bool relu_fails = cases[1].run.val_accuracy < 75, sigmoid_fails = cases[3].run.val_accuracy < 75;
  r.line(r(kBceMoral, relu_fails && sigmoid_fails ? r.text(kBoth)
                      : relu_fails                ? names[0].substr(0, names[0].find(','))
                      : sigmoid_fails             ? names[2].substr(0, names[2].find(','))
                                                  : r.text(kNeither)));
  {
    const std::vector<double>& l = cases[1].run.train_loss;
    const auto peak = std::max_element(l.begin(), l.end());
    if (peak != l.end() && *peak / double(s.batch) > 10)
      r.line(r(kBlowUp, sig(*peak / double(s.batch), 3), peak - l.begin() + 1, sig(l.back() / double(s.batch), 4),
               pct_value(cases[1].run.val_accuracy)));
  }
  r.line();
  for (size_t i = 0; i < cases.size(); ++i) print_rounding(r, names[i], cases[i].units, cases[i].reduction);

  for (const Case& c : cases) r.numbers[c.key] = notebook_run_json(c.run);
  if (!r.pictures) return;
  // Per point, so that mean and sum share an axis.
  std::vector<demo::BackpropNotebookRun> per_point;
  for (const Case& c : cases) {
    per_point.push_back(c.run);
    if (c.reduction == nn::Reduction::sum)
      for (double& v : per_point.back().train_loss) v /= double(s.batch);
  }
  notebook_figure(r, {&per_point[0], &per_point[1], &per_point[2], &per_point[3]}, names, false,
                  r(kLossPerPointAxis, s.batch), 10)
      .save_png(r.path("mean_vs_sum.png"));
  r.wrote("mean_vs_sum.png", kFileBce);
}

const bool registered_rvs = register_demo(
    {"residual-vs-sigmoid",
     {"3 hidden ReLU layers with a residual connection vs 3 sigmoid layers, on the backpropagation notebook's data: "
      "loss, accuracy, per-layer gradients",
      "3 capas ocultas ReLU con conexión residual frente a 3 sigmoides, con los datos de la libreta de "
      "retropropagación: pérdida, exactitud, gradientes por capa"},
     {"notebook 002 §2, \"Retropropagación en red densa\"", "libreta 002 §2, \"Retropropagación en red densa\""},
     demo_residual_vs_sigmoid,
     {},
     8});
const bool registered_bce =
    register_demo({"bce-mean-vs-sum",
                   {"the same two networks with the BCE summed over each batch instead of averaged",
                    "las mismas dos redes con la ECB sumada sobre cada lote en lugar de promediada"},
                   {"notebook 002 §2.4", "libreta 002 §2.4"},
                   demo_bce_mean_vs_sum,
                   {},
                   9});

}  // namespace backprop_notebook_demo
}  // namespace nabla::cli
