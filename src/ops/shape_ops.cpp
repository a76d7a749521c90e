// Views (reshape, transpose, permute, slice, squeeze, expand), copies and conversions, and the
// joining/indexing ops (concat, stack, gather, scatter_add, index_select).
#include <algorithm>
#include <numeric>

#include "op_utils.h"

namespace nabla {
using detail::Grads;

namespace {

// A tensor sharing base's storage with another layout (no autograd: callers record).
Tensor make_view(const Tensor& base, const Shape& shape, const Shape& strides, int64_t offset) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = base.impl()->storage;
  impl->offset = offset;
  impl->shape = shape;
  impl->strides = strides;
  impl->dtype = base.dtype();
  return Tensor(std::move(impl));
}

Tensor copy_contiguous(const Tensor& x) {
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  dispatch_all(x.dtype(), [&]<class T>() {
    capture::launch(
        "copy", [src = kernels::operand(x), dst = kernels::operand(out)] { kernels::copy<T, T>(src, dst); }, x, out);
  });
  return out;
}

// Inserts g into a zero tensor of `shape` at the slice (the adjoint of slice).
Tensor slice_backward(const Tensor& g, const Shape& shape, int dim, int64_t start, int64_t end, int64_t step);

}  // namespace

// ============================== copies and conversions ==============================

Tensor Tensor::to(DType target) const {
  if (target == dtype()) return *this;
  Tensor out = Tensor::empty(shape(), target);
  dispatch_all(target, [&]<class D>() {
    dispatch_all(dtype(), [&]<class S>() {
      capture::launch(
          "to", [src = kernels::operand(*this), dst = kernels::operand(out)] { kernels::copy<D, S>(src, dst); }, *this,
          out);
    });
  });
  if (!is_floating(target) || !is_floating(dtype())) return out;
  return autograd::record(
      "to", out, {*this}, [source = dtype()](const Tensor& g, const Tensor&) { return Grads{g.to(source)}; },
      autograd::kSavesNothing);
}

Tensor Tensor::contiguous() const {
  if (is_contiguous()) return *this;
  return autograd::record(
      "contiguous", copy_contiguous(*this), {*this}, [](const Tensor& g, const Tensor&) { return Grads{g}; },
      autograd::kSavesNothing);
}

Tensor Tensor::clone() const {
  return autograd::record(
      "clone", copy_contiguous(*this), {*this}, [](const Tensor& g, const Tensor&) { return Grads{g}; },
      autograd::kSavesNothing);
}

// ============================== views ==============================

Tensor Tensor::reshape(const Shape& requested) const {
  Shape shape = requested;
  int infer = -1;
  int64_t known = 1;
  for (int i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      NABLA_CHECK(infer < 0, ShapeError, "reshape: only one dimension can be -1 in ", requested.to_string());
      infer = i;
    } else {
      NABLA_CHECK(shape[i] >= 0, ShapeError, "reshape: invalid size in ", requested.to_string());
      known = checked_mul(known, shape[i], "reshape");
    }
  }
  if (infer >= 0) {
    NABLA_CHECK(known > 0 && numel() % known == 0, ShapeError, "reshape: cannot reshape ", this->shape().to_string(),
                " (", numel(), " elements) into ", requested.to_string());
    shape[infer] = numel() / known;
  }
  NABLA_CHECK(shape.numel() == numel(), ShapeError, "reshape: cannot reshape ", this->shape().to_string(), " (",
              numel(), " elements) into ", requested.to_string(), " (", shape.numel(), " elements)");
  if (shape == this->shape()) return *this;
  Tensor out = is_contiguous() ? make_view(*this, shape, contiguous_strides(shape), offset())
                               : copy_contiguous(*this).reshape(shape).detach();
  return autograd::record(
      "reshape", out, {*this}, [in = this->shape()](const Tensor& g, const Tensor&) { return Grads{g.reshape(in)}; },
      autograd::kSavesNothing);
}

Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  if (dim() == 0) return reshape({1});
  int s = normalize_dim(start_dim, dim(), "flatten"), e = normalize_dim(end_dim, dim(), "flatten");
  NABLA_CHECK(s <= e, ValueError, "flatten: start_dim ", start_dim, " comes after end_dim ", end_dim);
  Shape out;
  for (int i = 0; i < s; ++i) out.push_back(shape()[i]);
  int64_t n = 1;
  for (int i = s; i <= e; ++i) n *= shape()[i];
  out.push_back(n);
  for (int i = e + 1; i < dim(); ++i) out.push_back(shape()[i]);
  return reshape(out);
}

