#include "nabla/autograd/engine.h"

#include <atomic>
#include <unordered_map>

#include "nabla/compile/tape.h"
#include "nabla/ops/ops.h"

namespace nabla {

class Engine {
 public:
  // Runs reverse mode from `roots`. If `requested` is non-empty, the gradients arriving at those
  // nodes are returned (grad()'s inputs); otherwise leaves accumulate into .grad (backward()).
  static std::vector<Tensor> run(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs,
                                 const std::vector<std::shared_ptr<Node>>& requested, bool accumulate_leaves,
                                 const BackwardOptions& options);

 private:
  static std::vector<Node*> topological_order(const std::vector<Node*>& roots);
};

namespace {

Tensor accumulate(const Tensor& acc, const Tensor& g) { return acc.defined() ? acc + g : g; }

// The gradient g of a tensor after its hooks (Tensor::register_hook), in registration order. The
// list is copied first: a hook may add or remove hooks.
Tensor run_hooks(const std::shared_ptr<GradHooks>& registered, Tensor g) {
  if (!registered || registered->list.empty()) return g;
  const auto hooks = registered->list;
  for (const auto& [id, hook] : hooks) {
    Tensor r = hook(g);
    if (!r.defined()) continue;
    NABLA_CHECK(r.shape() == g.shape(), AutogradError, "register_hook: a hook changed the gradient's shape from ",
                g.shape().to_string(), " to ", r.shape().to_string());
    NABLA_CHECK(r.dtype() == g.dtype(), AutogradError, "register_hook: a hook changed the gradient's dtype from ",
                dtype_name(g.dtype()), " to ", dtype_name(r.dtype()));
    g = std::move(r);
  }
  return g;
}

}  // namespace

// Depth-first post-order over the graph: every node after all nodes that feed on it when the
// list is reversed. Iterative, so deep graphs (long chains) cannot overflow the stack.
std::vector<Node*> Engine::topological_order(const std::vector<Node*>& roots) {
  // Each sort takes a fresh mark, so no per-node state needs resetting between passes.
  static std::atomic<uint64_t> last_mark{0};
  const uint64_t mark = ++last_mark;
  std::vector<Node*> order;
  std::vector<std::pair<Node*, size_t>> stack;
  for (Node* root : roots) {
    if (!root || root->visit_mark_ == mark) continue;
    root->visit_mark_ = mark;
    stack.push_back({root, 0});
    while (!stack.empty()) {
      auto& [node, i] = stack.back();
      if (i < node->next().size()) {
        Node* child = node->next()[i++].get();
        if (child && child->visit_mark_ != mark) {
          child->visit_mark_ = mark;
          stack.push_back({child, 0});
        }
      } else {
        order.push_back(node);
        stack.pop_back();
      }
    }
  }
  return order;  // leaves first; the roots come last
}

std::vector<Tensor> Engine::run(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs,
                                const std::vector<std::shared_ptr<Node>>& requested, bool accumulate_leaves,
                                const BackwardOptions& options) {
  NABLA_CHECK(grad_outputs.empty() || grad_outputs.size() == outputs.size(), ValueError, "backward: ", outputs.size(),
              " outputs but ", grad_outputs.size(), " output gradients");
  const bool create_graph = options.create_graph;
  const bool retain_graph = options.retain_graph || create_graph;

  std::vector<Node*> roots;
  std::vector<std::shared_ptr<Node>> keep_alive;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& out = outputs[i];
    NABLA_CHECK(out.defined() && out.requires_grad(), AutogradError, "backward: output ", i,
                " does not require grad and has no grad_fn "
                "(did you compute it under no_grad, or from tensors without requires_grad?)");
    auto node = autograd::gradient_edge(out);
    keep_alive.push_back(node);
    roots.push_back(node.get());
  }
  std::vector<Node*> order = topological_order(roots);
  for (Node* n : order) n->grad_buffer_ = Tensor();

  // Seed the roots.
  for (size_t i = 0; i < outputs.size(); ++i) {
    Tensor seed;
    if (!grad_outputs.empty() && grad_outputs[i].defined()) {
      seed = grad_outputs[i];
      NABLA_CHECK(seed.shape() == outputs[i].shape(), ShapeError, "backward: gradient of shape ",
                  seed.shape().to_string(), " for an output of shape ", outputs[i].shape().to_string());
      NABLA_CHECK(seed.dtype() == outputs[i].dtype(), DTypeError, "backward: gradient of dtype ",
                  dtype_name(seed.dtype()), " for an output of dtype ", dtype_name(outputs[i].dtype()));
    } else {
      NABLA_CHECK(outputs[i].numel() == 1, AutogradError, "backward: the output has shape ",
                  outputs[i].shape().to_string(),
                  "; a gradient can be implied only for a single-element output. "
                  "Pass the output gradient explicitly");
      seed = ones(outputs[i].shape(), outputs[i].dtype());
    }
    if (!create_graph && seed.requires_grad()) seed = seed.detach();
    roots[i]->grad_buffer_ = accumulate(roots[i]->grad_buffer_, seed);
  }

