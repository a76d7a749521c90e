// nabla/viz/image_io.h — PNG (libpng) and animated GIF (giflib) writers for Canvas.
//
// Every writer encodes in memory, writes a temporary file in the destination's directory and
// renames it over the destination, so a reader never sees a half-written image; failures throw
// nabla::IOError naming the path and leave no file behind.
//
//   nabla::viz::write_png(canvas, "plot.png");
//   nabla::viz::write_gif(frames, "descent.gif", {.delay_ms = 80});
//   std::vector<std::uint8_t> bytes = nabla::viz::encode_png(canvas);   // e.g. to embed in SVG
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nabla/viz/canvas.h"

namespace nabla::viz {

// PNG bytes of the canvas: RGB when fully opaque (smaller), RGBA otherwise.
std::vector<std::uint8_t> encode_png(const Canvas& canvas);
void write_png(const Canvas& canvas, const std::string& path);

// Up to 256 colours plus one index per pixel: what a GIF frame stores. Transparent pixels are
// composited over white first (GIF frames here are opaque).
struct IndexedImage {
  int width = 0, height = 0;
  std::vector<Color> palette;         // at most 256 entries
  std::vector<std::uint8_t> indices;  // (height, width)
};

// Exact when the image has at most 256 distinct colours (typical for plots without heatmaps);
// otherwise the most frequent colours (background, series colours) are kept exactly and the
// rest (anti-aliased edges, gradients) are median-cut into the remaining palette entries.
IndexedImage quantize(const Canvas& canvas);
// The same for the sub-rectangle [x, x + w) x [y, y + h).
IndexedImage quantize(const Canvas& canvas, int x, int y, int w, int h);

struct GifOptions {
  int delay_ms = 100;  // per frame; GIF stores centiseconds, and viewers slow down below 20 ms
  bool loop = true;    // loop forever (NETSCAPE2.0 extension); false plays once
  int tolerance = 0;   // delta_frame's: 0 lossless; a few levels make gradients that drift much cheaper
};

// All frames must have the same size. Frames after the first store only what changed (see
// delta_frame), so an animation of a moving tangent line stays small; a frame that shows
// nothing new is not stored again, the one before it stays up longer instead.
void write_gif(std::span<const Canvas> frames, const std::string& path, const GifOptions& options = {});

// Lower level, for callers that quantise frames as they go (Animation does): one frame placed
// at (x, y) on the logical screen; it is drawn over what the previous frames left there, and
// its pixels of palette index `transparent` (if >= 0) leave what was there.
struct GifFrame {
  IndexedImage image;
  int x = 0, y = 0;
  int delay_ms = 100;
  int transparent = -1;
};

// What a viewer shows after the frames so far (0xRRGGBB per pixel, row-major; empty before the
// first frame), and the colours of the last frame given.
struct GifScreen {
  int width = 0, height = 0;
  std::vector<std::uint32_t> rgb, last;
};
// The next frame of an animation as a GifFrame, and `screen` updated to show it. The first frame
// (empty screen) is the whole canvas. Later ones cover only the rectangle of pixels that differ
// from the screen by more than `tolerance` (in any of R, G, B, 0..255); inside it, a pixel is
// transparent where the screen is already within tolerance, or repeats the colour to its left
// where that is within tolerance (long runs: LZW codes them in few bits). So every shown pixel
// stays within `tolerance` of its frame (beyond the quantisation of a frame with more than 255
// colours), and errors never add up over frames. tolerance 0 is lossless. nullopt: nothing to
// change (a repeated frame).
std::optional<GifFrame> delta_frame(const Canvas& frame, GifScreen& screen, int tolerance = 0);
// GIF bytes for a width x height screen; throws nabla::ValueError for a frame that does not fit.
std::string encode_gif(int width, int height, std::span<const GifFrame> frames, bool loop = true);
// The smallest rectangle where a and b (same size) differ, as GifFrame wants it; an empty
// rectangle (w == 0) when they are equal.
struct PixelBox {
  int x = 0, y = 0, w = 0, h = 0;
};
PixelBox changed_region(const Canvas& a, const Canvas& b);

// Writes bytes to path through a temporary file + rename; throws IOError mentioning `who`
// (e.g. "write_png") and the path. Exposed for the SVG writer and for tests.
void write_file_atomic(const std::string& path, std::string_view bytes, std::string_view who);

}  // namespace nabla::viz
