// Checks that a picture the demos wrote is what its name says, read back independently of nabla's
// writers: PNG and GIF by their magic bytes and header dimensions, then fully decoded with libpng
// and giflib; SVG as well-formed XML with an <svg> root.
//
//   ImageInfo i = inspect_image("demo-x/cost.png");   // i.ok(), i.width, i.height, i.frames
#pragma once
#include <gif_lib.h>
#include <png.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace nabla::demo::testing {

struct ImageInfo {
  std::string format;  // "png", "gif", "svg"
  int width = 0, height = 0;
  int frames = 0;  // GIF: images in the file; PNG/SVG: 1
  size_t bytes = 0;
  std::string error;  // empty when the file is valid
  bool ok() const { return error.empty(); }
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline uint32_t be32(const std::string& b, size_t at) {
  return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) | (uint32_t(uint8_t(b[at + 2])) << 8) |
         uint32_t(uint8_t(b[at + 3]));
}
inline uint32_t le16(const std::string& b, size_t at) {
  return uint32_t(uint8_t(b[at])) | (uint32_t(uint8_t(b[at + 1])) << 8);
}

inline ImageInfo inspect_png(const std::string& path) {
  ImageInfo info{.format = "png"};
  const std::string b = slurp(path);
  info.bytes = b.size();
  static const char kMagic[] = "\x89PNG\r\n\x1a\n";
  if (b.size() < 33 || b.compare(0, 8, std::string(kMagic, 8)) != 0) return info.error = "no PNG signature", info;
  if (b.compare(12, 4, "IHDR") != 0) return info.error = "first chunk is not IHDR", info;
  info.width = int(be32(b, 16));
  info.height = int(be32(b, 20));
  if (b.compare(b.size() - 8, 4, "IEND") != 0) return info.error = "no IEND chunk at the end", info;
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, b.data(), b.size())) return info.error = image.message, info;
  image.format = PNG_FORMAT_RGBA;
  std::vector<uint8_t> pixels(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr)) return info.error = image.message, info;
  if (int(image.width) != info.width || int(image.height) != info.height) info.error = "IHDR and decoder disagree";
  info.frames = 1;
  return info;
}

inline ImageInfo inspect_gif(const std::string& path) {
  ImageInfo info{.format = "gif"};
  const std::string b = slurp(path);
  info.bytes = b.size();
  if (b.size() < 14 || (b.compare(0, 6, "GIF89a") != 0 && b.compare(0, 6, "GIF87a") != 0))
    return info.error = "no GIF signature", info;
  info.width = int(le16(b, 6));
  info.height = int(le16(b, 8));
  if (uint8_t(b.back()) != 0x3B) return info.error = "no GIF trailer", info;
  int err = 0;
  GifFileType* gif = DGifOpenFileName(path.c_str(), &err);
  if (!gif) return info.error = "giflib cannot open it", info;
  if (DGifSlurp(gif) != GIF_OK) {
    DGifCloseFile(gif, &err);
    return info.error = "giflib cannot decode it", info;
  }
  info.frames = gif->ImageCount;
  if (gif->SWidth != info.width || gif->SHeight != info.height) info.error = "header and decoder disagree";
  DGifCloseFile(gif, &err);
  return info;
}

// Well-formed XML: every element closed in order; comments, <?...?>, <!DOCTYPE>, CDATA skipped.
inline bool well_formed_xml(const std::string& xml, std::string& why) {
  std::vector<std::string> open;
  size_t i = 0;
  auto skip_to = [&](const char* end) {
    const size_t at = xml.find(end, i);
    if (at == std::string::npos) return false;
    i = at + std::strlen(end);
    return true;
  };
  while ((i = xml.find('<', i)) != std::string::npos) {
    if (xml.compare(i, 4, "<!--") == 0) {
      if (!skip_to("-->")) return why = "unterminated comment", false;
      continue;
    }
    if (xml.compare(i, 9, "<![CDATA[") == 0) {
      if (!skip_to("]]>")) return why = "unterminated CDATA", false;
      continue;
    }
    if (xml.compare(i, 2, "<?") == 0) {
      if (!skip_to("?>")) return why = "unterminated processing instruction", false;
      continue;
    }
    if (xml.compare(i, 2, "<!") == 0) {
      if (!skip_to(">")) return why = "unterminated declaration", false;
      continue;
    }
    size_t j = i + 1;
    char quote = 0;
    for (; j < xml.size(); ++j) {
      if (quote) {
        if (xml[j] == quote) quote = 0;
      } else if (xml[j] == '"' || xml[j] == '\'') {
        quote = xml[j];
      } else if (xml[j] == '>') {
        break;
      }
    }
    if (j >= xml.size()) return why = "unterminated tag at byte " + std::to_string(i), false;
    const std::string tag = xml.substr(i + 1, j - i - 1);
    i = j + 1;
    if (tag.empty()) return why = "empty tag", false;
    if (tag[0] == '/') {
      const std::string name = tag.substr(1, tag.find_first_of(" \t\r\n", 1) - 1);
      if (open.empty() || open.back() != name)
        return why = "</" + name + "> closes <" + (open.empty() ? "" : open.back()) + ">", false;
      open.pop_back();
    } else if (tag.back() != '/') {
      open.push_back(tag.substr(0, tag.find_first_of(" \t\r\n")));
    }
  }
  if (!open.empty()) return why = "<" + open.back() + "> is never closed", false;
  return true;
}

inline ImageInfo inspect_svg(const std::string& path) {
  ImageInfo info{.format = "svg"};
  const std::string text = slurp(path);
  info.bytes = text.size();
  const size_t root = text.find("<svg");
  if (root == std::string::npos) return info.error = "no <svg> element", info;
  if (text.find("</svg>") == std::string::npos) return info.error = "<svg> is never closed", info;
  std::string why;
  if (!well_formed_xml(text, why)) return info.error = why, info;
  // width="123pt" / width="123": the number at the start.
  auto attribute = [&](const char* name) {
    const size_t at = text.find(std::string(" ") + name + "=\"", root);
    return at == std::string::npos ? 0 : std::atoi(text.c_str() + at + std::strlen(name) + 3);
  };
  info.width = attribute("width");
  info.height = attribute("height");
  info.frames = 1;
  return info;
}

inline ImageInfo inspect_image(const std::string& path) {
  const std::string ext = path.substr(path.rfind('.') + 1);
  if (ext == "png") return inspect_png(path);
  if (ext == "gif") return inspect_gif(path);
  if (ext == "svg") return inspect_svg(path);
  return ImageInfo{.error = "not a picture: " + path};
}

}  // namespace nabla::demo::testing
