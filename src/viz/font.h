// Internal: the embedded 8x13 bitmap font (data in font_data.cpp) and UTF-8 handling.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nabla::viz::detail {

struct FontGlyph {
  char32_t code_point;
  std::uint8_t rows[13];  // 8 px per row, most significant bit leftmost
};
extern const FontGlyph kFontGlyphs[];
extern const int kFontGlyphCount;

inline constexpr int kGlyphWidth = 8;
inline constexpr int kGlyphHeight = 13;
inline constexpr int kGlyphAscent = 11;  // baseline is this many px below the cell top
inline constexpr int kGlyphDescent = 2;

// Decodes UTF-8 into code points: malformed bytes become U+FFFD, and a base letter followed
// by a combining accent (NFD input, e.g. "n\u0303") becomes the precomposed letter.
std::u32string decode_utf8(std::string_view text);

// The glyph for a code point; U+FFFD's glyph when the font lacks it.
const std::uint8_t* glyph_rows(char32_t cp);

// A line of text as an ink mask of (height, width) bytes, 0 or 255. Scale 2 uses the EPX
// (Scale2x) rule instead of plain pixel doubling so diagonals of title text stay smooth.
struct TextMask {
  int width = 0, height = 0;
  std::vector<std::uint8_t> ink;
};
TextMask render_text_mask(std::string_view utf8, int scale);

}  // namespace nabla::viz::detail
