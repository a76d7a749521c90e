// nabla/io/safetensors.h — read and write tensors in the safetensors format (Hugging Face).
//
// Layout: an 8-byte little-endian header length N, N bytes of JSON
//   {"__metadata__": {"k": "v"}, "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [b, e]}}
// padded with spaces to a multiple of 8, then the raw little-endian, row-major data; offsets are
// relative to the start of the data and the tensors tile it exactly, with no gaps or overlaps.
//
//   nabla::save_safetensors("model.safetensors", {{"fc.weight", w}, {"fc.bias", b}}, {{"epoch", "3"}});
//   nabla::SafetensorsFile f = nabla::load_safetensors("model.safetensors");
//   Tensor w2 = f.at("fc.weight");   // f.metadata.at("epoch") == "3"
//
// Writing follows the reference implementation (safetensors 0.3/0.4, Rust) byte for byte:
// tensors sorted by dtype in descending alignment (I64, F64, F32, I32, BOOL) and then by name, so each
// tensor's data starts at a multiple of its element size; compact JSON with "__metadata__" first
// (its keys sorted, for reproducible files) and the fields in the order dtype, shape,
// data_offsets; the header padded with spaces to a multiple of 8. The file is written atomically
// (see atomic_file.h): a failed save leaves any previous file untouched.
//
// dtypes: nabla float32/float64/int64/int32/bool are written as F32/F64/I64/I32/BOOL and read
// back as themselves. Other dtypes are converted on reading, losslessly:
//   F16, BF16             -> float32
//   I8, I16, U8, U16, U32 -> int64
//   U64                   -> int64 (a value above 2^63 - 1 is an error)
// FP8 types (F8_E4M3, F8_E5M2) and anything else are rejected.
//
// Reading is defensive against corrupt or hostile files. Errors:
//   IOError     the file cannot be opened or read; it is shorter than 8 bytes; the declared header
//               length exceeds the file or the 100 MB limit.
//   ParseError  the header is not valid UTF-8 JSON (column of the problem), is not an object,
//               repeats a name or a field, misses or adds a field, names an unknown dtype, has a
//               negative / non-integer / too-large shape, a byte count that is not
//               numel * itemsize, offsets that overlap, leave gaps, or run past the end of the
//               file (a truncated file), bytes after the last tensor, a BOOL byte other than 0/1,
//               or "__metadata__" that is not a str -> str object.
// Every message names the file and, when one is at fault, the tensor.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nabla/tensor/tensor.h"

namespace nabla {

// The contents of a safetensors file: tensors in file (data offset) order, plus metadata.
struct SafetensorsFile {
  std::vector<std::pair<std::string, Tensor>> tensors;
  std::map<std::string, std::string> metadata;

  bool contains(std::string_view name) const;
  // The tensor called `name`; ValueError listing the available names if there is none.
  const Tensor& at(std::string_view name) const;
  std::vector<std::string> names() const;
};

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// Header limit of the reference implementation; a larger header is refused before allocating.
inline constexpr uint64_t kSafetensorsMaxHeaderBytes = 100'000'000;

// Writes `tensors` (any layout: views are written row-major) to `path` (a std::string, to which a
// std::filesystem::path converts; see nabla/data/mnist.h), atomically.
// ValueError for an undefined tensor, a duplicated or reserved ("__metadata__") name,
// or a name or metadata string that is not valid UTF-8; IOError if the file cannot be written.
void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// The exact bytes save_safetensors writes.
std::string serialize_safetensors(const NamedTensors& tensors, const std::map<std::string, std::string>& metadata = {});

// Reads a file written by nabla, the reference implementation, or any conforming writer.
SafetensorsFile load_safetensors(const std::string& path);

// What a file's header says, without reading any tensor's data: names, dtypes (as they read
// back: F16 -> float32, ...), shapes and metadata, checked as load_safetensors checks them
// (the offsets against the file's size). A caller checks a 2 GB file against what it expects
// before reading it.
struct SafetensorsTensorInfo {
  std::string name;
  DType dtype;
  Shape shape;
};
struct SafetensorsHeader {
  std::vector<SafetensorsTensorInfo> tensors;  // in file (data offset) order
  std::map<std::string, std::string> metadata;
};
SafetensorsHeader load_safetensors_header(const std::string& path);

// Parses safetensors bytes held in memory; `source` names them in error messages.
SafetensorsFile parse_safetensors(std::string_view bytes, const std::string& source = "<memory>");

}  // namespace nabla
