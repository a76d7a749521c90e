// Fault injection: `nabla train` writing its run directory to a file system that fills up
// (issue #16, "full disk"). A small tmpfs mounted by the test where the machine allows it (root,
// mount(2) permitted); elsewhere RLIMIT_FSIZE with SIGXFSZ ignored, which makes a write past the
// limit fail with EFBIG as a full disk fails with ENOSPC. Either way: exit 2 naming the file and
// the errno's text, no half-written file (each is absent, the previous version, or complete;
// metrics.csv and boundary_frames.bin, appended, a prefix of the full run's, metrics.csv in whole
// rows: a row the disk cut in two is taken back), and `--resume` after freeing space ends with
// every file identical, byte for byte, to an uninterrupted run's.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <set>

#include "../cli/subprocess.h"
#include "nabla/io/safetensors.h"

namespace nabla::testing {
namespace {

namespace fs = std::filesystem;
const std::string kConfig = std::string(NABLA_SOURCE_DIR) + "/tests/train/resume_moons.toml";

// A tmpfs of `kb` KiB at `dir`, unmounted at the end; mounted() false where mounting is refused.
class SmallDisk {
 public:
  SmallDisk(const fs::path& dir, int kb) : dir_(dir) {
    fs::create_directories(dir);
    mounted_ = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, ("size=" + std::to_string(kb) + "k").c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  // Frees space: the same tmpfs, larger (its files stay).
  bool grow(int kb) {
    return ::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT, ("size=" + std::to_string(kb) + "k").c_str()) == 0;
  }

