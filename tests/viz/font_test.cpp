// Plot text in a real font (issue #19): DejaVu Sans through FreeType, anti-aliased, measured with
// the font's own advance widths (read here with FreeType directly, not through nabla), and "|y − a|"
// shows its bars. Without FreeType at build time only the fallback is checked.
#include "viz/font.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "nabla/viz/canvas.h"
#include "nabla/viz/plot.h"

#if NABLA_TEST_FREETYPE
#include <ft2build.h>
#include FT_FREETYPE_H
#endif

namespace nabla::viz {
namespace {

#if NABLA_TEST_FREETYPE

// Sum of the hinted advance widths FreeType gives for `text` at `px` pixels per em.
int freetype_advance(const std::u32string& text, int px) {
  FT_Library lib = nullptr;
  FT_Face face = nullptr;
  EXPECT_EQ(FT_Init_FreeType(&lib), 0);
  EXPECT_EQ(FT_New_Face(lib, NABLA_FONT_PATH, 0, &face), 0);
  FT_Set_Pixel_Sizes(face, 0, FT_UInt(px));
  int w = 0;
  for (char32_t c : text) {
    EXPECT_EQ(FT_Load_Char(face, FT_ULong(c), FT_LOAD_DEFAULT), 0);
    w += int((face->glyph->advance.x + 32) >> 6);
  }
  FT_Done_Face(face);
  FT_Done_FreeType(lib);
  return w;
}

TEST(VizFont, PlotTextIsDejaVuSans) {
  ASSERT_TRUE(detail::vector_font()) << "FreeType or " << NABLA_FONT_PATH << " missing at run time";
  EXPECT_EQ(detail::vector_font_path(), NABLA_FONT_PATH);
}

TEST(VizFont, TextExtentIsTheFontsAdvanceWidths) {
  ASSERT_TRUE(detail::vector_font());
  for (const char* text : {"Loss", "Gradient norm per parameter", "|y \u2212 a|", "época 10", "1e-05"}) {
    for (double scale : {1.0, 2.0}) {
      const int px = detail::vector_pixels(scale);
      const int expect = freetype_advance(detail::decode_utf8(text), px);
      const TextSize sz = measure_text(text, scale);
      EXPECT_EQ(sz.width, expect) << text << " at scale " << scale;
      EXPECT_GE(sz.height, px) << text;
      EXPECT_LE(sz.height, 2 * px) << text;
      // The ink lies within the measured box (1 px of overhang allowed) and fills most of it.
      Canvas c(sz.width + 40, sz.height + 20);
      c.text({20, 10}, text, {.color = colors::black, .scale = scale});
      int x0 = c.width(), x1 = -1, grey = 0;
      for (int y = 0; y < c.height(); ++y)
        for (int x = 0; x < c.width(); ++x) {
          const Color p = c.pixel(x, y);
          if (p == colors::white) continue;
          x0 = std::min(x0, x), x1 = std::max(x1, x);
          grey += p.r > 40 && p.r < 215;  // anti-aliased edges, not only black and white
          EXPECT_GE(y, 10 - 1);
          EXPECT_LT(y, 10 + sz.height + 1);
        }
      EXPECT_GE(x0, 20 - 1) << text;
      EXPECT_LE(x1, 20 + sz.width + 1) << text;
      EXPECT_GT(x1 - x0, sz.width * 3 / 4) << text;
      EXPECT_GT(grey, 5) << text;
    }
  }
}

// "|y − a|" once read "ly − al": the bars must be the tallest strokes, at both ends.
TEST(VizFont, AbsoluteValueBarsAreDrawn) {
  ASSERT_TRUE(detail::vector_font());
  const std::string text = "|y \u2212 a|";
  const TextSize sz = measure_text(text, 2);
  Canvas c(sz.width + 20, sz.height + 20);
  c.text({10, 10}, text, {.color = colors::black, .scale = 2});
  // Longest vertical run of dark pixels in each column.
  std::vector<int> run(c.width(), 0);
  for (int x = 0; x < c.width(); ++x) {
    int cur = 0;
    for (int y = 0; y < c.height(); ++y) {
      cur = c.pixel(x, y).r < 128 ? cur + 1 : 0;
      run[x] = std::max(run[x], cur);
    }
  }
  // Columns whose dark run is taller than the text's ascender ("a" and "y" are not).
  const int tall = detail::kVectorPixelsPerScale * 2 * 9 / 10;
  std::vector<int> cols;
  for (int x = 0; x < c.width(); ++x)
    if (run[x] >= tall) cols.push_back(x);
  ASSERT_FALSE(cols.empty()) << "no bar";
  EXPECT_LT(cols.front(), 10 + sz.width / 6) << "no bar at the start";
  EXPECT_GT(cols.back(), 10 + sz.width * 5 / 6) << "no bar at the end";
  int groups = 1;
  for (size_t i = 1; i < cols.size(); ++i) groups += cols[i] > cols[i - 1] + 1;
  EXPECT_EQ(groups, 2) << "only the two bars are that tall";
}

// A line plot's SVG keeps its text as <text> in the same font, at the raster backend's size.
TEST(VizFont, SvgTextIsDejaVuSansToo) {
  ASSERT_TRUE(detail::vector_font());
  LinePlot p;
  p.title("Loss").xlabel("epoch").line("train", {1, 2, 3}, {3, 2, 1});
  const std::string svg = p.to_svg(320, 240);
  EXPECT_NE(svg.find("font-family=\"DejaVu Sans,"), std::string::npos);
  EXPECT_NE(svg.find("font-size=\"22\" fill=\"#000000\" text-anchor=\"middle\" xml:space=\"preserve\">Loss</text>"),
            std::string::npos)
      << svg;
  EXPECT_NE(svg.find(">epoch</text>"), std::string::npos);
  EXPECT_NE(svg.find(">train</text>"), std::string::npos);
}

TEST(VizFont, BitmapFontStaysAvailable) {
  ASSERT_TRUE(detail::set_vector_font(false));
  EXPECT_FALSE(detail::vector_font());
  EXPECT_EQ(measure_text("abc").width, 24);  // 8 px a glyph
  ASSERT_TRUE(detail::set_vector_font(true));
  EXPECT_NE(measure_text("abc").width, 24);
}

#else

TEST(VizFont, WithoutFreeTypeTheBitmapFontDraws) {
  EXPECT_FALSE(detail::vector_font());
  EXPECT_FALSE(detail::set_vector_font(true));
  EXPECT_EQ(measure_text("abc").width, 24);
}

#endif

}  // namespace
}  // namespace nabla::viz
