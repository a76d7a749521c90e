// Writing safetensors files (nabla/io/safetensors.h: save_safetensors, serialize_safetensors):
// every tensor checked before a byte is written, the header laid out as the reference
// implementation does (by dtype, descending in its order, then by name), the data little-endian.
#include <algorithm>
#include <bit>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "io/safetensors_format.h"
#include "kernels/elementwise.h"
#include "nabla/io/atomic_file.h"
#include "nabla/io/safetensors.h"

namespace nabla {

namespace {

using namespace safetensors_format;

struct Prepared {
  std::string header;                                     // length prefix + JSON + padding
  std::vector<std::pair<const Tensor*, uint64_t>> order;  // tensor, byte count
};

void check_utf8(const std::string& s, const char* what) {
  try {
    (void)nlohmann::json(s).dump();
  } catch (const nlohmann::json::type_error&) {
    throw ValueError(detail::concat("save_safetensors: ", what, " is not valid UTF-8"));
  }
}

Prepared prepare(const NamedTensors& tensors, const std::map<std::string, std::string>& metadata) {
  std::set<std::string_view> names;
  for (const auto& [name, t] : tensors) {
    NABLA_CHECK(t.defined(), ValueError, "save_safetensors: tensor '", name, "' is undefined");
    NABLA_CHECK(name != "__metadata__", ValueError,
                "save_safetensors: '__metadata__' is reserved for the metadata and cannot name a tensor");
    NABLA_CHECK(names.insert(name).second, ValueError, "save_safetensors: the name '", name,
                "' is used for two tensors");
    check_utf8(name, ("tensor name '" + name + "'").c_str());
  }
  for (const auto& [k, v] : metadata) {
    check_utf8(k, "a metadata key");
    check_utf8(v, ("the metadata value for '" + k + "'").c_str());
  }

  std::vector<const std::pair<std::string, Tensor>*> sorted;
  for (const auto& p : tensors) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
    const int da = static_cast<int>(st_dtype_for(a->second.dtype()));
    const int db = static_cast<int>(st_dtype_for(b->second.dtype()));
    if (da != db) return da > db;
    return a->first < b->first;
  });

  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (!metadata.empty()) {
    nlohmann::ordered_json m = nlohmann::ordered_json::object();
    for (const auto& [k, v] : metadata) m[k] = v;  // std::map: sorted keys
    j["__metadata__"] = std::move(m);
  }
  Prepared p;
  uint64_t offset = 0;
  for (const auto* entry : sorted) {
    const Tensor& t = entry->second;
    const uint64_t nbytes = static_cast<uint64_t>(t.numel()) * element_size(t.dtype());
    nlohmann::ordered_json info = nlohmann::ordered_json::object();
    info["dtype"] = info_of(st_dtype_for(t.dtype())).name;
    info["shape"] = t.shape().vec();
    info["data_offsets"] = {offset, offset + nbytes};
    j[entry->first] = std::move(info);
    offset += nbytes;
    p.order.emplace_back(&t, nbytes);
  }
  std::string json = j.dump();
  json.append((8 - json.size() % 8) % 8, ' ');
  p.header.resize(8);
  uint64_t n = json.size();
  for (int i = 0; i < 8; ++i) p.header[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  p.header += json;
  return p;
}

// Calls sink(ptr, nbytes) with the tensor's elements in row-major little-endian order.
template <class Sink>
void emit_tensor(const Tensor& t, Sink&& sink) {
  const size_t itemsize = element_size(t.dtype());
  const size_t n = static_cast<size_t>(t.numel());
  if (n == 0) return;
  if (t.is_contiguous() && std::endian::native == std::endian::little) {
    sink(t.raw_data(), n * itemsize);
    return;
  }
  // Gather a strided view in chunks so a huge view never needs a full second copy.
  constexpr size_t kChunk = 1 << 20;
  std::vector<unsigned char> buf;
  buf.reserve(std::min(n * itemsize, kChunk) + 64 * itemsize);
  const auto* base = static_cast<const unsigned char*>(t.raw_data());
  auto flush = [&] {
    if constexpr (std::endian::native == std::endian::big)
      byteswap_elements(buf.data(), buf.size() / itemsize, itemsize);
    sink(buf.data(), buf.size());
    buf.clear();
  };
  kernels::nd_loop<1>(t.shape(), {t.strides()}, [&](auto off, int64_t len, auto st) {
    for (int64_t i = 0; i < len; ++i) {
      const unsigned char* e = base + (off[0] + i * st[0]) * static_cast<int64_t>(itemsize);
      buf.insert(buf.end(), e, e + itemsize);
    }
    if (buf.size() >= kChunk) flush();
  });
  if (!buf.empty()) flush();
}

}  // namespace

std::string serialize_safetensors(const NamedTensors& tensors, const std::map<std::string, std::string>& metadata) {
  Prepared p = prepare(tensors, metadata);
  std::string out = std::move(p.header);
  for (const auto& [t, nbytes] : p.order)
    emit_tensor(*t, [&](const void* d, size_t n) { out.append(static_cast<const char*>(d), n); });
  return out;
}

void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
  // Everything that can be rejected is rejected before the destination's directory is touched.
  Prepared p = prepare(tensors, metadata);
  AtomicFileWriter out(path);
  out.write(p.header.data(), p.header.size());
  for (const auto& [t, nbytes] : p.order) emit_tensor(*t, [&](const void* d, size_t n) { out.write(d, n); });
  out.commit();
}

}  // namespace nabla
