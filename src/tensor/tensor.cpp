#include "nabla/tensor/tensor.h"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <ostream>

#include "../kernels/elementwise.h"
#include "nabla/autograd/engine.h"
#include "nabla/compile/tape.h"
#include "nabla/ops/ops.h"

namespace nabla {

bool TensorImpl::is_contiguous() const {
  // No element, nothing out of place (as torch); without this, a fresh tensor with a 0-size
  // dimension (strides from contiguous_strides) was not contiguous, and reshape copied forever.
  if (numel() == 0) return true;
  int64_t expected = 1;
  for (int i = shape.size() - 1; i >= 0; --i) {
    if (shape[i] == 1) continue;  // the stride of a size-1 dimension never matters
    if (strides[i] != expected) return false;
    expected *= shape[i];
  }
  return true;
}

// The bytes a contiguous tensor of this shape needs; a ShapeError naming the shape when that is
// more than a 64-bit machine can address (2^48 bytes), instead of an overflowed size.
static size_t storage_bytes(const Shape& shape, DType dtype) {
  int64_t bytes;
  NABLA_CHECK(
      !__builtin_mul_overflow(shape.numel(), int64_t(element_size(dtype)), &bytes) && bytes <= (int64_t(1) << 48),
      ShapeError, "a ", dtype_name(dtype), " tensor of shape ", shape.to_string(),
      " needs more memory than a 64-bit machine can address");
  return size_t(bytes);
}

Tensor Tensor::empty(const Shape& shape, DType dtype) {
  for (int64_t d : shape)
    NABLA_CHECK(d >= 0, ShapeError, "cannot create a tensor with negative size ", shape.to_string());
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = Storage::allocate(storage_bytes(shape, dtype));
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

Tensor Tensor::scalar(double value, DType dtype) { return full(Shape{}, value, dtype); }

Tensor Tensor::from_vector(const std::vector<double>& values, const Shape& shape, DType dtype) {
  NABLA_CHECK(int64_t(values.size()) == shape.numel(), ShapeError, "from_vector: ", values.size(),
              " values do not fill shape ", shape.to_string());
  Tensor t = empty(shape, dtype);
  dispatch_all(dtype, [&]<class T>() {
    T* p = t.data<T>();
    for (size_t i = 0; i < values.size(); ++i) p[i] = static_cast<T>(values[i]);
  });
  capture::restore_on_replay(t);
  return t;
}

Tensor Tensor::from_vector(std::initializer_list<double> values, const Shape& shape, DType dtype) {
  return from_vector(std::vector<double>(values), shape, dtype);
}

Tensor Tensor::from_vector(const std::vector<float>& values, const Shape& shape) {
  NABLA_CHECK(int64_t(values.size()) == shape.numel(), ShapeError, "from_vector: ", values.size(),
              " values do not fill shape ", shape.to_string());
  Tensor t = empty(shape, DType::float32);
  if (!values.empty()) std::memcpy(t.raw_data(), values.data(), values.size() * sizeof(float));
  capture::restore_on_replay(t);
  return t;
}

Tensor Tensor::from_vector(const std::vector<int64_t>& values, const Shape& shape) {
  NABLA_CHECK(int64_t(values.size()) == shape.numel(), ShapeError, "from_vector: ", values.size(),
              " values do not fill shape ", shape.to_string());
  Tensor t = empty(shape, DType::int64);
  if (!values.empty()) std::memcpy(t.raw_data(), values.data(), values.size() * sizeof(int64_t));
  capture::restore_on_replay(t);
  return t;
}

int64_t Tensor::size(int64_t d) const { return shape()[normalize_dim(d, dim(), "size")]; }

double Tensor::item() const {
  NABLA_CHECK(numel() == 1, ShapeError, "item(): the tensor has ", numel(), " elements (shape ", shape().to_string(),
              "), expected exactly one");
  return dispatch_all(dtype(), [&]<class T>() { return static_cast<double>(*static_cast<T*>(raw_data())); });
}

template <class T>
std::vector<T> Tensor::to_vector() const {
  std::vector<T> out(numel());
  if (out.empty()) return out;
  Tensor dst = Tensor::empty(shape(), dtype_of<T>::value);
  dispatch_all(dtype(), [&]<class S>() { kernels::copy<T, S>(kernels::operand(*this), kernels::operand(dst)); });
  std::memcpy(out.data(), dst.raw_data(), out.size() * sizeof(T));
  return out;
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;
template std::vector<int32_t> Tensor::to_vector<int32_t>() const;

double Tensor::at(std::initializer_list<int64_t> index) const {
  NABLA_CHECK(int(index.size()) == dim(), ShapeError, "at(): ", index.size(), " indices for a tensor with ", dim(),
              " dimensions");
  int64_t off = 0;
  int d = 0;
  for (int64_t i : index) {
    NABLA_CHECK(i >= 0 && i < shape()[d], ValueError, "at(): index ", i, " out of range for dimension ", d, " of size ",
                shape()[d]);
    off += i * strides()[d++];
  }
  return dispatch_all(dtype(), [&]<class T>() { return static_cast<double>(static_cast<T*>(raw_data())[off]); });
}

Tensor& Tensor::requires_grad_(bool value) {
  TensorImpl& impl = get("requires_grad_");
  NABLA_CHECK(!value || is_floating(dtype()), DTypeError,
              "requires_grad_: only floating tensors can require gradients, got ", dtype_name(dtype()));
  NABLA_CHECK(is_leaf(), AutogradError,
              "requires_grad_: can only be changed on a leaf; use detach() to make a new leaf");
  impl.requires_grad = value;
  return *this;
}

// Inside a captured step (nabla/compile.h) binding .grad is replayed too: a replay leaves every
// .grad bound to the buffer the replayed kernels write, as the eager step would.
void Tensor::set_grad(const Tensor& g) {
  get("set_grad");
  impl_->grad = g.impl_;
  capture::on_grad_bound(impl_, g.impl_);
}

void Tensor::zero_grad(bool set_to_none) {
  get("zero_grad");
  if (set_to_none) {
    impl_->grad.reset();
    capture::on_grad_bound(impl_, nullptr);
  } else if (impl_->grad) {
    Tensor(impl_->grad).detach().zero_();  // as PyTorch, the gradient's own graph is not kept
  }
}

void Tensor::retain_grad() {
  get("retain_grad");
  NABLA_CHECK(requires_grad(), AutogradError, "retain_grad() on a tensor that does not require grad");
  if (is_leaf() || impl_->retains_grad) return;
  impl_->retains_grad = true;
  register_hook([weak = std::weak_ptr<TensorImpl>(impl_)](const Tensor& g) {
    if (auto impl = weak.lock()) {
      Tensor t(impl);
      t.set_grad(t.grad().defined() ? t.grad() + g : g);
    }
    return Tensor();
  });
}

int64_t Tensor::register_hook(std::function<Tensor(const Tensor&)> hook) {
  TensorImpl& impl = get("register_hook");
  NABLA_CHECK(impl.requires_grad, AutogradError,
              "register_hook: cannot register a hook on a tensor that does not require grad");
  std::shared_ptr<GradHooks>& hooks = impl.grad_fn ? impl.grad_fn->hooks_ : impl.hooks;
  if (!hooks) hooks = std::make_shared<GradHooks>();
  static std::atomic<int64_t> last_id{0};
  const int64_t id = ++last_id;
  hooks->list.emplace_back(id, std::move(hook));
  return id;
}

void Tensor::remove_hook(int64_t id) {
  if (!impl_) return;
  for (GradHooks* hooks : {impl_->hooks.get(), impl_->grad_fn ? impl_->grad_fn->hooks_.get() : nullptr})
    if (hooks) std::erase_if(hooks->list, [id](const auto& h) { return h.first == id; });
}

void Tensor::backward(const Tensor& gradient, bool retain_graph, bool create_graph) const {
  get("backward");
  std::vector<Tensor> grads;
  if (gradient.defined()) grads.push_back(gradient);
  nabla::backward({*this}, grads, {.retain_graph = retain_graph, .create_graph = create_graph});
}

Tensor Tensor::detach() const {
  const TensorImpl& self = get("detach");
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = self.storage;
  impl->offset = self.offset;
  impl->shape = self.shape;
  impl->strides = self.strides;
  impl->dtype = self.dtype;
  return Tensor(std::move(impl));
}

// ---- in-place updates ----

void Tensor::throw_undefined(const char* method) {
  throw ValueError(std::string("undefined tensor: ") + method +
                   "() called on a Tensor that holds no data (default-constructed, or an unset .grad)");
}

void Tensor::mark_modified(const char* op) const {
  const TensorImpl& impl = get(op);
  if (impl.requires_grad && grad_enabled()) [[unlikely]] {
    // NOTE: as PyTorch for a leaf. nabla does not record in-place ops, so on a non-leaf the graph
    // would differentiate the old values: refused too, where PyTorch would record the op.
    NABLA_CHECK(impl.grad_fn, AutogradError, op,
                ": a leaf Variable that requires grad is being used in an in-place operation. Run it under "
                "NoGradGuard (as optimizers do) or on .detach()");
    throw AutogradError(std::string(op) + ": in-place change of the output of '" + impl.grad_fn->name() +
                        "', which requires grad: nabla does not record in-place ops, so its gradient would be "
                        "wrong. Use the out-of-place op, or NoGradGuard if the graph should ignore the change");
  }
  impl.storage->bump_version();
}

Tensor& Tensor::copy_(const Tensor& src) {
  get("copy_");
  NABLA_CHECK(broadcast_shapes(shape(), src.shape(), "copy_") == shape(), ShapeError, "copy_: source ",
              src.shape().to_string(), " does not broadcast to destination ", shape().to_string());
  mark_modified("copy_");
  dispatch_all(dtype(), [&]<class D>() {
    dispatch_all(src.dtype(), [&]<class S>() {
      capture::launch(
          "copy_", [from = kernels::operand(src), to = kernels::operand(*this)] { kernels::copy<D, S>(from, to); }, src,
          *this);
    });
  });
  return *this;
}

Tensor& Tensor::fill_(double value) {
  mark_modified("fill_");
  dispatch_all(dtype(), [&]<class T>() {
    capture::launch(
        "fill_",
        [to = kernels::operand(*this), v = static_cast<T>(value)] {
          if (to.contiguous) {
            T* p = static_cast<T*>(to.data);
            const int64_t n = to.numel();
            for (int64_t i = 0; i < n; ++i) p[i] = v;
            return;
          }
          kernels::nd_loop<1>(to.shape, {to.strides}, [&](auto off, int64_t len, auto st) {
            T* row = static_cast<T*>(to.data) + off[0];
            for (int64_t i = 0; i < len; ++i) row[i * st[0]] = v;
          });
        },
        *this);
  });
  return *this;
}

Tensor& Tensor::add_(const Tensor& other, double alpha) {
  get("add_");
  NABLA_CHECK(other.dtype() == dtype(), DTypeError, "add_: ", dtype_name(dtype()), " += ", dtype_name(other.dtype()));
  NABLA_CHECK(broadcast_shapes(shape(), other.shape(), "add_") == shape(), ShapeError,
              "add_: ", other.shape().to_string(), " does not broadcast to ", shape().to_string());
  mark_modified("add_");
  dispatch_floating(dtype(), "add_", [&]<class T>() {
    capture::launch(
        "add_",
        [to = kernels::operand(*this), from = kernels::operand(other), a = static_cast<T>(alpha)] {
          T* p = static_cast<T*>(to.data);
          const T* q = static_cast<const T*>(from.data);
          if (to.contiguous && from.contiguous && from.shape == to.shape) {
            const int64_t n = to.numel();
            for (int64_t i = 0; i < n; ++i) p[i] += a * q[i];
            return;
          }
          kernels::nd_loop<2>(to.shape, {to.strides, kernels::broadcast_strides(from, to.shape)},
                              [&](auto off, int64_t len, auto st) {
                                for (int64_t i = 0; i < len; ++i) p[off[0] + i * st[0]] += a * q[off[1] + i * st[1]];
                              });
        },
        *this, other);
  });
  return *this;
}

Tensor& Tensor::mul_(double factor) {
  mark_modified("mul_");
  dispatch_floating(dtype(), "mul_", [&]<class T>() {
    capture::launch(
        "mul_",
        [to = kernels::operand(*this), f = static_cast<T>(factor)] {
          T* p = static_cast<T*>(to.data);
          kernels::nd_loop<1>(to.shape, {to.strides}, [&](auto off, int64_t len, auto st) {
            for (int64_t i = 0; i < len; ++i) p[off[0] + i * st[0]] *= f;
          });
        },
        *this);
  });
  return *this;
}

// ---- creation ----

Tensor full(const Shape& shape, double value, DType dtype) {
  Tensor t = Tensor::empty(shape, dtype);
  t.fill_(value);
  return t;
}
Tensor zeros(const Shape& shape, DType dtype) {
  // Inside a captured step the zeroing is a recorded kernel: the buffer may be updated in place later.
  if (capture::zeroing_is_recorded()) return full(shape, 0.0, dtype);
  for (int64_t d : shape) NABLA_CHECK(d >= 0, ShapeError, "zeros: negative size in ", shape.to_string());
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = Storage::zeros(storage_bytes(shape, dtype));
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}
Tensor ones(const Shape& shape, DType dtype) { return full(shape, 1.0, dtype); }
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.dtype()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), t.dtype()); }
Tensor full_like(const Tensor& t, double value) { return full(t.shape(), value, t.dtype()); }