Tensor Tensor::permute(const std::vector<int64_t>& dims) const {
  NABLA_CHECK(int(dims.size()) == dim(), ShapeError, "permute: ", dims.size(),
              " dimensions given for a tensor of shape ", shape().to_string());
  Shape s, st;
  std::vector<int64_t> inverse(dim(), -1);
  for (int i = 0; i < dim(); ++i) {
    int d = normalize_dim(dims[i], dim(), "permute");
    NABLA_CHECK(inverse[d] < 0, ValueError, "permute: dimension ", dims[i], " repeated");
    inverse[d] = i;
    s.push_back(shape()[d]);
    st.push_back(strides()[d]);
  }
  Tensor out = make_view(*this, s, st, offset());
  return autograd::record(
      "permute", out, {*this}, [inverse](const Tensor& g, const Tensor&) { return Grads{g.permute(inverse)}; },
      autograd::kSavesNothing);
}

Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const {
  if (dim() < 2) return *this;
  int a = normalize_dim(dim0, dim(), "transpose"), b = normalize_dim(dim1, dim(), "transpose");
  Shape s = shape(), st = strides();
  std::swap(s[a], s[b]);
  std::swap(st[a], st[b]);
  Tensor out = make_view(*this, s, st, offset());
  return autograd::record(
      "transpose", out, {*this}, [a, b](const Tensor& g, const Tensor&) { return Grads{g.transpose(a, b)}; },
      autograd::kSavesNothing);
}

Tensor Tensor::t() const {
  NABLA_CHECK(dim() <= 2, ShapeError, "t(): expects a tensor with at most 2 dimensions, got ", shape().to_string());
  return transpose(0, 1);
}

Tensor Tensor::slice(int64_t dim_, int64_t start, int64_t end, int64_t step) const {
  NABLA_CHECK(dim() > 0, ShapeError, "slice: cannot slice a 0-d tensor");
  NABLA_CHECK(step > 0, ValueError, "slice: step must be positive, got ", step);
  int d = normalize_dim(dim_, dim(), "slice");
  const int64_t n = shape()[d];
  // Python semantics: negative indices count from the end, out-of-range bounds are clamped.
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp<int64_t>(start, 0, n);
  end = std::clamp<int64_t>(end, start, n);
  Shape s = shape(), st = strides();
  s[d] = (end - start + step - 1) / step;
  st[d] *= step;
  Tensor out = make_view(*this, s, st, offset() + start * strides()[d]);
  return autograd::record(
      "slice", out, {*this},
      [in = shape(), d, start, end, step](const Tensor& g, const Tensor&) {
        return Grads{slice_backward(g, in, d, start, end, step)};
      },
      autograd::kSavesNothing);
}

namespace {
Tensor slice_backward(const Tensor& g, const Shape& shape, int dim, int64_t start, int64_t end, int64_t step) {
  Tensor out = zeros(shape, g.dtype());
  {
    NoGradGuard no_grad;
    out.slice(dim, start, end, step).copy_(g);
  }
  return autograd::record(
      "slice_backward", out, {g},
      [dim, start, end, step](const Tensor& gg, const Tensor&) { return Grads{gg.slice(dim, start, end, step)}; },
      autograd::kSavesNothing);
}
}  // namespace

