// nabla/tensor/shape.h — a small inline vector of dimension sizes or strides.
//
// Shapes of up to kInlineDims dimensions live inside the tensor (no heap allocation for the
// shape of a small tensor, which matters when a training step makes hundreds of tensors).
//
//   Shape s{2, 3};           // a 2x3 matrix
//   s.numel() == 6; s[1] == 3; s.to_string() == "[2, 3]"
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "nabla/error.h"

namespace nabla {

inline constexpr int kMaxDims = 8;

class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) { assign(dims.begin(), dims.end()); }
  explicit Shape(const std::vector<int64_t>& dims) { assign(dims.begin(), dims.end()); }
  template <class It>
  Shape(It first, It last) {
    assign(first, last);
  }

  int size() const { return n_; }
  bool empty() const { return n_ == 0; }
  int64_t operator[](int i) const { return d_[i]; }
  int64_t& operator[](int i) { return d_[i]; }
  const int64_t* begin() const { return d_; }
  const int64_t* end() const { return d_ + n_; }
  int64_t* begin() { return d_; }
  int64_t* end() { return d_ + n_; }
  int64_t back() const { return d_[n_ - 1]; }

  void push_back(int64_t v) {
    NABLA_CHECK(n_ < kMaxDims, ShapeError, "tensors have at most ", kMaxDims, " dimensions");
    d_[n_++] = v;
  }
  void insert(int pos, int64_t v) {
    push_back(0);
    for (int i = n_ - 1; i > pos; --i) d_[i] = d_[i - 1];
    d_[pos] = v;
  }
  void erase(int pos) {
    for (int i = pos; i + 1 < n_; ++i) d_[i] = d_[i + 1];
    --n_;
  }
  void resize(int n, int64_t fill = 0) {
    NABLA_CHECK(n <= kMaxDims, ShapeError, "tensors have at most ", kMaxDims, " dimensions");
    for (int i = n_; i < n; ++i) d_[i] = fill;
    n_ = n;
  }

  // The number of elements; a ShapeError when the product does not fit in int64 (checked for the
  // non-zero sizes, so a zero-size tensor's strides cannot overflow either).
  int64_t numel() const {
    int64_t n = 1;
    bool zero = false;
    for (int i = 0; i < n_; ++i) {
      if (d_[i] == 0)
        zero = true;
      else if (__builtin_mul_overflow(n, d_[i], &n)) [[unlikely]]
        throw_too_large();
    }
    return zero ? 0 : n;
  }
  std::vector<int64_t> vec() const { return {begin(), end()}; }
  std::string to_string() const {
    std::string s = "[";
    for (int i = 0; i < n_; ++i) s += (i ? ", " : "") + std::to_string(d_[i]);
    return s + "]";
  }
  friend bool operator==(const Shape& a, const Shape& b) {
    if (a.n_ != b.n_) return false;
    for (int i = 0; i < a.n_; ++i)
      if (a.d_[i] != b.d_[i]) return false;
    return true;
  }
  friend bool operator!=(const Shape& a, const Shape& b) { return !(a == b); }

 private:
  [[noreturn]] void throw_too_large() const;
  template <class It>
  void assign(It first, It last) {
    n_ = 0;
    for (; first != last; ++first) push_back(static_cast<int64_t>(*first));
  }
  int64_t d_[kMaxDims] = {};
  int n_ = 0;
};

inline void Shape::throw_too_large() const {
  throw ShapeError("shape " + to_string() + " has more elements than fit in a 64-bit size");
}

// a * b and a + b for sizes (element counts, byte counts, strides); a ShapeError naming `what`
// (the op or the shape) when the result overflows int64. Every size that is a product or a sum of
// sizes goes through these or numel().
inline int64_t checked_mul(int64_t a, int64_t b, const char* what) {
  int64_t r;
  NABLA_CHECK(!__builtin_mul_overflow(a, b, &r), ShapeError, what, ": size ", a, " x ", b,
              " does not fit in a 64-bit size");
  return r;
}
inline int64_t checked_add(int64_t a, int64_t b, const char* what) {
  int64_t r;
  NABLA_CHECK(!__builtin_add_overflow(a, b, &r), ShapeError, what, ": size ", a, " + ", b,
              " does not fit in a 64-bit size");
  return r;
}

// Row-major strides of a contiguous tensor of this shape.
inline Shape contiguous_strides(const Shape& shape) {
  Shape s;
  s.resize(shape.size());
  int64_t acc = 1;
  for (int i = shape.size() - 1; i >= 0; --i) {
    s[i] = acc;
    if (__builtin_mul_overflow(acc, (shape[i] > 1 ? shape[i] : int64_t{1}), &acc)) [[unlikely]]
      throw ShapeError("shape " + shape.to_string() + " has more elements than fit in a 64-bit size");
  }
  return s;
}

// NumPy/PyTorch broadcasting: align from the right; sizes must match or be 1.
inline Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const int n = a.size() > b.size() ? a.size() : b.size();
  Shape out;
  out.resize(n);
  for (int i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    NABLA_CHECK(da == db || da == 1 || db == 1, ShapeError, op, ": shapes ", a.to_string(), " and ", b.to_string(),
                " cannot be broadcast together (dimension ", i, ": ", da, " vs ", db, ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// Wraps a possibly negative dimension index into [0, ndim).
inline int normalize_dim(int64_t dim, int ndim, const char* op) {
  const int64_t n = ndim > 1 ? ndim : 1;
  NABLA_CHECK(dim >= -n && dim < n, ValueError, op, ": dimension ", dim, " out of range for a tensor with ", ndim,
              " dimensions");
  return static_cast<int>(dim < 0 ? dim + n : dim);
}

}  // namespace nabla
