#include "nabla/viz/canvas.h"

#include <gtest/gtest.h>

#include "nabla/error.h"
#include "viz/font.h"
#include "viz_test_util.h"

namespace nabla::viz {
namespace {

using testing::color_diff;

int count_ink(const Canvas& c, int x0, int y0, int x1, int y1) {
  int n = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) n += c.pixel(x, y) != colors::white;
  return n;
}

TEST(VizCanvas, StartsWithBackground) {
  Canvas c(30, 20);
  EXPECT_EQ(c.width(), 30);
  EXPECT_EQ(c.height(), 20);
  EXPECT_EQ(c.pixel(0, 0), colors::white);
  EXPECT_EQ(c.pixel(29, 19), colors::white);
  Canvas t(4, 4, colors::transparent);
  EXPECT_EQ(t.pixel(2, 2).a, 0);
}

TEST(VizCanvas, RejectsBadSizeAndOutOfRangePixels) {
  EXPECT_THROW(Canvas(0, 10), ValueError);
  Canvas c(5, 5);
  EXPECT_THROW(c.pixel(5, 0), ValueError);
  EXPECT_THROW(c.set_pixel(-1, 0, colors::black), ValueError);
}

TEST(VizCanvas, HorizontalLineOnPixelCentreIsCrisp) {
  Canvas c(40, 20);
  c.line({5, 10.5}, {35, 10.5}, Stroke::solid(colors::black, 1));
  EXPECT_EQ(c.pixel(20, 10), colors::black);
  EXPECT_EQ(c.pixel(20, 9), colors::white);
  EXPECT_EQ(c.pixel(20, 11), colors::white);
  EXPECT_EQ(c.pixel(2, 10), colors::white);  // before the start (cap is round, 0.5 px)
}

TEST(VizCanvas, ThickLineCoversItsWidth) {
  Canvas c(40, 40);
  c.line({5, 20}, {35, 20}, Stroke::solid(colors::blue, 4));  // covers y in [18, 22]
  for (int y = 18; y < 22; ++y) EXPECT_EQ(c.pixel(20, y), colors::blue) << "y=" << y;
  EXPECT_EQ(c.pixel(20, 16), colors::white);
  EXPECT_EQ(c.pixel(20, 23), colors::white);
}

TEST(VizCanvas, DiagonalLineIsAntiAliased) {
  Canvas c(50, 50);
  c.line({5, 5}, {45, 30}, Stroke::solid(colors::black, 1.5));
  int partial = 0;
  for (int y = 0; y < 50; ++y)
    for (int x = 0; x < 50; ++x) {
      const Color p = c.pixel(x, y);
      if (p.r > 0 && p.r < 255) ++partial;
    }
  EXPECT_GT(partial, 20);
}

TEST(VizCanvas, DashedLineHasGaps) {
  Canvas c(200, 10);
  c.line({0, 5}, {200, 5}, Stroke::dashed(colors::black, 2));  // 7.4 on, 3.2 off
  int runs = 0;
  bool inside = false;
  for (int x = 0; x < 200; ++x) {
    const bool ink = c.pixel(x, 5).r < 128;
    if (ink && !inside) ++runs;
    inside = ink;
  }
  EXPECT_GE(runs, 15);
  EXPECT_LE(runs, 21);
}

TEST(VizCanvas, PolylineJointsAreNotDoubleBlended) {
  // Half-transparent: a joint blended twice would come out darker than the rest of the line.
  Canvas c(60, 60);
  const Point pts[3] = {{10.5, 30.5}, {30.5, 30.5}, {50.5, 30.5}};
  c.polyline(pts, Stroke::solid(Color{0, 0, 0, 128}, 3));
  EXPECT_EQ(c.pixel(30, 30), c.pixel(20, 30));
}

TEST(VizCanvas, FilledRectAndOutline) {
  Canvas c(30, 30);
  c.fill_rect({10, 10, 10, 10}, colors::vermillion);
  EXPECT_EQ(c.pixel(10, 10), colors::vermillion);
  EXPECT_EQ(c.pixel(19, 19), colors::vermillion);
  EXPECT_EQ(c.pixel(9, 10), colors::white);
  EXPECT_EQ(c.pixel(20, 10), colors::white);
  Canvas d(30, 30);
  d.stroke_rect({5.5, 5.5, 20, 20}, Stroke::solid(colors::black, 1));
  EXPECT_EQ(d.pixel(5, 15), colors::black);
  EXPECT_EQ(d.pixel(15, 25), colors::black);
  EXPECT_EQ(d.pixel(15, 15), colors::white);
}

TEST(VizCanvas, MarkersHaveInkAtTheirCentre) {
  for (Marker m : {Marker::Circle, Marker::Square, Marker::Triangle, Marker::Diamond, Marker::Cross, Marker::Plus}) {
    Canvas c(20, 20);
    c.marker({10, 10}, m, 10, colors::green);
    EXPECT_LT(color_diff(c.pixel(10, 10), colors::green), 60) << static_cast<int>(m);
    EXPECT_EQ(c.pixel(0, 0), colors::white);
  }
  Canvas hollow(20, 20);
  hollow.marker({10, 10}, Marker::Circle, 12, colors::white, Stroke::solid(colors::blue, 2));
  EXPECT_EQ(hollow.pixel(10, 10), colors::white);
  EXPECT_EQ(hollow.pixel(10, 4), colors::blue);  // on the ring, radius 6
}

TEST(VizCanvas, ClipLimitsDrawing) {
  Canvas c(40, 40);
  c.push_clip({10, 10, 20, 20});
  c.fill_rect({0, 0, 40, 40}, colors::black);
  c.pop_clip();
  EXPECT_EQ(c.pixel(15, 15), colors::black);
  EXPECT_EQ(c.pixel(5, 5), colors::white);
  EXPECT_EQ(c.pixel(30, 30), colors::white);
  EXPECT_THROW(c.pop_clip(), ValueError);
}

// The bitmap font for one test (the vector font is the default where FreeType is).
struct BitmapFont {
  bool was = detail::vector_font();
  BitmapFont() { detail::set_vector_font(false); }
  ~BitmapFont() { detail::set_vector_font(was); }
};

TEST(VizCanvas, TextWithSpanishAccentsProducesInk) {
  BitmapFont bitmap;
  const std::string text = "¿Qué tal? Año, pingüino, ÁÉÍÓÚ ¡sí!";
  Canvas c(400, 20);
  c.text({2, 2}, text, {.color = colors::black});
  const TextSize sz = measure_text(text);
  EXPECT_EQ(sz.width, 8 * 35);  // 35 code points, not 43 bytes
  EXPECT_EQ(sz.height, 13);
  EXPECT_GT(count_ink(c, 0, 0, 400, 20), 150);
  // Each accented letter differs from its plain twin (the accent is drawn, not dropped).
  for (const char* pair : {"n\xC3\xB1", "e\xC3\xA9", "u\xC3\xBC", "E\xC3\x89", "?\xC2\xBF", "!\xC2\xA1"}) {
    const std::u32string cps = detail::decode_utf8(pair);
    ASSERT_EQ(cps.size(), 2u) << pair;
    EXPECT_NE(0, std::memcmp(detail::glyph_rows(cps[0]), detail::glyph_rows(cps[1]), 13)) << pair;
  }
}

TEST(VizCanvas, MathSymbolsHaveGlyphs) {
  const std::u32string cps = detail::decode_utf8("′″σδη∂∇·≈²");
  ASSERT_EQ(cps.size(), 10u);
  const std::uint8_t* missing = detail::glyph_rows(0xFFFD);
  for (char32_t cp : cps) EXPECT_NE(detail::glyph_rows(cp), missing) << std::hex << static_cast<int>(cp);
}

TEST(VizCanvas, DecomposedAccentsAreComposed) {
  // "n" + COMBINING TILDE, "e" + COMBINING ACUTE
  EXPECT_EQ(detail::decode_utf8("n\xCC\x83"
                                "e\xCC\x81"),
            std::u32string({0xF1, 0xE9}));
  EXPECT_EQ(detail::decode_utf8("\xFF"
                                "a"),
            std::u32string({0xFFFD, 'a'}));
}

TEST(VizCanvas, TitleScaleDoublesSize) {
  BitmapFont bitmap;
  EXPECT_EQ(measure_text("abc", 2).width, 48);
  EXPECT_EQ(measure_text("abc", 2).height, 26);
  Canvas c(100, 40);
  c.text({0, 0}, "Hola", {.scale = 2});
  EXPECT_GT(count_ink(c, 0, 0, 64, 26), 2 * count_ink(
                                                [] {
                                                  Canvas s(100, 40);
                                                  s.text({0, 0}, "Hola", {});
                                                  return s;
                                                }(),
                                                0, 0, 32, 13));
}

TEST(VizCanvas, VerticalTextIsRotated) {
  Canvas c(60, 120);
  c.text({30, 60}, "pérdida", {.halign = HAlign::Center, .valign = VAlign::Middle, .vertical = true});
  int x0 = 60, x1 = 0, y0 = 120, y1 = 0;
  for (int y = 0; y < 120; ++y)
    for (int x = 0; x < 60; ++x)
      if (c.pixel(x, y) != colors::white)
        x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
  EXPECT_GT(y1 - y0, 35);  // 7 letters run up the page (about 40 px in either font)
  EXPECT_LT(x1 - x0, 14);
  EXPECT_NEAR((y0 + y1) / 2.0, 60, 6);
}

TEST(VizCanvas, ImageIsCopiedAtOneToOne) {
  Canvas src(4, 4, colors::blue);
  src.set_pixel(1, 2, colors::vermillion);
  Canvas c(10, 10);
  c.image(src, {3, 3, 4, 4});
  EXPECT_EQ(c.pixel(3, 3), colors::blue);
  EXPECT_EQ(c.pixel(4, 5), colors::vermillion);
  EXPECT_EQ(c.pixel(2, 2), colors::white);
  EXPECT_EQ(c.pixel(7, 7), colors::white);
}

TEST(VizCanvas, ColorHexRoundTrip) {
  EXPECT_EQ(Color::hex("#0072B2"), colors::blue);
  EXPECT_EQ(Color::hex("ff000080"), (Color{255, 0, 0, 128}));
  EXPECT_EQ(colors::vermillion.to_hex(), "#d55e00");
  EXPECT_THROW(Color::hex("#12"), ValueError);
  EXPECT_THROW(Color::hex("#12345g"), ValueError);
  EXPECT_EQ(palette_color(0), colors::blue);
  EXPECT_EQ(palette_color(kPaletteSize), colors::blue);
}

}  // namespace
}  // namespace nabla::viz
