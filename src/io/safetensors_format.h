// src/io/safetensors_format.h — what the safetensors reader (safetensors.cpp) and writer
// (safetensors_write.cpp) share: the format's dtypes, in the reference implementation's order,
// and byte order. Internal: not installed.
#pragma once
#include <algorithm>
#include <cstddef>

#include "nabla/error.h"
#include "nabla/tensor/dtype.h"

namespace nabla::safetensors_format {

// The reference implementation's dtype enum, in its order: the writer sorts by this, descending.
enum class StDType : int { BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64 };

struct StDTypeInfo {
  const char* name;
  StDType code;
  size_t itemsize;
};

inline constexpr StDTypeInfo kStDTypes[] = {
    {"BOOL", StDType::BOOL, 1},       {"U8", StDType::U8, 1},           {"I8", StDType::I8, 1},
    {"F8_E5M2", StDType::F8_E5M2, 1}, {"F8_E4M3", StDType::F8_E4M3, 1}, {"I16", StDType::I16, 2},
    {"U16", StDType::U16, 2},         {"F16", StDType::F16, 2},         {"BF16", StDType::BF16, 2},
    {"I32", StDType::I32, 4},         {"U32", StDType::U32, 4},         {"F32", StDType::F32, 4},
    {"F64", StDType::F64, 8},         {"I64", StDType::I64, 8},         {"U64", StDType::U64, 8},
};

inline const StDTypeInfo& info_of(StDType code) { return kStDTypes[static_cast<int>(code)]; }

inline StDType st_dtype_for(DType t) {
  switch (t) {
    case DType::float32:
      return StDType::F32;
    case DType::float64:
      return StDType::F64;
    case DType::int64:
      return StDType::I64;
    case DType::boolean:
      return StDType::BOOL;
    case DType::int32:
      return StDType::I32;
  }
  throw ValueError("safetensors: unsupported dtype");
}

// Reverses the bytes of each of the n items of `itemsize` bytes (little-endian <-> big-endian).
inline void byteswap_elements(void* data, size_t n, size_t itemsize) {
  auto* p = static_cast<unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) std::reverse(p + i * itemsize, p + (i + 1) * itemsize);
}

}  // namespace nabla::safetensors_format
