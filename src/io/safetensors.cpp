#include "nabla/io/safetensors.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "io/safetensors_format.h"
#include "kernels/elementwise.h"
#include "nabla/io/atomic_file.h"

namespace nabla {

// ---- SafetensorsFile ----

bool SafetensorsFile::contains(std::string_view name) const {
  return std::any_of(tensors.begin(), tensors.end(), [&](const auto& p) { return p.first == name; });
}

const Tensor& SafetensorsFile::at(std::string_view name) const {
  for (const auto& [n, t] : tensors)
    if (n == name) return t;
  std::string available;
  for (const auto& [n, t] : tensors) available += (available.empty() ? "'" : ", '") + n + "'";
  throw ValueError(detail::concat("safetensors: no tensor named '", name, "' (the file has ",
                                  available.empty() ? std::string("no tensors") : available, ")"));
}

std::vector<std::string> SafetensorsFile::names() const {
  std::vector<std::string> out;
  for (const auto& [n, t] : tensors) out.push_back(n);
  return out;
}

namespace {

using namespace safetensors_format;

// The nabla dtype a file dtype is read into (see the table in the header).
DType nabla_dtype_for(StDType t) {
  switch (t) {
    case StDType::F32:
    case StDType::F16:
    case StDType::BF16:
      return DType::float32;
    case StDType::F64:
      return DType::float64;
    case StDType::BOOL:
      return DType::boolean;
    case StDType::I32:
      return DType::int32;
    default:
      return DType::int64;
  }
}

// ---- little-endian helpers ----

template <class T>
T load_le(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  if constexpr (std::endian::native == std::endian::big && sizeof(T) > 1) {
    unsigned char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    std::reverse(b, b + sizeof(T));
    std::memcpy(&v, b, sizeof(T));
  }
  return v;
}

// IEEE binary16 -> binary32, exact for every input (subnormals, inf, NaN payloads).
float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  } else if (mant == 0) {
    bits = sign;
  } else {  // subnormal half: normalise into a float
    exp = 113;
    while (!(mant & 0x400u)) {
      mant <<= 1;
      --exp;
    }
    bits = sign | (exp << 23) | ((mant & 0x3ffu) << 13);
  }
  return std::bit_cast<float>(bits);
}

float bf16_to_float(uint16_t b) { return std::bit_cast<float>(uint32_t(b) << 16); }

// ---- where the bytes come from ----

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  virtual void read(uint64_t offset, void* dst, size_t n) const = 0;
};

class FileSource : public ByteSource {
 public:
  explicit FileSource(const std::filesystem::path& path) : path_(path.string()) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      const int err = errno;
      throw IOError(detail::concat("cannot open safetensors file '", path_, "': ", std::strerror(err)));
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd_);
      throw IOError(detail::concat("cannot read safetensors file '", path_, "': not a regular file"));
    }
    size_ = static_cast<uint64_t>(st.st_size);
  }
  ~FileSource() override { ::close(fd_); }
  uint64_t size() const override { return size_; }
  void read(uint64_t offset, void* dst, size_t n) const override {
    auto* p = static_cast<char*>(dst);
    while (n > 0) {
      const ssize_t got = ::pread(fd_, p, n, static_cast<off_t>(offset));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        const int err = got < 0 ? errno : 0;
        throw IOError(detail::concat("cannot read safetensors file '", path_, "' at byte ", offset, ": ",
                                     err ? std::strerror(err) : "unexpected end of file (did it shrink?)"));
      }
      p += got;
      n -= static_cast<size_t>(got);
      offset += static_cast<uint64_t>(got);
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

class MemorySource : public ByteSource {
 public:
  explicit MemorySource(std::string_view bytes) : bytes_(bytes) {}
  uint64_t size() const override { return bytes_.size(); }
  void read(uint64_t offset, void* dst, size_t n) const override { std::memcpy(dst, bytes_.data() + offset, n); }

 private:
  std::string_view bytes_;
};

// ---- reading ----

struct Entry {
  std::string name;
  StDType dtype;
  Shape shape;
  uint64_t begin = 0, end = 0;
};

[[noreturn]] void header_error(const std::string& source, const std::string& msg, int column = 0) {
  throw ParseError(detail::concat(source, ": invalid safetensors header: ", msg), source, column ? 1 : 0, column);
}

std::string tensor_label(const std::string& name) { return "tensor '" + name + "'"; }

uint64_t parse_offset(const nlohmann::json& v, const std::string& source, const std::string& name) {
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0)) {
    header_error(source, detail::concat(tensor_label(name),
                                        ": data_offsets entries must be non-negative integers, got ", v.dump()));
  }
  return v.get<uint64_t>();
}

