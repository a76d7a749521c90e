// Row gathers for the data layer (private to src/data).
//
// Data tensors never require grad, so batching copies rows with memcpy instead of going
// through index_select and the autograd machinery: this runs once per batch of every epoch, and
// is what torch's default collate amounts to (a stack of row copies).
#pragma once
#include <cstdint>
#include <cstring>

#include "kernels/elementwise.h"
#include "nabla/tensor/tensor.h"

namespace nabla::data_detail {

// t itself when contiguous, else a contiguous copy (same dtype).
inline Tensor contiguous_copy(const Tensor& t) {
  if (t.is_contiguous()) return t;
  Tensor out = Tensor::empty(t.shape(), t.dtype());
  dispatch_all(t.dtype(), [&]<class T>() { kernels::copy<T, T>(t, out); });
  return out;
}

// out[k] = t[index[k]] along dimension 0, for any dtype and rank >= 1. Indices are trusted
// (callers check them once, not per batch).
inline Tensor take_rows(const Tensor& t, const int64_t* index, int64_t n) {
  Tensor src = contiguous_copy(t);
  Shape shape = src.shape();
  const int64_t rows = shape[0];
  shape[0] = n;
  Tensor out = Tensor::empty(shape, src.dtype());
  const size_t row_bytes = rows > 0 ? static_cast<size_t>(src.numel() / rows) * element_size(src.dtype()) : 0;
  const auto* s = static_cast<const unsigned char*>(src.raw_data());
  auto* d = static_cast<unsigned char*>(out.raw_data());
  for (int64_t k = 0; k < n; ++k) std::memcpy(d + k * row_bytes, s + index[k] * row_bytes, row_bytes);
  return out;
}

}  // namespace nabla::data_detail
