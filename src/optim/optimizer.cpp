#include "nabla/optim/optimizer.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <typeinfo>
#include <unordered_set>

namespace nabla::optim {

ParamGroup::ParamGroup(const ParamGroup& other)
    : params(other.params), options(other.options ? other.options->clone() : nullptr), initial_lr(other.initial_lr) {}

ParamGroup& ParamGroup::operator=(const ParamGroup& other) {
  if (this != &other) {
    params = other.params;
    options = other.options ? other.options->clone() : nullptr;
    initial_lr = other.initial_lr;
  }
  return *this;
}

Optimizer::Optimizer(std::string name, std::vector<ParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults)
    : defaults_(std::move(defaults)), name_(std::move(name)) {
  defaults_->validate();
  size_t num_params = 0;
  for (const ParamGroup& g : groups) num_params += g.params.size();
  NABLA_CHECK(num_params > 0, ValueError, name_, ": optimizer got an empty parameter list");
  for (ParamGroup& g : groups) add_param_group(std::move(g));
}

void Optimizer::add_param_group(ParamGroup group) {
  if (!group.options) {
    group.options = defaults_->clone();
  } else {
    NABLA_CHECK(typeid(*group.options) == typeid(*defaults_), ValueError, name_,
                ": a parameter group has options of another optimizer (", typeid(*group.options).name(), ")");
  }
  group.options->validate();
  std::unordered_set<const TensorImpl*> seen;
  for (const ParamGroup& g : groups_)
    for (const Tensor& p : g.params) seen.insert(p.impl());
  for (size_t i = 0; i < group.params.size(); ++i) {
    const Tensor& p = group.params[i];
    NABLA_CHECK(p.defined(), ValueError, name_, ": parameter ", i, " of group ", groups_.size(), " is undefined");
    NABLA_CHECK(is_floating(p.dtype()), ValueError, name_, ": can only optimize floating-point tensors, parameter ", i,
                " of group ", groups_.size(), " is ", dtype_name(p.dtype()));
    NABLA_CHECK(p.is_leaf(), ValueError, name_, ": can't optimize a non-leaf tensor (parameter ", i, " of group ",
                groups_.size(), "); pass the leaf, or detach() it and call requires_grad_()");
    // The update loops run over the raw buffer; a view with gaps or a broadcast would be wrong.
    NABLA_CHECK(p.is_contiguous(), ValueError, name_, ": parameter ", i, " of group ", groups_.size(),
                " is not contiguous (shape ", p.shape().to_string(), ", strides ", p.strides().to_string(),
                "); optimize a contiguous tensor");
    NABLA_CHECK(seen.insert(p.impl()).second, ValueError, name_,
                ": some parameters appear in more than one parameter group (parameter ", i, " of group ",
                groups_.size(), ")");
  }
  state_.emplace_back(group.params.size());
  groups_.push_back(std::move(group));
}

void Optimizer::zero_grad(bool set_to_none) {
  for (ParamGroup& g : groups_)
    for (Tensor& p : g.params) p.zero_grad(set_to_none);
}

OptimizerOptions& Optimizer::group_options(size_t g) {
  NABLA_CHECK(g < groups_.size(), ValueError, name_, ": no parameter group ", g, " (there are ", groups_.size(), ")");
  return *groups_[g].options;
}
const OptimizerOptions& Optimizer::group_options(size_t g) const {
  return const_cast<Optimizer*>(this)->group_options(g);
}

double Optimizer::lr(size_t group) const { return group_options(group).lr(); }
void Optimizer::set_lr(size_t group, double lr) { group_options(group).set_lr(lr); }

std::optional<double> Optimizer::initial_lr(size_t group) const {
  group_options(group);  // range check
  return groups_[group].initial_lr;
}
void Optimizer::set_initial_lr(size_t group, double lr) {
  group_options(group);
  groups_[group].initial_lr = lr;
}

Tensor Optimizer::checked_grad(const Tensor& param) const {
  Tensor g = param.grad();
  if (!g.defined()) return g;
  NABLA_CHECK(g.shape() == param.shape(), ShapeError, name_, ".step: gradient of shape ", g.shape().to_string(),
              " for a parameter of shape ", param.shape().to_string());
  NABLA_CHECK(g.dtype() == param.dtype(), DTypeError, name_, ".step: ", dtype_name(g.dtype()), " gradient for a ",
              dtype_name(param.dtype()), " parameter");
  NABLA_CHECK(param.is_contiguous(), ValueError, name_, ".step: parameter of shape ", param.shape().to_string(),
              " is no longer contiguous");
  // The update loops take the buffers as __restrict: a gradient sharing memory with its
  // parameter (only possible through set_grad) is copied, as is a non-contiguous one. Gradients
  // from backward are neither, so step() allocates nothing.
  if (g.is_contiguous() && g.impl()->storage != param.impl()->storage) return g;
  Tensor copy = Tensor::empty(g.shape(), g.dtype());
  copy.copy_(g);
  return copy;
}

// ---- state_dict ----

namespace {

// Whether `name` is "state.<k>.<buffer>" with k < num_params and a known buffer.
bool parse_state_name(std::string_view name, const std::vector<std::string_view>& buffers, size_t num_params) {
  constexpr std::string_view prefix = "state.";
  if (name.substr(0, prefix.size()) != prefix) return false;
  name.remove_prefix(prefix.size());
  const size_t dot = name.find('.');
  if (dot == 0 || dot == std::string_view::npos || dot > 9) return false;
  size_t k = 0;
  for (char c : name.substr(0, dot)) {
    if (c < '0' || c > '9') return false;
    k = k * 10 + size_t(c - '0');
  }
  if (k >= num_params) return false;
  const std::string_view buffer = name.substr(dot + 1);
  return std::find(buffers.begin(), buffers.end(), buffer) != buffers.end();
}

}  // namespace

OptimizerState Optimizer::state_dict() const {
  OptimizerState out;
  const std::vector<std::string_view> names = buffer_names();
  nlohmann::json groups = nlohmann::json::array();
  nlohmann::json state = nlohmann::json::object();
  int64_t k = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    nlohmann::json jg = groups_[g].options->to_json();
    if (groups_[g].initial_lr) jg["initial_lr"] = *groups_[g].initial_lr;
    nlohmann::json indices = nlohmann::json::array();
    for (size_t i = 0; i < groups_[g].params.size(); ++i, ++k) {
      indices.push_back(k);
      const ParamState& s = state_[g][i];
      if (!s.initialized) continue;
      nlohmann::json js = nlohmann::json::object();
      if (has_step()) js["step"] = s.step;
      state[std::to_string(k)] = js;
      for (size_t b = 0; b < names.size(); ++b)
        if (s.buffers[b].defined())
          out.tensors.emplace("state." + std::to_string(k) + "." + std::string(names[b]), s.buffers[b].clone());
    }
    jg["params"] = indices;
    groups.push_back(jg);
  }
  out.scalars = nlohmann::json{{"optimizer", name_}, {"param_groups", groups}, {"state", state}}.dump();
  return out;
}