Tensor Tensor::select(int64_t dim_, int64_t index) const {
  int d = normalize_dim(dim_, dim(), "select");
  NABLA_CHECK(index >= -shape()[d] && index < shape()[d], ValueError, "select: index ", index,
              " out of range for dimension ", d, " of size ", shape()[d]);
  if (index < 0) index += shape()[d];
  return slice(d, index, index + 1).squeeze(d);
}

Tensor Tensor::unsqueeze(int64_t dim_) const {
  int d = normalize_dim(dim_, dim() + 1, "unsqueeze");
  Shape s = shape(), st = strides();
  s.insert(d, 1);
  st.insert(d, d < dim() ? strides()[d] * shape()[d] : 1);
  Tensor out = make_view(*this, s, st, offset());
  return autograd::record(
      "unsqueeze", out, {*this}, [d](const Tensor& g, const Tensor&) { return Grads{g.squeeze(d)}; },
      autograd::kSavesNothing);
}

Tensor Tensor::squeeze(int64_t dim_) const {
  if (dim() == 0) return *this;
  int d = normalize_dim(dim_, dim(), "squeeze");
  if (shape()[d] != 1) return *this;
  Shape s = shape(), st = strides();
  s.erase(d);
  st.erase(d);
  Tensor out = make_view(*this, s, st, offset());
  return autograd::record(
      "squeeze", out, {*this}, [d](const Tensor& g, const Tensor&) { return Grads{g.unsqueeze(d)}; },
      autograd::kSavesNothing);
}

Tensor Tensor::squeeze() const {
  Shape s;
  for (int64_t v : shape())
    if (v != 1) s.push_back(v);
  return reshape(s);
}

Tensor Tensor::expand(const Shape& target) const {
  if (target == shape()) return *this;
  NABLA_CHECK(target.size() >= dim(), ShapeError, "expand: cannot expand ", shape().to_string(),
              " to fewer dimensions ", target.to_string());
  Shape st;
  st.resize(target.size());
  const int lead = target.size() - dim();
  for (int i = 0; i < target.size(); ++i) {
    int j = i - lead;
    if (j < 0) {
      st[i] = 0;
      continue;
    }
    NABLA_CHECK(shape()[j] == target[i] || shape()[j] == 1, ShapeError, "expand: cannot expand ", shape().to_string(),
                " to ", target.to_string(), " (dimension ", i, ": ", shape()[j], " vs ", target[i], ")");
    st[i] = shape()[j] == target[i] ? strides()[j] : 0;
  }
  target.numel();  // a ShapeError when the expanded shape overflows a 64-bit size
  Tensor out = make_view(*this, target, st, offset());
  return autograd::record(
      "expand", out, {*this}, [in = shape()](const Tensor& g, const Tensor&) { return Grads{sum_to(g, in)}; },
      autograd::kSavesNothing);
}

// ============================== joining ==============================

