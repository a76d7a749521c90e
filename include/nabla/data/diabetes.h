// nabla/data/diabetes.h — the Diabetes data set (Efron, Hastie, Johnstone and Tibshirani, "Least
// Angle Regression", Annals of Statistics 32(2), 2004), as scikit-learn's load_diabetes() gives
// it, compiled into the library (data/diabetes.csv; provenance and licence in data/README.md).
//
//   nabla::Dataset d = nabla::load_diabetes();            // x [442, 10] float64, y [442, 1]
//   auto [train, test] = nabla::sklearn::train_test_split(d, 0.3, 42);
//   nabla::Dataset f = nabla::load_diabetes(nabla::DType::float32);
//
// 442 patients; the features age, sex, bmi, bp, s1 .. s6 (baseline measurements, each column
// mean-centred and scaled by sklearn to unit Euclidean norm: std · sqrt(442) = 1), the target a
// measure of disease progression one year after baseline (25 .. 346). Regression: num_classes 0,
// y float [442, 1] in the dtype of x. Rows in scikit-learn's order.
#pragma once
#include <string_view>

#include "nabla/data/dataset.h"

namespace nabla {

// The data set in `dtype` (float32 or float64; float32 values are the float64 ones rounded).
// Throws DTypeError for another dtype.
Dataset load_diabetes(DType dtype = DType::float64);

// The text of data/diabetes.csv as compiled in (header age,sex,bmi,bp,s1,...,s6,target).
std::string_view diabetes_csv();

}  // namespace nabla
