#include "nabla/viz/color.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "nabla/error.h"

namespace nabla::viz {

Color Color::hex(std::string_view text) {
  std::string_view s = text;
  if (!s.empty() && s.front() == '#') s.remove_prefix(1);
  NABLA_CHECK(s.size() == 6 || s.size() == 8, ValueError, "Color::hex: expected \"#RRGGBB\" or \"#RRGGBBAA\", got \"",
              text, "\"");
  auto nibble = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw ValueError(nabla::detail::concat("Color::hex: invalid hex digit '", c, "' in \"", text, "\""));
  };
  auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(nibble(s[i]) * 16 + nibble(s[i + 1])); };
  return {byte(0), byte(2), byte(4), s.size() == 8 ? byte(6) : std::uint8_t{255}};
}

std::string Color::to_hex() const {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", r, g, b);
  return buf;
}

Color mix(Color a, Color b, double t) {
  t = std::clamp(t, 0.0, 1.0);
  auto lerp = [t](std::uint8_t x, std::uint8_t y) { return static_cast<std::uint8_t>(std::lround(x + (y - x) * t)); };
  return {lerp(a.r, b.r), lerp(a.g, b.g), lerp(a.b, b.b), lerp(a.a, b.a)};
}

Color palette_color(std::size_t i) {
  // Okabe–Ito first, then twelve more (tab20-like), chosen so that no two of the 20 are closer
  // than ΔE 21 (CIE76): a deep net's per-layer gradient norms get distinguishable colours.
  static constexpr Color kPalette[kPaletteSize] = {
      colors::blue,        colors::vermillion,   colors::green,        colors::orange,     colors::purple,
      colors::sky_blue,    Color{0, 0, 0},       colors::yellow,       Color{40, 50, 140}, Color{174, 199, 232},
      Color{200, 30, 45},  Color{255, 152, 150}, Color{152, 223, 138}, Color{20, 90, 40},  Color{235, 160, 240},
      Color{110, 40, 140}, Color{140, 86, 75},   Color{127, 127, 127}, Color{128, 128, 0}, Color{23, 190, 207},
  };
  return kPalette[i % kPaletteSize];
}

}  // namespace nabla::viz
