#include "demos/training.h"

#include <algorithm>
#include <cmath>

#include "trace_format.h"

namespace nabla::cli {
namespace {

constexpr Message kConfigLine{
    "Configuration: {}. Edit a copy and rerun it with  nabla demo {} --config FILE,\n"
    "change one value with  --set key=value,  or train it alone:  nabla train {}",
    "Configuración: {}. Edita una copia y vuelve a ejecutar con  nabla demo {} --config ARCHIVO,\n"
    "cambia un valor con  --set clave=valor,  o entrénala sola:  nabla train {}"};
constexpr Message kConfigLines{
    "Configurations: {}. Edit copies and rerun with  nabla demo {} {},\n"
    "or change a value in all of them with  --set key=value.",
    "Configuraciones: {}. Edita copias y vuelve a ejecutar con  nabla demo {} {},\n"
    "o cambia un valor en todas con  --set clave=valor."};
constexpr Message kLoss{"loss", "pérdida"};
constexpr Message kTrainAcc{"train accuracy", "exactitud (entrenamiento)"};
constexpr Message kTestAcc{"test accuracy", "exactitud (prueba)"};
constexpr Message kTrainSet{"train", "entrenamiento"};
constexpr Message kTestSet{"test", "prueba"};
constexpr Message kLossTitle{"Training loss", "Pérdida al entrenar"};

bool has_test(const demo::TrainingRun& run) { return !run.history.empty() && !std::isnan(run.history.back().test_acc); }

// The epochs a table shows: every `every`, plus the first and the last.
bool shown(int64_t epoch, int64_t every, int64_t last) { return epoch == 1 || epoch == last || epoch % every == 0; }

// The loss per epoch up to `upto`, on axes fixed for the whole run (for animation frames).
// `readout`: lines shown in the panel's upper right corner (the notebook's W/b/C box).
viz::LinePlot loss_curve(const Run& r, const demo::TrainingRun& run, int64_t upto, const std::string& ylabel,
                         const std::vector<std::string>& readout) {
  const std::vector<double> loss = demo::loss_per_row(run);
  std::vector<double> e, l;
  double top = 0;
  for (size_t i = 0; i < loss.size(); ++i) {
    if (std::isfinite(loss[i])) top = std::max(top, loss[i]);
    if (int64_t(i + 1) <= upto) e.push_back(double(i + 1)), l.push_back(loss[i]);
  }
  double bottom = top;
  for (double v : loss)
    if (std::isfinite(v) && v > 0) bottom = std::min(bottom, v);
  viz::LinePlot p;
  p.title(r.text(kLossTitle)).xlabel(r.text(kEpoch)).ylabel(ylabel).legend(viz::LegendLoc::Hidden);
  p.xlim(0, std::max<double>(1, double(loss.size())));
  // A loss that falls by more than two decades reads better on a log scale.
  if (bottom > 0 && top > 100 * bottom)
    p.log_y().ylim(0.8 * bottom, 1.25 * top);
  else
    p.ylim(0, top > 0 ? 1.05 * top : 1);
  p.line("", e, l, {.color = viz::colors::blue, .width = 2});
  if (!e.empty())
    p.scatter("", {e.back()}, {l.back()},
              {.color = viz::colors::vermillion,
               .line = viz::LineStyle::None,
               .marker = viz::Marker::Circle,
               .marker_size = 8});
  if (!readout.empty()) p.annotate(readout, 0.52, 0.98);
  return p;
}

}  // namespace

std::string signed_term(double v) { return (v < 0 ? " − " : " + ") + num(std::fabs(v)); }

std::string pct(double acc) { return std::isnan(acc) ? "-" : fmt(100 * acc, 1) + "%"; }

void print_config_lines(Run& r, const std::string& demo) {
  if (r.sources.size() == 1) {
    r.line(r(kConfigLine, r.sources[0], demo, r.sources[0]));
    return;
  }
  std::vector<std::string> flags;
  for (size_t i = 0; i < r.sources.size(); ++i) flags.push_back("--config " + std::string(1, char('A' + i)));
  r.line(r(kConfigLines, join(r.sources, ", "), demo, join(flags, " ")));
}

void print_history(Run& r, const demo::TrainingRun& run, int64_t every) {
  const bool test = !run.history.empty() && !std::isnan(run.history.back().test_acc);
  std::vector<std::vector<std::string>> rows{{r.text(kEpoch), r.text(kLoss), r.text(kTrainAcc)}};
  if (test) rows[0].push_back(r.text(kTestAcc));
  const int64_t last = run.history.empty() ? 0 : run.history.back().epoch;
  for (const train::EpochMetrics& m : run.history) {
    if (!shown(m.epoch, every, last)) continue;
    rows.push_back({std::to_string(m.epoch), fmt(m.train_loss, 5), pct(m.train_acc)});
    if (test) rows.back().push_back(pct(m.test_acc));
  }
  table(r, rows, "  ");
  if (!run.failure.empty()) r.line(r(kStopped, run.history.size(), run.failure));
}

int64_t every_for(const train::TrainConfig& c) {
  return c.train.log_every > 0 ? c.train.log_every : std::max<int64_t>(1, c.train.epochs / 10);
}

viz::DecisionMap boundary_map(const Run& r, const demo::TrainingRun& run, const demo::BoundaryFrame& f,
                              const std::string& title) {
  viz::DecisionMap map;
  map.probabilities(run.grid, f.p).title(title).xlabel("x1").ylabel("x2");
  map.train_points(run.train_points.x1, run.train_points.x2, run.train_points.labels);
  if (!run.test_points.x1.empty()) map.test_points(run.test_points.x1, run.test_points.x2, run.test_points.labels);
  map.class_names({r(kClass, 0), r(kClass, 1)}).set_names(r.text(kTrainSet), r.text(kTestSet));
  return map;
}

void save_boundary_pictures(Run& r, const demo::TrainingRun& run, const std::string& ylabel, const Message& gif_what,
                            const Message& png_what, const Readout& readout) {
  if (run.frames.empty()) return;
  // The heatmap drifts a little everywhere from one frame to the next, which GIF stores at great
  // cost: pixels within 8 levels (of 255) of what is shown are left as they are, and the frames
  // are drawn at 800x350 (the still picture keeps 960x420). 41 frames then take about 0.5 MB
  // instead of 1.5 to 2 MB, and look the same in motion.
  viz::Animation anim(800, 350);
  anim.tolerance(8);
  for (const demo::BoundaryFrame& f : run.frames) {
    viz::Figure fig(1, 2);
    fig.add(boundary_map(r, run, f, r(kEpochTitle, f.epoch)))
        .add(loss_curve(r, run, f.epoch, ylabel, readout ? readout(f) : std::vector<std::string>{}));
    anim.add_frame(fig);
  }
  anim.delay_ms(120).save_gif(r.path("boundary.gif"));
  r.wrote("boundary.gif", gif_what);
  viz::Figure last(1, 2);
  last.cell_size(480, 420);
  last.add(boundary_map(r, run, run.frames.back(), r(kEpochTitle, run.frames.back().epoch)))
      .add(loss_curve(r, run, run.frames.back().epoch, ylabel,
                      readout ? readout(run.frames.back()) : std::vector<std::string>{}));
  last.save_png(r.path("boundary.png"));
  r.wrote("boundary.png", png_what);
}

const std::vector<double>* parameter(const demo::TrainingRun& run, const std::string& name) {
  for (const auto& [n, v] : run.final_parameters)
    if (n == name) return &v;
  return nullptr;
}

nlohmann::json run_json(const demo::TrainingRun& run) {
  nlohmann::json j{{"train_rows", run.train_size}, {"parameters", run.parameters}};
  for (const train::EpochMetrics& m : run.history) {
    j["train_loss"].push_back(m.train_loss);
    j["train_accuracy"].push_back(100 * m.train_acc);
    if (has_test(run)) j["test_loss"].push_back(m.test_loss), j["test_accuracy"].push_back(100 * m.test_acc);
  }
  j["final_train_accuracy"] = 100 * run.final_train_acc();
  if (has_test(run)) j["final_test_accuracy"] = 100 * run.final_test_acc();
  if (!run.failure.empty()) j["failure"] = run.failure;
  return j;
}

}  // namespace nabla::cli
