// nabla/tensor/dtype.h — element types a tensor can hold.
//
// float32 and float64 are the differentiable types. int64 holds indices (argmax, gather),
// int32 holds the integers NumPy/PyTorch code passes as int32 (stored, converted, compared, indexed
// with; arithmetic on it is the Python module's, as torch 1.13 promotes), boolean holds masks
// (comparisons, where). Mixed float32/float64 arithmetic is an error,
// not a silent promotion: the caller converts explicitly with Tensor::to(dtype).
//
//   Tensor x = nabla::zeros({2, 3}, DType::float64);
//   if (is_floating(x.dtype())) { ... }
#pragma once
#include <cstdint>
#include <string_view>

#include "nabla/error.h"

namespace nabla {

enum class DType : uint8_t { float32, float64, int64, boolean, int32 };

constexpr size_t element_size(DType t) {
  switch (t) {
    case DType::float32:
      return 4;
    case DType::float64:
      return 8;
    case DType::int64:
      return 8;
    case DType::boolean:
      return 1;
    case DType::int32:
      return 4;
  }
  return 0;
}

constexpr std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::float32:
      return "float32";
    case DType::float64:
      return "float64";
    case DType::int64:
      return "int64";
    case DType::boolean:
      return "bool";
    case DType::int32:
      return "int32";
  }
  return "?";
}

constexpr bool is_floating(DType t) { return t == DType::float32 || t == DType::float64; }
constexpr bool is_integral(DType t) { return t == DType::int64 || t == DType::int32; }

// C++ type <-> DType.
template <class T>
struct dtype_of;
template <>
struct dtype_of<float> {
  static constexpr DType value = DType::float32;
};
template <>
struct dtype_of<double> {
  static constexpr DType value = DType::float64;
};
template <>
struct dtype_of<int64_t> {
  static constexpr DType value = DType::int64;
};
template <>
struct dtype_of<int32_t> {
  static constexpr DType value = DType::int32;
};
template <>
struct dtype_of<bool> {
  static constexpr DType value = DType::boolean;
};

// Calls fn.template operator()<T>() with T the C++ type of a floating dtype.
// `op` names the caller in the error raised for a non-floating dtype.
template <class Fn>
decltype(auto) dispatch_floating(DType t, std::string_view op, Fn&& fn) {
  switch (t) {
    case DType::float32:
      return fn.template operator()<float>();
    case DType::float64:
      return fn.template operator()<double>();
    default:
      break;
  }
  throw DTypeError(detail::concat(op, ": expected a floating dtype (float32 or float64), got ", dtype_name(t)));
}

// Same, over every dtype (bool is stored as one byte, as bool).
template <class Fn>
decltype(auto) dispatch_all(DType t, Fn&& fn) {
  switch (t) {
    case DType::float32:
      return fn.template operator()<float>();
    case DType::float64:
      return fn.template operator()<double>();
    case DType::int64:
      return fn.template operator()<int64_t>();
    case DType::boolean:
      return fn.template operator()<bool>();
    case DType::int32:
      return fn.template operator()<int32_t>();
  }
  return fn.template operator()<float>();
}

}  // namespace nabla
