// nabla/nn/init.h — weight initialisers, as torch.nn.init, drawing from nabla's PyTorch-exact RNG.
//
// Each function fills a tensor in place with the same arithmetic and the same random draws as
// its torch.nn.init namesake, so after the same manual_seed the values agree bit for bit. An
// `Init` value names one of them, for LinearOptions::init.
//
//   nabla::manual_seed(0);
//   Tensor w = Tensor::empty({64, 2}, DType::float64);
//   nn::init::kaiming_uniform_(w, std::sqrt(5.0));   // == torch.nn.init.kaiming_uniform_(w, a=math.sqrt(5))
#pragma once
#include <string>
#include <utility>

#include "nabla/tensor/random.h"
#include "nabla/tensor/tensor.h"

namespace nabla::nn {

enum class FanMode { fan_in, fan_out };
enum class Nonlinearity { linear, sigmoid, tanh, relu, leaky_relu, selu };

namespace init {

// The recommended gain for a nonlinearity (torch.nn.init.calculate_gain): linear/sigmoid 1,
// tanh 5/3, relu √2, leaky_relu √(2/(1+slope²)) (param = slope, 0.01 when negative), selu 3/4.
double calculate_gain(Nonlinearity nonlinearity, double param = -1.0);
// (fan_in, fan_out) of a weight of at least two dimensions: [out, in, *receptive field].
std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t);

Tensor& uniform_(Tensor& t, double low = 0.0, double high = 1.0, Generator* gen = nullptr);
Tensor& normal_(Tensor& t, double mean = 0.0, double std = 1.0, Generator* gen = nullptr);
Tensor& constant_(Tensor& t, double value);
Tensor& zeros_(Tensor& t);
Tensor& ones_(Tensor& t);
// U(-a, a), a = gain·√(6/(fan_in+fan_out)).
Tensor& xavier_uniform_(Tensor& t, double gain = 1.0, Generator* gen = nullptr);
// N(0, std²), std = gain·√(2/(fan_in+fan_out)).
Tensor& xavier_normal_(Tensor& t, double gain = 1.0, Generator* gen = nullptr);
// U(-b, b), b = gain·√(3/fan), gain = calculate_gain(nonlinearity, a).
Tensor& kaiming_uniform_(Tensor& t, double a = 0.0, FanMode mode = FanMode::fan_in,
                         Nonlinearity nonlinearity = Nonlinearity::leaky_relu, Generator* gen = nullptr);
// N(0, std²), std = gain/√fan.
Tensor& kaiming_normal_(Tensor& t, double a = 0.0, FanMode mode = FanMode::fan_in,
                        Nonlinearity nonlinearity = Nonlinearity::leaky_relu, Generator* gen = nullptr);

}  // namespace init

// One initialiser, chosen by value: LinearOptions(2, 64).init(Init::xavier_uniform()).
// `pytorch_default` is what torch.nn.Linear does: kaiming_uniform_(a=√5) for a weight and
// U(±1/√fan_in) for a bias (fan_in taken from the weight).
struct Init {
  enum class Kind {
    pytorch_default,
    xavier_uniform,
    xavier_normal,
    kaiming_uniform,
    kaiming_normal,
    normal,
    uniform,
    constant
  };
  Kind kind = Kind::pytorch_default;
  double a = 0.0;  // gain (xavier), negative slope (kaiming), mean (normal), low (uniform), value (constant)
  double b = 0.0;  // std (normal), high (uniform)
  FanMode mode = FanMode::fan_in;
  Nonlinearity nonlinearity = Nonlinearity::leaky_relu;

  static Init pytorch_default() { return {}; }
  static Init xavier_uniform(double gain = 1.0) { return {Kind::xavier_uniform, gain}; }
  static Init xavier_normal(double gain = 1.0) { return {Kind::xavier_normal, gain}; }
  // He initialisation; for ReLU nets use kaiming_*(0, FanMode::fan_in, Nonlinearity::relu).
  static Init kaiming_uniform(double a = 0.0, FanMode mode = FanMode::fan_in,
                              Nonlinearity nl = Nonlinearity::leaky_relu) {
    return {Kind::kaiming_uniform, a, 0.0, mode, nl};
  }
  static Init kaiming_normal(double a = 0.0, FanMode mode = FanMode::fan_in,
                             Nonlinearity nl = Nonlinearity::leaky_relu) {
    return {Kind::kaiming_normal, a, 0.0, mode, nl};
  }
  static Init normal(double mean = 0.0, double std = 1.0) { return {Kind::normal, mean, std}; }
  static Init uniform(double low = 0.0, double high = 1.0) { return {Kind::uniform, low, high}; }
  static Init zeros() { return {Kind::constant, 0.0}; }
  static Init constant(double value) { return {Kind::constant, value}; }

  // Fills `t`. For pytorch_default, `fan_in_of` is the weight whose fan_in sets a bias's bound
  // (undefined when `t` is itself the weight).
  void apply(Tensor& t, Generator* gen = nullptr, const Tensor& fan_in_of = Tensor()) const;
  std::string to_string() const;
};

}  // namespace nabla::nn
