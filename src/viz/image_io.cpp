#include "nabla/viz/image_io.h"

#include <fcntl.h>
#include <gif_lib.h>
#include <png.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "nabla/error.h"

namespace nabla::viz {

// ---------------------------------------------------------------- atomic file writes

void write_file_atomic(const std::string& path, std::string_view bytes, std::string_view who) {
  NABLA_CHECK(!path.empty(), IOError, who, ": empty output path");
  const std::size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  // Same directory as the destination, so that rename() is atomic (same file system).
  std::string tmp = (dir == "/" ? "" : dir) + "/." + name + ".tmp-XXXXXX";
  if (dir == "." && slash == std::string::npos) tmp = "." + name + ".tmp-XXXXXX";
  auto fail = [&](const char* what, int err) {
    throw IOError(detail::concat(who, ": cannot write '", path, "': ", what, ": ", std::strerror(err)));
  };
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) fail("cannot create a temporary file in its directory", errno);
  // mkstemp makes the file private (0600); images are meant to be shared like any output.
  ::fchmod(fd, 0644);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : ENOSPC;
      ::close(fd);
      ::unlink(tmp.c_str());
      fail("write failed", err);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail("close failed", err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail("rename failed", err);
  }
}

// ---------------------------------------------------------------- PNG

std::vector<std::uint8_t> encode_png(const Canvas& canvas) {
  const int w = canvas.width(), h = canvas.height();
  const std::uint8_t* px = canvas.data();
  bool opaque = true;
  for (std::size_t i = 3; i < static_cast<std::size_t>(w) * h * 4; i += 4) {
    if (px[i] != 255) {
      opaque = false;
      break;
    }
  }
  std::vector<std::uint8_t> rgb;
  if (opaque) {
    rgb.resize(static_cast<std::size_t>(w) * h * 3);
    for (std::size_t i = 0, j = 0; j < rgb.size(); i += 4, j += 3) {
      rgb[j] = px[i], rgb[j + 1] = px[i + 1], rgb[j + 2] = px[i + 2];
    }
  }
  // libpng's simplified API: no setjmp/longjmp crossing C++ frames.
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(w);
  image.height = static_cast<png_uint_32>(h);
  image.format = opaque ? PNG_FORMAT_RGB : PNG_FORMAT_RGBA;
  const void* buffer = opaque ? static_cast<const void*>(rgb.data()) : static_cast<const void*>(px);
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&image, nullptr, &size, 0, buffer, 0, nullptr)) {
    throw IOError(detail::concat("encode_png: libpng failed: ", image.message));
  }
  std::vector<std::uint8_t> out(size);
  if (!png_image_write_to_memory(&image, out.data(), &size, 0, buffer, 0, nullptr)) {
    throw IOError(detail::concat("encode_png: libpng failed: ", image.message));
  }
  out.resize(size);
  return out;
}

void write_png(const Canvas& canvas, const std::string& path) {
  const std::vector<std::uint8_t> bytes = encode_png(canvas);
  write_file_atomic(path, {reinterpret_cast<const char*>(bytes.data()), bytes.size()}, "write_png");
}

// ---------------------------------------------------------------- quantisation