Entry parse_entry(const std::string& name, const nlohmann::json& v, const std::string& source) {
  const std::string who = tensor_label(name);
  if (!v.is_object())
    header_error(source,
                 detail::concat(who, ": expected an object with dtype, shape and data_offsets, got ", v.dump()));
  for (const auto& [key, value] : v.items()) {
    if (key != "dtype" && key != "shape" && key != "data_offsets")
      header_error(source, detail::concat(who, ": unknown field '", key, "' (expected dtype, shape, data_offsets)"));
  }
  for (const char* field : {"dtype", "shape", "data_offsets"})
    if (!v.contains(field)) header_error(source, detail::concat(who, ": missing field '", field, "'"));

  Entry e;
  e.name = name;
  const auto& dt = v.at("dtype");
  if (!dt.is_string()) header_error(source, detail::concat(who, ": dtype must be a string, got ", dt.dump()));
  const std::string dts = dt.get<std::string>();
  auto it = std::find_if(std::begin(kStDTypes), std::end(kStDTypes), [&](const auto& d) { return dts == d.name; });
  if (it == std::end(kStDTypes)) header_error(source, detail::concat(who, ": unknown dtype '", dts, "'"));
  if (it->code == StDType::F8_E4M3 || it->code == StDType::F8_E5M2)
    header_error(source, detail::concat(who, ": dtype ", dts, " is not supported by nabla"));
  e.dtype = it->code;

  const auto& sh = v.at("shape");
  if (!sh.is_array()) header_error(source, detail::concat(who, ": shape must be an array, got ", sh.dump()));
  if (sh.size() > static_cast<size_t>(kMaxDims))
    header_error(source, detail::concat(who, ": shape ", sh.dump(), " has ", sh.size(),
                                        " dimensions; nabla tensors have at most ", kMaxDims));
  uint64_t numel = 1;
  for (const auto& d : sh) {
    if (d.is_number_integer() && !d.is_number_unsigned() && d.get<int64_t>() < 0)
      header_error(source, detail::concat(who, ": shape ", sh.dump(), " has a negative dimension"));
    if (!d.is_number_unsigned() && !d.is_number_integer())
      header_error(source, detail::concat(who, ": shape ", sh.dump(), " must hold non-negative integers"));
    const uint64_t n = d.get<uint64_t>();
    if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) || __builtin_mul_overflow(numel, n, &numel) ||
        numel > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      header_error(source, detail::concat(who, ": shape ", sh.dump(), " has too many elements"));
    e.shape.push_back(static_cast<int64_t>(n));
  }

  const auto& off = v.at("data_offsets");
  if (!off.is_array() || off.size() != 2)
    header_error(source, detail::concat(who, ": data_offsets must be [begin, end], got ", off.dump()));
  e.begin = parse_offset(off[0], source, name);
  e.end = parse_offset(off[1], source, name);
  if (e.end < e.begin)
    header_error(source, detail::concat(who, ": data_offsets [", e.begin, ", ", e.end, "] end before they begin"));
  uint64_t nbytes = 0;
  if (__builtin_mul_overflow(numel, static_cast<uint64_t>(info_of(e.dtype).itemsize), &nbytes))
    header_error(source, detail::concat(who, ": shape ", sh.dump(), " has too many elements"));
  if (e.end - e.begin != nbytes)
    header_error(source, detail::concat(who, ": data_offsets [", e.begin, ", ", e.end, "] span ", e.end - e.begin,
                                        " bytes, but shape ", sh.dump(), " of ", dts, " needs ", numel, " * ",
                                        info_of(e.dtype).itemsize, " = ", nbytes));
  return e;
}

