// Trains a 2-16-1 ReLU network on two moons with Adam, the README's "Library in one minute", and
// saves it: the consumer project of the installed library (find_package(nabla), CMakeLists.txt).
//   moons_mlp [model.safetensors]    # exit 1 if the accuracy on fresh moons is under 95 %
#include <nabla/nabla.h>

#include <cstdio>
#include <memory>

using namespace nabla;

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "moons.safetensors";
  manual_seed(0);
  auto net = std::make_shared<nn::Sequential>();
  net->push_back(std::make_shared<nn::Linear>(2, 16));
  net->push_back(std::make_shared<nn::ReLU>());
  net->push_back(std::make_shared<nn::Linear>(16, 1));
  optim::Adam opt(net->parameters(), optim::AdamOptions(1e-2));
  nn::BCEWithLogitsLoss loss_fn;
  Dataset moons = make_moons({.n = 1024, .noise = 0.1, .seed = 0});
  DataLoader loader(moons, {.batch_size = 32, .shuffle = true, .seed = 0});  // a new order every epoch
  for (int epoch = 0; epoch < 20; ++epoch) {
    double total = 0;
    int batches = 0;
    for (const Batch& b : loader) {
      Tensor loss = loss_fn((*net)(b.x), b.y);
      opt.zero_grad();
      loss.backward();
      opt.step();
      total += loss.item();
      ++batches;
    }
    if (epoch % 5 == 4) std::printf("epoch %2d  loss %.4f\n", epoch + 1, total / batches);
  }
  // Accuracy on moons the network has not seen (another seed).
  Dataset test = make_moons({.n = 1000, .noise = 0.1, .seed = 1});
  NoGradGuard no_grad;
  Tensor predicted = gt((*net)(test.x), zeros_like(test.y)).to(DType::float32);
  double accuracy = mean(eq(predicted, test.y).to(DType::float32)).item();
  std::printf("test accuracy %.3f\n", accuracy);
  save_safetensors(path, net->state_dict());
  std::printf("saved %s\n", path);
  return accuracy >= 0.95 ? 0 : 1;
}
