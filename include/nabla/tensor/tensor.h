// nabla/tensor/tensor.h — the n-dimensional array that every other part of nabla works on.
//
// A Tensor is a cheap handle (one shared pointer) to a TensorImpl: shared storage + dtype +
// offset + shape + strides, plus the autograd fields (requires_grad, grad, grad_fn). Views
// (reshape of contiguous data, transpose, slice, expand) share storage with their base.
//
//   Tensor w = nabla::randn({3, 2}, DType::float64).requires_grad_();
//   Tensor loss = (nabla::matmul(x, w).relu() - y).pow(2).mean();
//   loss.backward();            // w.grad() now holds d loss / d w
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/std_function.h"
#include "nabla/tensor/dtype.h"
#include "nabla/tensor/shape.h"
#include "nabla/tensor/storage.h"

namespace nabla {

class Node;
class Tensor;
struct GradHooks;  // Tensor::register_hook's functions (nabla/autograd/node.h)

// The state behind a Tensor handle. Users work with Tensor; ops and autograd read this.
struct TensorImpl {
  std::shared_ptr<Storage> storage;
  int64_t offset = 0;  // in elements
  Shape shape;
  Shape strides;  // in elements
  DType dtype = DType::float32;

  // Autograd. A leaf that requires grad accumulates into `grad`; a non-leaf has a grad_fn, the
  // node that made it. `accumulator` caches the leaf's AccumulateGrad node (weakly: the graph owns it).
  bool requires_grad = false;
  bool retains_grad = false;
  std::shared_ptr<TensorImpl> grad;
  std::shared_ptr<Node> grad_fn;
  std::weak_ptr<Node> accumulator;
  // A leaf's register_hook functions (a non-leaf's are kept by its grad_fn).
  std::shared_ptr<GradHooks> hooks;
  std::string name;  // optional, shown by printing and graph export

  int64_t numel() const { return shape.numel(); }
  bool is_contiguous() const;
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // A new tensor with uninitialised contiguous storage.
  static Tensor empty(const Shape& shape, DType dtype = DType::float32);
  // A 0-d tensor holding one number.
  static Tensor scalar(double value, DType dtype = DType::float64);
  // Copies `values` (row-major) into a new tensor of this shape.
  static Tensor from_vector(const std::vector<double>& values, const Shape& shape, DType dtype = DType::float64);
  static Tensor from_vector(std::initializer_list<double> values, const Shape& shape, DType dtype = DType::float64);
  static Tensor from_vector(const std::vector<float>& values, const Shape& shape);
  static Tensor from_vector(const std::vector<int64_t>& values, const Shape& shape);

  // ---- metadata ----
  bool defined() const { return impl_ != nullptr; }
  DType dtype() const { return get("dtype").dtype; }
  const Shape& shape() const { return get("shape").shape; }
  const Shape& strides() const { return get("strides").strides; }
  int64_t offset() const { return get("offset").offset; }
  int dim() const { return get("dim").shape.size(); }
  int64_t size(int64_t d) const;
  int64_t numel() const { return get("numel").numel(); }
  bool is_contiguous() const { return get("is_contiguous").is_contiguous(); }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  bool same(const Tensor& other) const { return impl_ == other.impl_; }

  // ---- raw data (element type must match dtype) ----
  template <class T>
  T* data() const {
    const TensorImpl& impl = get("data");
    NABLA_CHECK(dtype_of<T>::value == impl.dtype, DTypeError, "data<", dtype_name(dtype_of<T>::value), ">() on a ",
                dtype_name(impl.dtype), " tensor");
    return static_cast<T*>(impl.storage->data()) + impl.offset;
  }
  void* raw_data() const {
    const TensorImpl& impl = get("raw_data");
    return static_cast<char*>(impl.storage->data()) + impl.offset * element_size(impl.dtype);
  }
  // The value of a one-element tensor, as double.
  double item() const;
  // All elements in row-major order, converted to T.
  template <class T>
  std::vector<T> to_vector() const;
  // Element at a multi-index, as double (for tests and printing; slow).
  double at(std::initializer_list<int64_t> index) const;

  // ---- autograd ----
  bool requires_grad() const { return get("requires_grad").requires_grad; }
  // Marks a leaf as needing gradients; returns *this for chaining.
  Tensor& requires_grad_(bool value = true);
  bool is_leaf() const { return get("is_leaf").grad_fn == nullptr; }
  const std::shared_ptr<Node>& grad_fn() const { return get("grad_fn").grad_fn; }
  // The accumulated gradient (undefined until a backward pass reaches this tensor).
  Tensor grad() const { return Tensor(get("grad").grad); }
  void set_grad(const Tensor& g);
  // Sets .grad to undefined (set_to_none, as PyTorch 2 does) or fills it with zeros.
  void zero_grad(bool set_to_none = true);
  // Asks a non-leaf to keep its gradient in .grad after backward (a hook, in registration order
  // with register_hook's, as PyTorch 1.13).
  void retain_grad();
  // Calls `hook` with this tensor's gradient each time a backward pass has computed it, before it
  // flows on (or, for a leaf, before backward accumulates it into .grad; grad() returns the
  // gradient as it was before the hooks, as PyTorch). A hook returning a defined tensor (same shape
  // and dtype) replaces the gradient. Hooks run in registration order; returns an id for remove_hook.
  //   int64_t id = h.register_hook([](const Tensor& g) { return g.clamp(-1, 1); });
  //   h.remove_hook(id);
  int64_t register_hook(std::function<Tensor(const Tensor&)> hook);
  void remove_hook(int64_t id);
  // Backpropagates from this tensor. A non-scalar tensor needs an explicit `gradient`.
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false, bool create_graph = false) const;
  // The same data, cut from the graph.
  Tensor detach() const;