Tensor arange(double start, double end, double step, DType dtype) {
  NABLA_CHECK(step != 0, ValueError, "arange: step must be non-zero");
  NABLA_CHECK(std::isfinite(start) && std::isfinite(end) && std::isfinite(step), ValueError,
              "arange: start, end and step must be finite");
  const double count = std::ceil((end - start) / step);
  NABLA_CHECK(count < 0x1p62, ShapeError, "arange(", start, ", ", end, ", ", step, ") would have ", count,
              " elements, more than fit in a 64-bit size");
  const int64_t n = std::max<int64_t>(0, static_cast<int64_t>(count));
  Tensor t = Tensor::empty({n}, dtype);
  dispatch_all(dtype, [&]<class T>() {
    T* p = t.data<T>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(start + double(i) * step);
  });
  capture::restore_on_replay(t);
  return t;
}

Tensor linspace(double start, double end, int64_t steps, DType dtype) {
  NABLA_CHECK(steps >= 0, ValueError, "linspace: steps must be non-negative, got ", steps);
  Tensor t = Tensor::empty({steps}, dtype);
  // As torch.linspace: the first half counts up from start, the second half down from end,
  // so both endpoints are exact.
  const double step = steps > 1 ? (end - start) / double(steps - 1) : 0.0;
  const int64_t half = steps / 2;
  dispatch_all(dtype, [&]<class T>() {
    T* p = t.data<T>();
    for (int64_t i = 0; i < steps; ++i)
      p[i] = static_cast<T>(steps == 1 ? start
                            : i < half ? start + step * double(i)
                                       : end - step * double(steps - 1 - i));
  });
  capture::restore_on_replay(t);
  return t;
}

