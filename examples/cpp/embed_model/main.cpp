// Inference in an application: the network moons_mlp trained, loaded from its safetensors file
// (PyTorch's state_dict names), classifies points. Only the core is needed (nabla::core).
//   embed_model moons.safetensors    # exit 1 if it misclassifies the moons' tips
#include <nabla/autograd/node.h>
#include <nabla/io/safetensors.h>
#include <nabla/nn/nn.h>
#include <nabla/ops/ops.h>

#include <cstdio>
#include <memory>

using namespace nabla;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: embed_model MODEL.safetensors\n");
    return 2;
  }
  // The same structure as the trained network; its values come from the file.
  nn::Sequential net;
  net.push_back(std::make_shared<nn::Linear>(2, 16));
  net.push_back(std::make_shared<nn::ReLU>());
  net.push_back(std::make_shared<nn::Linear>(16, 1));
  try {
    net.load_state_dict(load_safetensors(argv[1]).tensors);
  } catch (const Error& e) {
    std::fprintf(stderr, "embed_model: %s\n", e.what());
    return 2;
  }
  net.eval();
  NoGradGuard no_grad;
  // Two points on the upper moon (class 0: its left tip and its top), two on the lower one (class 1).
  Tensor points = Tensor::from_vector({-1.0, 0.0, 0.0, 1.0, 2.0, 0.5, 1.0, -0.5}, {4, 2}, DType::float32);
  const int expected[] = {0, 0, 1, 1};
  Tensor p = sigmoid(net(points));
  int wrong = 0;
  for (int64_t i = 0; i < 4; ++i) {
    const double prob = p.at({i, 0});
    const int cls = prob > 0.5 ? 1 : 0;
    std::printf("(%5.2f, %5.2f) -> p(lower moon) = %.3f, class %d\n", points.at({i, 0}), points.at({i, 1}), prob, cls);
    wrong += cls != expected[i];
  }
  return wrong == 0 ? 0 : 1;
}