  const std::string& name() const { return get("name").name; }
  Tensor& set_name(std::string name) {
    get("set_name").name = std::move(name);
    return *this;
  }

  // ---- conversions and copies ----
  Tensor to(DType dtype) const;  // differentiable between float types
  Tensor contiguous() const;     // differentiable (identity for the gradient)
  Tensor clone() const;          // differentiable copy with its own storage

  // ---- views (differentiable; share storage where the layout allows) ----
  Tensor reshape(const Shape& shape) const;  // one dimension may be -1
  Tensor view(const Shape& shape) const { return reshape(shape); }
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor t() const;  // transpose of a matrix
  Tensor permute(const std::vector<int64_t>& dims) const;
  Tensor slice(int64_t dim, int64_t start, int64_t end, int64_t step = 1) const;
  Tensor select(int64_t dim, int64_t index) const;  // slice of width 1, dimension removed
  Tensor unsqueeze(int64_t dim) const;
  Tensor squeeze(int64_t dim) const;
  Tensor squeeze() const;
  Tensor expand(const Shape& shape) const;  // broadcast_to: size-1 dims repeat, stride 0

  // ---- method forms of common ops (defined in ops) ----
  Tensor sum() const;
  Tensor sum(const std::vector<int64_t>& dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(const std::vector<int64_t>& dims, bool keepdim = false) const;
  Tensor max() const;
  Tensor max(int64_t dim, bool keepdim = false) const;
  Tensor min() const;
  Tensor min(int64_t dim, bool keepdim = false) const;
  Tensor argmax(int64_t dim, bool keepdim = false) const;
  Tensor pow(double exponent) const;
  Tensor exp() const;
  Tensor log() const;
  Tensor sqrt() const;
  Tensor abs() const;
  Tensor tanh() const;
  Tensor sigmoid() const;
  Tensor relu() const;
  Tensor matmul(const Tensor& other) const;

  // ---- in-place updates (for optimizers and initialisers; never recorded by autograd) ----
  // Each bumps the version of the tensor's storage (shared by its views): a backward that needs
  // the old values throws instead of using the new ones. On a tensor that requires grad they
  // throw while grad mode is on: use them under NoGradGuard (as optimizers do), or on .detach().
  Tensor& copy_(const Tensor& src);  // broadcasting copy into this tensor's elements
  Tensor& fill_(double value);
  Tensor& zero_() { return fill_(0.0); }
  Tensor& add_(const Tensor& other, double alpha = 1.0);  // this += alpha * other
  Tensor& mul_(double factor);
  // How many in-place changes the storage has seen (torch's tensor._version). Code that writes
  // a tensor's memory through raw pointers (a random fill, an index assignment) calls
  // mark_modified(op), which checks as the in-place methods do and bumps the version; an
  // optimizer step, a no-grad region by definition, bumps the storage's counter itself.
  uint64_t version() const { return get("version").storage->version(); }
  void mark_modified(const char* op) const;

  // PyTorch-like text form: tensor([[1.0000, 2.0000]], dtype=float64, requires_grad=True)
  std::string to_string() const;

 private:
  // Every method reaches the impl through here: an undefined tensor (Tensor u;) is a ValueError
  // naming the method, never a null dereference. The check is one predictable branch.
  const TensorImpl& get(const char* method) const {
    if (!impl_) [[unlikely]]
      throw_undefined(method);
    return *impl_;
  }
  TensorImpl& get(const char* method) {
    if (!impl_) [[unlikely]]
      throw_undefined(method);
    return *impl_;
  }
  [[noreturn]] static void throw_undefined(const char* method);

  std::shared_ptr<TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& out, const Tensor& t);

// ---- creation ----
Tensor zeros(const Shape& shape, DType dtype = DType::float32);
Tensor ones(const Shape& shape, DType dtype = DType::float32);
Tensor full(const Shape& shape, double value, DType dtype = DType::float32);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);
// start, start+step, ... < end (as torch.arange).
Tensor arange(double start, double end, double step = 1.0, DType dtype = DType::float32);
// `steps` evenly spaced points from start to end inclusive (as torch.linspace).
Tensor linspace(double start, double end, int64_t steps, DType dtype = DType::float32);
// Identity matrix.
Tensor eye(int64_t n, DType dtype = DType::float32);

}  // namespace nabla
