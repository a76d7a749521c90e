#include "viz/font.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>

#if NABLA_HAVE_FREETYPE
#include <dlfcn.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#endif

#include "nabla/viz/surface.h"

namespace nabla::viz::detail {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Precomposes the accents Spanish (and most Latin-1 text) needs when input arrives
// decomposed, as it does from some macOS file names and copy-pastes.
char32_t compose(char32_t base, char32_t mark) {
  static constexpr struct {
    char32_t mark;
    const char* bases;
    char32_t first_upper[5];
    char32_t first_lower[5];
  } kTable[] = {
      {0x0301, "AEIOU", {0xC1, 0xC9, 0xCD, 0xD3, 0xDA}, {0xE1, 0xE9, 0xED, 0xF3, 0xFA}},
      {0x0300, "AEIOU", {0xC0, 0xC8, 0xCC, 0xD2, 0xD9}, {0xE0, 0xE8, 0xEC, 0xF2, 0xF9}},
      {0x0308, "AEIOU", {0xC4, 0xCB, 0xCF, 0xD6, 0xDC}, {0xE4, 0xEB, 0xEF, 0xF6, 0xFC}},
      {0x0302, "AEIOU", {0xC2, 0xCA, 0xCE, 0xD4, 0xDB}, {0xE2, 0xEA, 0xEE, 0xF4, 0xFB}},
  };
  if (mark == 0x0303) {  // tilde
    if (base == 'N') return 0xD1;
    if (base == 'n') return 0xF1;
    if (base == 'A') return 0xC3;
    if (base == 'a') return 0xE3;
    if (base == 'O') return 0xD5;
    if (base == 'o') return 0xF5;
    return 0;
  }
  for (const auto& row : kTable) {
    if (row.mark != mark) continue;
    for (int i = 0; i < 5; ++i) {
      if (base == static_cast<char32_t>(row.bases[i])) return row.first_upper[i];
      if (base == static_cast<char32_t>(row.bases[i] - 'A' + 'a')) return row.first_lower[i];
    }
  }
  return 0;
}

#if NABLA_HAVE_FREETYPE
// FreeType, opened at run time (so that a machine without it still draws, with the bitmap font).
struct FreeType {
  FT_Library lib = nullptr;
  FT_Face face = nullptr;
  int pixels = 0;
  decltype(&FT_Set_Pixel_Sizes) set_pixel_sizes = nullptr;
  decltype(&FT_Load_Char) load_char = nullptr;
  std::string path;
};

FreeType* open_freetype() {
  static FreeType* ft = []() -> FreeType* {
    const char* env = std::getenv("NABLA_VIZ_FONT");
    const std::string path = env && *env && std::string(env) != "bitmap" ? env : NABLA_FONT_PATH;
    void* h = dlopen("libfreetype.so.6", RTLD_NOW | RTLD_LOCAL);
    if (!h) return nullptr;
    auto init = reinterpret_cast<decltype(&FT_Init_FreeType)>(dlsym(h, "FT_Init_FreeType"));
    auto new_face = reinterpret_cast<decltype(&FT_New_Face)>(dlsym(h, "FT_New_Face"));
    auto f = std::make_unique<FreeType>();
    f->set_pixel_sizes = reinterpret_cast<decltype(&FT_Set_Pixel_Sizes)>(dlsym(h, "FT_Set_Pixel_Sizes"));
    f->load_char = reinterpret_cast<decltype(&FT_Load_Char)>(dlsym(h, "FT_Load_Char"));
    if (!init || !new_face || !f->set_pixel_sizes || !f->load_char) return nullptr;
    if (init(&f->lib) != 0) return nullptr;
    if (new_face(f->lib, path.c_str(), 0, &f->face) != 0) return nullptr;  // no font file: bitmap font
    f->path = path;
    return f.release();  // lives as long as the process
  }();
  return ft;
}

std::mutex g_ft_mutex;  // one FT_Face: one thread at a time
bool g_vector_on = [] {
  const char* env = std::getenv("NABLA_VIZ_FONT");
  return !(env && std::string(env) == "bitmap");
}();

bool use_vector() { return g_vector_on && open_freetype() != nullptr; }

// One line of text in DejaVu Sans at 11·scale px (rounded): width is the sum of the hinted advances,
// height ascender + descender, glyph coverage as ink.
TextMask render_vector(const std::u32string& cps, double scale, bool ink) {
  FreeType& ft = *open_freetype();
  std::lock_guard<std::mutex> lock(g_ft_mutex);
  const int px = vector_pixels(scale);
  if (ft.pixels != px) ft.set_pixel_sizes(ft.face, 0, FT_UInt(px)), ft.pixels = px;
  TextMask m;
  m.baseline = int((ft.face->size->metrics.ascender + 63) >> 6);
  m.height = m.baseline + int((-ft.face->size->metrics.descender + 63) >> 6);
  struct Placed {
    int x;
    std::vector<std::uint8_t> bits;
    int left, top, w, h;
  };
  std::vector<Placed> glyphs;
  int pen = 0;
  for (char32_t cp : cps) {
    if (ft.load_char(ft.face, FT_ULong(cp), ink ? FT_LOAD_RENDER : FT_LOAD_DEFAULT) != 0 &&
        ft.load_char(ft.face, 0xFFFD, ink ? FT_LOAD_RENDER : FT_LOAD_DEFAULT) != 0)
      continue;
    const FT_GlyphSlot g = ft.face->glyph;
    if (ink) {
      const FT_Bitmap& b = g->bitmap;
      Placed p{pen, {}, g->bitmap_left, g->bitmap_top, int(b.width), int(b.rows)};
      p.bits.resize(size_t(p.w) * p.h);
      for (int y = 0; y < p.h; ++y)
        for (int x = 0; x < p.w; ++x) p.bits[size_t(y) * p.w + x] = b.buffer[y * b.pitch + x];
      glyphs.push_back(std::move(p));
    }
    pen += int((g->advance.x + 32) >> 6);
  }
  m.width = pen;
  if (!ink) return m;
  m.ink.assign(size_t(m.width) * m.height, 0);
  for (const Placed& p : glyphs) {
    for (int y = 0; y < p.h; ++y) {
      const int ty = m.baseline - p.top + y;
      if (ty < 0 || ty >= m.height) continue;
      for (int x = 0; x < p.w; ++x) {
        const int tx = p.x + p.left + x;
        if (tx < 0 || tx >= m.width) continue;
        std::uint8_t& d = m.ink[size_t(ty) * m.width + tx];
        d = std::max(d, p.bits[size_t(y) * p.w + x]);
      }
    }
  }
  return m;
}
#else
bool use_vector() { return false; }
#endif

}  // namespace

