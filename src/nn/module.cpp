#include "nabla/nn/module.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <set>
#include <sstream>

#include "nabla/nn/options.h"

namespace nabla::nn {

// ============================== StateDict ==============================

bool StateDict::contains(std::string_view name) const {
  for (const auto& [k, v] : *this)
    if (k == name) return true;
  return false;
}

const Tensor& StateDict::at(std::string_view name) const {
  for (const auto& [k, v] : *this)
    if (k == name) return v;
  std::string known;
  for (const auto& [k, v] : *this) known += (known.empty() ? "" : ", ") + k;
  throw ValueError(nabla::detail::concat("state_dict: no entry \"", name, "\" (it has: ", known, ")"));
}

std::vector<std::string> StateDict::keys() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : *this) out.push_back(k);
  return out;
}

// ============================== Python-style number printing ==============================

std::string detail::py_float(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  // Shortest round-trip digits, then Python's layout: fixed for 1e-4 <= |v| < 1e16, else
  // d.ddde±XX (two-digit exponent at least).
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string s(buf, res.ptr);
  std::string sign;
  if (s[0] == '-') {
    sign = "-";
    s.erase(0, 1);
  }
  size_t e = s.find('e');
  int exp10 = std::stoi(s.substr(e + 1));
  std::string digits;
  for (char c : s.substr(0, e))
    if (c != '.') digits += c;
  if (exp10 >= -4 && exp10 < 16) {
    std::string out;
    if (exp10 < 0) {
      out = "0." + std::string(-exp10 - 1, '0') + digits;
    } else if (static_cast<int>(digits.size()) <= exp10 + 1) {
      out = digits + std::string(exp10 + 1 - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, exp10 + 1) + "." + digits.substr(exp10 + 1);
    }
    return sign + out;
  }
  std::string mant = digits.substr(0, 1) + (digits.size() > 1 ? "." + digits.substr(1) : "");
  char ebuf[16];
  std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
  return sign + mant + ebuf;
}

// ============================== Module ==============================

Module::Module(std::string type_name) : type_name_(std::move(type_name)) {}

Tensor Module::forward(const Tensor&) {
  throw ValueError(nabla::detail::concat(type_name_, ": this module has no forward(input); ",
                                         "losses take forward(input, target), containers forward their children"));
}

void Module::check_name(const std::string& name, const char* what) const {
  NABLA_CHECK(!name.empty() && name.find('.') == std::string::npos, ValueError, type_name_, ": ", what, " name \"",
              name, "\" must be non-empty and contain no '.'");
  auto clash = [&](const auto& list) {
    for (const auto& [k, v] : list)
      if (k == name) return true;
    return false;
  };
  // A name may be re-registered as the same kind (replacing it), never as another kind.
  const std::string kind = what;
  NABLA_CHECK(!(kind != "parameter" && clash(parameters_)), ValueError, type_name_, ": \"", name,
              "\" is already a parameter");
  NABLA_CHECK(!(kind != "buffer" && clash(buffers_)), ValueError, type_name_, ": \"", name, "\" is already a buffer");
  NABLA_CHECK(!(kind != "module" && clash(children_)), ValueError, type_name_, ": \"", name,
              "\" is already a child module");
}

namespace {
template <class List, class V>
void put(List& list, const std::string& name, V value) {
  for (auto& [k, v] : list)
    if (k == name) {
      v = std::move(value);
      return;
    }
  list.emplace_back(name, std::move(value));
}
}  // namespace

Tensor Module::register_parameter(const std::string& name, Tensor tensor, bool requires_grad) {
  check_name(name, "parameter");
  NABLA_CHECK(tensor.defined(), ValueError, type_name_, ": parameter \"", name, "\" is undefined");
  if (!tensor.is_leaf()) tensor = tensor.detach();
  if (requires_grad)
    NABLA_CHECK(is_floating(tensor.dtype()), DTypeError, type_name_, ": parameter \"", name,
                "\" must be floating to require grad, got ", dtype_name(tensor.dtype()));
  tensor.requires_grad_(requires_grad);
  put(parameters_, name, tensor);
  return tensor;
}

Tensor Module::register_buffer(const std::string& name, Tensor tensor) {
  check_name(name, "buffer");
  if (tensor.defined() && !tensor.is_leaf()) tensor = tensor.detach();
  put(buffers_, name, tensor);
  return tensor;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  check_name(name, "module");
  NABLA_CHECK(module != nullptr, ValueError, type_name_, ": child module \"", name, "\" is null");
  NABLA_CHECK(module.get() != this, ValueError, type_name_, ": a module cannot be its own child");
  put(children_, name, std::move(module));
}

