#include "nabla/viz/svg.h"

#include <gtest/gtest.h>

#include "nabla/error.h"
#include "nabla/viz/canvas.h"
#include "nabla/viz/plot.h"
#include "viz/font.h"
#include "viz_test_util.h"

namespace nabla::viz {
namespace {

// True when every element is closed in order (a small XML well-formedness check: tags balance,
// attribute values are quoted, no raw '<' or '&' in text).
bool balanced_tags(const std::string& xml, std::string* why = nullptr) {
  std::vector<std::string> stack;
  std::size_t i = 0;
  auto fail = [&](const std::string& m) {
    if (why) *why = m + " at offset " + std::to_string(i);
    return false;
  };
  while (i < xml.size()) {
    if (xml[i] == '&') {
      const std::size_t semi = xml.find(';', i);
      if (semi == std::string::npos || semi - i > 6) return fail("bare '&'");
      i = semi + 1;
      continue;
    }
    if (xml[i] != '<') {
      ++i;
      continue;
    }
    if (xml.compare(i, 2, "<?") == 0) {
      i = xml.find("?>", i);
      if (i == std::string::npos) return fail("unterminated <?");
      i += 2;
      continue;
    }
    std::size_t j = i + 1;
    char quote = 0;
    for (; j < xml.size(); ++j) {
      if (quote) {
        if (xml[j] == quote)
          quote = 0;
        else if (xml[j] == '<')
          return fail("'<' inside an attribute");
      } else if (xml[j] == '"' || xml[j] == '\'') {
        quote = xml[j];
      } else if (xml[j] == '>') {
        break;
      }
    }
    if (j >= xml.size()) return fail("unterminated tag");
    std::string tag = xml.substr(i + 1, j - i - 1);
    i = j + 1;
    if (tag.empty()) return fail("empty tag");
    if (tag.back() == '/') continue;
    if (tag[0] == '/') {
      const std::string name = tag.substr(1);
      if (stack.empty() || stack.back() != name) return fail("mismatched </" + name + ">");
      stack.pop_back();
      continue;
    }
    stack.push_back(tag.substr(0, tag.find_first_of(" \t\n")));
  }
  if (!stack.empty()) return fail("unclosed <" + stack.back() + ">");
  return true;
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

TEST(VizSvg, PrimitivesBecomeElements) {
  SvgSurface svg(200, 100);
  const Point pts[3] = {{0, 0}, {10, 10}, {20, 0}};
  svg.polyline(pts, Stroke::dashed(colors::blue, 2));
  svg.circle({50, 50}, 5, colors::vermillion, Stroke::none());
  svg.fill_rect({1, 2, 3, 4}, Color{0, 0, 0, 128});
  svg.text({100, 10}, "a < b & \"c\"", {.halign = HAlign::Center});
  svg.text({10, 50}, "eje", {.vertical = true});
  const std::string doc = svg.str();
  std::string why;
  EXPECT_TRUE(balanced_tags(doc, &why)) << why;
  EXPECT_EQ(count(doc, "<polyline"), 1u);
  EXPECT_NE(doc.find("stroke-dasharray"), std::string::npos);
  EXPECT_NE(doc.find("<circle"), std::string::npos);
  EXPECT_NE(doc.find("fill-opacity=\"0.5\""), std::string::npos);
  EXPECT_NE(doc.find("a &lt; b &amp; &quot;c&quot;"), std::string::npos);
  EXPECT_NE(doc.find("text-anchor=\"middle\""), std::string::npos);
  EXPECT_NE(doc.find("rotate(-90 10 50)"), std::string::npos);
  EXPECT_NE(doc.find("width=\"200\" height=\"100\""), std::string::npos);
}

TEST(VizSvg, ClipGroupsAreClosed) {
  SvgSurface svg(50, 50);
  svg.push_clip({0, 0, 10, 10});
  svg.push_clip({0, 0, 5, 5});
  svg.fill_rect({0, 0, 50, 50}, colors::black);
  svg.pop_clip();
  std::string why;
  EXPECT_TRUE(balanced_tags(svg.str(), &why)) << why;  // str() closes the one still open
  EXPECT_EQ(count(svg.str(), "<clipPath"), 2u);
}

TEST(VizSvg, ImagesAreEmbeddedAsPng) {
  SvgSurface svg(20, 20);
  svg.image(Canvas(4, 4, colors::blue), {0, 0, 20, 20});
  EXPECT_NE(svg.str().find("href=\"data:image/png;base64,iVBORw0KGgo"), std::string::npos);
}

TEST(VizSvg, LinePlotIsWellFormedWithSeriesAndTitle) {
  LinePlot p;
  p.title("Pérdida <entrenamiento>").xlabel("época").ylabel("C(W)");
  p.line("train", {0, 1, 2, 3}, {3, 2, 1.5, 1.2});
  p.line("test", {0, 1, 2, 3}, {3.1, 2.4, 2.0, 1.9}, {.line = LineStyle::Dashed});
  p.annotate({"C′(W) = 0.5", "C″(W) = 2"}, 0.05, 0.95);
  const std::string doc = p.to_svg(640, 480);
  std::string why;
  EXPECT_TRUE(balanced_tags(doc, &why)) << why;
  EXPECT_GE(count(doc, "<polyline"), 2u);
  EXPECT_NE(doc.find(">Pérdida &lt;entrenamiento&gt;</text>"), std::string::npos);
  EXPECT_NE(doc.find(">época</text>"), std::string::npos);
  EXPECT_NE(doc.find(">train</text>"), std::string::npos);
  EXPECT_NE(doc.find(">C′(W) = 0.5</text>"), std::string::npos);
  // the title at 2x: the raster backend's font size
  const int em = detail::vector_font() ? detail::kVectorPixelsPerScale : detail::kGlyphHeight;
  EXPECT_NE(doc.find("font-size=\"" + std::to_string(2 * em) + "\""), std::string::npos);
}

TEST(VizSvg, SaveWritesAtomically) {
  testing::TempDir dir;
  LinePlot p;
  p.line("a", {1, 2, 3});
  p.save_svg(dir.file("p.svg"));
  const std::string text = testing::read_text(dir.file("p.svg"));
  EXPECT_EQ(text.rfind("<?xml", 0), 0u);
  EXPECT_NE(text.find("</svg>"), std::string::npos);
  EXPECT_THROW(p.save_svg(dir.file("missing/p.svg")), IOError);
  EXPECT_EQ(dir.files(), std::vector<std::string>{"p.svg"});
}

}  // namespace
}  // namespace nabla::viz