Tensor concat(const std::vector<Tensor>& tensors, int64_t dim) {
  NABLA_CHECK(!tensors.empty(), ValueError, "concat: needs at least one tensor");
  const Tensor& first = tensors[0];
  NABLA_CHECK(first.dim() > 0, ShapeError, "concat: cannot concatenate 0-d tensors (use stack)");
  int d = normalize_dim(dim, first.dim(), "concat");
  Shape out_shape = first.shape();
  out_shape[d] = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    detail::check_same_dtype(first, t, "concat");
    NABLA_CHECK(t.dim() == first.dim(), ShapeError, "concat: tensor ", i, " has shape ", t.shape().to_string(),
                ", tensor 0 has ", first.shape().to_string());
    for (int k = 0; k < t.dim(); ++k)
      NABLA_CHECK(k == d || t.shape()[k] == first.shape()[k], ShapeError, "concat: tensor ", i, " has shape ",
                  t.shape().to_string(), ", tensor 0 has ", first.shape().to_string(),
                  " (they may differ only in dimension ", d, ")");
    out_shape[d] = checked_add(out_shape[d], t.shape()[d], "concat");
  }
  Tensor out = Tensor::empty(out_shape, first.dtype());
  std::vector<int64_t> starts;
  int64_t at = 0;
  {
    NoGradGuard no_grad;
    for (const Tensor& t : tensors) {
      starts.push_back(at);
      out.slice(d, at, at + t.shape()[d]).copy_(t);
      at += t.shape()[d];
    }
  }
  std::vector<int64_t> sizes;
  for (const Tensor& t : tensors) sizes.push_back(t.shape()[d]);
  return autograd::record(
      "concat", out, tensors,
      [d, starts, sizes](const Tensor& g, const Tensor&) {
        Grads grads;
        for (size_t i = 0; i < starts.size(); ++i) grads.push_back(g.slice(d, starts[i], starts[i] + sizes[i]));
        return grads;
      },
      autograd::kSavesNothing);
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  NABLA_CHECK(!tensors.empty(), ValueError, "stack: needs at least one tensor");
  int d = normalize_dim(dim, tensors[0].dim() + 1, "stack");
  std::vector<Tensor> parts;
  for (size_t i = 0; i < tensors.size(); ++i) {
    NABLA_CHECK(tensors[i].shape() == tensors[0].shape(), ShapeError, "stack: tensor ", i, " has shape ",
                tensors[i].shape().to_string(), ", tensor 0 has ", tensors[0].shape().to_string());
    parts.push_back(tensors[i].unsqueeze(d));
  }
  return concat(parts, d);
}

// ============================== indexing ==============================

namespace {
void check_index(const Tensor& x, int d, const Tensor& index, const char* op) {
  NABLA_CHECK(index.dtype() == DType::int64, DTypeError, op, ": index must be int64, got ", dtype_name(index.dtype()));
  NABLA_CHECK(index.dim() == x.dim(), ShapeError, op, ": index ", index.shape().to_string(), " and input ",
              x.shape().to_string(), " must have the same number of dimensions");
  for (int k = 0; k < x.dim(); ++k)
    NABLA_CHECK(k == d || index.shape()[k] <= x.shape()[k], ShapeError, op, ": index ", index.shape().to_string(),
                " is larger than input ", x.shape().to_string(), " in dimension ", k);
}

// Calls fn(x_offset, index_position) for every element of index, where x_offset is the
// contiguous offset in a tensor of x_shape at which the element lands.
// The index is contiguous int64 of shape `index_shape`, read through `pi` (a kernel's operand).
template <class Fn>
void for_each_indexed(const Shape& x_shape, int d, const int64_t* pi, const Shape& index_shape, const char* op, Fn fn) {
  Shape xs = contiguous_strides(x_shape);
  const int64_t n = index_shape.numel();
  const int nd = index_shape.size();
  Shape pos;
  pos.resize(nd);
  for (int64_t i = 0; i < n; ++i) {
    int64_t off = 0;
    for (int k = 0; k < nd; ++k) off += (k == d ? 0 : pos[k] * xs[k]);
    int64_t j = pi[i];
    NABLA_CHECK(j >= -x_shape[d] && j < x_shape[d], ValueError, op, ": index ", j, " out of range for dimension ", d,
                " of size ", x_shape[d]);
    if (j < 0) j += x_shape[d];
    fn(off + j * xs[d], i);
    for (int k = nd - 1; k >= 0; --k) {
      if (++pos[k] < index_shape[k]) break;
      pos[k] = 0;
    }
  }
}
}  // namespace

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  detail::check_defined(x, "gather");
  int d = normalize_dim(dim, x.dim(), "gather");
  check_index(x, d, index, "gather");
  Tensor src = x.contiguous();
  Tensor out = Tensor::empty(index.shape(), x.dtype());
  Tensor idx = index.contiguous();
  dispatch_all(x.dtype(), [&]<class T>() {
    capture::launch(
        "gather",
        [ps = src.data<T>(), po = out.data<T>(), pi = idx.data<int64_t>(), x_shape = x.shape(), d,
         ishape = idx.shape()] {
          for_each_indexed(x_shape, d, pi, ishape, "gather", [&](int64_t off, int64_t i) { po[i] = ps[off]; });
        },
        src, out, idx);
  });
  // The index is an input without a gradient: listed so that its version is checked.
  return autograd::record(
      "gather", out, {x, index},
      [shape = x.shape(), d, index](const Tensor& g, const Tensor&) {
        return Grads{scatter_add(shape, d, index, g), Tensor()};
      },
      autograd::saves_input(1));
}

