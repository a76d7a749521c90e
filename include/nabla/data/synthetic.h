// nabla/data/synthetic.h — the toy datasets of the seed experiments, defined exactly.
//
// Each generator is deterministic for a seed (or a Generator's state), and each definition is
// written out below so the same points can be produced elsewhere. Random draws use nabla's
// PyTorch-compatible generator, so every definition is also a few lines of PyTorch that give
// the same numbers, e.g. for moons with g = torch.Generator().manual_seed(seed):
//     X = base.to(dtype) + noise * torch.randn(n, 2, dtype=dtype, generator=g)
//
//   nabla::Dataset w2 = nabla::make_moons({.n = 1024, .noise = 0.1, .seed = 0});   // W2/W3 data
//   nabla::Dataset w1 = nabla::make_xor({.dtype = DType::float64});                // W1: 4 rows
//   nabla::Dataset s  = nabla::make_spirals({.n = 600, .noise = 0.05, .seed = 1}, /*arms=*/3);
//
// Conventions shared by every generator:
// * Rows are interleaved by class: row i belongs to class c = i mod k (k classes, or the 4 truth
//   table rows for the logic gates), so any prefix is balanced; shuffle with a DataLoader.
// * Targets: with 2 classes y is float [n, 1] of 0/1 in `dtype` (for BCE / MSE); with k > 2
//   classes y is int64 [n] (for cross-entropy). Dataset::num_classes says which.
// * Noise: when noise > 0, E = randn({n, F}, dtype, generator) is drawn once, after any other
//   draws of the generator, and X = X0 + noise * E is computed in `dtype` (X0 rounded to dtype
//   first). noise == 0 draws nothing.
// * Randomness comes from `generator` if set, else from a Generator seeded with `seed` if set,
//   else from nabla's default generator (so nabla::manual_seed also makes it reproducible).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nabla/data/dataset.h"

namespace nabla {

struct SyntheticOptions {
  int64_t n = 0;                      // number of rows; 0 picks the default: 4 for logic gates, 200 otherwise
  double noise = 0.0;                 // standard deviation of the Gaussian noise on every coordinate
  DType dtype = DType::float32;       // of X, and of y when y is float
  std::optional<uint64_t> seed = {};  // a private Generator(seed)...
  Generator* generator = nullptr;     // ...or this one (not both)
};

// Logic gates on the truth table T = [(0,0), (0,1), (1,0), (1,1)]: row i is T[i mod 4] (so
// n = 4 is the table itself and n > 4 repeats it), y the gate's output on the row; noise is added
// to the inputs only. xor: 0,1,1,0  xnor: 1,0,0,1  and: 0,0,0,1  or: 0,1,1,1.
Dataset make_xor(const SyntheticOptions& options = {});
Dataset make_xnor(const SyntheticOptions& options = {});
Dataset make_and(const SyntheticOptions& options = {});
Dataset make_or(const SyntheticOptions& options = {});

// Two interleaving half circles (WORKLOADS.md): row i has class c = i mod 2 and
// t = π ⌊i/2⌋ / h with h = ⌈n/2⌉ - 1 (= n/2 - 1 for even n; h = 1 when that is 0);
// class 0 at (cos t, sin t), class 1 at (1 - cos t, 1 - sin t - 0.5); plus N(0, noise²).
Dataset make_moons(const SyntheticOptions& options = {});

// Two concentric circles (sklearn make_circles, without its shuffle): row i has class
// c = i mod 2 and angle θ = 2π ⌊i/2⌋ / m_c, m_c the number of rows of class c (⌈n/2⌉, ⌊n/2⌋);
// class 0 (outer) at (cos θ, sin θ), class 1 (inner) at factor · (cos θ, sin θ); plus noise.
// factor in (0, 1).
Dataset make_circles(const SyntheticOptions& options = {}, double factor = 0.5);

// k interleaved spiral arms (TensorFlow Playground's spiral, radius scaled to 1): row i has
// class c = i mod k, j = ⌊i/k⌋, m_c rows in arm c, r = j / m_c,
// t = 2π · turns · r + 2π c / k; point (r sin t, r cos t); plus noise.
Dataset make_spirals(const SyntheticOptions& options = {}, int64_t arms = 2, double turns = 1.75);

// k Gaussian clusters (sklearn make_blobs, without its shuffle): centres
// C = (2 U - 1) · box with U = rand({k, features}, dtype, generator) drawn first; row i has
// class c = i mod k and sits at C[c] plus noise, so `noise` is the cluster standard deviation
// (sklearn's cluster_std; 1.0 is its default). y as the conventions above (k = 2 -> float).
Dataset make_blobs(const SyntheticOptions& options = {}, int64_t centers = 3, int64_t features = 2, double box = 10.0);

// Gaussian quantiles (sklearn make_gaussian_quantiles, mean 0, cov 1, without its shuffle):
// Z = randn({n, features}, dtype, generator); rows are ranked by |Z_i|² (ties by row index) and
// the row of rank r gets class min(r / ⌊n/k⌋, k - 1): nested shells of equal count around the
// origin (k = 2: a disc inside a ring, like TF Playground's circle). Then X = Z plus noise,
// drawn after Z: noise blurs the class boundaries.
Dataset make_gaussian_quantiles(const SyntheticOptions& options = {}, int64_t classes = 2, int64_t features = 2);

// By name, with the default extra parameters: "xor", "xnor", "and", "or", "moons", "circles",
// "spirals", "blobs", "gaussian_quantiles" (alias "gaussian"). ValueError listing the names.
Dataset make_dataset(std::string_view name, const SyntheticOptions& options = {});
std::vector<std::string> synthetic_dataset_names();

}  // namespace nabla
