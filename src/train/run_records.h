// The records a training run appends as it goes (metrics.csv rows, boundary_frames.bin frames),
// written and read back (to resume) by run.cpp, and the file they are appended to.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "nabla/train/trainer.h"

namespace nabla::train {

// v with 17 significant digits (round-trips exactly through strtod), "nan" for NaN.
std::string g17(double v);

// A file that grows by whole records (metrics.csv rows, boundary frames), written with plain
// write(2): a killed process loses nothing written before, and sync() makes it durable. A record
// whose write fails part-way (a full disk, a file-size limit) is cut off again: the file keeps
// whole records only, also when the run stops there.
class AppendFile {
 public:
  explicit AppendFile(std::filesystem::path path);  // IOError naming the path when it cannot be opened
  ~AppendFile();
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;
  // Appends n bytes as one record: all of them, or (IOError) none.
  void append(const void* data, size_t n);
  void append(const std::string& s) { append(s.data(), s.size()); }
  void sync();

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

// ---- metrics.csv ----

// The header line of metrics.csv: epoch,train_loss, then test_loss / accuracies where they apply,
// then one gradient norm per parameter.
std::string metrics_header(Trainer& trainer);
// One row of metrics.csv for the epoch m.
std::string metrics_row(const Trainer& trainer, const EpochMetrics& m);
// Parses a row written by metrics_row back (g17 round-trips exactly); false if it is incomplete.
bool parse_metrics_row(const Trainer& trainer, const std::string& line, size_t norms, EpochMetrics& m);

// One frame of the decision-boundary animation: the model's answer on the plot's grid at an epoch.
struct BoundaryFrame {
  int64_t epoch;
  std::vector<double> p;  // binary: p(class 1); multi-class: max probability
  std::vector<int> cls;   // multi-class: predicted class
};

// ---- boundary frames (boundary_frames.bin: per frame int64 epoch, int64 n, n float64 p,
// int64 m, m int32 classes; native byte order) ----

std::string frame_bytes(const BoundaryFrame& f);
// The complete frames of `bytes` with epoch <= last_epoch; sets `kept` to their length in bytes.
std::vector<BoundaryFrame> parse_frames(const std::string& bytes, int64_t last_epoch, size_t& kept);

}  // namespace nabla::train
