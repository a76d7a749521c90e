#include "nabla/autograd/node.h"

#include <cmath>
#include <sstream>

namespace nabla {

namespace {
thread_local bool g_grad_enabled = true;
thread_local bool g_detect_anomaly = false;

// "shape [4, 2], min -1.5, max 3, mean 0.25, 1 NaN, 0 inf"
std::string describe_values(const Tensor& t) {
  std::vector<double> v = t.to_vector<double>();
  double lo = INFINITY, hi = -INFINITY, sum = 0;
  int64_t nans = 0, infs = 0, finite = 0;
  for (double x : v) {
    if (std::isnan(x))
      ++nans;
    else if (std::isinf(x))
      ++infs;
    else {
      lo = std::min(lo, x);
      hi = std::max(hi, x);
      sum += x;
      ++finite;
    }
  }
  std::ostringstream out;
  out << "shape " << t.shape().to_string();
  if (finite) out << ", min " << lo << ", max " << hi << ", mean " << sum / double(finite);
  out << ", " << nans << " NaN, " << infs << " inf";
  return out.str();
}
}  // namespace

bool grad_enabled() { return g_grad_enabled; }
void set_grad_enabled(bool enabled) { g_grad_enabled = enabled; }
bool anomaly_detection_enabled() { return g_detect_anomaly; }
DetectAnomalyGuard::DetectAnomalyGuard(bool enabled) : previous_(g_detect_anomaly) { g_detect_anomaly = enabled; }
DetectAnomalyGuard::~DetectAnomalyGuard() { g_detect_anomaly = previous_; }
GradModeGuard::GradModeGuard(bool enabled) : previous_(g_grad_enabled) { g_grad_enabled = enabled; }
GradModeGuard::~GradModeGuard() { g_grad_enabled = previous_; }

Node::Node(std::string name, BackwardFn backward, std::vector<std::shared_ptr<Node>> next, const Tensor& output,
           std::vector<Shape> input_shapes)
    : name_(std::move(name)),
      backward_(std::move(backward)),
      next_(std::move(next)),
      input_shapes_(std::move(input_shapes)) {
  if (output.defined()) {
    has_output_ = true;
    output_.storage = output.impl()->storage;
    output_.offset = output.offset();
    output_.shape = output.shape();
    output_.strides = output.strides();
    output_.dtype = output.dtype();
  }
}

Tensor Node::value() const {
  if (!has_output_) return Tensor();
  return Tensor(std::make_shared<TensorImpl>(output_));
}

Node::~Node() {
  // The backward closure's captured inputs hold their producers (mul saves both): dropped while
  // next_ still holds those producers, they free nothing here, and the loop below frees the chain
  // (a product x*x*...*x of 100 000 factors recursed once per factor).
  backward_ = nullptr;
  std::vector<std::shared_ptr<Node>> pending = std::move(next_);
  while (!pending.empty()) {
    std::shared_ptr<Node> node = std::move(pending.back());
    pending.pop_back();
    // The last owner of a node takes over its edges before it dies, so it dies childless.
    if (node && node.use_count() == 1) {
      for (auto& child : node->next_) pending.push_back(std::move(child));
      node->next_.clear();
    }
  }
}

void Node::add_saved(SavedVersion saved) {
  if (num_saved_ < kInlineSaved)
    saved_[num_saved_++] = std::move(saved);
  else
    saved_extra_.push_back(std::move(saved));
}

void Node::save_versions(const std::vector<Tensor>& inputs, uint32_t saves, const Tensor& output) {
  using namespace autograd;
  if (saves == kSavesNothing) return;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].defined() && (saves == kSavesAll || (i < 31 && (saves & saves_input(int(i))))))
      add_saved({inputs[i].impl()->storage, inputs[i].impl()->storage->version(), int(i)});
  if (output.defined() && (saves & kSavesOutput)) add_saved({nullptr, output.impl()->storage->version(), kSavedOutput});
}

void Node::check_saved_version(const SavedVersion& s) const {
  const Storage* storage = s.which == kSavedOutput ? output_.storage.get() : s.storage.get();
  const uint64_t now = storage->version();
  if (now == s.version) [[likely]]
    return;
  const std::string which = s.which == kSavedOutput ? "output (of shape " + output_.shape.to_string() + ")"
                                                    : "input " + std::to_string(s.which) + " (of shape " +
                                                          input_shapes_[size_t(s.which)].to_string() + ")";
  throw AutogradError(detail::concat(
      "one of the variables needed for gradient computation has been modified by an inplace operation: '", name_,
      "''s saved ", which, " is at version ", now, "; expected version ", s.version,
      " instead. Change it after backward, or clone() it before the in-place change"));
}

