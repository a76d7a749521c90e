// `nabla demo neuron-step`: one gradient-descent step on notebook 003's sigmoid neuron, and the
// notebook's stale printed output.
// The numbers come from the library (apps/course/, the course component); this file words and draws them.
#include "course/neuron_step.h"

#include "course/calculus.h"
#include "demos/demo.h"
#include "nabla/viz/viz.h"

namespace nabla::cli {
namespace neuron_step_demo {  // this file's own names (a named namespace: the command is a unity build)

constexpr Message kNeuronTitle{"One gradient-descent step on a sigmoid neuron (notebook 003)",
                               "Un paso de descenso por gradiente sobre una neurona sigmoide (libreta 003)"};
constexpr Message kNeuronIntro{
    "ŷ = σ(h), h = w·x + b, with the notebook's x = {}, w = {}, b = {}, y = {}, η = {}.\n"
    "The notebook's error term δ = (y − ŷ)·σ′(h) and increment Δwᵢ = η·δ·xᵢ:",
    "ŷ = σ(h), h = w·x + b, con los valores de la libreta x = {}, w = {}, b = {}, y = {}, η = {}.\n"
    "El término de error de la libreta δ = (y − ŷ)·σ′(h) y el incremento Δwᵢ = η·δ·xᵢ:"};
constexpr Message kOutput{"output ŷ = σ(h)", "salida ŷ = σ(h)"};
constexpr Message kResidual{"residual y − ŷ", "error residual y − ŷ"};
constexpr Message kIncrement{"increment Δw = η·δ·x", "incremento Δw = η·δ·x"};
constexpr Message kNewWeights{"new weights w + Δw", "nuevos pesos w + Δw"};
constexpr Message kNewOutput{"new output σ(w′·x + b)", "nueva salida σ(w′·x + b)"};
constexpr Message kNewResidual{"new residual y − ŷ′", "nuevo error y − ŷ′"};
constexpr Message kNeuronDecreased{
    "The residual went from {} to {} and the squared error ½(y − ŷ)² from {} to {}\n"
    "({}% less): the step went downhill, so the method works.",
    "El error residual pasó de {} a {} y el error cuadrático ½(y − ŷ)² de {} a {}\n"
    "({}% menos): el paso fue cuesta abajo, así que el método funciona."};
constexpr Message kNeuronNotDecreased{"The error did not decrease: the step size η = {} is too large here.",
                                      "El error no disminuyó: el tamaño de paso η = {} es demasiado grande aquí."};
constexpr Message kNeuronAutograd{
    "Check with autograd: −η·∂L/∂w for L = ½(y − ŷ)², by nabla's backward pass, is {} = Δw:\n"
    "The δ rule is gradient descent on the squared error.",
    "Comprobación con autograd: −η·∂L/∂w para L = ½(y − ŷ)², con el paso hacia atrás de nabla, es {} = Δw.\n"
    "La regla δ es descenso por gradiente sobre el error cuadrático."};
constexpr Message kNeuronStale{
    "What the notebook printed is not what its code computes. It printed \"Error: {}\", but with\n"
    "y = {} the residual is y − ŷ = {} − {} = {}. The printed numbers come from an earlier run with\n"
    "another y: ŷ + printed error = {} + {} = {}, and with y = {} nabla reproduces every printed line:",
    "Lo que el notebook imprimió no es lo que su código calcula. Imprimió \"Error: {}\", pero con\n"
    "y = {} el error residual es y − ŷ = {} − {} = {}. Los números impresos vienen de una ejecución\n"
    "anterior con otra y: ŷ + error impreso = {} + {} = {}, y con y = {} nabla reproduce cada línea impresa:"};
constexpr Message kPrinted{"notebook printed", "el notebook imprimió"};
constexpr Message kNablaWith{"nabla, y = {}", "nabla, y = {}"};
constexpr Message kNablaCode{"nabla, y = {} (the code)", "nabla, y = {} (el código)"};
constexpr Message kNeuronStaleMoral{
    "Rerun the notebook from the top and it prints the last column; its conclusion holds either way.\n"
    "Note also that a sigmoid neuron only outputs values in (0, 1): a target y = 5 can never be reached.",
    "Si se vuelve a ejecutar el notebook desde el principio, imprime la última columna; su conclusión vale\n"
    "igual. Nótese además que una neurona sigmoide solo da valores en (0, 1): un objetivo y = 5 es inalcanzable."};
constexpr Message kNeuronPlotLeft{"σ(h) before and after", "σ(h) antes y después"};
constexpr Message kNeuronPlotRight{"Error along the step", "Error a lo largo del paso"};
constexpr Message kBefore{"before", "antes"};
constexpr Message kAfter{"after", "después"};
constexpr Message kTarget{"target y", "objetivo y"};
constexpr Message kAlong{"s (w + s·Δw)", "s (w + s·Δw)"};
constexpr Message kFileNeuron{"where the step lands on σ(h), and the error along the step",
                              "dónde cae el paso sobre σ(h), y el error a lo largo del paso"};

void demo_neuron_step(Run& r) {
  using demo::Seed003;
  const demo::NeuronStep s = demo::neuron_step(Seed003::inputs());
  const demo::NeuronInputs& in = s.in;
  r.line(r.text(kNeuronTitle));
  r.line();
  r.line(r(kNeuronIntro, vec(in.x, 1), vec(in.w, 1), num(in.b, 1), num(in.y, 1), num(in.eta, 1)));
  const int d = 6;
  table(r, {{"h = w·x + b", "=", num(s.h, d)},
            {r.text(kOutput), "=", num(s.output, d)},
            {r.text(kResidual), "=", num(s.residual, d)},
            {"σ′(h) = ŷ(1 − ŷ)", "=", num(s.f_prime, d)},
            {"δ = (y − ŷ)·σ′(h)", "=", num(s.delta, d)},
            {r.text(kIncrement), "=", vec(s.increment, d)},
            {r.text(kNewWeights), "=", vec(s.new_w, d)},
            {r.text(kNewOutput), "=", num(s.new_output, d)},
            {r.text(kNewResidual), "=", num(s.new_residual, d)}});
  r.line();
  if (s.new_loss < s.loss)
    r.line(r(kNeuronDecreased, num(s.residual, d), num(s.new_residual, d), num(s.loss, d), num(s.new_loss, d),
             num(100.0 * (s.loss - s.new_loss) / s.loss, 1)));
  else
    r.line(r(kNeuronNotDecreased, num(in.eta, 2)));
  r.line(r(kNeuronAutograd, vec(s.autograd_increment, d)));
  r.line();

  demo::NeuronInputs stale_in = in;
  stale_in.y = Seed003::implied_target();
  const demo::NeuronStep stale = demo::neuron_step(stale_in);
  r.line(r(kNeuronStale, num(Seed003::printed_residual, d), num(in.y, 1), num(in.y, 1), num(s.output, d),
           num(s.residual, d), num(Seed003::printed_output, d), num(Seed003::printed_residual, d),
           num(Seed003::implied_target(), d), num(stale_in.y, 1)));
  const std::vector<double> printed_w(std::begin(Seed003::printed_new_w), std::end(Seed003::printed_new_w));
  table(r,
        {{"", r.text(kPrinted), r(kNablaWith, num(stale_in.y, 1)), r(kNablaCode, num(in.y, 1))},
         {"Salida", num(Seed003::printed_output, d), num(stale.output, d), num(s.output, d)},
         {"Error", num(Seed003::printed_residual, d), num(stale.residual, d), num(s.residual, d)},
         {"Incremento", num(Seed003::printed_increment, d), num(stale.increment[0], d), num(s.increment[0], d)},
         {"Nuevos pesos", vec(printed_w, 4), vec(stale.new_w, 4), vec(s.new_w, 4)},
         {"Nuevo error", num(Seed003::printed_new_residual, d), num(stale.new_residual, d), num(s.new_residual, d)}});
  r.line(r.text(kNeuronStaleMoral));

  auto step_json = [](const demo::NeuronStep& st) {
    return nlohmann::json{{"y", st.in.y},
                          {"h", st.h},
                          {"output", st.output},
                          {"residual", st.residual},
                          {"delta", st.delta},
                          {"increment", st.increment},
                          {"new_w", st.new_w},
                          {"new_output", st.new_output},
                          {"new_residual", st.new_residual},
                          {"loss", st.loss},
                          {"new_loss", st.new_loss},
                          {"autograd_increment", st.autograd_increment}};
  };
  r.numbers["step"] = step_json(s);
  r.numbers["step_with_implied_target"] = step_json(stale);
  r.numbers["notebook_printed_residual"] = Seed003::printed_residual;
  if (!r.pictures) return;

  // ---- picture: σ(h) with the before/after points; the error along the step direction ----
  using viz::LineStyle;
  viz::LinePlot left;
  left.title(r.text(kNeuronPlotLeft)).xlabel("h = w·x + b").ylabel("σ(h)").xlim(-4, 4).ylim(0, 1.1);
  left.legend(viz::LegendLoc::LowerRight);
  const demo::Function1D sigmoid("sigmoid(h)", "h");  // nabla's own op
  left.function("σ(h)", [&](double h) { return sigmoid.value(h); }, -4, 4, {.color = viz::colors::blue});
  viz::RefLineStyle target;
  target.color = viz::colors::green;
  target.label = r.text(kTarget) + " = " + num(in.y, 0);
  left.hline(in.y, target);
  left.scatter(
      r.text(kBefore), {s.h}, {s.output},
      {.color = viz::colors::vermillion, .line = LineStyle::None, .marker = viz::Marker::Circle, .marker_size = 10});
  left.scatter(
      r.text(kAfter), {s.new_h}, {s.new_output},
      {.color = viz::colors::green, .line = LineStyle::None, .marker = viz::Marker::Square, .marker_size = 10});
  left.annotate(
      {"h: " + num(s.h, 3) + " → " + num(s.new_h, 3), "σ(h): " + num(s.output, 3) + " → " + num(s.new_output, 3)}, 0.02,
      0.98);

  std::vector<double> ss;
  for (int i = 0; i <= 100; ++i) ss.push_back(-1.0 + 5.0 * i / 100);
  const std::vector<double> losses = demo::loss_along_step(s, ss);
  viz::LinePlot right;
  right.title(r.text(kNeuronPlotRight)).xlabel(r.text(kAlong)).ylabel("½(y − σ(h))²").xlim(-1, 4);
  right.legend(viz::LegendLoc::UpperRight);
  right.line("½(y − σ(h))²", ss, losses, {.color = viz::colors::blue, .width = 2});
  right.scatter(
      r.text(kBefore) + " (s = 0)", {0.0}, {s.loss},
      {.color = viz::colors::vermillion, .line = LineStyle::None, .marker = viz::Marker::Circle, .marker_size = 10});
  right.scatter(
      r.text(kAfter) + " (s = 1)", {1.0}, {s.new_loss},
      {.color = viz::colors::green, .line = LineStyle::None, .marker = viz::Marker::Square, .marker_size = 10});
  viz::Figure fig(1, 2);
  fig.cell_size(520, 400).add(left).add(right);
  fig.save_png(r.path("neuron_step.png"));
  r.wrote("neuron_step.png", kFileNeuron);
}

const bool registered = register_demo(
    {"neuron-step",
     {"one gradient step on a sigmoid neuron: output, residual, δ, Δw, new error (and the notebook's stale output)",
      "un paso de gradiente sobre una neurona sigmoide: salida, error, δ, Δw, nuevo error (y la salida vieja del "
      "notebook)"},
     {"notebook 003, \"Descenso por gradiente\"", "libreta 003, \"Descenso por gradiente\""},
     demo_neuron_step,
     {},
     3});

}  // namespace neuron_step_demo
}  // namespace nabla::cli
