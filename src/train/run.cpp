// run_training: a training run as a directory of files — config.toml, run.json, metrics.csv,
// the checkpoint and the model, the plots and the boundary frames — started, resumed or
// continued (nabla/train/trainer.h: RunOptions). The model, data and steps are Trainer's
// (trainer.cpp); this file is what a run leaves on disk and how it picks up from it.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "nabla/autograd/node.h"
#include "nabla/io/atomic_file.h"
#include "nabla/io/safetensors.h"
#include "nabla/ops/ops.h"
#include "nabla/train/trainer.h"
#include "nabla/viz/viz.h"

namespace nabla::train {

namespace fs = std::filesystem;
constexpr double kNotMeasured = std::numeric_limits<double>::quiet_NaN();

// ============================== run_training ==============================

namespace {

std::string g17(double v) {
  if (std::isnan(v)) return "nan";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void write_text_atomic(const fs::path& path, const std::string& text) {
  AtomicFileWriter out(path);
  out.write(text.data(), text.size());
  out.commit();
}

// The columns x1, x2 of 2-D points [N, 2].
std::pair<std::vector<double>, std::vector<double>> columns(const Tensor& x) {
  const std::vector<double> v = x.to_vector<double>();
  std::vector<double> x1, x2;
  for (size_t i = 0; i + 1 < v.size(); i += 2) {
    x1.push_back(v[i]);
    x2.push_back(v[i + 1]);
  }
  return {std::move(x1), std::move(x2)};
}

// The grid a 2-D decision map is drawn on: the data's range plus a margin.
viz::Grid2D grid_for(const Tensor& x) {
  const auto [x1, x2] = columns(x);
  return viz::Grid2D::around(x1, x2, 120, 0.15);
}

struct BoundaryFrame {
  int64_t epoch;
  std::vector<double> p;  // binary: p(class 1); multi-class: max probability
  std::vector<int> cls;   // multi-class: predicted class
};

BoundaryFrame boundary_frame(Trainer& t, const viz::Grid2D& grid, int64_t epoch) {
  Tensor p = t.predict(Tensor::from_vector(grid.points(), {int64_t(grid.size()), 2}));
  BoundaryFrame f{epoch, {}, {}};
  if (p.dim() == 1) {
    f.p = p.to_vector<double>();
  } else {
    f.p = max(p, 1).to_vector<double>();
    for (int64_t c : argmax(p, 1).to_vector<int64_t>()) f.cls.push_back(int(c));
  }
  return f;
}

viz::DecisionMap boundary_plot(const Trainer& t, const viz::Grid2D& grid, const BoundaryFrame& f) {
  viz::DecisionMap map;
  if (f.cls.empty())
    map.probabilities(grid, f.p);
  else
    map.classes(grid, f.cls, f.p);
  auto add = [&](const Dataset& d, bool test) {
    if (d.size() == 0) return;
    auto [x1, x2] = columns(d.x);
    std::vector<int> labels;
    for (double y : d.y.to_vector<double>()) labels.push_back(int(std::lround(y)));
    if (test)
      map.test_points(x1, x2, labels);
    else
      map.train_points(x1, x2, labels);
  };
  add(t.train_set(), false);
  add(t.test_set(), true);
  map.title("epoch " + std::to_string(f.epoch)).xlabel("x1").ylabel("x2");
  return map;
}

}  // namespace

nlohmann::json parse_run_json(const std::string& text, const std::string& path) {
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    NABLA_CHECK(j.is_object() && j.value("format", "") == "nabla-run-1", ParseError, path,
                ": not a nabla run.json (format \"nabla-run-1\")");
    j.at("checkpoint_every").get<int64_t>();
    j.at("plots").get<bool>();
    j.at("finished").get<bool>();
    j.value("detect_anomaly", false);  // the optional ones have the right type too
    j.value("init", std::string());
    j.value("set", std::vector<std::string>());
    j.value("dpi", 100.0);
    j.value("plot_size", std::vector<double>{0, 0});
    return j;
  } catch (const nlohmann::json::exception& e) {
    throw ParseError(path + ": damaged run.json: " + e.what(), path);
  }
}

namespace {

// ---- the run directory ----

// Every file a run writes; --force removes exactly these (and stale temporaries), nothing else.
constexpr const char* kRunFiles[] = {
    "config.toml", "run.json",       "metrics.csv",  "model.safetensors", "checkpoint.safetensors",
    "loss.png",    "grad_norms.png", "boundary.png", "boundary.gif",      "boundary_frames.bin"};
constexpr int64_t kMaxPlotPoints = 2000;

bool is_run_file(const std::string& name) {
  for (const char* f : kRunFiles)
    if (name == f) return true;
  return is_atomic_temporary_name(name);
}

[[noreturn]] void fs_fail(const fs::path& path, const std::string& what, const std::error_code& ec) {
  throw IOError(detail::concat("cannot use '", path.string(), "' as the run directory: ", what,
                               ec ? ": " + ec.message() : std::string()));
}

std::string read_text(const fs::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  NABLA_CHECK(f, IOError, "cannot read '", path.string(), "': ", std::strerror(errno));
  std::string text;
  char buf[1 << 16];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
  const bool bad = std::ferror(f);
  std::fclose(f);
  NABLA_CHECK(!bad, IOError, "cannot read '", path.string(), "'");
  return text;
}

nlohmann::json read_run_json(const fs::path& dir) {
  const fs::path path = dir / "run.json";
  return parse_run_json(read_text(path), path.string());
}

// The names in dir (not "." / ".."); IOError naming dir when it cannot be listed.
std::vector<std::string> entries_of(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    names.push_back(it->path().filename().string());
  if (ec) fs_fail(dir, "cannot list it", ec);
  std::sort(names.begin(), names.end());
  return names;
}

// Makes `dir` ready for a fresh run of `config` (item: never mix two runs): absent → created;
// empty → used; a run's directory → refused unless force, then its files are removed; a
// directory with anything else → refused.
void prepare_fresh_dir(const fs::path& dir, const TrainConfig& config, bool force) {
  std::error_code ec;
  const fs::file_status link = fs::symlink_status(dir, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) fs_fail(dir, "cannot inspect it", ec);
  if (!fs::exists(link)) {
    fs::create_directories(dir, ec);
    if (ec) fs_fail(dir, "cannot create it", ec);
    return;
  }
  const fs::file_status target = fs::status(dir, ec);
  if (fs::is_symlink(link) && !fs::exists(target)) fs_fail(dir, "it is a dangling symbolic link", {});
  if (!fs::is_directory(target)) fs_fail(dir, "it exists and is not a directory; choose another --out", {});
  const std::vector<std::string> names = entries_of(dir);
  if (names.empty()) return;
  std::string foreign;
  for (const std::string& n : names)
    if (!is_run_file(n)) foreign = n;
  if (!foreign.empty())
    throw IOError(detail::concat("'", dir.string(), "' is not empty and holds files nabla did not write ('", foreign,
                                 "'): choose another --out"));
  const bool has_run = std::find(names.begin(), names.end(), "run.json") != names.end();
  if (has_run && !force) {
    const nlohmann::json run = read_run_json(dir);
    std::error_code cec;
    const bool same = fs::exists(dir / "config.toml", cec) && read_text(dir / "config.toml") == to_toml(config);
    const std::string d = dir.string();
    if (!same)
      throw IOError(detail::concat("'", d, "' holds another run (another configuration): choose another --out, or ",
                                   "continue that run with --resume ", d));
    if (run.at("finished").get<bool>())
      throw IOError(detail::concat("'", d, "' holds a finished run of this configuration: choose another --out, ",
                                   "or add --force to run it again there (its files are replaced)"));
    throw IOError(detail::concat("'", d, "' holds an unfinished run of this configuration: continue it with --resume ",
                                 d, ", or choose another --out (or --force to start over)"));
  }
  if (!has_run && !force)
    for (const std::string& n : names)
      if (n != "config.toml" && n != "metrics.csv" && n != "boundary_frames.bin" && !is_atomic_temporary_name(n))
        throw IOError(detail::concat("'", dir.string(), "' holds the files of a run without run.json ('", n,
                                     "'): choose another --out, or add --force to replace them"));
  // A run's files only (one that died before writing run.json, or --force): start clean.
  for (const std::string& n : names) {
    fs::remove(dir / n, ec);
    if (ec) fs_fail(dir / n, "cannot remove it", ec);
  }
}

// A file that grows by whole records (metrics.csv rows, boundary frames), written with plain
// write(2): a killed process loses nothing written before, and sync() makes it durable. A record
// whose write fails part-way (a full disk, a file-size limit) is cut off again: the file keeps
// whole records only, also when the run stops there.
class AppendFile {
 public:
  explicit AppendFile(fs::path path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
    NABLA_CHECK(fd_ >= 0, IOError, "cannot write '", path_.string(), "': ", std::strerror(errno));
  }
  ~AppendFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;
  void append(const void* data, size_t n) {
    const off_t before = ::lseek(fd_, 0, SEEK_END);
    NABLA_CHECK(before >= 0, IOError, "cannot write '", path_.string(), "': ", std::strerror(errno));
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
      const ssize_t w = ::write(fd_, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        const int err = w < 0 ? errno : EIO;
        while (::ftruncate(fd_, before) != 0 && errno == EINTR) {
        }
        throw IOError(detail::concat("cannot write '", path_.string(), "': ", std::strerror(err)));
      }
      p += w;
      n -= size_t(w);
    }
  }
  void append(const std::string& s) { append(s.data(), s.size()); }
  void sync() {
    NABLA_CHECK(::fdatasync(fd_) == 0, IOError, "cannot sync '", path_.string(), "': ", std::strerror(errno));
  }