// Reads one tensor's bytes into a new nabla tensor, converting the dtype where needed.
Tensor read_tensor(const Entry& e, const ByteSource& src, uint64_t data_start, const std::string& source) {
  const DType dt = nabla_dtype_for(e.dtype);
  Tensor t = Tensor::empty(e.shape, dt);
  const size_t n = static_cast<size_t>(e.shape.numel());
  const size_t itemsize = info_of(e.dtype).itemsize;
  const uint64_t at = data_start + e.begin;
  if (n == 0) return t;
  if (st_dtype_for(dt) == e.dtype) {  // stored as nabla stores it: read in place
    src.read(at, t.raw_data(), n * itemsize);
    if constexpr (std::endian::native == std::endian::big) byteswap_elements(t.raw_data(), n, itemsize);
    if (dt == DType::boolean) {
      const auto* b = static_cast<const unsigned char*>(t.raw_data());
      for (size_t i = 0; i < n; ++i)
        if (b[i] > 1)
          throw ParseError(detail::concat(source, ": ", tensor_label(e.name), ": BOOL element ", i, " is byte ",
                                          int(b[i]), ", expected 0 or 1"),
                           source);
    }
    return t;
  }
  std::vector<unsigned char> buf(n * itemsize);
  src.read(at, buf.data(), buf.size());
  const unsigned char* p = buf.data();
  if (dt == DType::float32) {
    float* out = t.data<float>();
    for (size_t i = 0; i < n; ++i) {
      const uint16_t h = load_le<uint16_t>(p + 2 * i);
      out[i] = e.dtype == StDType::F16 ? half_to_float(h) : bf16_to_float(h);
    }
    return t;
  }
  int64_t* out = t.data<int64_t>();
  for (size_t i = 0; i < n; ++i) {
    const unsigned char* q = p + i * itemsize;
    switch (e.dtype) {
      case StDType::U8:
        out[i] = q[0];
        break;
      case StDType::I8:
        out[i] = static_cast<int8_t>(q[0]);
        break;
      case StDType::I16:
        out[i] = load_le<int16_t>(q);
        break;
      case StDType::U16:
        out[i] = load_le<uint16_t>(q);
        break;
      case StDType::U32:
        out[i] = load_le<uint32_t>(q);
        break;
      case StDType::U64: {
        const uint64_t v = load_le<uint64_t>(q);
        if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
          throw ParseError(detail::concat(source, ": ", tensor_label(e.name), ": U64 element ", i, " = ", v,
                                          " does not fit in int64"),
                           source);
        out[i] = static_cast<int64_t>(v);
        break;
      }
      default:
        throw ParseError(detail::concat(source, ": ", tensor_label(e.name), ": cannot convert dtype"), source);
    }
  }
  return t;
}

// The header, checked against the file's size; no tensor data is read.
struct Header {
  std::vector<Entry> entries;  // in data order
  std::map<std::string, std::string> metadata;
  uint64_t data_start = 0;
};