Tensor eye(int64_t n, DType dtype) {
  Tensor t = zeros({n, n}, dtype);
  dispatch_all(dtype, [&]<class T>() {
    for (int64_t i = 0; i < n; ++i) t.data<T>()[i * n + i] = T(1);
  });
  capture::restore_on_replay(t);
  return t;
}

// ---- printing ----

namespace {

std::string format_number(double v, bool integral, int precision, bool sci) {
  char buf[64];
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (integral) {
    std::snprintf(buf, sizeof buf, "%.0f.", v);
  } else if (sci) {
    std::snprintf(buf, sizeof buf, "%.*e", precision, v);
  } else {
    std::snprintf(buf, sizeof buf, "%.*f", precision, v);
  }
  return buf;
}

}  // namespace

std::string Tensor::to_string() const {
  if (!defined()) return "tensor(undefined)";
  const bool floating = is_floating(dtype());
  std::vector<double> values = to_vector<double>();
  // Like PyTorch: integers print as "1.", a wide range switches to scientific notation.
  bool all_integral = true;
  double max_abs = 0, min_abs = INFINITY;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    if (v != std::floor(v)) all_integral = false;
    max_abs = std::max(max_abs, std::fabs(v));
    if (v != 0) min_abs = std::min(min_abs, std::fabs(v));
  }
  const bool sci = floating && !all_integral && (max_abs >= 1e8 || (min_abs < 1e-4) || max_abs / min_abs > 1e3);
  std::vector<std::string> cells;
  size_t width = 0;
  for (double v : values) {
    std::string s;
    if (dtype() == DType::boolean)
      s = v != 0 ? "True" : "False";
    else if (is_integral(dtype()))
      s = std::to_string(static_cast<int64_t>(v));
    else
      s = format_number(v, all_integral, 4, sci);
    width = std::max(width, s.size());
    cells.push_back(std::move(s));
  }
  std::string out = "tensor(";
  const std::string indent(7, ' ');
  // Recursive layout over dimensions.
  size_t pos = 0;
  std::function<void(int)> emit = [&](int d) {
    if (d == dim()) {
      std::string c = cells[pos++];
      out += std::string(width - c.size(), ' ') + c;
      return;
    }
    out += "[";
    for (int64_t i = 0; i < shape()[d]; ++i) {
      if (i) {
        out += ",";
        if (d == dim() - 1)
          out += " ";
        else
          out += std::string(dim() - d - 1, '\n') + indent + std::string(d + 1, ' ');
      }
      emit(d + 1);
    }
    out += "]";
  };
  emit(0);
  if (dtype() != DType::float32 && dtype() != DType::int64 && dtype() != DType::boolean)
    out += std::string(", dtype=") + std::string(dtype_name(dtype()));
  if (grad_fn())
    out += ", grad_fn=<" + grad_fn()->name() + ">";
  else if (requires_grad())
    out += ", requires_grad=True";
  return out + ")";
}

std::ostream& operator<<(std::ostream& out, const Tensor& t) { return out << t.to_string(); }

}  // namespace nabla
