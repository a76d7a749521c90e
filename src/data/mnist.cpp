#include "nabla/data/mnist.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace nabla {

namespace {

struct IdxFile {
  uint8_t type = 0;
  std::vector<int64_t> dims;
  std::vector<unsigned char> data;  // big-endian elements
};

size_t idx_itemsize(uint8_t type) {
  switch (type) {
    case 0x08:
    case 0x09:
      return 1;
    case 0x0B:
      return 2;
    case 0x0C:
    case 0x0D:
      return 4;
    case 0x0E:
      return 8;
    default:
      return 0;
  }
}

const char* idx_type_name(uint8_t type) {
  switch (type) {
    case 0x08:
      return "uint8";
    case 0x09:
      return "int8";
    case 0x0B:
      return "int16";
    case 0x0C:
      return "int32";
    case 0x0D:
      return "float32";
    case 0x0E:
      return "float64";
    default:
      return "unknown";
  }
}

// Reads and checks the whole file; expected_ndim < 0 accepts any.
IdxFile read_idx(const std::filesystem::path& path, int expected_ndim, const char* what) {
  const std::string p = path.string();
  std::ifstream in(path, std::ios::binary);
  NABLA_CHECK(in.good() && !std::filesystem::is_directory(path), IOError, "cannot open IDX file '", p, "'");
  in.seekg(0, std::ios::end);
  const uint64_t size = static_cast<uint64_t>(in.tellg());
  in.seekg(0);
  unsigned char magic[4] = {};
  NABLA_CHECK(size >= 4 && in.read(reinterpret_cast<char*>(magic), 4), IOError, p, ": not an IDX file: ", size,
              " bytes, shorter than the 4-byte magic number");
  NABLA_CHECK(!(magic[0] == 0x1f && magic[1] == 0x8b), IOError, p,
              ": gzip-compressed data; decompress it first (gunzip ", p, ")");
  NABLA_CHECK(magic[0] == 0 && magic[1] == 0, IOError, p, ": not an IDX file: the magic number must start with ",
              "two zero bytes, got 0x", std::hex, int(magic[0]), " 0x", int(magic[1]));
  IdxFile f;
  f.type = magic[2];
  const size_t itemsize = idx_itemsize(f.type);
  NABLA_CHECK(itemsize != 0, IOError, p, ": unknown IDX element type 0x", std::hex, int(f.type));
  const int ndim = magic[3];
  NABLA_CHECK(expected_ndim < 0 || ndim == expected_ndim, IOError, p, ": ", what, " must have ", expected_ndim,
              " dimensions (idx", expected_ndim, "), the file has ", ndim);
  NABLA_CHECK(ndim >= 1 && ndim <= kMaxDims, IOError, p, ": ", ndim, " dimensions; nabla supports 1 to ", kMaxDims);
  NABLA_CHECK(size >= 4 + 4 * uint64_t(ndim), IOError, p, ": the file ends inside its ", ndim, " dimension sizes");
  unsigned char raw_dims[4 * kMaxDims];
  in.read(reinterpret_cast<char*>(raw_dims), 4 * ndim);
  uint64_t count = 1;
  bool overflow = false;
  // Found by fuzzing (tests/regression/idx/): with a zero dimension the count is 0 and the size
  // check passes, but the other dimensions can still multiply past int64 (the strides of the
  // empty tensor, rows * cols of images); so the product of the non-zero ones must fit too.
  int64_t nonzero = 1;
  bool too_large = false;
  for (int d = 0; d < ndim; ++d) {
    const unsigned char* b = raw_dims + 4 * d;
    const uint32_t v = (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | b[3];
    f.dims.push_back(v);
    overflow |= __builtin_mul_overflow(count, uint64_t(v), &count);
    too_large |= v != 0 && __builtin_mul_overflow(nonzero, int64_t(v), &nonzero);
  }
  const uint64_t header = 4 + 4 * uint64_t(ndim);
  uint64_t expected = 0;
  overflow |= __builtin_mul_overflow(count, uint64_t(itemsize), &expected) ||
              __builtin_add_overflow(expected, header, &expected);
  std::string dims;
  for (int64_t d : f.dims) dims += (dims.empty() ? "" : " x ") + std::to_string(d);
  NABLA_CHECK(!overflow && expected == size, IOError, p, ": dimensions ", dims, " of ", idx_type_name(f.type), " need ",
              overflow ? std::string("more than 2^64") : std::to_string(expected),
              " bytes with the header, but the file has ", size, expected > size ? " (truncated?)" : "");
  NABLA_CHECK(!too_large, IOError, p, ": dimensions ", dims, ": the non-zero ones multiply past 2^63 - 1");
  f.data.resize(count * itemsize);
  NABLA_CHECK(in.read(reinterpret_cast<char*>(f.data.data()), std::streamsize(f.data.size())), IOError,
              "cannot read IDX file '", p, "'");
  return f;
}

template <class T>
T load_be(const unsigned char* p) {
  unsigned char b[sizeof(T)];
  for (size_t i = 0; i < sizeof(T); ++i) b[i] = p[sizeof(T) - 1 - i];
  T v;
  std::memcpy(&v, b, sizeof(T));  // assumes a little-endian host, as the rest of nabla does
  return v;
}

void require_uint8(const IdxFile& f, const std::filesystem::path& path, const char* what) {
  NABLA_CHECK(f.type == 0x08, IOError, path.string(), ": ", what, " must be uint8 (type 0x08), got ",
              idx_type_name(f.type));
}

}  // namespace

Tensor load_idx(const std::string& path_name) {
  const std::filesystem::path path(path_name);
  const IdxFile f = read_idx(path, -1, "an IDX array");
  const Shape shape(f.dims);
  const size_t n = static_cast<size_t>(shape.numel());
  const unsigned char* p = f.data.data();
  if (f.type == 0x0D) {
    Tensor t = Tensor::empty(shape, DType::float32);
    for (size_t i = 0; i < n; ++i) t.data<float>()[i] = load_be<float>(p + 4 * i);
    return t;
  }
  if (f.type == 0x0E) {
    Tensor t = Tensor::empty(shape, DType::float64);
    for (size_t i = 0; i < n; ++i) t.data<double>()[i] = load_be<double>(p + 8 * i);
    return t;
  }
  Tensor t = Tensor::empty(shape, DType::int64);
  int64_t* q = t.data<int64_t>();
  for (size_t i = 0; i < n; ++i) {
    switch (f.type) {
      case 0x08:
        q[i] = p[i];
        break;
      case 0x09:
        q[i] = static_cast<int8_t>(p[i]);
        break;
      case 0x0B:
        q[i] = load_be<int16_t>(p + 2 * i);
        break;
      default:
        q[i] = load_be<int32_t>(p + 4 * i);
        break;
    }
  }
  return t;
}

Tensor load_idx_images(const std::string& path_name) {
  const std::filesystem::path path(path_name);
  const IdxFile f = read_idx(path, 3, "an image file");
  require_uint8(f, path, "an image file");
  const int64_t n = f.dims[0], pixels = f.dims[1] * f.dims[2];
  Tensor t = Tensor::empty({n, pixels}, DType::float32);
  float* q = t.data<float>();
  for (size_t i = 0; i < f.data.size(); ++i) q[i] = static_cast<float>(f.data[i]) / 255.0f;
  return t;
}

Tensor load_idx_labels(const std::string& path_name) {
  const std::filesystem::path path(path_name);
  const IdxFile f = read_idx(path, 1, "a label file");
  require_uint8(f, path, "a label file");
  Tensor t = Tensor::empty({f.dims[0]}, DType::int64);
  for (size_t i = 0; i < f.data.size(); ++i) t.data<int64_t>()[i] = f.data[i];
  return t;
}

Dataset load_mnist(const std::string& images_name, const std::string& labels_name) {
  const std::filesystem::path images(images_name), labels(labels_name);
  Dataset d;
  d.x = load_idx_images(images);
  d.y = load_idx_labels(labels);
  NABLA_CHECK(d.x.size(0) == d.y.size(0), IOError, images.string(), " has ", d.x.size(0), " images but ",
              labels.string(), " has ", d.y.size(0), " labels");
  NABLA_CHECK(d.y.size(0) > 0, IOError, labels.string(), ": no labels");
  const int64_t* y = d.y.data<int64_t>();
  d.num_classes = std::max<int64_t>(*std::max_element(y, y + d.y.size(0)) + 1, 2);
  for (int64_t c = 0; c < d.num_classes; ++c) d.class_names.push_back(std::to_string(c));
  d.name = images.filename().string();
  d.validate();
  return d;
}

}  // namespace nabla
