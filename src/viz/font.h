// Internal: text for the raster plots. DejaVu Sans through FreeType (anti-aliased, libfreetype.so.6
// opened at run time) where the build found FreeType's headers and the font file and both are
// there at run time; otherwise the embedded 8x13 bitmap font (data in font_data.cpp). UTF-8 handling.
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
// With the vector font ink is coverage, 0 to 255.
struct TextMask {
  int width = 0, height = 0;
  int baseline = 0;  // rows from the top to the baseline
  std::vector<std::uint8_t> ink;
};
TextMask render_text_mask(std::string_view utf8, double scale);

// Whether text is drawn with the vector font (false: the bitmap font). Tests may turn it off
// (set_vector_font(false)) to check the bitmap font; turning it on is refused (false returned)
// when FreeType or the font file is missing. NABLA_VIZ_FONT=bitmap in the environment starts
// with it off; NABLA_VIZ_FONT=/path/to/font.ttf picks another font file.
bool vector_font();
bool set_vector_font(bool on);
// A line of text at `scale`: its height and the baseline's distance from its top, in px.
struct LineMetrics {
  int height = 0, baseline = 0;
};
LineMetrics line_metrics(double scale);

// The font file the vector font reads ("" when there is none).
std::string vector_font_path();
// Pixel size (em) of the vector font at a text scale: 11 px at scale 1 (rounded to whole px at
// fractional scales, e.g. 16 px at 1.5).
inline constexpr int kVectorPixelsPerScale = 11;
int vector_pixels(double scale);
// The bitmap font scales by whole factors: the nearest one, at least 1.
int bitmap_scale(double scale);

}  // namespace nabla::viz::detail