namespace {

std::uint32_t rgb_key(const std::uint8_t* p) {
  if (p[3] == 255) return (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
  const Color c = mix(colors::white, {p[0], p[1], p[2]}, p[3] / 255.0);
  return (std::uint32_t{c.r} << 16) | (std::uint32_t{c.g} << 8) | c.b;
}

Color key_color(std::uint32_t k) {
  return {static_cast<std::uint8_t>(k >> 16), static_cast<std::uint8_t>(k >> 8), static_cast<std::uint8_t>(k)};
}

struct Weighted {
  std::uint32_t key;
  std::uint64_t count;
};

int channel(std::uint32_t key, int c) { return (key >> (16 - 8 * c)) & 0xFF; }

// Median cut over (colour, count) pairs into at most n boxes; returns one mean colour per box.
std::vector<Color> median_cut(std::vector<Weighted> items, int n) {
  struct Box {
    std::size_t begin, end;
  };
  std::vector<Box> boxes = {{0, items.size()}};
  auto extent = [&](const Box& b, int c) {
    int lo = 255, hi = 0;
    for (std::size_t i = b.begin; i < b.end; ++i) {
      lo = std::min(lo, channel(items[i].key, c)), hi = std::max(hi, channel(items[i].key, c));
    }
    return hi - lo;
  };
  while (static_cast<int>(boxes.size()) < n) {
    // Split the box with the widest channel range (ties: most pixels).
    int best = -1, best_c = 0, best_range = 0;
    for (std::size_t b = 0; b < boxes.size(); ++b) {
      if (boxes[b].end - boxes[b].begin < 2) continue;
      for (int c = 0; c < 3; ++c) {
        const int r = extent(boxes[b], c);
        if (r > best_range) best = static_cast<int>(b), best_c = c, best_range = r;
      }
    }
    if (best < 0) break;
    Box box = boxes[best];
    std::sort(items.begin() + box.begin, items.begin() + box.end,
              [&](const Weighted& a, const Weighted& b) { return channel(a.key, best_c) < channel(b.key, best_c); });
    std::uint64_t total = 0, run = 0;
    for (std::size_t i = box.begin; i < box.end; ++i) total += items[i].count;
    std::size_t mid = box.begin + 1;
    for (std::size_t i = box.begin; i < box.end - 1; ++i) {
      run += items[i].count;
      mid = i + 1;
      if (run * 2 >= total) break;
    }
    boxes[best] = {box.begin, mid};
    boxes.push_back({mid, box.end});
  }
  std::vector<Color> out;
  for (const Box& b : boxes) {
    double sum[3] = {0, 0, 0}, wsum = 0;
    for (std::size_t i = b.begin; i < b.end; ++i) {
      for (int c = 0; c < 3; ++c) sum[c] += channel(items[i].key, c) * static_cast<double>(items[i].count);
      wsum += static_cast<double>(items[i].count);
    }
    if (wsum > 0) {
      out.push_back({static_cast<std::uint8_t>(std::lround(sum[0] / wsum)),
                     static_cast<std::uint8_t>(std::lround(sum[1] / wsum)),
                     static_cast<std::uint8_t>(std::lround(sum[2] / wsum))});
    }
  }
  return out;
}

}  // namespace

namespace {

// At most `max_colors` colours for the counted ones: all of them when they fit, else the most
// frequent exactly and a median cut of the rest; and the palette index of every counted colour.
struct Palette {
  std::vector<Color> colors;
  std::unordered_map<std::uint32_t, std::uint8_t> index_of;
};

Palette make_palette(const std::unordered_map<std::uint32_t, std::uint64_t>& counts, int max_colors) {
  std::vector<Weighted> items;
  items.reserve(counts.size());
  for (const auto& [k, n] : counts) items.push_back({k, n});
  std::sort(items.begin(), items.end(), [](const Weighted& a, const Weighted& b) {
    return a.count != b.count ? a.count > b.count : a.key < b.key;
  });
  Palette out;
  if (items.size() <= static_cast<std::size_t>(max_colors)) {
    for (const Weighted& it : items) {
      out.index_of[it.key] = static_cast<std::uint8_t>(out.colors.size());
      out.colors.push_back(key_color(it.key));
    }
    return out;
  }
  // Plot colours (white, text, series) dominate the pixel counts: keep those exact so
  // lines and backgrounds do not shift, and spend the rest on the anti-aliased shades.
  constexpr std::size_t kExact = 48;
  for (std::size_t i = 0; i < kExact; ++i) out.colors.push_back(key_color(items[i].key));
  std::vector<Color> rest =
      median_cut(std::vector<Weighted>(items.begin() + kExact, items.end()), max_colors - static_cast<int>(kExact));
  out.colors.insert(out.colors.end(), rest.begin(), rest.end());
  for (std::size_t i = 0; i < kExact; ++i) out.index_of[items[i].key] = static_cast<std::uint8_t>(i);
  for (std::size_t i = kExact; i < items.size(); ++i) {
    const Color c = key_color(items[i].key);
    int best = 0;
    long best_d = -1;
    for (std::size_t p = 0; p < out.colors.size(); ++p) {
      const long dr = c.r - out.colors[p].r, dg = c.g - out.colors[p].g, db = c.b - out.colors[p].b;
      // Weights roughly follow perceived brightness of each channel.
      const long d = 3 * dr * dr + 4 * dg * dg + 2 * db * db;
      if (best_d < 0 || d < best_d) best = static_cast<int>(p), best_d = d;
    }
    out.index_of[items[i].key] = static_cast<std::uint8_t>(best);
  }
  return out;
}

}  // namespace

IndexedImage quantize(const Canvas& canvas) { return quantize(canvas, 0, 0, canvas.width(), canvas.height()); }

IndexedImage quantize(const Canvas& canvas, int x, int y, int w, int h) {
  NABLA_CHECK(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= canvas.width() && y + h <= canvas.height(), ValueError,
              "quantize: region (", x, ", ", y, ", ", w, "x", h, ") is not inside the ", canvas.width(), "x",
              canvas.height(), " canvas");
  IndexedImage out;
  out.width = w, out.height = h;
  out.indices.resize(static_cast<std::size_t>(w) * h);
  std::vector<std::uint32_t> keys(out.indices.size());
  std::unordered_map<std::uint32_t, std::uint64_t> counts;
  for (int j = 0; j < h; ++j) {
    const std::uint8_t* row = canvas.data() + (static_cast<std::size_t>(y + j) * canvas.width() + x) * 4;
    for (int i = 0; i < w; ++i) {
      const std::uint32_t k = rgb_key(row + 4 * i);
      keys[static_cast<std::size_t>(j) * w + i] = k;
      ++counts[k];
    }
  }
  Palette palette = make_palette(counts, 256);
  out.palette = std::move(palette.colors);
  for (std::size_t i = 0; i < keys.size(); ++i) out.indices[i] = palette.index_of[keys[i]];
  return out;
}

// ---------------------------------------------------------------- GIF

PixelBox changed_region(const Canvas& a, const Canvas& b) {
  NABLA_CHECK(a.width() == b.width() && a.height() == b.height(), ValueError,
              "changed_region: sizes differ: ", a.width(), "x", a.height(), " vs ", b.width(), "x", b.height());
  int x0 = a.width(), y0 = a.height(), x1 = -1, y1 = -1;
  const std::uint32_t* pa = reinterpret_cast<const std::uint32_t*>(a.data());
  const std::uint32_t* pb = reinterpret_cast<const std::uint32_t*>(b.data());
  for (int y = 0; y < a.height(); ++y) {
    for (int x = 0; x < a.width(); ++x) {
      const std::size_t i = static_cast<std::size_t>(y) * a.width() + x;
      if (pa[i] != pb[i]) x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
  }
  if (x1 < 0) return {};
  return {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

namespace {

// The largest difference in one of R, G, B between two colours as rgb keys.
int distance(std::uint32_t a, std::uint32_t b) {
  int d = 0;
  for (int c = 0; c < 3; ++c) d = std::max(d, std::abs(channel(a, c) - channel(b, c)));
  return d;
}

std::uint32_t key_of(Color c) { return (std::uint32_t{c.r} << 16) | (std::uint32_t{c.g} << 8) | c.b; }

// How many bits GIF's LZW needs for `indices` (codes widen from min_code_size + 1 bits to 12 and
// the table starts over when full, as giflib encodes), to choose the smallest of some encodings.
std::size_t lzw_bits(const std::vector<std::uint8_t>& indices, int min_code_size) {
  const int clear = 1 << min_code_size;
  std::unordered_map<std::uint32_t, std::uint16_t> table;
  table.reserve(8192);
  int next = clear + 2, width = min_code_size + 1;
  std::size_t bits = width;  // the clear code that starts the stream
  int prefix = -1;
  for (std::uint8_t v : indices) {
    if (prefix < 0) {
      prefix = v;
      continue;
    }
    const std::uint32_t key = (static_cast<std::uint32_t>(prefix) << 8) | v;
    if (auto it = table.find(key); it != table.end()) {
      prefix = it->second;
      continue;
    }
    bits += width;
    if (next < 4096) {
      table.emplace(key, static_cast<std::uint16_t>(next++));
      if (next > (1 << width) && width < 12) ++width;
    } else {
      bits += width;  // a clear code, and the table starts over
      table.clear();
      next = clear + 2, width = min_code_size + 1;
    }
    prefix = v;
  }
  return bits + 2 * width;  // the last code and the end code
}

int bits_for(std::size_t colors) {
  int b = 1;
  while ((std::size_t{1} << b) < colors) ++b;
  return std::max(2, b);
}

}  // namespace

std::optional<GifFrame> delta_frame(const Canvas& frame, GifScreen& screen, int tolerance) {
  NABLA_CHECK(tolerance >= 0 && tolerance <= 255, ValueError, "delta_frame: tolerance must be in [0, 255], got ",
              tolerance);
  const int W = frame.width(), H = frame.height();
  std::vector<std::uint32_t> keys(static_cast<std::size_t>(W) * H);
  for (std::size_t i = 0; i < keys.size(); ++i) keys[i] = rgb_key(frame.data() + 4 * i);
  if (screen.rgb.empty()) {  // the first frame: all of it
    GifFrame f{quantize(frame), 0, 0};
    screen = {W, H, std::vector<std::uint32_t>(keys.size()), keys};
    for (std::size_t i = 0; i < keys.size(); ++i) screen.rgb[i] = key_of(f.image.palette[f.image.indices[i]]);
    return f;
  }
  NABLA_CHECK(screen.width == W && screen.height == H, ValueError, "delta_frame: the frame is ", W, "x", H,
              " but the screen is ", screen.width, "x", screen.height);
  // What must change: pixels that differ from the last frame and from what is shown by more than
  // `tolerance`. (A pixel that the last frame had too keeps its colour even when quantisation
  // drew it slightly off: redrawing it every frame would not bring it closer.)
  std::vector<std::uint8_t> changed(keys.size());
  int x0 = W, y0 = H, x1 = -1, y1 = -1;
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      const std::size_t i = static_cast<std::size_t>(y) * W + x;
      if (keys[i] != screen.last[i] && distance(keys[i], screen.rgb[i]) > tolerance)
        changed[i] = 1, x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
  screen.last = keys;
  if (x1 < 0) return std::nullopt;
  const int w = x1 - x0 + 1, h = y1 - y0 + 1;
  auto at = [&](int x, int y) { return static_cast<std::size_t>(y) * W + x; };

  // Three ways to store the rectangle; the one LZW codes in fewest bits is kept.
  // Opaque: every pixel its own colour, the whole rectangle redrawn, with a palette of all of them.
  // Sparse: only the changed pixels are drawn; the others are transparent, or repeat the colour
  // to their left where that is within tolerance too, since a long run of one index is what LZW
  // codes in fewest bits. Its palette is either the changed pixels' colours (few when a line
  // moves, so short codes) or the whole rectangle's (which measured smaller on drifting
  // heatmaps). Sparse wins when little changed; opaque when nearly everything did and transparent
  // pixels would only break up the runs of colour.
  std::unordered_map<std::uint32_t, std::uint64_t> all_counts, changed_counts;
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) {
      const std::size_t i = at(x, y);
      ++all_counts[keys[i]];
      if (changed[i]) ++changed_counts[keys[i]];
    }
  struct Candidate {
    Palette palette;
    int transparent = -1;
    std::vector<std::uint8_t> indices;
    std::size_t bits = 0;
  };
  auto opaque = [&] {
    Candidate c{make_palette(all_counts, 256), -1, {}, 0};
    c.indices.resize(static_cast<std::size_t>(w) * h);
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x)
        c.indices[static_cast<std::size_t>(y - y0) * w + (x - x0)] = c.palette.index_of[keys[at(x, y)]];
    c.bits = lzw_bits(c.indices, bits_for(c.palette.colors.size()));
    return c;
  };
  auto sparse = [&](const std::unordered_map<std::uint32_t, std::uint64_t>& counts) {
    Candidate c{make_palette(counts, 255), -1, {}, 0};
    c.transparent = static_cast<int>(c.palette.colors.size());
    c.indices.resize(static_cast<std::size_t>(w) * h);
    for (int y = y0; y <= y1; ++y) {
      int previous = c.transparent;
      for (int x = x0; x <= x1; ++x) {
        const std::size_t i = at(x, y);
        int e = c.transparent;
        if (changed[i])
          e = c.palette.index_of[keys[i]];
        else if (previous != c.transparent && distance(key_of(c.palette.colors[previous]), keys[i]) <= tolerance)
          e = previous;
        c.indices[static_cast<std::size_t>(y - y0) * w + (x - x0)] = static_cast<std::uint8_t>(e);
        previous = e;
      }
    }
    c.palette.colors.push_back(colors::white);  // the transparent index: never drawn
    c.bits = lzw_bits(c.indices, bits_for(c.palette.colors.size()));
    return c;
  };
  Candidate best = opaque();
  for (const auto* counts : {&changed_counts, &all_counts})
    if (Candidate c = sparse(*counts); c.bits < best.bits) best = std::move(c);
  GifFrame f;
  f.x = x0, f.y = y0, f.transparent = best.transparent;
  f.image.width = w, f.image.height = h;
  f.image.palette = std::move(best.palette.colors);
  f.image.indices = std::move(best.indices);
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x)
      if (const int e = f.image.indices[static_cast<std::size_t>(y - y0) * w + (x - x0)]; e != f.transparent)
        screen.rgb[at(x, y)] = key_of(f.image.palette[e]);
  return f;
}

namespace {

int gif_write(GifFileType* gif, const GifByteType* data, int n) {
  auto* out = static_cast<std::string*>(gif->UserData);
  out->append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  return n;
}

ColorMapObject* make_map(const std::vector<Color>& palette) {
  int size = 2;
  while (size < static_cast<int>(palette.size())) size *= 2;  // giflib wants a power of two
  std::vector<GifColorType> entries(size, GifColorType{0, 0, 0});
  for (std::size_t i = 0; i < palette.size(); ++i) entries[i] = {palette[i].r, palette[i].g, palette[i].b};
  return GifMakeMapObject(size, entries.data());
}

}  // namespace

// The most frames one GIF may have: every frame is kept in memory until the file is written.
constexpr std::size_t kMaxGifFrames = 10000;

std::string encode_gif(int width, int height, std::span<const GifFrame> frames, bool loop) {
  NABLA_CHECK(width > 0 && height > 0 && width < 65536 && height < 65536, ValueError,
              "encode_gif: invalid screen size ", width, "x", height);
  NABLA_CHECK(!frames.empty(), ValueError, "encode_gif: no frames");
  NABLA_CHECK(frames.size() <= kMaxGifFrames, ValueError, "encode_gif: ", frames.size(), " frames; at most ",
              kMaxGifFrames, " (an animation that long is a bug, or wants a video format)");
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const GifFrame& f = frames[i];
    NABLA_CHECK(f.x >= 0 && f.y >= 0 && f.image.width > 0 && f.image.height > 0 && f.x + f.image.width <= width &&
                    f.y + f.image.height <= height && f.image.palette.size() <= 256 &&
                    f.image.indices.size() == static_cast<std::size_t>(f.image.width) * f.image.height &&
                    f.transparent < static_cast<int>(f.image.palette.size()),
                ValueError, "encode_gif: frame ", i, " (", f.image.width, "x", f.image.height, " at ", f.x, ",", f.y,
                ") does not fit the ", width, "x", height, " screen or has a bad palette");
  }
  std::string bytes;
  int err = 0;
  GifFileType* gif = EGifOpen(&bytes, gif_write, &err);
  if (!gif) throw IOError(detail::concat("encode_gif: giflib: ", GifErrorString(err)));
  auto check = [&](int rc, const char* what) {
    if (rc != GIF_OK) {
      const int code = gif->Error;
      EGifCloseFile(gif, &err);
      throw IOError(detail::concat("encode_gif: giflib failed in ", what, ": ", GifErrorString(code)));
    }
  };
  EGifSetGifVersion(gif, true);
  ColorMapObject* global = make_map(frames[0].image.palette);
  const int rc = EGifPutScreenDesc(gif, width, height, global->BitsPerPixel, 0, global);
  GifFreeMapObject(global);
  check(rc, "EGifPutScreenDesc");
  if (loop) {
    static const char kApp[] = "NETSCAPE2.0";
    const unsigned char forever[3] = {1, 0, 0};  // sub-block 1, loop count 0 = forever
    check(EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE), "loop extension");
    check(EGifPutExtensionBlock(gif, 11, kApp), "loop extension");
    check(EGifPutExtensionBlock(gif, 3, forever), "loop extension");
    check(EGifPutExtensionTrailer(gif), "loop extension");
  }
  for (const GifFrame& f : frames) {
    GraphicsControlBlock gcb;
    gcb.DisposalMode = DISPOSE_DO_NOT;  // later frames only patch the changed rectangle
    gcb.UserInputFlag = false;
    gcb.DelayTime = std::max(2, (f.delay_ms + 5) / 10);
    gcb.TransparentColor = f.transparent >= 0 ? f.transparent : NO_TRANSPARENT_COLOR;
    GifByteType ext[4];
    const std::size_t n = EGifGCBToExtension(&gcb, ext);
    check(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, static_cast<int>(n), ext), "frame delay");
    ColorMapObject* map = make_map(f.image.palette);
    const int put = EGifPutImageDesc(gif, f.x, f.y, f.image.width, f.image.height, false, map);
    GifFreeMapObject(map);
    check(put, "EGifPutImageDesc");
    for (int y = 0; y < f.image.height; ++y) {
      auto* row = const_cast<GifPixelType*>(f.image.indices.data() + static_cast<std::size_t>(y) * f.image.width);
      check(EGifPutLine(gif, row, f.image.width), "EGifPutLine");
    }
  }
  if (EGifCloseFile(gif, &err) != GIF_OK) {
    throw IOError(detail::concat("encode_gif: giflib failed to finish: ", GifErrorString(err)));
  }
  return bytes;
}

void write_gif(std::span<const Canvas> frames, const std::string& path, const GifOptions& options) {
  NABLA_CHECK(!frames.empty(), ValueError, "write_gif: no frames to write to '", path, "'");
  NABLA_CHECK(frames.size() <= kMaxGifFrames, ValueError, "write_gif: ", frames.size(), " frames for '", path,
              "'; at most ", kMaxGifFrames);
  const int w = frames[0].width(), h = frames[0].height();
  std::vector<GifFrame> encoded;
  GifScreen screen;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    NABLA_CHECK(frames[i].width() == w && frames[i].height() == h, ValueError, "write_gif: frame ", i, " is ",
                frames[i].width(), "x", frames[i].height(), " but frame 0 is ", w, "x", h);
    if (std::optional<GifFrame> f = delta_frame(frames[i], screen, options.tolerance)) {
      f->delay_ms = options.delay_ms;
      encoded.push_back(std::move(*f));
    } else {
      encoded.back().delay_ms += options.delay_ms;  // a repeated frame: the previous one stays longer
    }
  }
  const std::string bytes = encode_gif(w, h, encoded, options.loop);
  write_file_atomic(path, bytes, "write_gif");
}

}  // namespace nabla::viz
