// apps/cli/demos/training.h — what the training demos (neuron-boundary, circle-2-2-1, xor,
// dense-configs) share: where their configurations came from, the loss/accuracy table, the
// decision boundary forming next to the loss curve, and a run's numbers for --json.
//
//   const demo::TrainingRun run = demo::train_run(r.configs[0], {.boundary_frames = 40});
//   print_config_lines(r, "xor"); print_history(r, run, every_for(r.configs[0]));
//   save_boundary_pictures(r, run, r.text(kCostHalfMse), kFileGif, kFilePng);
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "course/training.h"
#include "demos/demo.h"
#include "nabla/viz/viz.h"

namespace nabla::cli {

inline constexpr Message kStopped{"Training stopped after epoch {}: {}",
                                  "El entrenamiento se detuvo tras la época {}: {}"};
inline constexpr Message kEpochTitle{"epoch {}", "época {}"};
inline constexpr Message kCostHalfMse{"C = ½·mean((a − y)²)", "C = ½·media((a − y)²)"};

// " + 0.9360" or " − 0.0491": a term of a sum written out.
std::string signed_term(double v);
// An accuracy in [0, 1] as "97.5%"; NaN (no such set) as "-".
std::string pct(double acc);

// Where the configurations came from, and how to change them.
void print_config_lines(Run& r, const std::string& demo);
// Loss and accuracies every `every` epochs, the first and the last.
void print_history(Run& r, const demo::TrainingRun& run, int64_t every);
// The config's log_every, or a tenth of its epochs.
int64_t every_for(const train::TrainConfig& c);

// The classes over the grid at one frame, with the training (and test) points.
viz::DecisionMap boundary_map(const Run& r, const demo::TrainingRun& run, const demo::BoundaryFrame& f,
                              const std::string& title);
// The lines of text a frame shows next to its loss curve.
using Readout = std::function<std::vector<std::string>(const demo::BoundaryFrame&)>;
// The decision boundary forming, epoch by epoch, next to the loss curve: boundary.gif and boundary.png.
void save_boundary_pictures(Run& r, const demo::TrainingRun& run, const std::string& ylabel, const Message& gif_what,
                            const Message& png_what, const Readout& readout = {});

// A final parameter by its state_dict name ("layers.0.weight"), or null.
const std::vector<double>* parameter(const demo::TrainingRun& run, const std::string& name);
// A training run's numbers for --json: the loss and accuracies per epoch, and the final ones.
nlohmann::json run_json(const demo::TrainingRun& run);

}  // namespace nabla::cli
