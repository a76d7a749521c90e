// nabla/data/features.h — the input features of 2-D points that the playground offers
// (TensorFlow Playground's X1, X2, X1², X2², X1X2, sin(X1), sin(X2)): one definition, used by
// `nabla serve`'s sessions and by `nabla train` ([data] features = [...]), so that an exported
// playground config trains on the very same inputs.
//
//   nabla::Dataset d = nabla::make_circles({.n = 200, .seed = 1});      // x: (200, 2)
//   nabla::Tensor f = nabla::point_features(d.x, {"x1", "x2", "x1sq"});  // (200, 3): x1, x2, x1²
#pragma once
#include <string>
#include <vector>

#include "nabla/tensor/tensor.h"

namespace nabla {

// The feature names, in the playground's order: x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2.
const std::vector<std::string>& point_feature_names();

// Columns `features` (names from point_feature_names(), any order, repeats allowed) of the points
// xy (N, 2), as an (N, F) tensor of xy's floating dtype. ShapeError for xy not (N, 2),
// ValueError naming an unknown feature (and the known ones) or an empty list.
Tensor point_features(const Tensor& xy, const std::vector<std::string>& features);

}  // namespace nabla
