// nabla/nn/sequential.h — a chain of modules, each fed the previous one's output.
//
// Children are named "0", "1", ... (or by the names given), so parameters are called
// "0.weight", "2.bias", ... exactly as in a torch.nn.Sequential of the same layers.
//
//   auto net = std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
//       std::make_shared<nn::Linear>(2, 64), std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(64, 1)});
//   Tensor y = net->forward(x);   // net->state_dict().keys(): 0.weight, 0.bias, 2.weight, 2.bias
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nabla/nn/module.h"

namespace nabla::nn {

class Sequential : public Module {
 public:
  Sequential() : Module("Sequential") {}
  explicit Sequential(const std::vector<std::shared_ptr<Module>>& modules);
  // Named children, as Sequential(OrderedDict(...)).
  explicit Sequential(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_modules);

  // Appends a module under the next index ("3"), or under `name`.
  Sequential& push_back(std::shared_ptr<Module> module);
  Sequential& push_back(const std::string& name, std::shared_ptr<Module> module);

  size_t size() const { return named_children().size(); }
  bool empty() const { return size() == 0; }
  // The i-th module; ValueError past the end.
  std::shared_ptr<Module> operator[](size_t i) const;
  // The i-th module as an M; ValueError if it is something else.
  template <class M>
  std::shared_ptr<M> at(size_t i) const {
    auto m = std::dynamic_pointer_cast<M>((*this)[i]);
    NABLA_CHECK(m, ValueError, "Sequential: module ", i, " is a ", (*this)[i]->type_name(), ", not the type asked for");
    return m;
  }

  Tensor forward(const Tensor& input) override;
};

}  // namespace nabla::nn
