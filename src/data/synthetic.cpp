#include "nabla/data/synthetic.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

namespace nabla {

namespace {

constexpr double kPi = std::numbers::pi;

// The generator the options ask for; `own` holds a seeded one when needed.
Generator* pick_generator(const SyntheticOptions& o, std::optional<Generator>& own, const char* op) {
  NABLA_CHECK(!(o.seed && o.generator), ValueError, op, ": give a seed or a generator, not both");
  if (o.generator) return o.generator;
  if (o.seed) return &own.emplace(*o.seed);
  return &default_generator();
}

int64_t rows_or(const SyntheticOptions& o, int64_t fallback, const char* op) {
  const int64_t n = o.n == 0 ? fallback : o.n;
  NABLA_CHECK(n >= 1, ValueError, op, ": n must be positive, got ", o.n);
  NABLA_CHECK(o.noise >= 0 && std::isfinite(o.noise), ValueError, op, ": noise must be a finite value >= 0, got ",
              o.noise);
  NABLA_CHECK(is_floating(o.dtype), DTypeError, op, ": dtype must be float32 or float64, got ", dtype_name(o.dtype));
  // Every generator holds at least n x 2 coordinates (the 2-D ones, and the noise on them).
  checked_mul(n, 2, (std::string(op) + ": n x features").c_str());
  return n;
}

// X0 (row-major doubles, [n, f]) rounded to dtype, plus noise * randn({n, f}) in dtype.
Tensor features(const std::vector<double>& x0, int64_t n, int64_t f, const SyntheticOptions& o, Generator* gen) {
  Tensor x = Tensor::from_vector(x0, {n, f}, o.dtype);
  if (o.noise > 0) {
    const Tensor e = randn({n, f}, o.dtype, gen);
    dispatch_floating(o.dtype, "synthetic noise", [&]<class T>() {
      T* p = x.data<T>();
      const T* q = e.data<T>();
      const T s = static_cast<T>(o.noise);
      for (int64_t i = 0; i < n * f; ++i) p[i] = p[i] + s * q[i];
    });
  }
  return x;
}

// y from class labels: float [n, 1] for two classes, int64 [n] for more.
Dataset finish(std::string name, Tensor x, const std::vector<int64_t>& labels, int64_t k, DType dtype) {
  Dataset d;
  d.name = std::move(name);
  d.x = std::move(x);
  const int64_t n = static_cast<int64_t>(labels.size());
  if (k == 2) {
    d.y = Tensor::from_vector(std::vector<double>(labels.begin(), labels.end()), {n, 1}, dtype);
  } else {
    d.y = Tensor::from_vector(labels, {n});
  }
  d.num_classes = k;
  d.feature_names.clear();
  for (int64_t j = 0; j < d.x.size(1); ++j) d.feature_names.push_back(std::string("x").append(std::to_string(j + 1)));
  d.validate();
  return d;
}

Dataset make_gate(const SyntheticOptions& o, const int (&out)[4], const char* name) {
  std::optional<Generator> own;
  Generator* gen = pick_generator(o, own, name);
  const int64_t n = rows_or(o, 4, name);
  std::vector<double> x0(n * 2);
  std::vector<int64_t> labels(n);
  for (int64_t i = 0; i < n; ++i) {
    const int r = static_cast<int>(i % 4);
    x0[2 * i] = r >> 1;  // T = (0,0), (0,1), (1,0), (1,1)
    x0[2 * i + 1] = r & 1;
    labels[i] = out[r];
  }
  return finish(name, features(x0, n, 2, o, gen), labels, 2, o.dtype);
}

}  // namespace

Dataset make_xor(const SyntheticOptions& o) { return make_gate(o, {0, 1, 1, 0}, "xor"); }
Dataset make_xnor(const SyntheticOptions& o) { return make_gate(o, {1, 0, 0, 1}, "xnor"); }
Dataset make_and(const SyntheticOptions& o) { return make_gate(o, {0, 0, 0, 1}, "and"); }
Dataset make_or(const SyntheticOptions& o) { return make_gate(o, {0, 1, 1, 1}, "or"); }

Dataset make_moons(const SyntheticOptions& o) {
  std::optional<Generator> own;
  Generator* gen = pick_generator(o, own, "moons");
  const int64_t n = rows_or(o, 200, "moons");
  const int64_t h = std::max<int64_t>((n + 1) / 2 - 1, 1);
  std::vector<double> x0(n * 2);
  std::vector<int64_t> labels(n);
  for (int64_t i = 0; i < n; ++i) {
    const double t = kPi * static_cast<double>(i / 2) / static_cast<double>(h);
    labels[i] = i % 2;
    if (i % 2 == 0) {
      x0[2 * i] = std::cos(t);
      x0[2 * i + 1] = std::sin(t);
    } else {
      x0[2 * i] = 1.0 - std::cos(t);
      x0[2 * i + 1] = 1.0 - std::sin(t) - 0.5;
    }
  }
  return finish("moons", features(x0, n, 2, o, gen), labels, 2, o.dtype);
}

Dataset make_circles(const SyntheticOptions& o, double factor) {
  NABLA_CHECK(factor > 0 && factor < 1, ValueError, "circles: factor must be in (0, 1), got ", factor);
  std::optional<Generator> own;
  Generator* gen = pick_generator(o, own, "circles");
  const int64_t n = rows_or(o, 200, "circles");
  const int64_t count[2] = {(n + 1) / 2, n / 2};
  std::vector<double> x0(n * 2);
  std::vector<int64_t> labels(n);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = i % 2;
    const double theta = 2 * kPi * static_cast<double>(i / 2) / static_cast<double>(count[c]);
    const double r = c == 0 ? 1.0 : factor;
    x0[2 * i] = r * std::cos(theta);
    x0[2 * i + 1] = r * std::sin(theta);
    labels[i] = c;
  }
  return finish("circles", features(x0, n, 2, o, gen), labels, 2, o.dtype);
}