 private:
  fs::path dir_;
  bool mounted_ = false;
};

// `nabla ARGS` with the file-size limit `limit_bytes` (0: none) and SIGXFSZ ignored, as
// `ulimit -f` in a shell that traps XFSZ: a write past the limit fails with EFBIG.
CliResult run_limited(const std::vector<std::string>& args, rlim_t limit_bytes, const fs::path& logs) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (limit_bytes > 0) {
      rlimit r{limit_bytes, limit_bytes};
      ::setrlimit(RLIMIT_FSIZE, &r);
      std::signal(SIGXFSZ, SIG_IGN);  // stays ignored across exec
    }
    const int out = ::open((logs / "stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open((logs / "stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    std::vector<std::string> argv_s{NABLA_CLI_PATH};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(NABLA_CLI_PATH, argv.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  CliResult r;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  r.out = read_file(logs / "stdout");
  r.err = read_file(logs / "stderr");
  return r;
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// What a failed run left in `cut`, against the uninterrupted run in `full`: only run files, each
// absent or whole.
void expect_nothing_half_written(const fs::path& cut, const fs::path& full, const std::string& what) {
  const std::vector<std::string> full_names = names_in(full);
  for (const std::string& n : names_in(cut)) {
    SCOPED_TRACE(what + ": " + n);
    const std::string bytes = read_file(cut / n);
    if (n == "metrics.csv" || n == "boundary_frames.bin") {  // appended as epochs end
      EXPECT_EQ(read_file(full / n).compare(0, bytes.size(), bytes), 0) << "not a prefix of the full run's";
      if (n == "metrics.csv" && !bytes.empty()) EXPECT_EQ(bytes.back(), '\n') << "ends in a half row";
    } else if (n == "checkpoint.safetensors") {
      EXPECT_NO_THROW(load_safetensors(cut / n)) << "a damaged checkpoint";
    } else if (n == "run.json") {
      EXPECT_NE(bytes.find("nabla-run-1"), std::string::npos);
      EXPECT_EQ(bytes.back(), '\n') << "half written";
    } else {
      ASSERT_TRUE(std::count(full_names.begin(), full_names.end(), n)) << "a file the full run does not have";
      EXPECT_TRUE(bytes == read_file(full / n)) << "differs from the full run's (half written?)";
    }
  }
}

TEST(TrainFullDisk, AFullDiskFailsCleanlyAndTheRunResumesByteIdentical) {
  TempDir tmp;
  const std::vector<std::string> opt{"-q", "--checkpoint-every", "3", "--set", "train.gif_every=5"};
  std::vector<std::string> args{"train", kConfig, "--out", (tmp / "full").string()};
  args.insert(args.end(), opt.begin(), opt.end());
  ASSERT_EQ(run_cli(args).exit_code, 0);
  int64_t total = 0;
  for (const std::string& n : names_in(tmp / "full")) total += int64_t(fs::file_size(tmp / "full" / n));
  ASSERT_GT(total, 0);

  // Disks (or per-file limits) from far too small to almost enough: each fills at another point
  // (config.toml, metrics.csv, a checkpoint, the model, a plot).
  const bool tmpfs = SmallDisk(tmp / "probe", 64).mounted();
  std::vector<int> limits_kb;
  if (tmpfs) {
    // About 24 sizes, in whole pages (tmpfs counts pages).
    const int step = std::max<int>(4, int(total / 1024 / 24) / 4 * 4);
    for (int kb = 4; kb < total / 1024 + 8; kb += step) limits_kb.push_back(kb);
  } else {
    int64_t largest = 0;
    for (const std::string& n : names_in(tmp / "full"))
      largest = std::max<int64_t>(largest, int64_t(fs::file_size(tmp / "full" / n)));
    for (int kb = 1; kb < largest / 1024 + 1; kb *= 2) limits_kb.push_back(kb);
  }
  int failures = 0;
  for (int kb : limits_kb) {
    const std::string what = (tmpfs ? "tmpfs of " : "file-size limit of ") + std::to_string(kb) + " KiB";
    SCOPED_TRACE(what);
    const fs::path disk = tmp / ("disk" + std::to_string(kb)), cut = disk / "run";
    SmallDisk small(disk, kb);
    if (!tmpfs) fs::create_directories(disk);
    std::vector<std::string> a{"train", kConfig, "--out", cut.string()};
    a.insert(a.end(), opt.begin(), opt.end());
    const CliResult r = run_limited(a, tmpfs ? 0 : rlim_t(kb) * 1024, tmp.path);
    if (r.exit_code == 0) continue;  // it fitted
    ++failures;
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.signal, 0) << r.err;
    // One line naming the file and why.
    EXPECT_NE(r.err.find(cut.string()), std::string::npos) << r.err;
    const std::string why = tmpfs ? "no space left on device" : "file too large";
    EXPECT_NE(lower(r.err).find(why), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    if (!fs::exists(cut)) continue;
    expect_nothing_half_written(cut, tmp / "full", what);
    // Space freed: the same command again (no run.json yet) or --resume gives the full run.
    if (tmpfs) ASSERT_TRUE(small.grow(4 * int(total / 1024) + 64));
    const bool started = fs::exists(cut / "run.json");
    const CliResult again =
        started ? run_limited({"train", "--resume", cut.string(), "-q"}, 0, tmp.path) : run_limited(a, 0, tmp.path);
    ASSERT_EQ(again.exit_code, 0) << (started ? "resume: " : "rerun: ") << again.err;
    const std::vector<std::string> want = names_in(tmp / "full"), got = names_in(cut);
    ASSERT_EQ(got, want);
    for (const std::string& n : want)
      EXPECT_TRUE(read_file(cut / n) == read_file(tmp / "full" / n)) << n << " differs from the full run's";
  }
  EXPECT_GE(failures, 3) << "the disks were never too small: the test tested nothing";
}

// A disk that fills up in the middle of a metrics.csv row: the run stops (exit 2) and the row's
// first half is taken back, so that metrics.csv keeps whole rows only, the rows of the epochs
// before. A file-size limit puts the end of the disk at an exact byte.
TEST(TrainFullDisk, ARowCutByAFullDiskIsTakenBackWhole) {
  TempDir tmp;
  const std::vector<std::string> opt{"-q", "--no-plots", "--checkpoint-every", "0"};
  std::vector<std::string> args{"train", kConfig, "--out", (tmp / "full").string()};
  args.insert(args.end(), opt.begin(), opt.end());
  ASSERT_EQ(run_cli(args).exit_code, 0);
  const std::string full = read_file(tmp / "full" / "metrics.csv");
  // Every file written before the rows (config.toml, run.json, the header) and the error
  // message must fit under the limit: the limit falls in a row that starts well after them.
  size_t before_rows = 512;
  for (const char* n : {"config.toml", "run.json"})
    before_rows = std::max<size_t>(before_rows, fs::file_size(tmp / "full" / n));
  std::vector<size_t> row_starts;
  for (size_t at = full.find('\n'); at + 1 < full.size(); at = full.find('\n', at + 1)) row_starts.push_back(at + 1);
  size_t row = 0;
  while (row + 2 < row_starts.size() && row_starts[row] <= before_rows) ++row;
  ASSERT_LT(row + 2, row_starts.size()) << "metrics.csv is too short for this test: " << full.size() << " bytes";
  const size_t start = row_starts[row], cut = start + (row_starts[row + 1] - start) / 2;

  std::vector<std::string> a{"train", kConfig, "--out", (tmp / "cut").string()};
  a.insert(a.end(), opt.begin(), opt.end());
  const CliResult r = run_limited(a, rlim_t(cut), tmp.path);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find((tmp / "cut" / "metrics.csv").string()), std::string::npos) << r.err;
  EXPECT_NE(lower(r.err).find("file too large"), std::string::npos) << r.err;
  // The rows before the one the disk cut, whole; nothing of that row.
  const std::string got = read_file(tmp / "cut" / "metrics.csv");
  EXPECT_EQ(got.size(), start) << "the limit was at byte " << cut;
  EXPECT_TRUE(got == full.substr(0, start)) << "not the full run's first rows";
}

}  // namespace
}  // namespace nabla::testing
