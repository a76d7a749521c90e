// nabla/nn/module.h — the base of every layer: named parameters, buffers and child modules.
//
// A Module owns its parameters (tensors that require grad and that an optimizer updates), its
// buffers (state that is saved but not trained, e.g. BatchNorm's running mean) and its child
// modules, each under a name. Names compose with dots, as in PyTorch ("layers.0.weight"), so a
// state_dict can be exchanged with a PyTorch model of the same structure. Modules are held by
// std::shared_ptr; a parent shares ownership of its children.
//
//   struct Net : nn::Module {
//     Net() : Module("Net") { fc = register_module("fc", std::make_shared<nn::Linear>(nn::LinearOptions(2, 1))); }
//     Tensor forward(const Tensor& x) override { return fc->forward(x).sigmoid(); }
//     std::shared_ptr<nn::Linear> fc;
//   };
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nabla/std_function.h"
#include "nabla/tensor/tensor.h"

namespace nabla::nn {

// An ordered name -> tensor list: the order is PyTorch's (each module's parameters, then its
// buffers, then its children in registration order). It is a vector of pairs so that it passes
// straight to save_safetensors (io/safetensors.h) and back.
class StateDict : public std::vector<std::pair<std::string, Tensor>> {
 public:
  using Base = std::vector<std::pair<std::string, Tensor>>;
  StateDict() = default;
  StateDict(Base items) : Base(std::move(items)) {}  // NOLINT: implicit, to take NamedTensors
  StateDict(std::initializer_list<std::pair<std::string, Tensor>> items) : Base(items) {}

  bool contains(std::string_view name) const;
  // The tensor called `name`; ValueError listing the available names if there is none.
  const Tensor& at(std::string_view name) const;
  std::vector<std::string> keys() const;
};

// What load_state_dict(strict = false) did not match (as PyTorch's _IncompatibleKeys).
struct LoadResult {
  std::vector<std::string> missing_keys;
  std::vector<std::string> unexpected_keys;
};

class Module : public std::enable_shared_from_this<Module> {
 public:
  // `type_name` is what printing shows ("Linear"); PyTorch shows the class name.
  explicit Module(std::string type_name = "Module");
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The computation. The default throws: modules with another signature (losses take
  // (input, target)) or pure containers do not override it.
  virtual Tensor forward(const Tensor& input);
  Tensor operator()(const Tensor& input) { return forward(input); }

  const std::string& type_name() const { return type_name_; }

  // ---- parameters, buffers, children ----
  // Recursive, depth first, with dotted names. A tensor reachable under two names is listed once
  // (its first name), as PyTorch does.
  std::vector<std::pair<std::string, Tensor>> named_parameters(bool recurse = true) const;
  std::vector<Tensor> parameters(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_buffers(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_children() const { return children_; }
  std::vector<std::shared_ptr<Module>> children() const;
  // This module (name "") and all its descendants, pre-order, with dotted names.
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_modules();
  // A parameter, buffer or module by its dotted name ("layers.0.weight"); ValueError if absent.
  Tensor parameter(std::string_view dotted_name) const;
  Tensor buffer(std::string_view dotted_name) const;
  std::shared_ptr<Module> submodule(std::string_view dotted_name) const;

  // ---- modes ----
  // Training mode (the default) vs evaluation mode, for this module and all its descendants:
  // Dropout and BatchNorm behave differently in the two.
  virtual void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // ---- state ----
  // Parameters and buffers by dotted name, in PyTorch's order. The tensors are detached aliases
  // of the module's own (they share storage: copy them with clone() to keep a snapshot).
  StateDict state_dict() const;
  // Copies values into the module's tensors (the tensors keep their identity, so an optimizer
  // holding them is unaffected). strict: a missing or unexpected key is an error naming it.
  // A shape mismatch is always an error (ShapeError), naming the key and both shapes.
  LoadResult load_state_dict(const StateDict& state, bool strict = true);
  // Clears the .grad of every parameter (set_to_none, PyTorch 2's default) or zeroes it.
  void zero_grad(bool set_to_none = true);
  // Converts every floating parameter and buffer (and gradient) to `dtype` in place: the
  // tensors keep their identity. Integer buffers (num_batches_tracked) stay as they are.
  Module& to(DType dtype);

  // ---- printing (PyTorch's repr) ----
  // What goes between the parentheses after the type name, e.g. "in_features=2, out_features=1, bias=True".
  virtual std::string extra_repr() const { return ""; }
  std::string to_string() const;

  // Calls fn on this module and every descendant, pre-order (as Module.apply).
  void apply(const std::function<void(Module&)>& fn);

 protected:
  // Registers (or replaces) a parameter. The tensor is made a leaf that requires grad.
  // Returns it, to keep as a member: `weight = register_parameter("weight", w);`
  Tensor register_parameter(const std::string& name, Tensor tensor, bool requires_grad = true);
  // Registers (or replaces) a buffer; an undefined tensor reserves the name without state.
  Tensor register_buffer(const std::string& name, Tensor tensor);
  // Registers (or replaces) a child module and returns it.
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> module);
  void check_name(const std::string& name, const char* what) const;
  void collect(const std::string& prefix, bool params, bool buffers, bool recurse,
               std::vector<std::pair<std::string, Tensor>>& out) const;

  std::string type_name_;
  bool training_ = true;
  std::vector<std::pair<std::string, Tensor>> parameters_;
  std::vector<std::pair<std::string, Tensor>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
};

std::ostream& operator<<(std::ostream& out, const Module& module);

}  // namespace nabla::nn
