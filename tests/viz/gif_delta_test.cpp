// Animated GIFs stored as differences (delta_frame, write_gif, Animation): read back with giflib
// and composited frame by frame as a viewer does, every frame is exact without a tolerance and
// within the tolerance with one; repeated frames are merged into a longer one; a frame that
// changes a little is stored small and transparent, one that changes everywhere opaque.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "nabla/error.h"
#include "nabla/viz/animation.h"
#include "nabla/viz/image_io.h"
#include "viz_test_util.h"

namespace nabla::viz {
namespace {

using testing::TempDir;

struct Played {
  std::vector<Canvas> frames;  // the screen after each image
  std::vector<int> delays_cs;
  std::vector<int> transparent;  // per image, -1 for none
};

// Decodes with giflib and paints each image over the previous screen (disposal "do not").
Played play(const std::string& path) {
  Played out;
  int err = 0;
  GifFileType* gif = DGifOpenFileName(path.c_str(), &err);
  if (!gif) return out;
  if (DGifSlurp(gif) != GIF_OK) {
    DGifCloseFile(gif, &err);
    return out;
  }
  Canvas screen(gif->SWidth, gif->SHeight);
  for (int k = 0; k < gif->ImageCount; ++k) {
    const SavedImage& im = gif->SavedImages[k];
    GraphicsControlBlock gcb{};
    gcb.TransparentColor = NO_TRANSPARENT_COLOR;
    DGifSavedExtensionToGCB(gif, k, &gcb);
    const ColorMapObject* map = im.ImageDesc.ColorMap ? im.ImageDesc.ColorMap : gif->SColorMap;
    for (int y = 0; y < im.ImageDesc.Height; ++y)
      for (int x = 0; x < im.ImageDesc.Width; ++x) {
        const int idx = im.RasterBits[y * im.ImageDesc.Width + x];
        if (idx == gcb.TransparentColor) continue;
        const GifColorType c = map->Colors[idx];
        screen.set_pixel(im.ImageDesc.Left + x, im.ImageDesc.Top + y, {c.Red, c.Green, c.Blue});
      }
    out.frames.push_back(screen);
    out.delays_cs.push_back(gcb.DelayTime);
    out.transparent.push_back(gcb.TransparentColor);
  }
  DGifCloseFile(gif, &err);
  return out;
}

int max_difference(const Canvas& a, const Canvas& b) {
  int d = 0;
  for (int y = 0; y < a.height(); ++y)
    for (int x = 0; x < a.width(); ++x) {
      const Color p = a.pixel(x, y), q = b.pixel(x, y);
      d = std::max({d, std::abs(p.r - q.r), std::abs(p.g - q.g), std::abs(p.b - q.b)});
    }
  return d;
}

// A smooth ramp (241 colours, so quantisation is exact) that drifts by `shift` levels a frame,
// with a dot moving across it: what a training heatmap does.
Canvas drifting(int k, int shift) {
  Canvas c(160, 60);
  for (int y = 0; y < 60; ++y)
    for (int x = 0; x < 160; ++x)
      c.set_pixel(
          x, y,
          {static_cast<std::uint8_t>(40 + x / 2 + shift * k), 120, static_cast<std::uint8_t>(200 - 10 * (y / 20))});
  for (int y = 20; y < 26; ++y)
    for (int x = 10 + 12 * k; x < 16 + 12 * k; ++x) c.set_pixel(x, y, colors::black);
  return c;
}

std::vector<Canvas> drifting_frames(int n, int shift) {
  std::vector<Canvas> frames;
  for (int k = 0; k < n; ++k) frames.push_back(drifting(k, shift));
  return frames;
}

TEST(GifDelta, LosslessWithoutTolerance) {
  TempDir dir;
  const std::vector<Canvas> frames = drifting_frames(8, 1);
  write_gif(frames, dir.file("a.gif"), {.delay_ms = 50});
  const Played p = play(dir.file("a.gif"));
  ASSERT_EQ(p.frames.size(), frames.size());
  for (size_t k = 0; k < frames.size(); ++k) EXPECT_EQ(max_difference(p.frames[k], frames[k]), 0) << "frame " << k;
}

TEST(GifDelta, ToleranceBoundsEveryShownPixelAndShrinksTheFile) {
  TempDir dir;
  const std::vector<Canvas> frames = drifting_frames(10, 2);
  write_gif(frames, dir.file("exact.gif"));
  write_gif(frames, dir.file("loose.gif"), {.tolerance = 8});
  const Played p = play(dir.file("loose.gif"));
  ASSERT_EQ(p.frames.size(), frames.size());
  int worst = 0;
  for (size_t k = 0; k < frames.size(); ++k) worst = std::max(worst, max_difference(p.frames[k], frames[k]));
  EXPECT_LE(worst, 8);  // and no drift beyond it, however many frames
  EXPECT_GT(worst, 0);  // the tolerance was used
  std::ifstream a(dir.file("exact.gif"), std::ios::binary | std::ios::ate),
      b(dir.file("loose.gif"), std::ios::binary | std::ios::ate);
  EXPECT_LT(b.tellg(), a.tellg() / 2);
}

TEST(GifDelta, SmallChangesAreSparseWholeChangesOpaque) {
  GifScreen screen;
  const std::optional<GifFrame> first = delta_frame(drifting(0, 0), screen);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->image.width, 160);
  EXPECT_EQ(first->transparent, -1);
  // The dot moves 12 pixels over the ramp: the rectangle of both places, the ramp in it left as it is.
  const std::optional<GifFrame> dot = delta_frame(drifting(1, 0), screen);
  ASSERT_TRUE(dot);
  EXPECT_EQ(dot->x, 10);
  EXPECT_EQ(dot->y, 20);
  EXPECT_EQ(dot->image.width, 18);
  EXPECT_EQ(dot->image.height, 6);
  EXPECT_GE(dot->transparent, 0);
  EXPECT_LE(dot->image.palette.size(), 64u);          // the few colours that changed, not the ramp's
  EXPECT_FALSE(delta_frame(drifting(1, 0), screen));  // nothing new
  const std::optional<GifFrame> all = delta_frame(Canvas(160, 60, colors::black), screen);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->image.width * all->image.height, 160 * 60);
  EXPECT_EQ(all->transparent, -1);  // everything changed: nothing is left as it was
  EXPECT_THROW(delta_frame(Canvas(10, 10), screen), ValueError);
  EXPECT_THROW(delta_frame(Canvas(160, 60), screen, 256), ValueError);
}

TEST(GifDelta, RepeatedFramesBecomeOneLongerFrame) {
  TempDir dir;
  const std::vector<Canvas> frames = {drifting(0, 0), drifting(0, 0), drifting(1, 0), drifting(1, 0), drifting(1, 0)};
  write_gif(frames, dir.file("w.gif"), {.delay_ms = 80});
  const Played p = play(dir.file("w.gif"));
  EXPECT_EQ(p.delays_cs, (std::vector<int>{16, 24}));

  Animation anim(160, 60);
  anim.add_frame(drifting(0, 0)).add_frame(drifting(0, 0), 500).add_frame(drifting(1, 0));
  EXPECT_EQ(anim.frame_count(), 2u);
  anim.delay_ms(100).save_gif(dir.file("anim.gif"));
  const Played q = play(dir.file("anim.gif"));
  EXPECT_EQ(q.delays_cs, (std::vector<int>{60, 10}));  // the default delay plus the repeat's 500 ms
  ASSERT_EQ(q.frames.size(), 2u);
  EXPECT_EQ(max_difference(q.frames[1], drifting(1, 0)), 0);
  EXPECT_THROW(anim.tolerance(-1), ValueError);
}

}  // namespace
}  // namespace nabla::viz