Dataset make_spirals(const SyntheticOptions& o, int64_t arms, double turns) {
  NABLA_CHECK(arms >= 2, ValueError, "spirals: arms must be >= 2, got ", arms);
  NABLA_CHECK(std::isfinite(turns), ValueError, "spirals: turns must be finite, got ", turns);
  std::optional<Generator> own;
  Generator* gen = pick_generator(o, own, "spirals");
  const int64_t n = rows_or(o, 200, "spirals");
  std::vector<double> x0(n * 2);
  std::vector<int64_t> labels(n);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = i % arms;
    const int64_t m = (n - c + arms - 1) / arms;  // rows of arm c
    const double r = static_cast<double>(i / arms) / static_cast<double>(m);
    const double t = 2 * kPi * turns * r + 2 * kPi * static_cast<double>(c) / static_cast<double>(arms);
    x0[2 * i] = r * std::sin(t);
    x0[2 * i + 1] = r * std::cos(t);
    labels[i] = c;
  }
  return finish("spirals", features(x0, n, 2, o, gen), labels, arms, o.dtype);
}

Dataset make_blobs(const SyntheticOptions& o, int64_t centers, int64_t nfeatures, double box) {
  NABLA_CHECK(centers >= 2, ValueError, "blobs: centers must be >= 2, got ", centers);
  NABLA_CHECK(nfeatures >= 1, ValueError, "blobs: features must be >= 1, got ", nfeatures);
  NABLA_CHECK(box > 0 && std::isfinite(box), ValueError, "blobs: box must be positive, got ", box);
  std::optional<Generator> own;
  Generator* gen = pick_generator(o, own, "blobs");
  const int64_t n = rows_or(o, 200, "blobs");
  const int64_t cells = checked_mul(n, nfeatures, "blobs: n x features");
  const std::vector<double> u = rand({centers, nfeatures}, o.dtype, gen).to_vector<double>();
  std::vector<double> x0(static_cast<size_t>(cells));
  std::vector<int64_t> labels(n);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = i % centers;
    for (int64_t j = 0; j < nfeatures; ++j) x0[i * nfeatures + j] = (2 * u[c * nfeatures + j] - 1) * box;
    labels[i] = c;
  }
  return finish("blobs", features(x0, n, nfeatures, o, gen), labels, centers, o.dtype);
}

Dataset make_gaussian_quantiles(const SyntheticOptions& o, int64_t classes, int64_t nfeatures) {
  NABLA_CHECK(classes >= 2, ValueError, "gaussian_quantiles: classes must be >= 2, got ", classes);
  NABLA_CHECK(nfeatures >= 1, ValueError, "gaussian_quantiles: features must be >= 1, got ", nfeatures);
  std::optional<Generator> own;
  Generator* gen = pick_generator(o, own, "gaussian_quantiles");
  const int64_t n = rows_or(o, 200, "gaussian_quantiles");
  NABLA_CHECK(n >= classes, ValueError, "gaussian_quantiles: n (", n, ") must be at least the number of classes (",
              classes, ")");
  checked_mul(n, nfeatures, "gaussian_quantiles: n x features");
  const std::vector<double> z = randn({n, nfeatures}, o.dtype, gen).to_vector<double>();
  std::vector<double> r2(n, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < nfeatures; ++j) r2[i] += z[i * nfeatures + j] * z[i * nfeatures + j];
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return r2[a] < r2[b]; });
  const int64_t step = n / classes;
  std::vector<int64_t> labels(n);
  for (int64_t rank = 0; rank < n; ++rank) labels[order[rank]] = std::min(rank / step, classes - 1);
  return finish("gaussian_quantiles", features(z, n, nfeatures, o, gen), labels, classes, o.dtype);
}

std::vector<std::string> synthetic_dataset_names() {
  return {"xor", "xnor", "and", "or", "moons", "circles", "spirals", "blobs", "gaussian_quantiles"};
}

Dataset make_dataset(std::string_view name, const SyntheticOptions& o) {
  if (name == "xor") return make_xor(o);
  if (name == "xnor") return make_xnor(o);
  if (name == "and") return make_and(o);
  if (name == "or") return make_or(o);
  if (name == "moons") return make_moons(o);
  if (name == "circles") return make_circles(o);
  if (name == "spirals") return make_spirals(o);
  if (name == "blobs") return make_blobs(o);
  if (name == "gaussian_quantiles" || name == "gaussian") return make_gaussian_quantiles(o);
  std::string known;
  for (const auto& s : synthetic_dataset_names()) known += (known.empty() ? "" : ", ") + s;
  throw ValueError(detail::concat("unknown dataset '", name, "'; known datasets: ", known));
}

}  // namespace nabla
