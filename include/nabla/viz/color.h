// nabla/viz/color.h — RGBA8 colours and the colour-blind-safe palette plots draw series with.
//
// Plots pick series colours from the Okabe–Ito palette, which stays distinguishable for the
// common forms of colour blindness and in greyscale print-outs of course notes.
//
//   nabla::viz::Color c = nabla::viz::Color::hex("#0072B2");
//   nabla::viz::Color faded = c.with_alpha(128);
//   nabla::viz::Color second_series = nabla::viz::palette_color(1);  // vermillion
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace nabla::viz {

// Straight (not premultiplied) 8-bit RGBA; a = 255 is opaque.
struct Color {
  std::uint8_t r = 0, g = 0, b = 0, a = 255;

  constexpr Color() = default;
  constexpr Color(std::uint8_t r_, std::uint8_t g_, std::uint8_t b_, std::uint8_t a_ = 255)
      : r(r_), g(g_), b(b_), a(a_) {}

  // Parses "#RRGGBB" or "#RRGGBBAA" (the '#' is optional); throws nabla::ValueError otherwise.
  static Color hex(std::string_view text);
  // "#rrggbb" (alpha is dropped; SVG writes it separately as an opacity).
  std::string to_hex() const;

  constexpr Color with_alpha(std::uint8_t alpha) const { return {r, g, b, alpha}; }
  friend constexpr bool operator==(const Color&, const Color&) = default;
};

// Linear blend in sRGB space: t = 0 gives a, t = 1 gives b.
Color mix(Color a, Color b, double t);

namespace colors {
inline constexpr Color white{255, 255, 255};
inline constexpr Color black{0, 0, 0};
inline constexpr Color transparent{0, 0, 0, 0};
inline constexpr Color text{38, 38, 38};     // near-black, softer than pure black on white
inline constexpr Color axis{64, 64, 64};     // spines and ticks
inline constexpr Color grid{224, 224, 224};  // grid lines sit behind the data
inline constexpr Color light_grey{204, 204, 204};
inline constexpr Color grey{128, 128, 128};
// Okabe–Ito, in the order plots use them.
inline constexpr Color blue{0, 114, 178};
inline constexpr Color vermillion{213, 94, 0};
inline constexpr Color green{0, 158, 115};
inline constexpr Color orange{230, 159, 0};
inline constexpr Color purple{204, 121, 167};
inline constexpr Color sky_blue{86, 180, 233};
inline constexpr Color yellow{240, 228, 66};
}  // namespace colors

// The i-th colour of the series palette: Okabe–Ito's 8, then 12 tab20-like colours (20 in all,
// cycling), so that 20 series stay distinguishable.
Color palette_color(std::size_t i);
inline constexpr std::size_t kPaletteSize = 20;

}  // namespace nabla::viz