void Module::collect(const std::string& prefix, bool params, bool buffers, bool recurse,
                     std::vector<std::pair<std::string, Tensor>>& out) const {
  if (params)
    for (const auto& [k, v] : parameters_) out.emplace_back(prefix + k, v);
  if (buffers)
    for (const auto& [k, v] : buffers_)
      if (v.defined()) out.emplace_back(prefix + k, v);
  if (recurse)
    for (const auto& [k, m] : children_) m->collect(prefix + k + ".", params, buffers, true, out);
}

namespace {
std::vector<std::pair<std::string, Tensor>> dedup(std::vector<std::pair<std::string, Tensor>> in) {
  std::set<const TensorImpl*> seen;
  std::vector<std::pair<std::string, Tensor>> out;
  for (auto& item : in)
    if (seen.insert(item.second.impl()).second) out.push_back(std::move(item));
  return out;
}
}  // namespace

std::vector<std::pair<std::string, Tensor>> Module::named_parameters(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  collect("", true, false, recurse, out);
  return dedup(std::move(out));
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [k, v] : named_parameters(recurse)) out.push_back(v);
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  collect("", false, true, recurse, out);
  return dedup(std::move(out));
}

std::vector<Tensor> Module::buffers(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [k, v] : named_buffers(recurse)) out.push_back(v);
  return out;
}

std::vector<std::shared_ptr<Module>> Module::children() const {
  std::vector<std::shared_ptr<Module>> out;
  for (const auto& [k, m] : children_) out.push_back(m);
  return out;
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_modules() {
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> out;
  std::set<const Module*> seen;
  std::function<void(const std::string&, std::shared_ptr<Module>)> walk = [&](const std::string& name,
                                                                              std::shared_ptr<Module> m) {
    if (!seen.insert(m.get()).second) return;
    out.emplace_back(name, m);
    for (const auto& [k, c] : m->children_) walk(name.empty() ? k : name + "." + k, c);
  };
  // A module not (yet) owned by a shared_ptr still lists itself, through a non-owning alias.
  std::shared_ptr<Module> self = weak_from_this().lock();
  if (!self) self = std::shared_ptr<Module>(std::shared_ptr<Module>(), this);
  walk("", self);
  return out;
}

namespace {
// Splits "a.b.c" into the module path "a.b" and the leaf name "c".
std::pair<std::string, std::string> split_last(std::string_view dotted) {
  size_t dot = dotted.rfind('.');
  if (dot == std::string_view::npos) return {"", std::string(dotted)};
  return {std::string(dotted.substr(0, dot)), std::string(dotted.substr(dot + 1))};
}
}  // namespace

std::shared_ptr<Module> Module::submodule(std::string_view dotted_name) const {
  const Module* m = this;
  std::shared_ptr<Module> held;
  std::string_view rest = dotted_name;
  while (!rest.empty()) {
    size_t dot = rest.find('.');
    std::string_view part = rest.substr(0, dot);
    held.reset();
    for (const auto& [k, c] : m->children_)
      if (k == part) held = c;
    NABLA_CHECK(held, ValueError, type_name_, ": no submodule \"", dotted_name, "\" (", m->type_name_,
                " has no child \"", part, "\")");
    m = held.get();
    rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
  }
  NABLA_CHECK(held, ValueError, type_name_, ": submodule(\"\") names the module itself");
  return held;
}

Tensor Module::parameter(std::string_view dotted_name) const {
  auto [path, leaf] = split_last(dotted_name);
  const Module& m = path.empty() ? *this : *submodule(path);
  for (const auto& [k, v] : m.parameters_)
    if (k == leaf) return v;
  throw ValueError(nabla::detail::concat(type_name_, ": no parameter \"", dotted_name, "\""));
}

Tensor Module::buffer(std::string_view dotted_name) const {
  auto [path, leaf] = split_last(dotted_name);
  const Module& m = path.empty() ? *this : *submodule(path);
  for (const auto& [k, v] : m.buffers_)
    if (k == leaf) return v;
  throw ValueError(nabla::detail::concat(type_name_, ": no buffer \"", dotted_name, "\""));
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [k, m] : children_) m->train(on);
}

void Module::apply(const std::function<void(Module&)>& fn) {
  fn(*this);
  for (auto& [k, m] : children_) m->apply(fn);
}

StateDict Module::state_dict() const {
  std::vector<std::pair<std::string, Tensor>> all;
  collect("", true, true, true, all);
  StateDict out;
  for (auto& [k, v] : all) out.emplace_back(k, v.detach());
  return out;
}

