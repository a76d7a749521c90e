// `nabla train CONFIG.toml [--set key=value ...] [--init FILE] [--out DIR]`: trains the model a
// TOML file describes and writes metrics.csv, model.safetensors, config.toml and the plots.
// All numerics live in the library (nabla/train/trainer.h); this file parses and reports.
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <type_traits>

#include "command.h"
#include "nabla/train/trainer.h"
#ifdef NABLA_WITH_MPI
#include "nabla/distributed/train.h"
#endif

namespace nabla::cli {
namespace train_command {  // this file's own names (a named namespace: the command is a unity build)

constexpr Message kDescription{"Train a network described by a TOML configuration file",
                               "Entrena una red descrita por un archivo de configuración TOML"};
constexpr Message kConfigHelp{"The configuration (see README: Training configuration)",
                              "La configuración (ver README: Training configuration)"};
constexpr Message kSetHelp{"Override a configuration value, e.g. --set optim.lr=0.1 (repeatable)",
                           "Cambia un valor de la configuración, p. ej. --set optim.lr=0.1 (repetible)"};
constexpr Message kInitHelp{"Start from the parameters in this safetensors file (state_dict names)",
                            "Parte de los parámetros de este archivo safetensors (nombres del state_dict)"};
constexpr Message kOutHelp{"Directory for the results (default: runs/<config>-<date>-<time>)",
                           "Directorio de resultados (por defecto: runs/<config>-<fecha>-<hora>)"};
constexpr Message kDpiHelp{"Dots per inch of the plots (default 100: 640x480 px; text and lines grow with it)",
                           "Puntos por pulgada de los gráficos (por defecto 100: 640x480 px; texto y líneas crecen)"};
constexpr Message kPlotSizeHelp{
    "Size of the plots in inches, WIDTHxHEIGHT (as matplotlib's figsize; px = in x dpi)",
    "Tamaño de los gráficos en pulgadas, ANCHOxALTO (como figsize de matplotlib; px = in x dpi)"};
constexpr Message kNoPlotsHelp{"Do not draw loss.png, grad_norms.png, boundary.png/gif",
                               "No dibujar loss.png, grad_norms.png, boundary.png/gif"};
constexpr Message kQuietHelp{"Print nothing but errors", "No imprimir nada salvo los errores"};
constexpr Message kResumeHelp{
    "Continue the interrupted run in DIR from its last checkpoint (no CONFIG needed)",
    "Continúa la ejecución interrumpida en DIR desde su último punto de control (sin CONFIG)"};
constexpr Message kCheckpointHelp{"Write DIR/checkpoint.safetensors every N epochs (model, optimizer, RNG, epoch)",
                                  "Escribe DIR/checkpoint.safetensors cada N épocas (modelo, optimizador, RNG, época)"};
constexpr Message kAnomalyHelp{"Stop at the first NaN/Inf any operation produces, naming the operation",
                               "Detente en el primer NaN/Inf que produzca una operación, nombrándola"};
constexpr Message kForceHelp{"--out DIR holds an earlier run: remove its files and start over",
                             "--out DIR tiene una ejecución anterior: borra sus archivos y empieza de nuevo"};
constexpr Message kFinishedAlready{"the run in {} is finished ({} epochs): nothing to resume",
                                   "la ejecución en {} ya terminó ({} épocas): no hay nada que reanudar"};
constexpr Message kInterrupted{"interrupted by {} after epoch {} of {}; continue with: nabla train --resume {}",
                               "interrumpido por {} tras la época {} de {}; continúa con: nabla train --resume {}"};
constexpr Message kResumed{"resuming {} from its last checkpoint (from the start if it has none)",
                           "reanudando {} desde su último punto de control (desde el principio si no tiene)"};

constexpr Message kStart{"training {} on {} ({} train / {} test rows), {} epochs, {} → {}",
                         "entrenando {} con {} ({} filas de entrenamiento / {} de prueba), {} épocas, {} → {}"};
constexpr Message kEpochLine{"epoch {} loss {}", "época {} pérdida {}"};
constexpr Message kRate{"{} steps/s", "{} pasos/s"};
constexpr Message kEta{"ETA {}", "quedan {}"};
constexpr Message kTestLoss{" test loss {}", " pérdida de prueba {}"};
constexpr Message kAcc{" accuracy {}%", " exactitud {}%"};
constexpr Message kTestAcc{" test accuracy {}%", " exactitud de prueba {}%"};
// Training time and steps/s leave out the plots (the GIF's frames included), given on their own.
constexpr Message kFinal{"final: loss {} after {} epochs, {} s ({} steps/s); plots {} s, files {} s",
                         "final: pérdida {} tras {} épocas, {} s ({} pasos/s); gráficos {} s, archivos {} s"};
constexpr Message kOutputs{"outputs of the trained network:", "salidas de la red entrenada:"};
constexpr Message kWrote{"wrote {}", "escrito {}"};

struct Options {
  std::string config;
  std::vector<std::string> set;
  std::string init, out, resume;
  int64_t checkpoint_every = -1;
  double dpi = 0;         // 0: not given (100)
  std::string plot_size;  // WIDTHxHEIGHT in inches, or empty
  bool no_plots = false, quiet = false, detect_anomaly = false, force = false;
};

// The signal that asked training to stop (SIGINT, SIGTERM), or 0. The handler is reset by the
// first signal (SA_RESETHAND): a second Ctrl-C ends the process at once.
volatile std::sig_atomic_t g_stop_signal = 0;
extern "C" void on_stop_signal(int sig) { g_stop_signal = sig; }

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND | SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

std::string fmt(double v, int digits = 6) {
  if (std::isnan(v)) return "-";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

// Steps per second: whole numbers from 100 up, 3 digits below.
std::string rate_text(double rate) { return rate >= 100 ? std::to_string(std::llround(rate)) : fmt(rate, 3); }

// "42s", "3m07s", "2h05m": a duration in the bar's few columns.
std::string short_duration(double seconds) {
  const long s = std::lround(std::max(0.0, seconds));
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%lds", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, s / 60 % 60);
  return buf;
}

// Display columns of UTF-8 text: one per code point (the messages are Latin-script text).
size_t columns_of(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// The first `cols` columns of s, cut at a code point boundary.
std::string first_columns(const std::string& s, size_t cols) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && n++ == cols) return s.substr(0, i);
  }
  return s;
}

// The training progress bar on a terminal (stderr): one line rewritten in place ("\r", erase to
// end of line) that never reaches the last column, so it cannot wrap; the width is read again
// (TIOCGWINSZ) at every redraw, so a resize takes effect at the next one. Redraws at most 10 times
// a second; the last epoch's line stays, ended by a newline.
class ProgressBar {
 public:
  // core: how many of the parts draw() gets matter more than the bar.
  ProgressBar(int fd, int64_t epochs, size_t core) : fd_(fd), epochs_(epochs), core_(core) {}