  std::unordered_map<Node*, size_t> requested_index;
  for (size_t i = 0; i < requested.size(); ++i)
    if (requested[i]) requested_index[requested[i].get()] = i;
  std::vector<Tensor> requested_grads(requested.size());

  GradModeGuard grad_mode(create_graph);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node* node = *it;
    Tensor g = node->grad_buffer_;
    node->grad_buffer_ = Tensor();
    if (!g.defined()) continue;
    // Without create_graph every gradient was computed with grad mode off, so none carries a
    // graph except a caller's grad_output, detached when the roots are seeded.
    if (options.keep_adjoints) node->adjoint_ = g;
    if (auto r = requested_index.find(node); r != requested_index.end()) requested_grads[r->second] = g;
    Tensor leaf = node->leaf();
    if (leaf.defined() && !accumulate_leaves) continue;
    // The tensor's hooks (retain_grad among them) see its complete gradient and may replace it.
    g = run_hooks(leaf.defined() ? leaf.impl()->hooks : node->hooks_, std::move(g));
    if (leaf.defined()) {
      // As PyTorch's AccumulateGrad: a contiguous gradient nothing else refers to becomes .grad
      // as it is; a shared one or a view is copied, so that accumulating into .grad later cannot
      // change another tensor.
      // A recording tape's own reference to the storage does not count (nabla/compile/tape.h).
      const long storage_refs = g.impl()->storage.use_count() - capture::tape_references(g.impl()->storage.get());
      const bool sole = g.impl_ptr().use_count() == 1 && storage_refs == 1 && g.is_contiguous();
      if (!leaf.grad().defined())
        leaf.set_grad(create_graph || sole ? g : g.clone());
      else if (create_graph)
        leaf.set_grad(leaf.grad() + g);
      else
        leaf.grad().add_(g);  // in place, as PyTorch: the graph of .grad is not needed
      if (const auto& hooks = leaf.impl()->hooks; hooks && !hooks->post_accumulate.empty()) {
        g = Tensor();  // .grad alone holds the gradient now, as a hook that writes into it expects
        const auto post = hooks->post_accumulate;  // a hook may remove hooks
        for (const auto& [id, hook] : post) hook(leaf);
      }
      continue;
    }
    // In grad() mode, nodes below every requested input need not run, but the saving is small
    // next to the bookkeeping needed to know which those are.
    std::vector<Tensor> input_grads = node->apply(g);
    if (anomaly_detection_enabled())
      for (const Tensor& ig : input_grads)
        autograd::check_finite(ig, "the backward pass of '" + node->name() + "'", {g});
    for (size_t i = 0; i < input_grads.size(); ++i) {
      Node* next = node->next()[i].get();
      if (next && input_grads[i].defined()) next->grad_buffer_ = accumulate(next->grad_buffer_, input_grads[i]);
    }
    if (!retain_graph) node->release();
  }
  return requested_grads;
}

namespace autograd {

int64_t register_post_accumulate_hook(const Tensor& leaf, std::function<void(const Tensor&)> hook) {
  NABLA_CHECK(leaf.defined() && leaf.requires_grad() && leaf.is_leaf(), AutogradError,
              "register_post_accumulate_hook: needs a leaf tensor that requires grad");
  std::shared_ptr<GradHooks>& hooks = leaf.impl()->hooks;
  if (!hooks) hooks = std::make_shared<GradHooks>();
  static std::atomic<int64_t> last_id{0};
  const int64_t id = ++last_id;
  hooks->post_accumulate.emplace_back(id, std::move(hook));
  return id;
}

void remove_post_accumulate_hook(const Tensor& leaf, int64_t id) {
  if (!leaf.defined() || !leaf.impl()->hooks) return;
  std::erase_if(leaf.impl()->hooks->post_accumulate, [id](const auto& h) { return h.first == id; });
}

}  // namespace autograd

void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs, BackwardOptions options) {
  Engine::run(outputs, grad_outputs, {}, true, options);
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs, BackwardOptions options,
                         const std::vector<Tensor>& grad_outputs) {
  std::vector<std::shared_ptr<Node>> requested;
  for (size_t i = 0; i < inputs.size(); ++i) {
    NABLA_CHECK(inputs[i].defined() && inputs[i].requires_grad(), AutogradError, "grad: input ", i,
                " does not require grad");
    requested.push_back(autograd::gradient_edge(inputs[i]));
  }
  std::vector<Tensor> result = Engine::run(outputs, grad_outputs, requested, false, options);
  for (size_t i = 0; i < result.size(); ++i) {
    NABLA_CHECK(result[i].defined() || options.allow_unused, AutogradError, "grad: input ", i,
                " was not used to compute the outputs (pass allow_unused to get an undefined gradient)");
  }
  return result;
}

}  // namespace nabla