 private:
  fs::path path_;
  int fd_ = -1;
};

// ---- metrics.csv ----

std::string metrics_header(Trainer& trainer) {
  // epoch,train_loss, then test_loss / accuracies where they apply, then grad norms.
  const bool has_test = trainer.test_set().size() > 0, has_acc = trainer.classification();
  std::string csv = "epoch,train_loss";
  if (has_test) csv += ",test_loss";
  if (has_acc) csv += has_test ? ",train_acc,test_acc" : ",train_acc";
  for (const auto& [name, _] : trainer.model().named_parameters()) csv += ",grad_norm." + name;
  return csv + "\n";
}

std::string metrics_row(const Trainer& trainer, const EpochMetrics& m) {
  const bool has_test = trainer.test_set().size() > 0, has_acc = trainer.classification();
  std::string csv = std::to_string(m.epoch);
  // Appended piece by piece: "," + g17(x) temporaries trip GCC 12's -Wrestrict false positive.
  auto cell = [&csv](double v) {
    csv += ',';
    csv += g17(v);
  };
  cell(m.train_loss);
  if (has_test) cell(m.test_loss);
  if (has_acc) {
    cell(m.train_acc);
    if (has_test) cell(m.test_acc);
  }
  for (const auto& gn : m.grad_norms) cell(gn.second);
  return csv + "\n";
}

// Parses a row written by metrics_row back (g17 round-trips exactly); false if it is incomplete.
bool parse_metrics_row(const Trainer& trainer, const std::string& line, size_t norms, EpochMetrics& m) {
  const bool has_test = trainer.test_set().size() > 0, has_acc = trainer.classification();
  std::vector<std::string> cells;
  for (size_t start = 0;;) {
    const size_t comma = line.find(',', start);
    cells.push_back(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  const size_t expected = 2 + (has_test ? 1 : 0) + (has_acc ? (has_test ? 2 : 1) : 0) + norms;
  if (cells.size() != expected) return false;
  auto num = [](const std::string& c, double& v) {
    if (c.empty()) return false;
    char* end = nullptr;
    v = std::strtod(c.c_str(), &end);
    return *end == '\0';
  };
  const auto [end, ec] = std::from_chars(cells[0].data(), cells[0].data() + cells[0].size(), m.epoch);
  if (ec != std::errc() || end != cells[0].data() + cells[0].size()) return false;
  size_t k = 1;
  m.test_loss = m.train_acc = m.test_acc = kNotMeasured;
  bool ok = num(cells[k++], m.train_loss);
  if (has_test) ok = ok && num(cells[k++], m.test_loss);
  if (has_acc) {
    ok = ok && num(cells[k++], m.train_acc);
    if (has_test) ok = ok && num(cells[k++], m.test_acc);
  }
  m.grad_norms.clear();
  for (const auto& [name, _] : const_cast<Trainer&>(trainer).model().named_parameters()) {
    double v = 0;
    ok = ok && num(cells[k++], v);
    m.grad_norms.push_back({name, v});
  }
  return ok;
}

// What the loss and gradient-norm plots draw: every `stride`-th epoch (and the first), so at most
// ~kMaxPlotPoints points per series whatever the number of epochs.
struct PlotSeries {
  int64_t stride = 1;
  std::vector<double> epoch, train, test;
  std::vector<std::string> names;
  std::vector<std::vector<double>> norms;

  bool keeps(int64_t e) const { return e == 1 || e % stride == 0; }
  void add(const EpochMetrics& m) {
    epoch.push_back(double(m.epoch));
    train.push_back(m.train_loss);
    test.push_back(m.test_loss);
    if (names.empty())
      for (const auto& gn : m.grad_norms) names.push_back(gn.first);
    norms.resize(names.size());
    for (size_t k = 0; k < names.size(); ++k) norms[k].push_back(m.grad_norms[k].second);
  }
};

// ---- boundary frames (boundary_frames.bin: per frame int64 epoch, int64 n, n float64 p,
// int64 m, m int32 classes; native byte order) ----

std::string frame_bytes(const BoundaryFrame& f) {
  std::string b;
  auto put = [&b](const void* p, size_t n) {
    if (n > 0) b.append(static_cast<const char*>(p), n);  // an empty vector's data() may be null
  };
  const int64_t n = int64_t(f.p.size()), m = int64_t(f.cls.size());
  put(&f.epoch, 8);
  put(&n, 8);
  put(f.p.data(), f.p.size() * sizeof(double));
  put(&m, 8);
  put(f.cls.data(), f.cls.size() * sizeof(int));
  return b;
}

// The complete frames of `bytes` with epoch ≤ last_epoch; sets `kept` to their length in bytes.
std::vector<BoundaryFrame> parse_frames(const std::string& bytes, int64_t last_epoch, size_t& kept) {
  std::vector<BoundaryFrame> frames;
  size_t pos = 0;
  kept = 0;
  auto get = [&](void* p, size_t n) {
    if (bytes.size() - pos < n) return false;
    if (n > 0) std::memcpy(p, bytes.data() + pos, n);  // an empty vector's data() may be null
    pos += n;
    return true;
  };
  const int64_t limit = int64_t(bytes.size());
  while (pos < bytes.size()) {
    BoundaryFrame f{};
    int64_t n = 0, m = 0;
    if (!get(&f.epoch, 8) || !get(&n, 8) || n < 0 || n > limit / 8) break;
    f.p.resize(size_t(n));
    if (!get(f.p.data(), size_t(n) * 8) || !get(&m, 8) || m < 0 || m > limit / 4) break;
    f.cls.resize(size_t(m));
    if (!get(f.cls.data(), size_t(m) * sizeof(int)) || f.epoch > last_epoch) break;
    frames.push_back(std::move(f));
    kept = pos;
  }
  return frames;
}

void write_plots(const fs::path& dir, const TrainConfig& config, const Trainer& trainer, const PlotSeries& s,
                 const EpochMetrics& last, bool boundary, const viz::Grid2D& grid,
                 const std::vector<BoundaryFrame>& frames, const viz::Resolution& res) {
  if (last.epoch == 0) return;
  PlotSeries all = s;
  if (all.epoch.empty() || all.epoch.back() != double(last.epoch)) all.add(last);
  viz::LinePlot loss;
  loss.title("Loss").xlabel("epoch").ylabel(config.loss.name).log_y(true);
  loss.line("train", all.epoch, all.train);
  if (trainer.test_set().size() > 0) loss.line("test", all.epoch, all.test);
  loss.save_png((dir / "loss.png").string(), res);
  viz::LinePlot norms;
  norms.title("Gradient norm per parameter").xlabel("epoch").ylabel("||grad||").log_y(true);
  for (size_t k = 0; k < all.names.size(); ++k) norms.line(all.names[k], all.epoch, all.norms[k]);
  norms.save_png((dir / "grad_norms.png").string(), res);
  if (boundary) {
    const viz::DecisionMap map = boundary_plot(trainer, grid, frames.back());
    map.save_png((dir / "boundary.png").string(), res);
    const viz::PlotSize px = res.pixels(map.default_size());
    viz::Animation anim(px.width, px.height);
    for (const BoundaryFrame& f : frames)
      anim.add_frame(boundary_plot(trainer, grid, f).to_canvas(px.width, px.height, res.scale()), 120);
    anim.save_gif((dir / "boundary.gif").string());
  }
}

// Adds the seconds of its scope to *seconds (when not null): plotting time, kept out of rates.
class PlotTimer {
 public:
  explicit PlotTimer(double* seconds) : seconds_(seconds), start_(std::chrono::steady_clock::now()) {}
  ~PlotTimer() {
    if (seconds_) *seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  PlotTimer(const PlotTimer&) = delete;
  PlotTimer& operator=(const PlotTimer&) = delete;

 private:
  double* seconds_;
  std::chrono::steady_clock::time_point start_;
};

nlohmann::json run_json(const RunOptions& o, int64_t checkpoint_every, bool finished) {
  return {{"format", "nabla-run-1"}, {"checkpoint_every", checkpoint_every},
          {"plots", o.plots},        {"detect_anomaly", o.detect_anomaly},
          {"init", o.init},          {"set", o.overrides},
          {"dpi", o.resolution.dpi}, {"plot_size", {o.resolution.width_in, o.resolution.height_in}},
          {"finished", finished}};
}

}  // namespace

namespace {

// A data-parallel run's ranks other than 0: the same epochs as rank 0 (every collective in
// step, see run_training), from the same checkpoint or initial parameters, writing nothing.
RunResult follow_training(Trainer& trainer, const RunOptions& options, const fs::path& checkpoint) {
  std::error_code ec;
  if (options.resume && fs::exists(checkpoint, ec))
    trainer.load_checkpoint(checkpoint.string());
  else if (!options.init.empty())
    trainer.load_parameters(options.init);
  RunResult result;
  result.train_rows = trainer.train_set().size();
  DetectAnomalyGuard anomaly(options.detect_anomaly);
  const int64_t epochs = trainer.config().train.epochs;
  for (int64_t e = trainer.epoch(); e < epochs; ++e) {
    result.last = trainer.run_epoch();
    if (options.parallel->any(options.stop && *options.stop) && result.last.epoch < epochs) {
      result.interrupted = true;
      return result;
    }
  }
  return result;
}

}  // namespace

RunResult run_training(const TrainConfig& config, const RunOptions& given) {
  const fs::path dir(given.out_dir);
  const fs::path checkpoint = dir / "checkpoint.safetensors";
  RunOptions options = given;
  const bool follower = options.parallel && options.parallel->rank() != 0;
  int64_t checkpoint_every = options.checkpoint_every >= 0 ? options.checkpoint_every : config.train.checkpoint_every;
  if (options.resume) {
    std::error_code ec;
    NABLA_CHECK(fs::is_directory(dir, ec) && fs::exists(dir / "run.json", ec), IOError, "'", dir.string(),
                "' is not a nabla run directory (no run.json): nothing to resume");
    if (!follower) remove_stale_temporaries(dir);
    const nlohmann::json run = read_run_json(dir);
    if (run.at("finished").get<bool>()) {
      RunResult done;
      done.already_finished = true;
      return done;
    }
    checkpoint_every = run.at("checkpoint_every").get<int64_t>();
    options.plots = run.at("plots").get<bool>();
    NABLA_CHECK(given.plots || !options.plots, ValueError, "--no-plots: the run in '", dir.string(),
                "' draws its plots; resume it without --no-plots, so that its files are those of an "
                "uninterrupted run");
    options.detect_anomaly = run.value("detect_anomaly", false);
    options.init = run.value("init", std::string());
    options.overrides = run.value("set", std::vector<std::string>());
    options.resolution.dpi = run.value("dpi", viz::Resolution::kBaseDpi);
    const std::vector<double> size = run.value("plot_size", std::vector<double>{0, 0});
    NABLA_CHECK(size.size() == 2, ParseError, (dir / "run.json").string(), ": plot_size needs 2 numbers");
    options.resolution.width_in = size[0], options.resolution.height_in = size[1];
  }
  if (options.plots) options.resolution.pixels(viz::PlotSize{});  // a bad size writes nothing
  Trainer trainer(config);
  if (options.parallel) {
    trainer.set_parallel(options.parallel);  // the same config and model everywhere, before any file is written
    if (follower) return follow_training(trainer, options, checkpoint);
  }
  // (with data.features the network's inputs are not the points' coordinates: no boundary plot)
  const bool boundary =
      options.plots && config.model.inputs == 2 && config.data.features.empty() && trainer.classification();
  const int64_t epochs = config.train.epochs;
  PlotSeries series;
  series.stride = std::max<int64_t>(1, (epochs + kMaxPlotPoints - 1) / kMaxPlotPoints);
  viz::Grid2D grid;
  if (boundary) grid = grid_for(trainer.train_set().x);
  std::vector<BoundaryFrame> frames;
  EpochMetrics last;
  const std::string header = metrics_header(trainer);

  if (!options.resume) {
    if (!options.init.empty()) {
      trainer.load_parameters(options.init);               // a bad file writes nothing
      options.init = fs::absolute(options.init).string();  // a resume from epoch 0 reads it again
    }
    prepare_fresh_dir(dir, config, options.force);
    write_text_atomic(dir / "config.toml", to_toml(config));
    write_text_atomic(dir / "metrics.csv", header);
    if (boundary) {
      PlotTimer timer(options.plot_seconds);
      frames.push_back(boundary_frame(trainer, grid, 0));
      write_text_atomic(dir / "boundary_frames.bin", frame_bytes(frames.back()));
    }
    write_text_atomic(dir / "run.json", run_json(options, checkpoint_every, false).dump(2) + "\n");
  } else {
    std::error_code ec;
    int64_t from = 0;
    if (fs::exists(checkpoint, ec))
      from = trainer.load_checkpoint(checkpoint.string());
    else if (!options.init.empty())
      trainer.load_parameters(options.init);
    // metrics.csv and boundary_frames.bin back to the checkpoint's epoch (a crash may have left
    // later epochs, or half a record): what follows is appended as in an uninterrupted run.
    const std::string csv = read_text(dir / "metrics.csv");
    NABLA_CHECK(csv.compare(0, header.size(), header) == 0, ParseError, (dir / "metrics.csv").string(),
                ": its header is not this run's");
    std::string kept = header;
    const size_t norms = trainer.model().named_parameters().size();
    for (size_t pos = header.size(); pos < csv.size();) {
      const size_t nl = csv.find('\n', pos);
      if (nl == std::string::npos) break;  // half a row: the process died while writing it
      EpochMetrics m;
      const std::string line = csv.substr(pos, nl - pos);
      if (!parse_metrics_row(trainer, line, norms, m) || m.epoch > from) break;
      NABLA_CHECK(m.epoch == last.epoch + 1, ParseError, (dir / "metrics.csv").string(), ": epoch ", m.epoch,
                  " follows epoch ", last.epoch);
      if (series.keeps(m.epoch)) series.add(m);
      last = m;
      kept += line + "\n";
      pos = nl + 1;
    }
    NABLA_CHECK(last.epoch == from, ParseError, (dir / "metrics.csv").string(), ": has ", last.epoch,
                " complete epochs, the checkpoint is at epoch ", from);
    if (kept.size() != csv.size()) write_text_atomic(dir / "metrics.csv", kept);
    if (boundary) {
      const std::string bytes = read_text(dir / "boundary_frames.bin");
      size_t used = 0;
      frames = parse_frames(bytes, from, used);
      NABLA_CHECK(!frames.empty() && frames.back().epoch <= from, ParseError, (dir / "boundary_frames.bin").string(),
                  ": damaged");
      if (used != bytes.size()) write_text_atomic(dir / "boundary_frames.bin", bytes.substr(0, used));
    }
  }

  AppendFile metrics(dir / "metrics.csv");
  std::unique_ptr<AppendFile> frame_file;
  if (boundary) frame_file = std::make_unique<AppendFile>(dir / "boundary_frames.bin");
  DetectAnomalyGuard anomaly(options.detect_anomaly);
  const int64_t gif_every = config.train.gif_every > 0 ? config.train.gif_every : std::max<int64_t>(1, epochs / 40);
  auto save_checkpoint = [&] {
    metrics.sync();  // everything up to the checkpoint's epoch is on disk before it
    if (frame_file) frame_file->sync();
    trainer.save_checkpoint(checkpoint.string());
  };
  RunResult result;
  result.train_rows = trainer.train_set().size();
  for (int64_t e = trainer.epoch(); e < epochs; ++e) {
    EpochMetrics m;
    try {
      m = trainer.run_epoch();
    } catch (const Error&) {
      // Divergence or an anomaly: metrics.csv keeps the epochs completed, the checkpoint stays.
      metrics.sync();
      throw;
    }
    metrics.append(metrics_row(trainer, m));
    if (series.keeps(m.epoch)) series.add(m);
    last = m;
    if (boundary && (m.epoch % gif_every == 0 || e + 1 == epochs) && frames.back().epoch != m.epoch) {
      PlotTimer timer(options.plot_seconds);
      frames.push_back(boundary_frame(trainer, grid, m.epoch));
      frame_file->append(frame_bytes(frames.back()));
    }
    const bool checkpointed = checkpoint_every > 0 && m.epoch % checkpoint_every == 0;
    if (checkpointed) save_checkpoint();
    if (options.progress) options.progress(m, trainer);
    bool stop = options.stop && *options.stop;
    if (options.parallel) stop = options.parallel->any(stop);  // every rank stops after the same epoch
    if (stop && m.epoch < epochs) {
      if (!checkpointed) save_checkpoint();
      if (options.plots) {
        PlotTimer timer(options.plot_seconds);
        write_plots(dir, config, trainer, series, last, boundary, grid, frames, options.resolution);
      }
      result.last = last;
      result.interrupted = true;
      return result;
    }
  }
  metrics.sync();
  if (frame_file) frame_file->sync();
  nn::StateDict state = trainer.model().state_dict();
  save_safetensors(dir / "model.safetensors", NamedTensors(state.begin(), state.end()), {{"format", "pt"}});
  if (options.plots) {
    PlotTimer timer(options.plot_seconds);
    write_plots(dir, config, trainer, series, last, boundary, grid, frames, options.resolution);
  }
  std::error_code ec;
  if (checkpoint_every <= 0) fs::remove(checkpoint, ec);  // left by an interruption
  write_text_atomic(dir / "run.json", run_json(options, checkpoint_every, true).dump(2) + "\n");
  result.last = last;
  return result;
}

}  // namespace nabla::train
