// Replays every input the fuzzers found a bug with (tests/regression/<target>/) and every seed
// (fuzz/corpus/<target>/) through the fuzz targets' own entry points (fuzz/fuzz_targets.h):
// each must be accepted or rejected with a nabla::Error, never crash or break an invariant.
// Under tools/sanitize.sh this runs with ASan + UBSan, as the fuzzers do.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "../../fuzz/fuzz_targets.h"
#include "../../fuzz/serve_target.h"

namespace nabla::fuzz {
namespace {

namespace fs = std::filesystem;
using Entry = Outcome (*)(const uint8_t*, size_t);

std::vector<fs::path> inputs_of(const std::string& target) {
  std::vector<fs::path> files;
  for (const char* dir : {"tests/regression/", "fuzz/corpus/"}) {
    const fs::path d = fs::path(NABLA_SOURCE_DIR) / dir / target;
    if (!fs::is_directory(d)) continue;
    for (const auto& e : fs::directory_iterator(d))
      if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void replay(const std::string& target, Entry entry) {
  const std::vector<fs::path> files = inputs_of(target);
  ASSERT_FALSE(files.empty()) << "no seeds in fuzz/corpus/" << target;
  int accepted = 0;
  for (const fs::path& p : files) {
    SCOPED_TRACE(p.string());
    std::ifstream in(p, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Outcome o = Outcome::rejected;
    EXPECT_NO_THROW(o = entry(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    accepted += o == Outcome::accepted;
  }
  // The seeds hold valid inputs too: a loader that rejects everything is broken as well.
  EXPECT_GT(accepted, 0) << target << ": no input accepted";
}

TEST(FuzzRegression, Safetensors) { replay("safetensors", run_safetensors); }
TEST(FuzzRegression, Csv) { replay("csv", run_csv); }
TEST(FuzzRegression, Idx) { replay("idx", run_idx); }
TEST(FuzzRegression, TrainConfig) { replay("train_config", run_train_config); }
TEST(FuzzRegression, Expr) { replay("expr", run_expr); }
TEST(FuzzRegression, TrainSet) { replay("train_set", run_train_set); }
TEST(FuzzRegression, Checkpoint) { replay("checkpoint", run_checkpoint); }
TEST(FuzzRegression, Serve) { replay("serve", run_serve); }

}  // namespace
}  // namespace nabla::fuzz