void Optimizer::load_state_dict(const OptimizerState& in) {
  const std::string where = name_ + ".load_state_dict";
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in.scalars);
  } catch (const nlohmann::json::exception& e) {
    throw ParseError(where + ": the scalars are not JSON: " + e.what());
  }
  NABLA_CHECK(j.is_object() && j.contains("optimizer") && j.contains("param_groups"), ValueError, where,
              ": the scalars miss \"optimizer\" or \"param_groups\"");
  NABLA_CHECK(j["optimizer"] == name_, ValueError, where, ": the state is from ", j["optimizer"].dump(), ", not ",
              name_);
  const nlohmann::json& groups = j["param_groups"];
  NABLA_CHECK(groups.is_array() && groups.size() == groups_.size(), ValueError, where, ": the state has ",
              groups.size(), " parameter groups, the optimizer ", groups_.size());
  for (size_t g = 0; g < groups_.size(); ++g) {
    NABLA_CHECK(groups[g].contains("params") && groups[g]["params"].size() == groups_[g].params.size(), ValueError,
                where, ": group ", g, " has ", groups[g].value("params", nlohmann::json::array()).size(),
                " parameters in the state, ", groups_[g].params.size(), " in the optimizer");
  }
  const std::vector<std::string_view> names = buffer_names();
  const nlohmann::json state = j.value("state", nlohmann::json::object());
  size_t num_params = 0;
  for (const ParamGroup& g : groups_) num_params += g.params.size();
  for (const auto& [name, tensor] : in.tensors) {
    NABLA_CHECK(parse_state_name(name, names, num_params), ValueError, where, ": unexpected tensor \"", name, "\" (",
                name_, " keeps \"state.<k>.<buffer>\" for its ", num_params, " parameters)");
  }

  // Options first, all validated before anything changes, so a bad state leaves the optimizer as it was.
  std::vector<std::unique_ptr<OptimizerOptions>> options;
  for (size_t g = 0; g < groups_.size(); ++g) {
    auto o = groups_[g].options->clone();
    try {
      o->from_json(groups[g]);
    } catch (const nlohmann::json::exception& e) {
      throw ValueError(detail::concat(where, ": group ", g, ": ", e.what()));
    }
    o->validate();
    options.push_back(std::move(o));
  }
  // Every tensor checked before any buffer is written.
  int64_t k = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    for (size_t i = 0; i < groups_[g].params.size(); ++i, ++k) {
      const Tensor& p = groups_[g].params[i];
      for (std::string_view b : names) {
        auto it = in.tensors.find("state." + std::to_string(k) + "." + std::string(b));
        if (it == in.tensors.end()) continue;
        const Tensor& t = it->second;
        NABLA_CHECK(t.defined() && t.shape() == p.shape(), ValueError, where, ": \"", it->first, "\" has shape ",
                    t.defined() ? t.shape().to_string() : "undefined", ", its parameter ", p.shape().to_string());
        NABLA_CHECK(is_floating(t.dtype()), ValueError, where, ": \"", it->first, "\" is ", dtype_name(t.dtype()));
      }
    }
  }
  std::vector<std::vector<ParamState>> loaded(groups_.size());
  k = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    loaded[g].resize(groups_[g].params.size());
    for (size_t i = 0; i < groups_[g].params.size(); ++i, ++k) {
      const Tensor& p = groups_[g].params[i];
      const std::string key = std::to_string(k);
      ParamState& s = loaded[g][i];
      if (state.contains(key)) {
        s.initialized = true;
        if (has_step()) s.step = state[key].value("step", int64_t(0));
      }
      for (size_t b = 0; b < names.size(); ++b) {
        auto it = in.tensors.find("state." + key + "." + std::string(names[b]));
        if (it == in.tensors.end()) continue;
        s.initialized = true;
        // Reuse the live buffer when it fits, so that loading does not change what step() allocates.
        const Tensor& live = state_[g][i].buffers[b];
        s.buffers[b] = live.defined() && live.dtype() == p.dtype() ? live : Tensor::empty(p.shape(), p.dtype());
        s.buffers[b].copy_(it->second);  // converts float32 <-> float64, as PyTorch does
      }
    }
  }
  for (size_t g = 0; g < groups_.size(); ++g) {
    groups_[g].options = std::move(options[g]);
    if (groups[g].contains("initial_lr"))
      groups_[g].initial_lr = groups[g]["initial_lr"].get<double>();
    else
      groups_[g].initial_lr.reset();
  }
  state_ = std::move(loaded);
}

}  // namespace nabla::optim
