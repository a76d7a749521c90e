#include "course/backprop_notebook.h"

#include <cmath>

#include "nabla/autograd/engine.h"
#include "nabla/data/numpy_random.h"
#include "nabla/data/sklearn.h"
#include "nabla/error.h"
#include "nabla/nn/functional.h"
#include "nabla/ops/ops.h"

namespace nabla::demo {
namespace {

namespace F = nabla::nn::functional;

constexpr int64_t kInputs = 2;

// Rows `index` of a row-major (n, width) matrix.
std::vector<double> take_rows(const std::vector<double>& m, int64_t width, const std::vector<int64_t>& index) {
  std::vector<double> out;
  out.reserve(index.size() * size_t(width));
  for (int64_t i : index) out.insert(out.end(), m.begin() + i * width, m.begin() + (i + 1) * width);
  return out;
}

struct Net {
  HiddenUnits units;
  std::vector<Tensor> params;  // W1 b1 W2 b2 W3 b3 W4 b4

  // The logit z = Z5 of each row of x (n, 2): the notebook's forward pass.
  Tensor logits(const Tensor& x) const {
    auto act = [&](const Tensor& z) { return units == HiddenUnits::relu_residual ? relu(z) : sigmoid(z); };
    Tensor a2 = act(matmul(x, params[0]) + params[1]);                    // (n, h)
    Tensor a3 = act(matmul(a2, params[2]) + params[3]);                   // (n, h)
    Tensor z4 = matmul(a3, params[4]) + params[5];                        // (n, h)
    Tensor a4 = act(units == HiddenUnits::relu_residual ? z4 + a2 : z4);  // (n, h)
    return matmul(a4, params[6]) + params[7];                             // (n, 1)
  }
};

double accuracy(const Net& net, const Tensor& x, const std::vector<double>& y) {
  NoGradGuard no_grad;
  const std::vector<double> p = sigmoid(net.logits(x)).to_vector<double>();
  int64_t right = 0;
  for (size_t i = 0; i < p.size(); ++i) right += (p[i] > 0.5) == (y[i] > 0.5);
  return 100.0 * double(right) / double(p.size());
}

}  // namespace

const char* hidden_units_name(HiddenUnits units) { return units == HiddenUnits::relu_residual ? "relu" : "sigmoid"; }

BackpropNotebookData backprop_notebook_data(const BackpropNotebookSettings& s) {
  NABLA_CHECK(s.rows >= 2, ValueError, "backprop_notebook_data: rows must be at least 2, got ", s.rows);
  numpy::RandomState rng(s.data_seed);
  const std::vector<double> x = rng.randn(size_t(s.rows * kInputs));  // (rows, 2)
  std::vector<double> y(size_t(s.rows));
  for (int64_t i = 0; i < s.rows; ++i) y[size_t(i)] = (x[size_t(2 * i)] > 0) != (x[size_t(2 * i + 1)] > 0);
  const sklearn::SplitIndices split = sklearn::train_test_split(s.rows, s.test_size, s.split_seed);
  BackpropNotebookData d;
  d.x_train = take_rows(x, kInputs, split.train);
  d.y_train = take_rows(y, 1, split.train);
  d.x_val = take_rows(x, kInputs, split.test);
  d.y_val = take_rows(y, 1, split.test);
  return d;
}

BackpropNotebookRun backprop_notebook_run(const BackpropNotebookData& data, HiddenUnits units, nn::Reduction reduction,
                                          const BackpropNotebookSettings& s) {
  const int64_t n = data.train_rows();
  NABLA_CHECK(n > 0 && int64_t(data.x_train.size()) == kInputs * n, ValueError, "backprop_notebook_run: x_train holds ",
              data.x_train.size(), " values for ", n, " labels; it must hold 2 per label");
  NABLA_CHECK(s.batch > 0 && s.batch <= n, ValueError, "backprop_notebook_run: batch must be in [1, ", n, "], got ",
              s.batch);
  NABLA_CHECK(reduction != nn::Reduction::none, ValueError, "backprop_notebook_run: the loss needs mean or sum");
  NABLA_CHECK(s.hidden > 0 && s.epochs >= 0, ValueError, "backprop_notebook_run: hidden (", s.hidden,
              ") must be positive and epochs (", s.epochs, ") not negative");

  BackpropNotebookRun run;
  run.units = units;
  run.reduction = reduction;
  run.settings = s;

  // np.random.seed(0); W = sqrt(1/fan_in) * randn(fan_in, fan_out), b = 0, layer by layer.
  numpy::RandomState rng(s.init_seed);
  Net net{units, {}};
  const std::array<int64_t, 5> sizes{kInputs, s.hidden, s.hidden, s.hidden, 1};
  for (size_t l = 0; l + 1 < sizes.size(); ++l) {
    const int64_t fan_in = sizes[l], fan_out = sizes[l + 1];
    std::vector<double> w = rng.randn(size_t(fan_in * fan_out));
    const double scale = std::sqrt(1.0 / double(fan_in));
    for (double& v : w) v = scale * v;
    net.params.push_back(Tensor::from_vector(w, {fan_in, fan_out}).requires_grad_());
    net.params.push_back(Tensor::from_vector(std::vector<double>(size_t(fan_out), 0.0), {fan_out}).requires_grad_());
  }

  const Tensor x_val = Tensor::from_vector(data.x_val, {data.val_rows(), kInputs});
  const int64_t batches = n / s.batch;
  for (int64_t epoch = 0; epoch < s.epochs; ++epoch) {
    const std::vector<int64_t> perm = rng.permutation(n);
    double loss_sum = 0;
    std::array<double, 4> norm_sum{};
    for (int64_t k = 0; k < batches; ++k) {
      const std::vector<int64_t> idx(perm.begin() + k * s.batch, perm.begin() + (k + 1) * s.batch);
      const Tensor xb = Tensor::from_vector(take_rows(data.x_train, kInputs, idx), {s.batch, kInputs});  // (B, 2)
      const Tensor yb = Tensor::from_vector(take_rows(data.y_train, 1, idx), {s.batch, 1});              // (B, 1)
      const Tensor loss = F::binary_cross_entropy_with_logits(net.logits(xb), yb, reduction);
      loss_sum += loss.item();
      const std::vector<Tensor> grads = nabla::grad({loss}, net.params);
      NoGradGuard no_grad;
      for (size_t l = 0; l < 4; ++l) {
        const double norm = std::sqrt(sum(grads[2 * l] * grads[2 * l]).item());
        norm_sum[l] += norm;
        if (epoch == 0 && k == 0) run.grad_norms_first_step[l] = norm;
      }
      for (size_t p = 0; p < net.params.size(); ++p)
        net.params[p] = (net.params[p].detach() - s.alpha * grads[p]).requires_grad_();  // W ← W − α·dW
    }
    run.train_loss.push_back(loss_sum / double(batches));
    for (double& v : norm_sum) v /= double(batches);
    run.grad_norms.push_back(norm_sum);
    run.val_accuracy_per_epoch.push_back(accuracy(net, x_val, data.y_val));
    if (run.first_nonfinite_epoch == 0 && !std::isfinite(run.train_loss.back())) run.first_nonfinite_epoch = epoch + 1;
  }
  run.val_accuracy = accuracy(net, x_val, data.y_val);
  for (const Tensor& p : net.params) run.parameters.push_back(p.detach().contiguous().to_vector<double>());
  return run;
}

RoundingSensitivity backprop_notebook_sensitivity(HiddenUnits units, nn::Reduction reduction) {
  NABLA_CHECK(reduction != nn::Reduction::none, ValueError, "backprop_notebook_sensitivity: mean or sum");
  const bool sum = reduction == nn::Reduction::sum;
  // Measured with the default settings (numpy 1.24): see the header.
  if (units == HiddenUnits::relu_residual)
    return sum ? RoundingSensitivity{6, 52.5, 54.0} : RoundingSensitivity{396, 99.5, 99.5};
  return sum ? RoundingSensitivity{73, 100.0, 100.0} : RoundingSensitivity{500, 97.0, 97.0};
}

std::vector<double> backprop_notebook_predict(const BackpropNotebookRun& run, const std::vector<double>& x) {
  NABLA_CHECK(run.parameters.size() == 8, ValueError,
              "backprop_notebook_predict: the run holds no trained parameters (", run.parameters.size(), " of 8)");
  NABLA_CHECK(x.size() % kInputs == 0, ValueError, "backprop_notebook_predict: x holds ", x.size(),
              " values, not rows of 2");
  const int64_t h = run.settings.hidden;
  const std::array<Shape, 8> shapes{Shape{kInputs, h}, Shape{h}, Shape{h, h}, Shape{h},
                                    Shape{h, h},       Shape{h}, Shape{h, 1}, Shape{1}};
  Net net{run.units, {}};
  for (size_t p = 0; p < 8; ++p) net.params.push_back(Tensor::from_vector(run.parameters[p], shapes[p]));
  NoGradGuard no_grad;
  const auto n = int64_t(x.size()) / kInputs;
  return sigmoid(net.logits(Tensor::from_vector(x, {n, kInputs}))).to_vector<double>();
}

}  // namespace nabla::demo