bool vector_font() { return use_vector(); }

bool set_vector_font(bool on) {
#if NABLA_HAVE_FREETYPE
  if (on && !open_freetype()) return false;
  g_vector_on = on;
  return true;
#else
  return !on;
#endif
}

int vector_pixels(double scale) { return std::max(1, static_cast<int>(std::lround(kVectorPixelsPerScale * scale))); }

int bitmap_scale(double scale) { return std::max(1, static_cast<int>(std::lround(scale))); }

LineMetrics line_metrics(double scale) {
  const TextMask m = render_text_mask("", scale);
  return {m.height, m.baseline};
}

std::string vector_font_path() {
#if NABLA_HAVE_FREETYPE
  if (FreeType* ft = open_freetype()) return ft->path;
#endif
  return "";
}

std::u32string decode_utf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    char32_t cp = kReplacement;
    int extra = 0;
    if (c < 0x80) {
      cp = c;
    } else if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
      cp = c & 0x1F, extra = 1;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F, extra = 2;
    } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
      cp = c & 0x07, extra = 3;
    }
    ++i;
    bool ok = true;
    for (int k = 0; k < extra; ++k) {
      if (i >= n || (s[i] & 0xC0) != 0x80) {
        ok = false;
        break;
      }
      cp = (cp << 6) | (s[i] & 0x3F);
      ++i;
    }
    if (!ok) cp = kReplacement;
    if (cp >= 0x0300 && cp <= 0x036F && !out.empty()) {
      if (char32_t composed = compose(out.back(), cp)) {
        out.back() = composed;
      }
      continue;  // an accent we cannot place is dropped rather than drawn as a box
    }
    out.push_back(cp);
  }
  return out;
}

