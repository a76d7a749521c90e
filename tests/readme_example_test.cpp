// The README's library example ("The library", "In one minute"), compiled and run so it cannot rot.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "nabla/nabla.h"

namespace {
using namespace nabla;

TEST(ReadmeExample, CompilesRunsAndLearns) {
  Tensor x = Tensor::from_vector({1.0, -2.0, 3.0}, {3}).requires_grad_();
  sum(sigmoid(x) * x).backward();
  Tensor g = grad({sum(tanh(x))}, {x}, {.create_graph = true})[0];
  Tensor h = grad({sum(g)}, {x})[0];
  EXPECT_NEAR(h.at({0}), -2 * std::tanh(1.0) * (1 - std::tanh(1.0) * std::tanh(1.0)), 1e-14);

  manual_seed(0);
  auto net = std::make_shared<nn::Sequential>();
  net->push_back(std::make_shared<nn::Linear>(2, 16));
  net->push_back(std::make_shared<nn::ReLU>());
  net->push_back(std::make_shared<nn::Linear>(16, 1));
  optim::Adam opt(net->parameters(), optim::AdamOptions(1e-2));
  nn::BCEWithLogitsLoss loss_fn;
  Dataset moons = make_moons({.n = 1024, .noise = 0.1, .seed = 0});
  double first = 0, last = 0;
  for (const Batch& b : DataLoader(moons, {.batch_size = 32, .shuffle = true, .seed = 0})) {
    Tensor loss = loss_fn((*net)(b.x), b.y);
    opt.zero_grad();
    loss.backward();
    opt.step();
    if (first == 0) first = loss.item();
    last = loss.item();
  }
  EXPECT_LT(last, first);
  const std::string path = (std::filesystem::temp_directory_path() / "nabla-readme-model.safetensors").string();
  save_safetensors(path, net->state_dict());
  EXPECT_EQ(load_safetensors(path).names().size(), 4u);
  std::filesystem::remove(path);
}

// The README's nabla::compile example: the same loop, compiled, learns the same way.
TEST(ReadmeExample, CompiledStepLearns) {
  manual_seed(0);
  auto net = std::make_shared<nn::Sequential>();
  net->push_back(std::make_shared<nn::Linear>(2, 16));
  net->push_back(std::make_shared<nn::ReLU>());
  net->push_back(std::make_shared<nn::Linear>(16, 1));
  optim::Adam opt(net->parameters(), optim::AdamOptions(1e-2));
  nn::BCEWithLogitsLoss loss_fn;
  Dataset moons = make_moons({.n = 1024, .noise = 0.1, .seed = 0});
  DataLoader loader(moons, {.batch_size = 32, .shuffle = true, .seed = 0});
  auto train_step = compile([&](const Tensor& x, const Tensor& y) {
    opt.zero_grad();
    Tensor loss = loss_fn((*net)(x), y);
    loss.backward();
    opt.step();
    return loss;
  });
  std::vector<double> losses;
  for (int epoch = 0; epoch < 3; ++epoch)
    for (const Batch& b : loader) losses.push_back(train_step(b.x, b.y).item());
  EXPECT_LT(losses.back(), 0.5 * losses.front());
  EXPECT_EQ(train_step.stats().replays, int64_t(losses.size()) - 2);
}

}  // namespace
