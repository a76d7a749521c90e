// `nabla train` with a size no machine could hold: exit 2 and one message naming the key,
// where 8ea9d7c crashed (SIGSEGV on 2^62 outputs) or died of std::bad_alloc (exit 1).
#include <gtest/gtest.h>

#include <string>

#include "cli/subprocess.h"

namespace nabla::testing {
namespace {

TEST(TrainLimitsCli, HugeLayerWidthIsAnInputError) {
  TempDir dir;
  const std::string config = std::string(NABLA_SOURCE_DIR) + "/examples/dense_config1.toml";
  for (const char* value : {"4611686018427387904", "1000000000"}) {
    CliResult r = run_cli(
        {"train", config, "--set", std::string("model.layers.0.out=") + value, "--out", (dir.path / "run").string()});
    EXPECT_EQ(r.signal, 0) << value;
    EXPECT_EQ(r.exit_code, 2) << value << ": " << r.err;
    EXPECT_NE(r.err.find("model.layers[0].out"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("2^20"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace nabla::testing