  // parts[0] is always shown (cut if it must be); the others, in order, while they fit.
  void draw(int64_t epoch, const std::vector<std::string>& parts) {
    const auto now = std::chrono::steady_clock::now();
    const bool last = epoch >= epochs_;
    if (drawn_ && !last && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    drawn_ = true;
    const size_t cols = size_t(std::max(columns() - 1, 8));  // the last column would wrap on some terminals
    // The bar (a quarter of the width, 6 to 30 columns, less if the first `core` parts need it) and
    // the other parts while they fit.
    auto joined = [&](size_t n) {
      size_t w = 0;
      for (size_t i = 0; i < n && i < parts.size(); ++i) w += (i ? 2 : 0) + columns_of(parts[i]);
      return w;
    };
    const size_t core = joined(core_), spare = cols > core + 3 ? cols - core - 3 : 0;
    const size_t bar = std::min(std::clamp<size_t>(cols / 4, 6, 30), spare);
    const bool with_bar = bar >= 6;
    const size_t room = with_bar ? cols - bar - 3 : cols;
    std::string text = first_columns(parts[0], room);
    for (size_t i = 1; i < parts.size(); ++i) {
      if (columns_of(text) + 2 + columns_of(parts[i]) <= room) text += "  " + parts[i];
    }
    if (with_bar) {
      const size_t done = std::min(bar, size_t(double(bar) * double(epoch) / double(std::max<int64_t>(epochs_, 1))));
      text = "[" + std::string(done, '#') + std::string(bar - done, '.') + "] " + text;
    }
    std::string out = "\r" + text + "\033[K";
    if (last) out += "\n";
    write_all(out);
    open_ = !last;
  }

  // Ends an unfinished line (an interrupted run) so that what follows starts on its own.
  void finish() {
    if (open_) write_all("\n");
    open_ = false;
  }

 private:
  int columns() const {
    struct winsize ws {};
    if (ioctl(fd_, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
  }
  void write_all(const std::string& s) const {
    for (size_t off = 0; off < s.size();) {
      const ssize_t n = ::write(fd_, s.data() + off, s.size() - off);
      if (n <= 0) return;  // a closed terminal: no progress to show
      off += size_t(n);
    }
  }

  int fd_;
  int64_t epochs_;
  size_t core_;
  bool drawn_ = false, open_ = false;
  std::chrono::steady_clock::time_point last_draw_;
};

std::string default_out_dir(const std::string& config_path) {
  std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  return (std::filesystem::path("runs") / (std::filesystem::path(config_path).stem().string() + "-" + stamp)).string();
}

// --dpi and --plot-size as a viz::Resolution, checked (the errors name the options).
viz::Resolution plot_resolution(const Options& o) {
  viz::Resolution r;
  if (o.dpi != 0) r.dpi = o.dpi;
  if (!o.plot_size.empty()) {
    const size_t x = o.plot_size.find_first_of("xX");
    const auto number = [&](const std::string& s, double& v) {
      size_t used = 0;
      try {
        v = std::stod(s, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      return used > 0 && used == s.size();
    };
    NABLA_CHECK(x != std::string::npos && number(o.plot_size.substr(0, x), r.width_in) &&
                    number(o.plot_size.substr(x + 1), r.height_in),
                ValueError, "--plot-size '", o.plot_size, "': expected WIDTHxHEIGHT in inches, e.g. 8x6");
  }
  try {
    r.pixels(viz::PlotSize{});
  } catch (const ValueError& e) {
    throw ValueError(detail::concat("--dpi ", r.dpi, " --plot-size ", o.plot_size.empty() ? "6.4x4.8" : o.plot_size,
                                    ": ", e.what()));
  }
  return r;
}

int run(const Options& o, const Context& ctx) {
  const Translator& tr = ctx.tr;
  // Parse and validate everything first: a bad config writes nothing.
  const bool resuming = !o.resume.empty();
  if (resuming && (!o.config.empty() || !o.set.empty() || !o.out.empty() || !o.init.empty() ||
                   o.checkpoint_every >= 0 || o.detect_anomaly || o.force || o.dpi != 0 || !o.plot_size.empty()))
    throw ValueError(
        "--resume DIR continues DIR with the options stored in it (config.toml, run.json): give no CONFIG, --set, "
        "--out, --init, --checkpoint-every, --detect-anomaly, --force, --dpi or --plot-size");
  if (!resuming && o.config.empty()) throw ValueError("a CONFIG.toml file (or --resume DIR) is required");
  const std::string config_path = resuming ? (std::filesystem::path(o.resume) / "config.toml").string() : o.config;
  const viz::Resolution resolution = plot_resolution(o);
  train::TrainConfig cfg = train::parse_train_config_file(config_path, o.set);
  const std::string out = resuming ? o.resume : o.out.empty() ? default_out_dir(o.config) : o.out;
  // Under mpirun: data-parallel over the ranks (nabla/train/parallel.h); rank 0 writes and reports.
#ifdef NABLA_WITH_MPI
  const dist::MpiRun mpi = dist::join_if_launched();
  train::Parallel* parallel = mpi.parallel.get();
  const int rank = mpi.rank();
#else
  train::Parallel* parallel = nullptr;
  const int rank = 0;
#endif
  const bool quiet = o.quiet || rank != 0;
  if (resuming && !quiet) std::cout << tr(kResumed, out) << std::endl;
  // For the kill -9 test: the process kills itself (SIGKILL, no cleanup) after this epoch.
  const char* kill_env = std::getenv("NABLA_TEST_KILL_AT_EPOCH");
  const int64_t kill_at = kill_env ? std::atoll(kill_env) : 0;
  // For the hang test of a data-parallel run: the process stops itself (SIGSTOP) after this epoch.
  const char* hang_env = std::getenv("NABLA_TEST_HANG_AT_EPOCH");
  const int64_t hang_at = hang_env ? std::atoll(hang_env) : 0;
  // The bar only when both streams are the terminal: it is drawn on stderr between stdout's lines.
  const bool tty = !quiet && isatty(STDOUT_FILENO) && isatty(STDERR_FILENO);
  const int64_t epochs = cfg.train.epochs;
  const int64_t log_every = cfg.train.log_every > 0 ? cfg.train.log_every : std::max<int64_t>(1, epochs / 10);
  const auto start = std::chrono::steady_clock::now();
  auto last_epoch_end = start;     // training time excludes the plots and files written after the last epoch
  double plot_seconds = 0;         // all plotting so far (run_training adds to it)
  double plot_seconds_at_end = 0;  // the part of it before last_epoch_end
  // Seconds of training up to the last epoch: without the plotting done in between.
  auto training_seconds = [&] {
    return std::chrono::duration<double>(last_epoch_end - start).count() - plot_seconds_at_end;
  };
  int64_t steps = 0;
  bool announced = false;
  ProgressBar bar(STDERR_FILENO, epochs, 3);  // epoch and loss, rate, ETA

  train::RunOptions run_options;
  run_options.out_dir = out;
  run_options.init = o.init;
  run_options.plots = !o.no_plots;
  run_options.resume = resuming;
  run_options.force = o.force;
  run_options.overrides = o.set;
  run_options.stop = &g_stop_signal;
  run_options.checkpoint_every = o.checkpoint_every;
  run_options.detect_anomaly = o.detect_anomaly;
  run_options.parallel = parallel;
  run_options.plot_seconds = &plot_seconds;
  run_options.resolution = resolution;
  run_options.progress = [&](const train::EpochMetrics& m, const train::Trainer& t) {
    if (kill_at > 0 && m.epoch == kill_at) std::raise(SIGKILL);
    if (hang_at > 0 && m.epoch == hang_at) std::raise(SIGSTOP);
    last_epoch_end = std::chrono::steady_clock::now();
    plot_seconds_at_end = plot_seconds;
    const int64_t batch = cfg.train.batch_size > 0 ? cfg.train.batch_size : t.train_set().size();
    steps += (t.train_set().size() + batch - 1) / batch;
    if (quiet) return;
    if (!announced) {
      std::cout << tr(kStart, cfg.model.layers.size() > 0 ? "model" : "?", cfg.data.name, t.train_set().size(),
                      t.test_set().size(), epochs, o.config, out)
                << std::endl;
      announced = true;
    }
    if (tty) {
      // epoch and loss first; rate and ETA; then the test and accuracy numbers while they fit.
      const double seconds = training_seconds();
      const double rate = seconds > 0 ? double(steps) / seconds : 0;
      const double eta = m.epoch > 0 ? seconds * double(epochs - m.epoch) / double(m.epoch) : 0;
      std::vector<std::string> parts{
          tr(kEpochLine, std::to_string(m.epoch) + "/" + std::to_string(epochs), fmt(m.train_loss, 4)),
          tr(kRate, rate_text(rate)), tr(kEta, short_duration(eta))};
      if (!std::isnan(m.test_loss)) parts.push_back(tr(kTestLoss, fmt(m.test_loss, 4)).substr(1));
      if (!std::isnan(m.train_acc)) parts.push_back(tr(kAcc, fmt(100 * m.train_acc, 4)).substr(1));
      if (!std::isnan(m.test_acc)) parts.push_back(tr(kTestAcc, fmt(100 * m.test_acc, 4)).substr(1));
      bar.draw(m.epoch, parts);
      return;
    }
    if (m.epoch % log_every == 0 || m.epoch == 1 || m.epoch == epochs) {
      std::string line = tr(kEpochLine, m.epoch, fmt(m.train_loss));
      if (!std::isnan(m.test_loss)) line += tr(kTestLoss, fmt(m.test_loss));
      if (!std::isnan(m.train_acc)) line += tr(kAcc, fmt(100 * m.train_acc, 4));
      if (!std::isnan(m.test_acc)) line += tr(kTestAcc, fmt(100 * m.test_acc, 4));
      std::cout << line << "\n";
    }
  };
  install_stop_handlers();
  train::RunResult result;
  try {
    try {
      result = train::run_training(cfg, run_options);
    } catch (const std::filesystem::filesystem_error& e) {
      // A file-system problem is the input's (the --out path), not an internal error.
      if (e.path1().empty()) throw IOError(e.what());
      throw IOError(detail::concat("'", e.path1().string(), "': ", e.code().message()));
    }
  } catch (const std::exception& e) {
#ifdef NABLA_WITH_MPI
    // The other ranks wait in a collective: end them all, with the CLI's error code.
    if (parallel && parallel->world_size() > 1) {
      std::cerr << "nabla: rank " << rank << ": " << e.what() << std::endl;
      dist::abort(2);
    }
#endif
    throw;
  }
  if (rank != 0) return result.interrupted ? 128 + int(g_stop_signal) : 0;
  if (result.already_finished) {
    if (!o.quiet) std::cout << tr(kFinishedAlready, out, epochs) << "\n";
    return 0;
  }
  const train::EpochMetrics& last = result.last;
  if (result.interrupted) {
    bar.finish();
    const int sig = g_stop_signal;
    std::cerr << "nabla: " << tr(kInterrupted, sig == SIGTERM ? "SIGTERM" : "SIGINT", last.epoch, epochs, out) << "\n";
    return 128 + sig;  // as a shell reports a process the signal ended: 130 (SIGINT), 143 (SIGTERM)
  }
  bar.finish();
  if (quiet) return 0;
  const auto end = std::chrono::steady_clock::now();
  const double seconds = training_seconds();
  const double files = std::chrono::duration<double>(end - start).count() - seconds - plot_seconds;
  std::cout << tr(kFinal, fmt(last.train_loss), last.epoch, fmt(seconds, 3),
                  rate_text(seconds > 0 ? double(steps) / seconds : 0), fmt(plot_seconds, 2),
                  fmt(std::max(0.0, files), 2))
            << "\n";

  // Small datasets (truth tables): show what the network computes for every row. (Only then is
  // the data loaded again: a 200 MB CSV is read once.)
  if (result.train_rows >= 0 && result.train_rows <= 16) {
    train::Trainer check(cfg);
    check.load_parameters((std::filesystem::path(out) / "model.safetensors").string());
    std::cout << tr(kOutputs) << "\n";
    Tensor p = check.predict(check.train_set().x);
    std::vector<double> x = check.train_set().x.to_vector<double>(), y = check.train_set().y.to_vector<double>(),
                        out_v = p.to_vector<double>();
    const int64_t f = check.train_set().num_features(), width = out_v.size() / y.size();
    for (size_t i = 0; i < y.size(); ++i) {
      std::cout << "  x = (";
      for (int64_t j = 0; j < f; ++j) std::cout << (j ? ", " : "") << fmt(x[i * f + j], 4);
      std::cout << ")  y = " << fmt(y[i], 4) << "  ŷ = ";
      for (int64_t j = 0; j < width; ++j) std::cout << (j ? ", " : "") << fmt(out_v[i * width + j], 6);
      std::cout << "\n";
    }
  }
  for (const char* name : {"metrics.csv", "model.safetensors", "config.toml", "loss.png", "grad_norms.png",
                           "boundary.png", "boundary.gif"}) {
    std::filesystem::path p = std::filesystem::path(out) / name;
    if (std::filesystem::exists(p)) std::cout << tr(kWrote, p.string()) << "\n";
  }
  return 0;
}

// `check`, a value's conversion to T included, as a ValueError "OPTION: what is wrong" (one line,
// exit 2, as every input error) rather than CLI11's ValidationError or ConversionError, which
// main prints with a usage hint on a second line.
template <typename T>
CLI::Validator checked(const std::string& option, const std::string& expected, const CLI::Validator& check) {
  return CLI::Validator(
      [option, expected, check](std::string& text) -> std::string {
        T value{};
        bool converts;
        if constexpr (std::is_integral_v<T>) {  // CLI11 2.1 takes 99999999999999999999 for an int64
          const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
          converts = ec == std::errc() && end == text.data() + text.size();
        } else {
          converts = CLI::detail::lexical_cast(text, value);
        }
        NABLA_CHECK(converts, ValueError, option, ": expected ", expected, ", got '", text, "'");
        const std::string why = check(text);
        NABLA_CHECK(why.empty(), ValueError, option, ": ", why);
        return "";
      },
      check.get_description());
}

Action setup(CLI::App& app, const Context& ctx) {
  const Translator& tr = ctx.tr;
  auto o = std::make_shared<Options>();
  app.add_option("config", o->config, std::string(tr.text(kConfigHelp)))->type_name("CONFIG.toml");
  app.add_option("--set", o->set, std::string(tr.text(kSetHelp)))->type_name("KEY=VALUE")->allow_extra_args(false);
  app.add_option("--init", o->init, std::string(tr.text(kInitHelp)))->type_name("FILE.safetensors");
  app.add_option("--out", o->out, std::string(tr.text(kOutHelp)))->type_name("DIR");
  app.add_flag("--no-plots", o->no_plots, std::string(tr.text(kNoPlotsHelp)));
  app.add_option("--dpi", o->dpi, std::string(tr.text(kDpiHelp)))
      ->type_name("DPI")
      ->check(checked<double>("--dpi", "a number", CLI::Range(viz::Resolution::kMinDpi, viz::Resolution::kMaxDpi)));
  app.add_option("--plot-size", o->plot_size, std::string(tr.text(kPlotSizeHelp)))->type_name("WxH");
  app.add_flag("--quiet,-q", o->quiet, std::string(tr.text(kQuietHelp)));
  app.add_option("--resume", o->resume, std::string(tr.text(kResumeHelp)))->type_name("DIR");
  app.add_option("--checkpoint-every", o->checkpoint_every, std::string(tr.text(kCheckpointHelp)))
      ->type_name("N")
      ->check(checked<int64_t>("--checkpoint-every", "a whole number", at_least(0)));
  app.add_flag("--force", o->force, std::string(tr.text(kForceHelp)));
  app.add_flag("--detect-anomaly", o->detect_anomaly, std::string(tr.text(kAnomalyHelp)));
  return [o](const Context& c) { return run(*o, c); };
}

const bool registered = register_subcommand({"train", kDescription, setup});

}  // namespace train_command
}  // namespace nabla::cli
