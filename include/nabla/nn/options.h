// nabla/nn/options.h — the plumbing shared by the option structs of layers and losses.
//
// Options are small structs with chained setters, as in libtorch: every field declared with
// NABLA_ARG gets a setter returning the struct (so calls chain) and a getter of the same name.
// Values are checked when the module (or functional call) that receives them is built.
//
//   struct FooOptions { NABLA_ARG(double, eps) = 1e-5; NABLA_ARG(bool, affine) = true; };
//   auto o = FooOptions().eps(1e-3).affine(false);   // setters chain
//   o.eps() == 1e-3;                                  // getters share the name
#pragma once
#include <string>
#include <type_traits>

// (std::type_identity_t keeps `const` on the whole type when T is a pointer.)
#define NABLA_ARG(T, name)                                        \
 public:                                                          \
  auto& name(const std::type_identity_t<T>& new_##name) {         \
    this->name##_ = new_##name;                                   \
    return *this;                                                 \
  }                                                               \
  const std::type_identity_t<T>& name() const { return name##_; } \
                                                                  \
 private:                                                         \
  T name##_

namespace nabla::nn {

// How a loss folds its per-element values: keep them, average them, or add them up.
enum class Reduction { none, mean, sum };

inline const char* reduction_name(Reduction r) {
  switch (r) {
    case Reduction::none:
      return "none";
    case Reduction::mean:
      return "mean";
    case Reduction::sum:
      return "sum";
  }
  return "?";
}

namespace detail {
// Python's repr of a float ("0.1", "1e-05", "1.0"), so module printing matches PyTorch's.
std::string py_float(double v);
// Python's repr of a bool.
inline const char* py_bool(bool v) { return v ? "True" : "False"; }
}  // namespace detail

}  // namespace nabla::nn