LoadResult Module::load_state_dict(const StateDict& state, bool strict) {
  std::vector<std::pair<std::string, Tensor>> own;
  collect("", true, true, true, own);
  LoadResult result;
  std::vector<std::string> mismatches;
  std::set<std::string> own_names;
  for (const auto& [k, v] : own) own_names.insert(k);
  // Check everything before copying anything: a failed load leaves the module as it was.
  std::vector<std::pair<Tensor, Tensor>> copies;
  for (const auto& [k, v] : own) {
    const Tensor* src = nullptr;
    for (const auto& [sk, sv] : state)
      if (sk == k) src = &sv;
    if (!src) {
      result.missing_keys.push_back(k);
      continue;
    }
    NABLA_CHECK(src->defined(), ValueError, "load_state_dict: entry \"", k, "\" is undefined");
    if (src->shape() != v.shape()) {
      mismatches.push_back(nabla::detail::concat("size mismatch for ", k, ": copying a tensor of shape ",
                                                 src->shape().to_string(), " from the state_dict, the shape in the ",
                                                 type_name_, " is ", v.shape().to_string()));
      continue;
    }
    copies.emplace_back(v, *src);
  }
  for (const auto& [k, v] : state)
    if (!own_names.count(k)) result.unexpected_keys.push_back(k);

  std::string msg;
  auto quoted = [](const std::vector<std::string>& keys) {
    std::string s;
    for (const auto& k : keys) s += (s.empty() ? "\"" : ", \"") + k + "\"";
    return s;
  };
  if (strict && !result.missing_keys.empty()) msg += "\n  Missing key(s) in state_dict: " + quoted(result.missing_keys);
  if (strict && !result.unexpected_keys.empty())
    msg += "\n  Unexpected key(s) in state_dict: " + quoted(result.unexpected_keys);
  for (const auto& m : mismatches) msg += "\n  " + m;
  if (!msg.empty()) {
    msg = "Error(s) in loading state_dict for " + type_name_ + ":" + msg;
    if (!mismatches.empty() && (!strict || (result.missing_keys.empty() && result.unexpected_keys.empty())))
      throw ShapeError(msg);
    throw ValueError(msg);
  }
  for (auto& [dst, src] : copies) {
    Tensor d = dst.detach();  // copy_ writes through the alias into the parameter's storage
    d.copy_(src);
  }
  return result;
}

void Module::zero_grad(bool set_to_none) {
  for (Tensor& p : parameters()) p.zero_grad(set_to_none);
}

namespace {
// Rewrites the tensor behind every handle to hold `dtype` (as PyTorch's param.data = ...).
void convert_in_place(TensorImpl& impl, DType dtype) {
  if (!is_floating(impl.dtype) || impl.dtype == dtype) return;
  Tensor converted =
      Tensor(std::shared_ptr<TensorImpl>(std::shared_ptr<TensorImpl>(), &impl)).detach().to(dtype).contiguous();
  impl.storage = converted.impl()->storage;
  impl.offset = converted.offset();
  impl.strides = converted.strides();
  impl.dtype = dtype;
  if (impl.grad) convert_in_place(*impl.grad, dtype);
}
}  // namespace

Module& Module::to(DType dtype) {
  NABLA_CHECK(is_floating(dtype), DTypeError, type_name_, ".to: modules convert to a floating dtype, got ",
              dtype_name(dtype));
  std::vector<std::pair<std::string, Tensor>> all;
  collect("", true, true, true, all);
  std::set<TensorImpl*> done;
  for (auto& [k, v] : all)
    if (done.insert(v.impl()).second) convert_in_place(*v.impl(), dtype);
  return *this;
}

std::string Module::to_string() const {
  // PyTorch's Module.__repr__: extra_repr lines, then "(name): child" lines indented by two.
  std::vector<std::string> extra, lines;
  std::string er = extra_repr();
  if (!er.empty()) {
    std::istringstream in(er);
    for (std::string line; std::getline(in, line);) extra.push_back(line);
  }
  bool has_children = !children_.empty();
  for (const auto& [k, m] : children_) {
    std::string child = m->to_string();
    std::string indented;
    for (char c : child) {
      indented += c;
      if (c == '\n') indented += "  ";
    }
    lines.push_back("(" + k + "): " + indented);
  }
  std::string out = type_name_ + "(";
  if (extra.size() == 1 && !has_children) {
    out += extra[0];
  } else if (!extra.empty() || has_children) {
    extra.insert(extra.end(), lines.begin(), lines.end());
    out += "\n";
    for (const auto& l : extra) out += "  " + l + "\n";
  }
  return out + ")";
}

std::ostream& operator<<(std::ostream& out, const Module& module) { return out << module.to_string(); }

}  // namespace nabla::nn
