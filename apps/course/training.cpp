#include "course/training.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>

#include "nabla/autograd/node.h"
#include "nabla/error.h"
#include "nabla/nn/utils.h"
#include "nabla/ops/ops.h"

namespace nabla::demo {

namespace detail {
extern const std::pair<const char*, const char*> kExampleConfigs[];
extern const int kExampleConfigCount;
}  // namespace detail

std::string_view example_config(std::string_view file) {
  for (int i = 0; i < detail::kExampleConfigCount; ++i)
    if (file == detail::kExampleConfigs[i].first) return detail::kExampleConfigs[i].second;
  throw ValueError(nabla::detail::concat("no example configuration named '", file, "'"));
}

std::vector<std::string> example_config_names() {
  std::vector<std::string> names;
  for (int i = 0; i < detail::kExampleConfigCount; ++i) names.push_back(detail::kExampleConfigs[i].first);
  return names;
}

double TrainingRun::final_loss() const { return history.empty() ? NAN : history.back().train_loss; }
double TrainingRun::final_train_acc() const { return history.empty() ? NAN : history.back().train_acc; }
double TrainingRun::final_test_acc() const { return history.empty() ? NAN : history.back().test_acc; }

double TrainingRun::final_loss_per_row() const {
  const std::vector<double> l = loss_per_row(*this);
  return l.empty() ? NAN : l.back();
}

int64_t TrainingRun::first_epoch_with_accuracy(double level) const {
  for (const train::EpochMetrics& m : history)
    if (m.train_acc >= level) return m.epoch;
  return 0;
}

std::vector<double> loss_per_row(const TrainingRun& run) {
  const double scale = run.config.loss.reduction == "sum" && run.train_size > 0 ? 1.0 / double(run.train_size) : 1.0;
  std::vector<double> out;
  for (const train::EpochMetrics& m : run.history) out.push_back(m.train_loss * scale);
  return out;
}

double max_loss_gap(const TrainingRun& a, const TrainingRun& b) {
  const std::vector<double> la = loss_per_row(a), lb = loss_per_row(b);
  double gap = 0;
  for (size_t i = 0; i < std::min(la.size(), lb.size()); ++i) gap = std::max(gap, std::fabs(la[i] - lb[i]));
  return gap;
}

namespace {

Points points_of(const Dataset& d) {
  Points p;
  if (d.size() == 0 || d.num_features() != 2 || d.multiclass()) return p;
  const std::vector<double> x = d.x.to_vector<double>(), y = d.y.to_vector<double>();
  for (size_t i = 0; i + 1 < x.size(); i += 2) p.x1.push_back(x[i]), p.x2.push_back(x[i + 1]);
  for (double v : y) p.labels.push_back(static_cast<int>(std::lround(v)));
  return p;
}

BoundaryFrame snapshot(train::Trainer& t, const viz::Grid2D& grid, int64_t epoch) {
  BoundaryFrame f;
  f.epoch = epoch;
  f.p = t.predict(Tensor::from_vector(grid.points(), {static_cast<int64_t>(grid.size()), 2})).to_vector<double>();
  f.loss = t.evaluate(t.train_set()).first;
  for (const auto& [name, p] : t.model().named_parameters())
    f.parameters.push_back({name, p.detach().contiguous().to_vector<double>()});
  return f;
}

}  // namespace

TrainingRun train_run(const train::TrainConfig& config, const TrainOptions& options) {
  TrainingRun run;
  run.config = config;
  train::Trainer t(config);
  run.train_points = points_of(t.train_set());
  run.test_points = points_of(t.test_set());
  for (const Tensor& p : t.model().parameters()) run.parameters += p.numel();
  run.train_size = t.train_set().size();

  const int64_t epochs = config.train.epochs;
  const bool boundary = options.boundary_frames > 0 && config.model.inputs == 2 && t.classification() &&
                        t.num_classes() == 2 && !run.train_points.x1.empty();
  std::set<int64_t> frame_epochs;
  if (boundary) {
    // The range of all the points, train and test, with a margin.
    std::vector<double> x1 = run.train_points.x1, x2 = run.train_points.x2;
    x1.insert(x1.end(), run.test_points.x1.begin(), run.test_points.x1.end());
    x2.insert(x2.end(), run.test_points.x2.begin(), run.test_points.x2.end());
    run.grid = viz::Grid2D::around(x1, x2, options.grid_size, 0.1);
    for (int k = 0; k <= options.boundary_frames; ++k)
      frame_epochs.insert(static_cast<int64_t>(std::llround(double(k) * double(epochs) / options.boundary_frames)));
  }

  double seconds = 0;
  int64_t done = 0;
  for (; done < epochs; ++done) {
    if (options.before_epoch) options.before_epoch(done, t);
    if (frame_epochs.count(done)) run.frames.push_back(snapshot(t, run.grid, done));
    const auto start = std::chrono::steady_clock::now();
    try {
      run.history.push_back(t.run_epoch());
    } catch (const Error& e) {
      // A NaN loss, or NaN probabilities reaching the BCE: the run stops here, and says why.
      run.failure = e.what();
      break;
    }
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  if (run.failure.empty()) {
    if (options.before_epoch) options.before_epoch(done, t);
    if (boundary && (run.frames.empty() || run.frames.back().epoch != done))
      run.frames.push_back(snapshot(t, run.grid, done));
  }
  run.seconds = seconds;
  for (const auto& [name, p] : t.model().named_parameters())
    run.final_parameters.push_back({name, p.detach().contiguous().to_vector<double>()});
  return run;
}

LayerNorms layer_grad_norms(const std::vector<train::EpochMetrics>& history) {
  LayerNorms out;
  for (const train::EpochMetrics& m : history) {
    const std::vector<std::pair<std::string, double>> layers = nn::per_module_norms(m.grad_norms);
    if (out.names.empty()) {
      for (const auto& [name, _] : layers) out.names.push_back(name);
      out.norms.assign(out.names.size(), {});
    }
    for (size_t l = 0; l < layers.size() && l < out.norms.size(); ++l) out.norms[l].push_back(layers[l].second);
  }
  return out;
}

GradientSpread first_epoch_gradient_spread(const std::vector<train::EpochMetrics>& history) {
  GradientSpread s;
  const LayerNorms n = layer_grad_norms(history);
  if (n.norms.empty() || n.norms.front().empty()) return s;
  s.first = n.norms.front().front();
  s.last = n.norms.back().front();
  s.attenuation = s.last / s.first;
  return s;
}

// ---- seed 001 ----

const std::vector<double>& XorReport::seed_errors() {
  static const std::vector<double> e{0.4978, 0.1119, 0.0504, 0.0366, 0.0300, 0.0259, 0.0231, 0.0211, 0.0195, 0.0182};
  return e;
}

const std::vector<double>& XorReport::seed_outputs() {
  static const std::vector<double> o{0.01890475, 0.98371361, 0.98369334, 0.01686123};
  return o;
}

XorReport seed001_xor(const train::TrainConfig& config, int64_t every, int boundary_frames) {
  NABLA_CHECK(every > 0, ValueError, "seed001_xor: the reporting interval must be positive, got ", every);
  XorReport report;
  const int64_t epochs = config.train.epochs;
  TrainOptions options;
  options.boundary_frames = boundary_frames;
  options.before_epoch = [&](int64_t done, train::Trainer& t) {
    const bool log = done < epochs && done % every == 0;
    const bool last_forward = done + 1 == epochs, after = done == epochs;
    if (!log && !last_forward && !after) return;
    const std::vector<double> p = t.predict(t.train_set().x).to_vector<double>();
    const std::vector<double> y = t.train_set().y.to_vector<double>();
    if (log) {
      double error = 0;
      for (size_t i = 0; i < y.size(); ++i) error += std::fabs(y[i] - p[i]);
      report.errors.push_back({done, error / double(y.size())});
    }
    if (last_forward) report.final_outputs = p;
    if (after) report.trained_outputs = p, report.targets = y;
  };
  report.run = train_run(config, options);
  return report;
}

XorComparison compare_with_notebook(const XorReport& report) {
  const std::vector<double>& seed_e = XorReport::seed_errors();
  const std::vector<double>& seed_o = XorReport::seed_outputs();
  XorComparison c;
  for (const auto& [epoch, error] : report.errors) {
    if (epoch % 1000 != 0 || size_t(epoch / 1000) >= seed_e.size()) continue;
    c.worst_excess = std::max(c.worst_excess, std::fabs(seed_e[size_t(epoch / 1000)] - error) - 0.5e-4);
    ++c.errors_compared;
  }
  for (size_t i = 0; i < report.final_outputs.size() && i < seed_o.size(); ++i)
    c.worst_excess = std::max(c.worst_excess, std::fabs(seed_o[i] - report.final_outputs[i]) - 0.5e-8);
  for (size_t i = 0; i < report.trained_outputs.size() && i < report.targets.size(); ++i)
    c.max_target_distance = std::max(c.max_target_distance, std::fabs(report.trained_outputs[i] - report.targets[i]));
  c.reproduced = c.worst_excess <= 0 && c.errors_compared == seed_e.size();
  return c;
}

std::optional<train::TrainConfig> widened(const train::TrainConfig& config, int64_t units) {
  train::TrainConfig wider = config;
  auto& layers = wider.model.layers;
  if (layers.size() < 3 || layers[0].type != "linear" || layers[2].type != "linear") return std::nullopt;
  layers[0].out = units;
  for (size_t i : {size_t(0), size_t(2)}) layers[i].weight_values.clear(), layers[i].bias_values.clear();
  return wider;
}

}  // namespace nabla::demo