Header read_header(const ByteSource& src, const std::string& source) {
  const uint64_t total = src.size();
  if (total < 8)
    throw IOError(detail::concat(source, ": not a safetensors file: it is ", total,
                                 " bytes long, shorter than the 8-byte header length"));
  unsigned char len_bytes[8];
  src.read(0, len_bytes, 8);
  const uint64_t header_len = load_le<uint64_t>(len_bytes);
  if (header_len > kSafetensorsMaxHeaderBytes)
    throw IOError(detail::concat(source, ": safetensors header length ", header_len, " exceeds the ",
                                 kSafetensorsMaxHeaderBytes, "-byte limit (corrupt or not a safetensors file)"));
  if (header_len > total - 8)
    throw IOError(detail::concat(source, ": safetensors header length ", header_len, " exceeds the file (", total,
                                 " bytes, so at most ", total - 8, " bytes of header)"));
  std::string header(header_len, '\0');
  src.read(8, header.data(), header_len);

  // nlohmann keeps the last of duplicated keys silently; the callback sees every key, so keep
  // one set of seen keys per open object and remember the first repeat.
  std::vector<std::set<std::string>> seen;
  std::string duplicate, duplicate_parent, current_top;
  int duplicate_depth = 0;
  auto on_event = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (event == E::object_start) {
      seen.emplace_back();
    } else if (event == E::object_end && !seen.empty()) {
      seen.pop_back();
    } else if (event == E::key && !seen.empty()) {
      const std::string key = parsed.get<std::string>();
      if (depth == 1) current_top = key;
      if (duplicate.empty() && !seen.back().insert(key).second) {
        duplicate = key;
        duplicate_depth = depth;
        duplicate_parent = current_top;
      }
    }
    return true;
  };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(header.begin(), header.end(), on_event);
  } catch (const nlohmann::json::parse_error& e) {
    // The header is one line in practice; report the byte column within it.
    header_error(source, detail::concat("not valid JSON (", e.what(), ")"),
                 static_cast<int>(std::min<size_t>(e.byte, INT32_MAX)));
  } catch (const nlohmann::json::exception& e) {
    // Found by fuzzing (tests/regression/safetensors/): a number such as 1e400 throws
    // out_of_range, not parse_error, and escaped the loader as a non-nabla exception.
    header_error(source, detail::concat("not valid JSON (", e.what(), ")"));
  }
  if (!duplicate.empty())
    header_error(source, duplicate_depth <= 1
                             ? detail::concat("the name '", duplicate, "' appears twice")
                             : detail::concat("the field '", duplicate, "' appears twice in the entry for '",
                                              duplicate_parent, "'"));
  if (!j.is_object()) header_error(source, detail::concat("expected a JSON object, got ", j.type_name()));

  Header out;
  std::vector<Entry>& entries = out.entries;
  for (const auto& [key, value] : j.items()) {
    if (key == "__metadata__") {
      if (value.is_null()) continue;  // the reference reader takes null as "no metadata"
      if (!value.is_object()) header_error(source, "__metadata__ must be an object of strings");
      for (const auto& [mk, mv] : value.items()) {
        if (!mv.is_string())
          header_error(source, detail::concat("__metadata__ value for '", mk, "' must be a string, got ", mv.dump()));
        out.metadata[mk] = mv.get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(key, value, source));
  }

  // Offsets must tile [0, data size) exactly: the order in the JSON object carries no meaning.
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
  });
  const uint64_t data_start = 8 + header_len;
  const uint64_t data_size = total - data_start;
  uint64_t expected = 0;
  const Entry* previous = nullptr;
  for (const Entry& e : entries) {
    if (e.begin < expected)
      header_error(source,
                   detail::concat(tensor_label(e.name), ": data_offsets [", e.begin, ", ", e.end, "] overlap tensor '",
                                  previous->name, "' [", previous->begin, ", ", previous->end, "]"));
    if (e.begin > expected)
      header_error(source,
                   detail::concat(tensor_label(e.name), ": data_offsets [", e.begin, ", ", e.end, "] leave bytes [",
                                  expected, ", ", e.begin, ") of the data uncovered (tensors must be contiguous)"));
    if (e.end > data_size)
      header_error(source, detail::concat(tensor_label(e.name), ": data_offsets [", e.begin, ", ", e.end,
                                          "] run past the end of the data (", data_size,
                                          " bytes after the header; is the file truncated?)"));
    expected = e.end;
    previous = &e;
  }
  if (expected != data_size)
    header_error(source,
                 detail::concat("the file has ", data_size - expected,
                                " bytes after the last tensor's data (the tensors must cover the data exactly)"));

  out.data_start = data_start;
  return out;
}

SafetensorsFile read_safetensors(const ByteSource& src, const std::string& source) {
  Header h = read_header(src, source);
  SafetensorsFile out;
  out.metadata = std::move(h.metadata);
  out.tensors.reserve(h.entries.size());
  for (const Entry& e : h.entries) out.tensors.emplace_back(e.name, read_tensor(e, src, h.data_start, source));
  return out;
}

}  // namespace

SafetensorsFile load_safetensors(const std::string& path_name) {
  const std::filesystem::path path(path_name);
  FileSource src(path);
  return read_safetensors(src, path.string());
}

SafetensorsHeader load_safetensors_header(const std::string& path_name) {
  const std::filesystem::path path(path_name);
  FileSource src(path);
  Header h = read_header(src, path.string());
  SafetensorsHeader out;
  out.metadata = std::move(h.metadata);
  for (const Entry& e : h.entries) out.tensors.push_back({e.name, nabla_dtype_for(e.dtype), e.shape});
  return out;
}

SafetensorsFile parse_safetensors(std::string_view bytes, const std::string& source) {
  MemorySource src(bytes);
  return read_safetensors(src, source);
}

}  // namespace nabla
