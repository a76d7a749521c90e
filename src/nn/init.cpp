// The arithmetic here copies torch/nn/init.py (1.13) operation for operation (Python floats are
// doubles), so that the bounds, and hence the drawn values, agree with PyTorch to the last bit.
#include "nabla/nn/init.h"

#include <cmath>

#include "nabla/autograd/node.h"
#include "nabla/nn/options.h"

namespace nabla::nn {
namespace init {

double calculate_gain(Nonlinearity nonlinearity, double param) {
  switch (nonlinearity) {
    case Nonlinearity::linear:
    case Nonlinearity::sigmoid:
      return 1.0;
    case Nonlinearity::tanh:
      return 5.0 / 3;
    case Nonlinearity::relu:
      return std::sqrt(2.0);
    case Nonlinearity::leaky_relu: {
      const double slope = param < 0 ? 0.01 : param;
      return std::sqrt(2.0 / (1 + std::pow(slope, 2.0)));
    }
    case Nonlinearity::selu:
      return 3.0 / 4;
  }
  return 1.0;
}

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t) {
  NABLA_CHECK(t.dim() >= 2, ShapeError, "init: fan in and fan out need a tensor of at least 2 dimensions, got ",
              t.shape().to_string());
  int64_t receptive = 1;
  for (int i = 2; i < t.dim(); ++i) receptive *= t.shape()[i];
  return {t.shape()[1] * receptive, t.shape()[0] * receptive};
}

namespace {
int64_t fan(const Tensor& t, FanMode mode) {
  auto [in, out] = calculate_fan_in_and_fan_out(t);
  return mode == FanMode::fan_in ? in : out;
}
// The raw data of a parameter, without recording anything (as torch.no_grad()).
Tensor data_of(const Tensor& t) {
  NABLA_CHECK(t.defined(), ValueError, "init: undefined tensor");
  return t.detach();
}
}  // namespace

Tensor& uniform_(Tensor& t, double low, double high, Generator* gen) {
  Tensor d = data_of(t);
  nabla::uniform_(d, low, high, gen);
  return t;
}

Tensor& normal_(Tensor& t, double mean, double std, Generator* gen) {
  Tensor d = data_of(t);
  nabla::normal_(d, mean, std, gen);
  return t;
}

Tensor& constant_(Tensor& t, double value) {
  data_of(t).fill_(value);
  return t;
}
Tensor& zeros_(Tensor& t) { return constant_(t, 0.0); }
Tensor& ones_(Tensor& t) { return constant_(t, 1.0); }

Tensor& xavier_uniform_(Tensor& t, double gain, Generator* gen) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  const double std = gain * std::sqrt(2.0 / double(fan_in + fan_out));
  const double a = std::sqrt(3.0) * std;
  return init::uniform_(t, -a, a, gen);
}

Tensor& xavier_normal_(Tensor& t, double gain, Generator* gen) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  const double std = gain * std::sqrt(2.0 / double(fan_in + fan_out));
  return init::normal_(t, 0.0, std, gen);
}

Tensor& kaiming_uniform_(Tensor& t, double a, FanMode mode, Nonlinearity nonlinearity, Generator* gen) {
  const double gain = calculate_gain(nonlinearity, a);
  const double std = gain / std::sqrt(double(fan(t, mode)));
  const double bound = std::sqrt(3.0) * std;
  return init::uniform_(t, -bound, bound, gen);
}

Tensor& kaiming_normal_(Tensor& t, double a, FanMode mode, Nonlinearity nonlinearity, Generator* gen) {
  const double gain = calculate_gain(nonlinearity, a);
  const double std = gain / std::sqrt(double(fan(t, mode)));
  return init::normal_(t, 0.0, std, gen);
}

}  // namespace init

void Init::apply(Tensor& t, Generator* gen, const Tensor& fan_in_of) const {
  switch (kind) {
    case Kind::pytorch_default:
      if (!fan_in_of.defined()) {
        init::kaiming_uniform_(t, std::sqrt(5.0), FanMode::fan_in, Nonlinearity::leaky_relu, gen);
      } else {
        const int64_t fan_in = init::calculate_fan_in_and_fan_out(fan_in_of).first;
        const double bound = fan_in > 0 ? 1 / std::sqrt(double(fan_in)) : 0;
        init::uniform_(t, -bound, bound, gen);
      }
      return;
    case Kind::xavier_uniform:
      init::xavier_uniform_(t, a, gen);
      return;
    case Kind::xavier_normal:
      init::xavier_normal_(t, a, gen);
      return;
    case Kind::kaiming_uniform:
      init::kaiming_uniform_(t, a, mode, nonlinearity, gen);
      return;
    case Kind::kaiming_normal:
      init::kaiming_normal_(t, a, mode, nonlinearity, gen);
      return;
    case Kind::normal:
      init::normal_(t, a, b, gen);
      return;
    case Kind::uniform:
      init::uniform_(t, a, b, gen);
      return;
    case Kind::constant:
      init::constant_(t, a);
      return;
  }
}

std::string Init::to_string() const {
  const char* modes = mode == FanMode::fan_in ? "fan_in" : "fan_out";
  switch (kind) {
    case Kind::pytorch_default:
      return "pytorch_default";
    case Kind::xavier_uniform:
      return "xavier_uniform(gain=" + detail::py_float(a) + ")";
    case Kind::xavier_normal:
      return "xavier_normal(gain=" + detail::py_float(a) + ")";
    case Kind::kaiming_uniform:
      return "kaiming_uniform(a=" + detail::py_float(a) + ", mode=" + modes + ")";
    case Kind::kaiming_normal:
      return "kaiming_normal(a=" + detail::py_float(a) + ", mode=" + modes + ")";
    case Kind::normal:
      return "normal(mean=" + detail::py_float(a) + ", std=" + detail::py_float(b) + ")";
    case Kind::uniform:
      return "uniform(low=" + detail::py_float(a) + ", high=" + detail::py_float(b) + ")";
    case Kind::constant:
      return "constant(" + detail::py_float(a) + ")";
  }
  return "?";
}

}  // namespace nabla::nn
