#include "nabla/nn/sequential.h"

namespace nabla::nn {

Sequential::Sequential(const std::vector<std::shared_ptr<Module>>& modules) : Module("Sequential") {
  for (const auto& m : modules) push_back(m);
}

Sequential::Sequential(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_modules)
    : Module("Sequential") {
  for (const auto& [name, m] : named_modules) push_back(name, m);
}

Sequential& Sequential::push_back(std::shared_ptr<Module> module) {
  return push_back(std::to_string(size()), std::move(module));
}

Sequential& Sequential::push_back(const std::string& name, std::shared_ptr<Module> module) {
  for (const auto& [k, m] : named_children())
    NABLA_CHECK(k != name, ValueError, "Sequential: there is already a module named \"", name, "\"");
  register_module(name, std::move(module));
  return *this;
}

std::shared_ptr<Module> Sequential::operator[](size_t i) const {
  const auto& children = named_children();
  NABLA_CHECK(i < children.size(), ValueError, "Sequential: index ", i, " is out of range for ", children.size(),
              " modules");
  return children[i].second;
}

Tensor Sequential::forward(const Tensor& input) {
  Tensor x = input;
  for (const auto& [name, m] : named_children()) x = m->forward(x);
  return x;
}

}  // namespace nabla::nn
