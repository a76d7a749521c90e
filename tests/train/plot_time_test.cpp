// run_training reports the time it spends on plots (the boundary GIF's frames as epochs end, the
// PNGs and the GIF at the end) so that `nabla train`'s steps/s can leave it out (issue #19: the
// summary said 707 steps/s where the bar said 1 850).
#include <gtest/gtest.h>

#include <filesystem>

#include "cli/subprocess.h"
#include "nabla/train/config.h"
#include "nabla/train/trainer.h"

namespace nabla::train {
namespace {

TEST(TrainPlotTime, PlottingIsTimedApartFromTraining) {
  testing::TempDir dir;
  const TrainConfig cfg = parse_train_config_file(std::string(NABLA_SOURCE_DIR) + "/tests/train/resume_moons.toml",
                                                  {"train.epochs=6", "train.gif_every=1"});
  double seconds = 0;
  std::vector<double> seen;  // plot_seconds as each epoch ends: grows with the GIF's frames
  RunOptions o;
  o.out_dir = (dir / "with").string();
  o.plot_seconds = &seconds;
  o.progress = [&](const EpochMetrics&, const Trainer&) { seen.push_back(seconds); };
  run_training(cfg, o);
  ASSERT_EQ(seen.size(), 6u);
  EXPECT_GT(seen.front(), 0) << "the first epoch's frame (and epoch 0's) is plotting time";
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_GT(seen[i], seen[i - 1]) << "epoch " << i + 1 << "'s frame";
  EXPECT_GT(seconds, seen.back()) << "the PNGs and the GIF at the end";
  EXPECT_TRUE(std::filesystem::exists(dir / "with" / "boundary.gif"));

  double none = 0;
  RunOptions q;
  q.out_dir = (dir / "without").string();
  q.plots = false;
  q.plot_seconds = &none;
  run_training(cfg, q);
  EXPECT_EQ(none, 0);
}

}  // namespace
}  // namespace nabla::train
