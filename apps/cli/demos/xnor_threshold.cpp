// `nabla demo xnor-threshold`: notebook 002 §1's XNOR from threshold units with hand-set weights.
// The numbers come from the library (apps/course/, the course component); this file words and draws them.
#include "course/threshold_net.h"
#include "demos/demo.h"
#include "nabla/viz/viz.h"

namespace nabla::cli {
namespace xnor_threshold_demo {  // this file's own names (a named namespace: the command is a unity build)

constexpr Message kXnorTitle{"XNOR with threshold units, weights set by hand (notebook 002 §1)",
                             "XNOR con unidades de umbral, pesos puestos a mano (libreta 002 §1)"};
constexpr Message kXnorIntro{
    "step(z) = 1 if z > 0, else 0. Two hidden units and one output unit:\n"
    "  h1 = step(x1 + x2 − 1.5)     AND: z > 0 only for (1, 1), where z = 1 + 1 − 1.5 = 0.5\n"
    "  h2 = step(−x1 − x2 + 0.5)    NOR: z > 0 only for (0, 0), where z = 0.5\n"
    "  y  = step(h1 + h2 − 0.5)     OR:  z > 0 when h1 or h2 is 1\n"
    "so y = (x1 AND x2) OR (NOT x1 AND NOT x2) = XNOR(x1, x2). As matrices, with W stored [out][in]\n"
    "(one row per unit, as PyTorch and nabla store them):\n"
    "  W1 = [[1, 1], [−1, −1]], b1 = [−1.5, 0.5], W2 = [[1, 1]], b2 = [−0.5]\n"
    "(Notebook 002 writes W1 = [[1, −1], [1, −1]]: the same numbers in [in][out] layout, for X·W1.)",
    "escalón(z) = 1 si z > 0, si no 0. Dos unidades ocultas y una de salida:\n"
    "  h1 = escalón(x1 + x2 − 1.5)     AND: z > 0 solo para (1, 1), donde z = 1 + 1 − 1.5 = 0.5\n"
    "  h2 = escalón(−x1 − x2 + 0.5)    NOR: z > 0 solo para (0, 0), donde z = 0.5\n"
    "  y  = escalón(h1 + h2 − 0.5)     OR:  z > 0 cuando h1 o h2 vale 1\n"
    "así que y = (x1 AND x2) OR (NOT x1 AND NOT x2) = XNOR(x1, x2). En matrices, con W guardada [salida][entrada]\n"
    "(una fila por unidad, como la guardan PyTorch y nabla):\n"
    "  W1 = [[1, 1], [−1, −1]], b1 = [−1.5, 0.5], W2 = [[1, 1]], b2 = [−0.5]\n"
    "(La libreta escribe W1 = [[1, −1], [1, −1]]: los mismos números en orden [entrada][salida], para X·W1.)"};
constexpr Message kXnorTable{
    "Truth table, computed by nabla in one forward pass over the four rows:",
    "Tabla de verdad, calculada por nabla en un solo paso hacia adelante sobre las cuatro filas:"};
constexpr Message kXnorAllMatch{"All 4 rows match the notebook's Table 1.",
                                "Las 4 filas coinciden con la Tabla 1 de la libreta."};
constexpr Message kXnorMismatch{"{} of 4 rows differ from the notebook's Table 1.",
                                "{} de 4 filas difieren de la Tabla 1 de la libreta."};
constexpr Message kXnorWhy{
    "Each hidden unit cuts the plane with a line: x1 + x2 = 1.5 (h1) and x1 + x2 = 0.5 (h2). The output is 1\n"
    "outside the band between the two lines. No single line separates XNOR's 1s, (0,0) and (1,1), from its\n"
    "0s, (0,1) and (1,0): that is why a hidden layer is needed.\n"
    "Why by hand: step is flat everywhere (its derivative is 0, and at 0 it has none), so backpropagation\n"
    "gets no signal through it — in nabla its gradient is 0. Trainable networks replace it with σ or ReLU.",
    "Cada unidad oculta corta el plano con una recta: x1 + x2 = 1.5 (h1) y x1 + x2 = 0.5 (h2). La salida vale 1\n"
    "fuera de la franja entre las dos rectas. Ninguna recta sola separa los 1 de XNOR, (0,0) y (1,1), de sus\n"
    "0, (0,1) y (1,0): por eso hace falta una capa oculta.\n"
    "Por qué a mano: el escalón es plano en todas partes (su derivada es 0, y en 0 no tiene), así que la\n"
    "retropropagación no recibe señal a través de él — en nabla su gradiente es 0. Las redes entrenables lo\n"
    "reemplazan por σ o ReLU."};
constexpr Message kXnorFigTitle{"Threshold units: output 1 (orange) or 0 (blue)",
                                "Unidades de umbral: salida 1 (naranja) o 0 (azul)"};
constexpr Message kXnorH1{"h1 = x1 AND x2", "h1 = x1 AND x2"};
constexpr Message kXnorH2{"h2 = NOR(x1, x2)", "h2 = NOR(x1, x2)"};
constexpr Message kXnorY{"y = h1 OR h2 = XNOR", "y = h1 OR h2 = XNOR"};
constexpr Message kFileXnor{"the regions where h1 (AND), h2 (NOR) and y (XNOR) are 1, with the four inputs",
                            "las regiones donde h1 (AND), h2 (NOR) e y (XNOR) valen 1, con las cuatro entradas"};

void demo_xnor_threshold(Run& r) {
  const demo::ThresholdNet net = demo::ThresholdNet::seed002_xnor();
  const std::vector<demo::TruthRow> rows = demo::truth_table(net);
  r.line(r.text(kXnorTitle));
  r.line();
  r.line(r.text(kXnorIntro));
  r.line();
  r.line(r.text(kXnorTable));
  std::vector<std::vector<std::string>> t{
      {"x1", "x2", "z1 = x1+x2−1.5", "h1", "z2 = −x1−x2+0.5", "h2", "z = h1+h2−0.5", "y", "XNOR", ""}};
  int wrong = 0;
  for (const demo::TruthRow& row : rows) {
    const bool ok = row.y == row.expected;
    wrong += !ok;
    t.push_back({num(row.x1, 0), num(row.x2, 0), num(row.z1, 1), num(row.h1, 0), num(row.z2, 1), num(row.h2, 0),
                 num(row.z, 1), num(row.y, 0), num(row.expected, 0), ok ? "✓" : "✗"});
  }
  table(r, t);
  r.line(wrong == 0 ? r.text(kXnorAllMatch) : r(kXnorMismatch, wrong));
  r.line();
  r.line(r.text(kXnorWhy));
  for (const demo::TruthRow& row : rows)
    r.numbers["truth_table"].push_back({{"x1", row.x1},
                                        {"x2", row.x2},
                                        {"z1", row.z1},
                                        {"h1", row.h1},
                                        {"z2", row.z2},
                                        {"h2", row.h2},
                                        {"z", row.z},
                                        {"y", row.y},
                                        {"xnor", row.expected}});
  r.numbers["rows_wrong"] = wrong;
  if (!r.pictures) return;

  // 160 points per side: no grid point falls exactly on the lines x1 + x2 = 0.5 or 1.5, where
  // step(0) = 0 would make the drawn boundary jagged.
  const viz::Grid2D g{.nx = 160, .ny = 160, .xmin = -0.5, .xmax = 1.5, .ymin = -0.5, .ymax = 1.5};
  const demo::ThresholdRegions regions = demo::threshold_regions(net, g.xs(), g.ys());
  const std::vector<double> px{0, 0, 1, 1}, py{0, 1, 0, 1};
  auto map = [&](const Message& title, const std::vector<double>& p, std::vector<int> labels) {
    viz::DecisionMap m;
    m.title(r.text(title)).xlabel("x1").ylabel("x2").probabilities(g, p).train_points(px, py, std::move(labels));
    m.class_names({"0", "1"}).set_names("", "").legend(viz::LegendLoc::Hidden).point_size(11);
    return m;
  };
  viz::Figure fig(1, 3);
  fig.cell_size(400, 400).title(r.text(kXnorFigTitle));
  fig.add(map(kXnorH1, regions.h1, {0, 0, 0, 1}));
  fig.add(map(kXnorH2, regions.h2, {1, 0, 0, 0}));
  fig.add(map(kXnorY, regions.y, {1, 0, 0, 1}));
  fig.save_png(r.path("regions.png"));
  r.wrote("regions.png", kFileXnor);
}

const bool registered = register_demo(
    {"xnor-threshold",
     {"XNOR from step units with hand-set weights: truth table and decision regions",
      "XNOR con unidades escalón y pesos puestos a mano: tabla de verdad y regiones de decisión"},
     {"notebook 002 §1, \"Red de unidades de umbral lineal\"", "libreta 002 §1, \"Red de unidades de umbral lineal\""},
     demo_xnor_threshold,
     {},
     7});

}  // namespace xnor_threshold_demo
}  // namespace nabla::cli
