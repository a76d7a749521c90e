// apps/serve/assets.h — the playground's web files, embedded at build time
// (apps/serve/embed_assets.cmake turns apps/serve/web/* into byte arrays).
//
//   for (const Asset& a : assets()) if (a.path == "/index.html") send(a.bytes, a.mime);
#pragma once
#include <string_view>
#include <vector>

namespace nabla::serve {

struct Asset {
  std::string_view path;  // "/index.html"
  std::string_view bytes;
  std::string_view mime;
};

const std::vector<Asset>& assets();

}  // namespace nabla::serve
