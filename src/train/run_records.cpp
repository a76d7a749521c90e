// The records a training run appends (run_records.h): metrics.csv rows and boundary frames.
#include "run_records.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "nabla/io/atomic_file.h"

namespace nabla::train {

namespace {
constexpr double kNotMeasured = std::numeric_limits<double>::quiet_NaN();
}  // namespace

std::string g17(double v) {
  if (std::isnan(v)) return "nan";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

AppendFile::AppendFile(std::filesystem::path path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
  NABLA_CHECK(fd_ >= 0, IOError, "cannot write '", path_.string(), "': ", std::strerror(errno));
}

AppendFile::~AppendFile() {
  if (fd_ >= 0) ::close(fd_);
}

void AppendFile::append(const void* data, size_t n) {
  const off_t before = ::lseek(fd_, 0, SEEK_END);
  NABLA_CHECK(before >= 0, IOError, "cannot write '", path_.string(), "': ", std::strerror(errno));
  if (const int err = write_all(fd_, data, n); err != 0) {
    while (::ftruncate(fd_, before) != 0 && errno == EINTR) {
    }
    throw IOError(detail::concat("cannot write '", path_.string(), "': ", std::strerror(err)));
  }
}

void AppendFile::sync() {
  NABLA_CHECK(::fdatasync(fd_) == 0, IOError, "cannot sync '", path_.string(), "': ", std::strerror(errno));
}

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

}  // namespace nabla::train
