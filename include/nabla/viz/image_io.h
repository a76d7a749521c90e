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
  std::vector<Color> palette;          // at most 256 entries
  std::vector<std::uint8_t> indices;   // (height, width)
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
};

// All frames must have the same size. Frames after the first store only the rectangle that
// changed, so an animation of a moving tangent line stays small.
void write_gif(std::span<const Canvas> frames, const std::string& path, const GifOptions& options = {});

// Lower level, for callers that quantise frames as they go (Animation does): one frame placed
// at (x, y) on the logical screen; it is drawn over what the previous frames left there.
struct GifFrame {
  IndexedImage image;
  int x = 0, y = 0;
  int delay_ms = 100;
};
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