const std::uint8_t* glyph_rows(char32_t cp) {
  const FontGlyph* end = kFontGlyphs + kFontGlyphCount;
  auto lookup = [&](char32_t c) -> const FontGlyph* {
    const FontGlyph* it =
        std::lower_bound(kFontGlyphs, end, c, [](const FontGlyph& g, char32_t v) { return g.code_point < v; });
    return (it != end && it->code_point == c) ? it : nullptr;
  };
  if (const FontGlyph* g = lookup(cp)) return g->rows;
  // Typographic look-alikes the font lacks: fall back to the plain ASCII shape.
  if (cp == 0x2010 || cp == 0x2011) return lookup('-')->rows;
  return lookup(kReplacement)->rows;
}

TextMask render_text_mask(std::string_view utf8, double size) {
  const std::u32string cps = decode_utf8(utf8);
#if NABLA_HAVE_FREETYPE
  if (use_vector()) return render_vector(cps, size, true);
#endif
  int scale = bitmap_scale(size);
  TextMask base;
  base.width = static_cast<int>(cps.size()) * kGlyphWidth;
  base.height = kGlyphHeight;
  base.ink.assign(static_cast<std::size_t>(base.width) * base.height, 0);
  for (std::size_t i = 0; i < cps.size(); ++i) {
    const std::uint8_t* rows = glyph_rows(cps[i]);
    for (int y = 0; y < kGlyphHeight; ++y) {
      for (int x = 0; x < kGlyphWidth; ++x) {
        if (rows[y] & (0x80 >> x)) base.ink[y * base.width + i * kGlyphWidth + x] = 255;
      }
    }
  }
  TextMask cur = std::move(base);
  while (scale > 1) {
    const bool epx = scale % 2 == 0;
    const int f = epx ? 2 : scale;
    TextMask up;
    up.width = cur.width * f;
    up.height = cur.height * f;
    up.ink.assign(static_cast<std::size_t>(up.width) * up.height, 0);
    auto at = [&](int x, int y) -> std::uint8_t {
      if (x < 0 || y < 0 || x >= cur.width || y >= cur.height) return 0;
      return cur.ink[y * cur.width + x];
    };
    for (int y = 0; y < cur.height; ++y) {
      for (int x = 0; x < cur.width; ++x) {
        const std::uint8_t p = at(x, y);
        if (!epx) {
          for (int dy = 0; dy < f; ++dy)
            for (int dx = 0; dx < f; ++dx) up.ink[(y * f + dy) * up.width + x * f + dx] = p;
          continue;
        }
        const std::uint8_t a = at(x, y - 1), b = at(x + 1, y), c = at(x - 1, y), d = at(x, y + 1);
        std::uint8_t e1 = p, e2 = p, e3 = p, e4 = p;
        if (c == a && c != d && a != b) e1 = a;
        if (a == b && a != c && b != d) e2 = b;
        if (d == c && d != b && c != a) e3 = c;
        if (b == d && b != a && d != c) e4 = d;
        up.ink[(2 * y) * up.width + 2 * x] = e1;
        up.ink[(2 * y) * up.width + 2 * x + 1] = e2;
        up.ink[(2 * y + 1) * up.width + 2 * x] = e3;
        up.ink[(2 * y + 1) * up.width + 2 * x + 1] = e4;
      }
    }
    cur = std::move(up);
    scale /= f;
  }
  cur.baseline = kGlyphAscent * (cur.height / kGlyphHeight);
  return cur;
}

}  // namespace nabla::viz::detail

namespace nabla::viz {

TextSize measure_text(std::string_view utf8, double scale) {
#if NABLA_HAVE_FREETYPE
  if (detail::vector_font()) {
    const detail::TextMask m = detail::render_vector(detail::decode_utf8(utf8), scale, false);
    return {m.width, m.height};
  }
#endif
  const int n = static_cast<int>(detail::decode_utf8(utf8).size());
  const int k = detail::bitmap_scale(scale);
  return {n * detail::kGlyphWidth * k, detail::kGlyphHeight * k};
}

}  // namespace nabla::viz