std::vector<Tensor> Node::apply(const Tensor& grad_out) {
  NABLA_CHECK(backward_, AutogradError, "backward through '", name_,
              "' a second time: its saved tensors were freed by the first backward. "
              "Pass retain_graph=true to the first backward if you need to go through it again");
  for (int i = 0; i < num_saved_; ++i) check_saved_version(saved_[i]);
  for (const SavedVersion& saved : saved_extra_) check_saved_version(saved);
  // The output, attached to this node, so that formulas using it are themselves differentiable.
  Tensor out;
  if (has_output_) {
    auto impl = std::make_shared<TensorImpl>(output_);
    impl->requires_grad = true;
    impl->grad_fn = shared_from_this();
    out = Tensor(std::move(impl));
  }
  std::vector<Tensor> grads = backward_(grad_out, out);
  NABLA_CHECK(grads.size() == next_.size(), AutogradError, "internal: '", name_, "' returned ", grads.size(),
              " gradients for ", next_.size(), " inputs");
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) continue;
    NABLA_CHECK(grads[i].shape() == input_shapes_[i], AutogradError, "internal: '", name_,
                "' returned a gradient of shape ", grads[i].shape().to_string(), " for input ", i, " of shape ",
                input_shapes_[i].to_string());
  }
  return grads;
}

AccumulateGrad::AccumulateGrad(std::shared_ptr<TensorImpl> leaf)
    : Node("leaf", nullptr, {}, Tensor(), {}), leaf_(std::move(leaf)) {}

namespace autograd {

void check_finite(const Tensor& t, const std::string& what, const std::vector<Tensor>& inputs) {
  if (!t.defined() || !is_floating(t.dtype())) return;
  bool bad = false;
  dispatch_floating(t.dtype(), "check_finite", [&]<class T>() {
    for (T v : t.to_vector<T>())
      if (!std::isfinite(v)) {
        bad = true;
        break;
      }
  });
  if (!bad) return;
  std::ostringstream msg;
  msg << "anomaly: " << what << " produced a non-finite value (" << describe_values(t) << ")";
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].defined() && is_floating(inputs[i].dtype()))
      msg << "; input " << i << ": " << describe_values(inputs[i]);
  throw ValueError(msg.str());
}

std::shared_ptr<Node> gradient_edge(const Tensor& t) {
  if (!t.defined() || !t.requires_grad()) return nullptr;
  if (t.grad_fn()) return t.grad_fn();
  auto acc = t.impl()->accumulator.lock();
  if (!acc) {
    acc = std::make_shared<AccumulateGrad>(t.impl_ptr());
    t.impl()->accumulator = acc;
  }
  return acc;
}

Tensor record(const char* op, Tensor out, const std::vector<Tensor>& inputs, BackwardFn backward, uint32_t saves) {
  if (!grad_enabled()) return out;
  if (g_detect_anomaly) check_finite(out, std::string("the forward pass of '") + op + "'", inputs);
  bool any = false;
  for (const Tensor& t : inputs) any = any || (t.defined() && t.requires_grad());
  if (!any) return out;
  std::vector<std::shared_ptr<Node>> next;
  std::vector<Shape> shapes;
  next.reserve(inputs.size());
  shapes.reserve(inputs.size());
  for (const Tensor& t : inputs) {
    next.push_back(gradient_edge(t));
    shapes.push_back(t.defined() ? t.shape() : Shape{});
  }
  auto node = std::make_shared<Node>(op, std::move(backward), std::move(next), out, std::move(shapes));
  node->save_versions(inputs, saves, out);
  out.impl()->requires_grad = true;
  out.impl()->grad_fn = std::move(node);
  return out;
}

Tensor record(const char* op, Tensor out, std::initializer_list<Tensor> inputs, BackwardFn backward, uint32_t saves) {
  return record(op, std::move(out), std::vector<Tensor>(inputs), std::move(backward), saves);
}

}  // namespace autograd
}  // namespace nabla