Tensor scatter_add(const Shape& shape, int64_t dim, const Tensor& index, const Tensor& src) {
  detail::check_defined(src, "scatter_add");
  int d = normalize_dim(dim, shape.size(), "scatter_add");
  NABLA_CHECK(src.shape() == index.shape(), ShapeError, "scatter_add: src ", src.shape().to_string(), " and index ",
              index.shape().to_string(), " must have the same shape");
  Tensor out = Tensor::empty(shape, src.dtype());
  Tensor s = src.contiguous();
  check_index(out, d, index, "scatter_add");
  Tensor idx = index.contiguous();
  dispatch_floating(src.dtype(), "scatter_add", [&]<class T>() {
    capture::launch(
        "scatter_add",
        [ps = s.data<T>(), po = out.data<T>(), pi = idx.data<int64_t>(), shape, d, ishape = idx.shape()] {
          std::fill(po, po + shape.numel(), T(0));
          for_each_indexed(shape, d, pi, ishape, "scatter_add", [&](int64_t off, int64_t i) { po[off] += ps[i]; });
        },
        s, out, idx);
  });
  return autograd::record(
      "scatter_add", out, {src, index},
      [d, index](const Tensor& g, const Tensor&) {
        return Grads{gather(g, d, index), Tensor()};
      },
      autograd::saves_input(1));
}

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index_in) {
  detail::check_defined(x, "index_select");
  NABLA_CHECK(index_in.dim() == 1 && is_integral(index_in.dtype()), ShapeError,
              "index_select: index must be a 1-D int64 or int32 tensor, got ", dtype_name(index_in.dtype()), " ",
              index_in.shape().to_string());
  const Tensor index = index_in.to(DType::int64);  // as torch: int32 indices select too
  int d = normalize_dim(dim, x.dim(), "index_select");
  // Expand the 1-D index along every other dimension and gather.
  Shape ishape = x.shape();
  ishape[d] = index.numel();
  Shape view;
  view.resize(x.dim(), 1);
  view[d] = index.numel();
  Tensor full_index = index.reshape(view).expand(ishape).contiguous();
  return gather(x, d, full_index);
}

Tensor one_hot(const Tensor& labels, int64_t num_classes, DType dtype) {
  NABLA_CHECK(labels.dtype() == DType::int64, DTypeError, "one_hot: labels must be int64, got ",
              dtype_name(labels.dtype()));
  Shape s = labels.shape();
  s.push_back(num_classes);
  Tensor out = Tensor::empty(s, dtype);
  Tensor lab = labels.contiguous();
  dispatch_all(dtype, [&]<class T>() {
    capture::launch(
        "one_hot",
        [p = out.data<T>(), v = lab.data<int64_t>(), n = lab.numel(), num_classes] {
          std::fill(p, p + n * num_classes, T(0));
          for (int64_t i = 0; i < n; ++i) {
            NABLA_CHECK(v[i] >= 0 && v[i] < num_classes, ValueError, "one_hot: label ", v[i], " at position ", i,
                        " is outside [0, ", num_classes, ")");
            p[i * num_classes + v[i]] = T(1);
          }
        },
        lab, out);
  });
  return out;
}

}  // namespace nabla
