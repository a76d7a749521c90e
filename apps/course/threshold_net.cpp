#include "course/threshold_net.h"

#include "nabla/error.h"
#include "nabla/ops/ops.h"

namespace nabla::demo {

ThresholdNet ThresholdNet::seed002_xnor() {
  ThresholdNet net;
  net.W1 = Tensor::from_vector({1, 1, -1, -1}, {2, 2});
  net.b1 = Tensor::from_vector({-1.5, 0.5}, {2});
  net.W2 = Tensor::from_vector({1, 1}, {1, 2});
  net.b2 = Tensor::from_vector({-0.5}, {1});
  return net;
}

ThresholdNet::Forward ThresholdNet::forward(const Tensor& x) const {
  NABLA_CHECK(x.dim() == 2 && x.size(1) == 2, ShapeError, "ThresholdNet: expected inputs of shape (N, 2), got ",
              x.shape().to_string());
  Forward f;
  f.z1 = matmul(x, W1.t()) + b1;
  f.h = step(f.z1);
  f.z2 = matmul(f.h, W2.t()) + b2;
  f.y = step(f.z2);
  return f;
}

std::vector<TruthRow> truth_table(const ThresholdNet& net) {
  const Tensor x = Tensor::from_vector({0, 0, 0, 1, 1, 0, 1, 1}, {4, 2});
  const double xnor[4] = {1, 0, 0, 1};
  const ThresholdNet::Forward f = net.forward(x);
  std::vector<TruthRow> rows;
  for (int64_t i = 0; i < 4; ++i) {
    TruthRow r;
    r.x1 = x.at({i, 0});
    r.x2 = x.at({i, 1});
    r.z1 = f.z1.at({i, 0});
    r.z2 = f.z1.at({i, 1});
    r.h1 = f.h.at({i, 0});
    r.h2 = f.h.at({i, 1});
    r.z = f.z2.at({i, 0});
    r.y = f.y.at({i, 0});
    r.expected = xnor[i];
    rows.push_back(r);
  }
  return rows;
}

ThresholdRegions threshold_regions(const ThresholdNet& net, const std::vector<double>& x1s,
                                   const std::vector<double>& x2s) {
  NABLA_CHECK(x1s.size() == x2s.size(), ValueError, "threshold_regions: ", x1s.size(), " x1 values but ", x2s.size(),
              " x2 values");
  const auto n = static_cast<int64_t>(x1s.size());
  std::vector<double> xy(2 * x1s.size());
  for (size_t i = 0; i < x1s.size(); ++i) xy[2 * i] = x1s[i], xy[2 * i + 1] = x2s[i];
  const ThresholdNet::Forward f = net.forward(Tensor::from_vector(xy, {n, 2}));
  ThresholdRegions r;
  r.h1 = f.h.select(1, 0).contiguous().to_vector<double>();
  r.h2 = f.h.select(1, 1).contiguous().to_vector<double>();
  r.y = f.y.reshape({n}).contiguous().to_vector<double>();
  return r;
}

}  // namespace nabla::demo
