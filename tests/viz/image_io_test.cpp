#include "nabla/viz/image_io.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "nabla/error.h"
#include "viz_test_util.h"

namespace nabla::viz {
namespace {

using testing::TempDir;

struct GifInfo {
  int width = 0, height = 0, frames = 0;
  bool loops = false;
  std::vector<int> delays_cs;
};

GifInfo read_gif(const std::string& path) {
  GifInfo info;
  int err = 0;
  GifFileType* gif = DGifOpenFileName(path.c_str(), &err);
  if (!gif) return info;
  if (DGifSlurp(gif) == GIF_OK) {
    info.width = gif->SWidth, info.height = gif->SHeight, info.frames = gif->ImageCount;
    // DGifSlurp attaches extension blocks to the image that follows them.
    auto scan = [&](const ExtensionBlock* blocks, int n) {
      for (int i = 0; i < n; ++i) {
        if (blocks[i].Function == APPLICATION_EXT_FUNC_CODE && blocks[i].ByteCount == 11 &&
            std::memcmp(blocks[i].Bytes, "NETSCAPE2.0", 11) == 0)
          info.loops = true;
      }
    };
    scan(gif->ExtensionBlocks, gif->ExtensionBlockCount);
    if (gif->ImageCount > 0) scan(gif->SavedImages[0].ExtensionBlocks, gif->SavedImages[0].ExtensionBlockCount);
    for (int i = 0; i < gif->ImageCount; ++i) {
      GraphicsControlBlock gcb;
      if (DGifSavedExtensionToGCB(gif, i, &gcb) == GIF_OK) info.delays_cs.push_back(gcb.DelayTime);
    }
  }
  DGifCloseFile(gif, &err);
  return info;
}

TEST(VizPng, RoundTripKeepsSizeAndPixels) {
  TempDir dir;
  Canvas c(64, 48);
  c.fill_rect({8, 8, 16, 16}, colors::vermillion);
  c.line({0, 40.5}, {64, 40.5}, Stroke::solid(colors::blue, 1));
  const std::string path = dir.file("out.png");
  write_png(c, path);
  const auto img = testing::read_png(path);
  ASSERT_EQ(img.width, 64);
  ASSERT_EQ(img.height, 48);
  EXPECT_EQ(img.at(0, 0), colors::white);
  EXPECT_EQ(img.at(12, 12), colors::vermillion);
  EXPECT_EQ(img.at(30, 40), colors::blue);
  EXPECT_EQ(img.at(30, 39), colors::white);
  EXPECT_EQ(dir.files().size(), 1u);  // no temporary left behind
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(st.st_mode & S_IRGRP);  // not the 0600 of a mkstemp file
}

TEST(VizPng, KeepsAlphaWhenTransparent) {
  TempDir dir;
  Canvas c(8, 8, colors::transparent);
  c.fill_rect({0, 0, 4, 8}, Color{0, 0, 255, 128});
  c.save_png(dir.file("a.png"));
  const auto img = testing::read_png(dir.file("a.png"));
  ASSERT_EQ(img.width, 8);
  EXPECT_EQ(img.at(6, 4).a, 0);
  EXPECT_EQ(img.at(1, 4), (Color{0, 0, 255, 128}));
}

TEST(VizPng, OverwritesAtomically) {
  TempDir dir;
  const std::string path = dir.file("p.png");
  write_png(Canvas(10, 10), path);
  write_png(Canvas(20, 5), path);
  EXPECT_EQ(testing::read_png(path).width, 20);
  EXPECT_EQ(dir.files().size(), 1u);
}

TEST(VizPng, UnwritablePathThrowsIOErrorAndLeavesNoFile) {
  TempDir dir;
  const std::string missing_dir = dir.file("no/such/dir/plot.png");
  try {
    write_png(Canvas(4, 4), missing_dir);
    FAIL() << "expected IOError";
  } catch (const IOError& e) {
    EXPECT_NE(std::string(e.what()).find(missing_dir), std::string::npos) << e.what();
  }
  EXPECT_FALSE(testing::file_exists(missing_dir));
  // The destination is a directory: the temporary file is written, the rename fails, and the
  // temporary must be cleaned up.
  const std::string sub = dir.file("taken");
  ASSERT_EQ(::mkdir(sub.c_str(), 0755), 0);
  EXPECT_THROW(write_png(Canvas(4, 4), sub), IOError);
  EXPECT_EQ(dir.files(), std::vector<std::string>{"taken"});
  ::rmdir(sub.c_str());
}

TEST(VizGif, FrameCountSizeLoopAndDelay) {
  TempDir dir;
  std::vector<Canvas> frames;
  for (int i = 0; i < 5; ++i) {
    Canvas c(50, 30);
    c.fill_circle({10.0 + 7 * i, 15}, 5, colors::blue);
    frames.push_back(std::move(c));
  }
  const std::string path = dir.file("anim.gif");
  write_gif(frames, path, {.delay_ms = 80});
  const GifInfo info = read_gif(path);
  EXPECT_EQ(info.width, 50);
  EXPECT_EQ(info.height, 30);
  EXPECT_EQ(info.frames, 5);
  EXPECT_TRUE(info.loops);
  ASSERT_EQ(info.delays_cs.size(), 5u);
  EXPECT_EQ(info.delays_cs[0], 8);
  EXPECT_EQ(dir.files().size(), 1u);
}

TEST(VizGif, PlaysOnceWithoutLoopAndRejectsMixedSizes) {
  TempDir dir;
  std::vector<Canvas> frames = {Canvas(10, 10), Canvas(10, 10, colors::black)};
  write_gif(frames, dir.file("once.gif"), {.loop = false});
  const GifInfo info = read_gif(dir.file("once.gif"));
  EXPECT_EQ(info.frames, 2);
  EXPECT_FALSE(info.loops);
  std::vector<Canvas> mixed = {Canvas(10, 10), Canvas(11, 10)};
  EXPECT_THROW(write_gif(mixed, dir.file("bad.gif")), ValueError);
  EXPECT_THROW(write_gif(std::vector<Canvas>{}, dir.file("none.gif")), ValueError);
  EXPECT_THROW(write_gif(frames, dir.file("no/dir/x.gif")), IOError);
  EXPECT_EQ(dir.files(), std::vector<std::string>{"once.gif"});
}

// The frame count is bounded (every frame is held in memory): 10000 at most, refused before
// anything is encoded or written.
TEST(VizGif, TooManyFramesAreRefused) {
  TempDir dir;
  const std::vector<Canvas> many(10001, Canvas(1, 1));
  try {
    write_gif(many, dir.file("long.gif"));
    ADD_FAILURE() << "10001 frames accepted";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("10001 frames"), std::string::npos) << e.what();
  }
  const std::vector<GifFrame> frames(
      10001, GifFrame{.image = {.width = 1, .height = 1, .palette = {colors::black}, .indices = {0}}});
  EXPECT_THROW(encode_gif(1, 1, frames), ValueError);
  EXPECT_TRUE(dir.files().empty());
}

TEST(VizGif, QuantizeIsExactForFewColours) {
  Canvas c(16, 16);
  c.fill_rect({0, 0, 8, 16}, colors::blue);
  c.set_pixel(15, 15, colors::vermillion);
  const IndexedImage q = quantize(c);
  EXPECT_EQ(q.palette.size(), 3u);
  EXPECT_EQ(q.palette[q.indices[0]], colors::blue);
  EXPECT_EQ(q.palette[q.indices[15 * 16 + 15]], colors::vermillion);
  EXPECT_EQ(q.palette[q.indices[10]], colors::white);
}

TEST(VizGif, QuantizeManyColoursStaysClose) {
  Canvas c(64, 64);
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x)
      c.set_pixel(x, y, {static_cast<std::uint8_t>(x * 4), static_cast<std::uint8_t>(y * 4), 128});
  c.fill_rect({0, 0, 10, 10}, colors::white);  // a dominant colour stays exact
  const IndexedImage q = quantize(c);
  EXPECT_LE(q.palette.size(), 256u);
  EXPECT_EQ(q.palette[q.indices[0]], colors::white);
  long worst = 0;
  for (int y = 10; y < 64; ++y)
    for (int x = 10; x < 64; ++x) {
      const Color got = q.palette[q.indices[y * 64 + x]];
      worst = std::max<long>(worst, testing::color_diff(got, c.pixel(x, y)));
    }
  EXPECT_LT(worst, 40);
}

TEST(VizGif, ChangedRegionFindsTheDifference) {
  Canvas a(30, 20), b(30, 20);
  EXPECT_EQ(changed_region(a, b).w, 0);
  b.set_pixel(3, 4, colors::black);
  b.set_pixel(10, 12, colors::black);
  const PixelBox box = changed_region(a, b);
  EXPECT_EQ(box.x, 3);
  EXPECT_EQ(box.y, 4);
  EXPECT_EQ(box.w, 8);
  EXPECT_EQ(box.h, 9);
}

}  // namespace
}  // namespace nabla::viz
