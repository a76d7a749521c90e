#include "viz/font.h"

#include <algorithm>

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

}  // namespace

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

TextMask render_text_mask(std::string_view utf8, int scale) {
  const std::u32string cps = decode_utf8(utf8);
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
  return cur;
}

}  // namespace nabla::viz::detail

namespace nabla::viz {

TextSize measure_text(std::string_view utf8, int scale) {
  scale = std::max(scale, 1);
  const int n = static_cast<int>(detail::decode_utf8(utf8).size());
  return {n * detail::kGlyphWidth * scale, detail::kGlyphHeight * scale};
}

}  // namespace nabla::viz
