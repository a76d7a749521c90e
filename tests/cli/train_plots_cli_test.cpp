// `nabla train --dpi N --plot-size WxH` (issue #19): the plots' pixels are inches × dpi as in
// matplotlib (default 6.4x4.8 in at 100 dpi), a resumed run keeps them, bad values are errors
// naming the option, and the summary gives the plotting time apart from the training time.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>

#include "cli/subprocess.h"

namespace nabla::testing {
namespace {

// A PNG's width and height, from its IHDR chunk (bytes 16-23, big-endian).
std::pair<int, int> png_size(const std::filesystem::path& path) {
  const std::string b = read_file(path);
  if (b.size() < 24 || b.compare(1, 3, "PNG") != 0) return {0, 0};
  auto be32 = [&](size_t at) {
    return int(uint32_t(uint8_t(b[at])) << 24 | uint32_t(uint8_t(b[at + 1])) << 16 | uint32_t(uint8_t(b[at + 2])) << 8 |
               uint32_t(uint8_t(b[at + 3])));
  };
  return {be32(16), be32(20)};
}

std::string config() { return std::string(NABLA_SOURCE_DIR) + "/tests/train/resume_moons.toml"; }

TEST(TrainPlotsCli, DpiAndSizeSetThePixels) {
  TempDir dir;
  CliResult r = run_cli({"train", config(), "--set", "train.epochs=3", "--out", (dir / "a").string(), "--dpi", "150"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(png_size(dir / "a" / "loss.png"), std::pair(960, 720));
  EXPECT_EQ(png_size(dir / "a" / "grad_norms.png"), std::pair(960, 720));
  EXPECT_EQ(png_size(dir / "a" / "boundary.png"), std::pair(840, 720));  // its own 560x480, at 150 dpi
  EXPECT_NE(read_file(dir / "a" / "run.json").find("\"dpi\": 150"), std::string::npos);
  // The summary: training time and rate, then the plots' time, then the other files'.
  EXPECT_NE(r.out.find("steps/s); plots "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" s, files "), std::string::npos) << r.out;

  r = run_cli({"train", config(), "--set", "train.epochs=2", "--out", (dir / "b").string(), "--plot-size", "8x6",
               "--dpi", "50"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(png_size(dir / "b" / "loss.png"), std::pair(400, 300));
  EXPECT_EQ(png_size(dir / "b" / "boundary.png"), std::pair(400, 300));

  r = run_cli({"train", config(), "--set", "train.epochs=2", "--out", (dir / "c").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(png_size(dir / "c" / "loss.png"), std::pair(640, 480));  // matplotlib's default
}

TEST(TrainPlotsCli, AResumedRunDrawsAtItsDpi) {
  TempDir dir;
  const std::string out = (dir / "r").string();
  CliResult r = run_cli({"train", config(), "--set", "train.epochs=4", "--out", out, "--dpi", "120"},
                        {{"NABLA_TEST_KILL_AT_EPOCH", "2"}});
  ASSERT_NE(r.exit_code, 0);
  r = run_cli({"train", "--resume", out, "--dpi", "100"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--dpi"), std::string::npos) << r.err;
  r = run_cli({"train", "--resume", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(png_size(dir / "r" / "loss.png"), std::pair(768, 576));
}

TEST(TrainPlotsCli, BadValuesNameTheOption) {
  TempDir dir;
  const std::string out = (dir / "x").string();
  auto err = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"train", config(), "--set", "train.epochs=1", "--out", out};
    args.insert(args.end(), extra.begin(), extra.end());
    CliResult r = run_cli(args);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(r.signal, 0);
    return r.err;
  };
  EXPECT_NE(err({"--dpi", "5"}).find("--dpi"), std::string::npos);
  EXPECT_NE(err({"--dpi", "lots"}).find("--dpi"), std::string::npos);
  std::string e = err({"--plot-size", "8by6"});
  EXPECT_NE(e.find("--plot-size '8by6': expected WIDTHxHEIGHT in inches"), std::string::npos) << e;
  e = err({"--plot-size", "0x6"});
  EXPECT_NE(e.find("--plot-size 0x6"), std::string::npos) << e;
  // 100x100 in at 1200 dpi: 1.4e10 px, refused before anything is drawn or written.
  e = err({"--plot-size", "100x100", "--dpi", "1200"});
  EXPECT_NE(e.find("lower the dpi or the size"), std::string::npos) << e;
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace nabla::testing
