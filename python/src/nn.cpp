// python/src/nn.cpp — nabla._C._nn: the C++ math behind nabla.nn, nabla.nn.functional and
// nabla.nn.init (python/nabla/nn).
//
// The modules themselves are Python classes (as torch.nn's are), so that students subclass them;
// every number they compute comes from these functions: the functional layers and losses of
// nn/functional.h, the activations of ops/ops.h and the initialisers of nn/init.h (PyTorch's
// numbers after the same manual_seed). Optional tensors arrive as None.
//
//   from nabla._C import _nn
//   y = _nn.linear(x, w, None)
//   _nn.kaiming_uniform_(w, math.sqrt(5), "fan_in", "leaky_relu")
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "bindings.h"
#include "nabla/error.h"
#include "nabla/nn/functional.h"
#include "nabla/nn/init.h"
#include "nabla/ops/ops.h"

namespace py = pybind11;

namespace nabla::python {
namespace {

namespace F = nabla::nn::functional;
using OptTensor = std::optional<Tensor>;

Tensor or_undefined(const OptTensor& t) { return t ? *t : Tensor(); }

nn::Reduction reduction_of(const std::string& name) {
  if (name == "mean") return nn::Reduction::mean;
  if (name == "sum") return nn::Reduction::sum;
  if (name == "none") return nn::Reduction::none;
  throw ValueError(
      detail::concat("reduction: '", name, "' is not a valid value for reduction (use 'none', 'mean' or 'sum')"));
}

nn::FanMode fan_mode_of(const std::string& name) {
  if (name == "fan_in") return nn::FanMode::fan_in;
  if (name == "fan_out") return nn::FanMode::fan_out;
  throw ValueError(detail::concat("Mode ", name, " not supported, please use one of fan_in, fan_out"));
}

nn::Nonlinearity nonlinearity_of(const std::string& name) {
  if (name == "linear" || name == "conv1d" || name == "conv2d" || name == "conv3d" || name == "conv_transpose1d" ||
      name == "conv_transpose2d" || name == "conv_transpose3d")
    return nn::Nonlinearity::linear;  // their gain is 1, as linear's
  if (name == "sigmoid") return nn::Nonlinearity::sigmoid;
  if (name == "tanh") return nn::Nonlinearity::tanh;
  if (name == "relu") return nn::Nonlinearity::relu;
  if (name == "leaky_relu") return nn::Nonlinearity::leaky_relu;
  if (name == "selu") return nn::Nonlinearity::selu;
  throw ValueError(detail::concat("Unsupported nonlinearity ", name));
}

void bind_functional(py::module_& m) {
  m.def(
      "linear",
      [](const Tensor& x, const Tensor& w, const OptTensor& b) {
        const Tensor bias = or_undefined(b);
        // Large products run without the GIL (the threshold of ops.cpp's matmul).
        if (x.defined() && w.defined() && w.dim() >= 1 && x.numel() * w.shape()[0] > 65536)
          return without_gil([&] { return F::linear(x, w, bias); });
        return F::linear(x, w, bias);
      },
      py::arg("input"), py::arg("weight"), py::arg("bias") = py::none());
  m.def(
      "dropout", [](const Tensor& x, double p, bool training) { return F::dropout(x, p, training); }, py::arg("input"),
      py::arg("p"), py::arg("training"));
  m.def(
      "batch_norm",
      [](const Tensor& x, const OptTensor& mean, const OptTensor& var, const OptTensor& w, const OptTensor& b,
         bool training, double momentum, double eps) {
        return F::batch_norm(x, or_undefined(mean), or_undefined(var), or_undefined(w), or_undefined(b), training,
                             momentum, eps);
      },
      py::arg("input"), py::arg("running_mean"), py::arg("running_var"), py::arg("weight"), py::arg("bias"),
      py::arg("training"), py::arg("momentum"), py::arg("eps"));
  m.def(
      "layer_norm",
      [](const Tensor& x, const std::vector<int64_t>& shape, const OptTensor& w, const OptTensor& b, double eps) {
        return F::layer_norm(x, shape, or_undefined(w), or_undefined(b), eps);
      },
      py::arg("input"), py::arg("normalized_shape"), py::arg("weight"), py::arg("bias"), py::arg("eps"));
  m.def(
      "group_norm",
      [](const Tensor& x, int64_t groups, const OptTensor& w, const OptTensor& b, double eps) {
        return F::group_norm(x, groups, or_undefined(w), or_undefined(b), eps);
      },
      py::arg("input"), py::arg("num_groups"), py::arg("weight"), py::arg("bias"), py::arg("eps"));

  // ---- losses (reduction: "none" | "mean" | "sum") ----
  m.def("mse_loss",
        [](const Tensor& x, const Tensor& t, const std::string& r) { return F::mse_loss(x, t, reduction_of(r)); });
  m.def("l1_loss",
        [](const Tensor& x, const Tensor& t, const std::string& r) { return F::l1_loss(x, t, reduction_of(r)); });
  m.def("binary_cross_entropy", [](const Tensor& x, const Tensor& t, const OptTensor& w, const std::string& r) {
    return F::binary_cross_entropy(x, t, nn::BCELossOptions(reduction_of(r)).weight(or_undefined(w)));
  });
  m.def("binary_cross_entropy_with_logits", [](const Tensor& x, const Tensor& t, const OptTensor& w,
                                               const OptTensor& pos_weight, const std::string& r) {
    return F::binary_cross_entropy_with_logits(
        x, t,
        nn::BCEWithLogitsLossOptions(reduction_of(r)).weight(or_undefined(w)).pos_weight(or_undefined(pos_weight)));
  });
  m.def("nll_loss", [](const Tensor& x, const Tensor& t, const OptTensor& w, int64_t ignore_index,
                       const std::string& r) {
    return F::nll_loss(x, t, nn::NLLLossOptions(reduction_of(r)).weight(or_undefined(w)).ignore_index(ignore_index));
  });
  m.def("cross_entropy", [](const Tensor& x, const Tensor& t, const OptTensor& w, int64_t ignore_index,
                            const std::string& r, double label_smoothing) {
    return F::cross_entropy(x, t,
                            nn::CrossEntropyLossOptions(reduction_of(r))
                                .weight(or_undefined(w))
                                .ignore_index(ignore_index)
                                .label_smoothing(label_smoothing));
  });
}

void bind_activations(py::module_& m) {
  m.def("relu", [](const Tensor& x) { return relu(x); });
  m.def("sigmoid", [](const Tensor& x) { return sigmoid(x); });
  m.def("tanh", [](const Tensor& x) { return nabla::tanh(x); });
  m.def("leaky_relu", [](const Tensor& x, double slope) { return leaky_relu(x, slope); });
  m.def("elu", [](const Tensor& x, double alpha) { return elu(x, alpha); });
  m.def("selu", [](const Tensor& x) { return selu(x); });
  m.def("gelu", [](const Tensor& x, const std::string& approximate) {
    NABLA_CHECK(approximate == "none" || approximate == "tanh", ValueError,
                "gelu: approximate must be 'none' or 'tanh' (got '", approximate, "')");
    return gelu(x, approximate == "tanh");
  });
  m.def("silu", [](const Tensor& x) { return silu(x); });
  m.def("softplus", [](const Tensor& x, double beta, double threshold) { return softplus(x, beta, threshold); });
  m.def("step", [](const Tensor& x) { return nabla::step(x); });
  m.def("softmax", [](const Tensor& x, int64_t dim) { return softmax(x, dim); });
  m.def("log_softmax", [](const Tensor& x, int64_t dim) { return log_softmax(x, dim); });
  m.def("one_hot",
        [](const Tensor& labels, int64_t num_classes) { return one_hot(labels, num_classes, DType::int64); });
}

// The initialisers fill a tensor in place (its data, outside autograd) and return it.
void bind_init(py::module_& m) {
  m.def("calculate_gain", [](const std::string& nonlinearity, std::optional<double> param) {
    return nn::init::calculate_gain(nonlinearity_of(nonlinearity), param ? *param : -1.0);
  });
  m.def("calculate_fan_in_and_fan_out", [](const Tensor& t) { return nn::init::calculate_fan_in_and_fan_out(t); });
  m.def("uniform_", [](Tensor t, double a, double b) { return nn::init::uniform_(t, a, b); });
  m.def("normal_", [](Tensor t, double mean, double std) { return nn::init::normal_(t, mean, std); });
  m.def("constant_", [](Tensor t, double value) { return nn::init::constant_(t, value); });
  m.def("zeros_", [](Tensor t) { return nn::init::zeros_(t); });
  m.def("ones_", [](Tensor t) { return nn::init::ones_(t); });
  m.def("xavier_uniform_", [](Tensor t, double gain) { return nn::init::xavier_uniform_(t, gain); });
  m.def("xavier_normal_", [](Tensor t, double gain) { return nn::init::xavier_normal_(t, gain); });
  m.def("kaiming_uniform_", [](Tensor t, double a, const std::string& mode, const std::string& nonlinearity) {
    return nn::init::kaiming_uniform_(t, a, fan_mode_of(mode), nonlinearity_of(nonlinearity));
  });
  m.def("kaiming_normal_", [](Tensor t, double a, const std::string& mode, const std::string& nonlinearity) {
    return nn::init::kaiming_normal_(t, a, fan_mode_of(mode), nonlinearity_of(nonlinearity));
  });
}

void bind_nn(py::module_& root) {
  py::module_ m = root.def_submodule("_nn", "C++ kernels of nabla.nn (nn/functional.h, ops/ops.h, nn/init.h)");
  bind_functional(m);
  bind_activations(m);
  bind_init(m);
}

const bool registered_nn = register_binding(100, bind_nn);

}  // namespace
}  // namespace nabla::python
