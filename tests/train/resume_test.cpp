// `nabla train` as a user runs it: kill -9 mid-run and resume gives byte-identical results;
// divergence and bad configs fail cleanly, naming what is wrong, and lose nothing.
#include <gtest/gtest.h>

#include "../cli/subprocess.h"

namespace nabla::testing {
namespace {

const std::string kConfig = std::string(NABLA_SOURCE_DIR) + "/tests/train/resume_moons.toml";

TEST(TrainResume, KillNineThenResumeIsByteIdentical) {
  // dropout (generator state), batchnorm (buffers), Adam (moments, step), cosine schedule and
  // shuffled batches all have to be restored exactly.
  TempDir tmp;
  CliResult full =
      run_cli({"train", kConfig, "--out", (tmp / "full").string(), "--no-plots", "-q", "--checkpoint-every", "5"});
  ASSERT_EQ(full.exit_code, 0) << full.err;
  CliResult killed =
      run_cli({"train", kConfig, "--out", (tmp / "cut").string(), "--no-plots", "-q", "--checkpoint-every", "5"},
              {{"NABLA_TEST_KILL_AT_EPOCH", "17"}});
  EXPECT_EQ(killed.exit_code, -1) << "the run was meant to die by SIGKILL";
  EXPECT_TRUE(std::filesystem::exists(tmp / "cut" / "checkpoint.safetensors"));
  EXPECT_FALSE(std::filesystem::exists(tmp / "cut" / "model.safetensors"));
  CliResult resumed = run_cli({"train", "--resume", (tmp / "cut").string(), "--no-plots", "-q"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(read_file(tmp / "cut" / "metrics.csv"), read_file(tmp / "full" / "metrics.csv"));
  EXPECT_EQ(read_file(tmp / "cut" / "model.safetensors"), read_file(tmp / "full" / "model.safetensors"));
  const std::string csv = read_file(tmp / "full" / "metrics.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 31);  // header + 30 epochs
}

TEST(TrainResume, ResumeWithoutCheckpointOrWithConfigIsAnError) {
  TempDir tmp;
  CliResult r = run_cli({"train", "--resume", (tmp / "nothing").string()});
  EXPECT_EQ(r.exit_code, 2);
  CliResult both = run_cli({"train", kConfig, "--resume", (tmp / "nothing").string()});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("--resume"), std::string::npos) << both.err;
}

TEST(TrainErrors, DivergenceStopsWithAClearMessageAndKeepsTheLastCheckpoint) {
  TempDir tmp;
  CliResult r = run_cli({"train", kConfig, "--out", (tmp / "run").string(), "--no-plots", "-q", "--checkpoint-every",
                         "1", "--set", "optim.name=sgd", "--set", "optim.lr=1e30", "--set", "loss.name=mse"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("training diverged"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("epoch"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp / "run" / "model.safetensors"));
  EXPECT_EQ(r.err.find("terminate"), std::string::npos) << "no C++ noise";
}

TEST(TrainErrors, AnomalyModeNamesTheOp) {
  TempDir tmp;
  CliResult r = run_cli({"train", kConfig, "--out", (tmp / "run").string(), "--no-plots", "-q", "--detect-anomaly",
                         "--set", "optim.name=sgd", "--set", "optim.lr=1e30", "--set", "loss.name=mse"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("anomaly: the "), std::string::npos) << r.err;
}

TEST(TrainErrors, BadConfigWritesNothing) {
  TempDir tmp;
  CliResult r = run_cli({"train", kConfig, "--out", (tmp / "run").string(), "--set", "optim.lr=-1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("optim.lr: must be positive"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp / "run"));
  CliResult missing = run_cli({"train", (tmp / "missing.toml").string(), "--out", (tmp / "run").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("missing.toml"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(tmp / "run"));
}

TEST(TrainCli, XorExampleWritesEveryOutput) {
  TempDir tmp;
  CliResult r = run_cli({"train", std::string(NABLA_SOURCE_DIR) + "/examples/xor.toml", "--out", (tmp / "xor").string(),
                         "--set", "train.epochs=200"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* f : {"metrics.csv", "model.safetensors", "config.toml", "loss.png", "grad_norms.png", "boundary.png",
                        "boundary.gif"})
    EXPECT_TRUE(std::filesystem::exists(tmp / "xor" / f)) << f;
  std::string csv = read_file(tmp / "xor" / "metrics.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "epoch,train_loss,train_acc,grad_norm.layers.0.weight,grad_norm.layers.0.bias,grad_norm.layers.2.weight,"
            "grad_norm.layers.2.bias");
  EXPECT_EQ(read_file(tmp / "xor" / "boundary.png").substr(1, 3), "PNG");
  EXPECT_EQ(read_file(tmp / "xor" / "boundary.gif").substr(0, 6), "GIF89a");
}

}  // namespace
}  // namespace nabla::testing
