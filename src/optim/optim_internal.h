// Shared helpers of the optimizers (private to src/optim): option checks, JSON, state buffers.
#pragma once
#include <nlohmann/json.hpp>

#include "nabla/error.h"
#include "nabla/tensor/tensor.h"

namespace nabla::optim::detail {

// Throws OptionError "<optimizer>: invalid <shown> <value> (<rule>)" unless ok; `option` is the
// option's key (to_json's, or beta1/beta2 for the two betas).
inline void check_option(bool ok, const char* optimizer, const char* option, const char* shown, double value,
                         const char* rule) {
  if (!ok)
    throw OptionError(nabla::detail::concat(optimizer, ": invalid ", shown, " ", value, " (", rule, ")"), option, rule,
                      value);
}
// NOTE: the checks are written as (v >= 0) so that NaN is rejected too.
inline void check_non_negative(const char* optimizer, const char* option, double value) {
  check_option(value >= 0.0, optimizer, option, option, value, "must be >= 0");
}
inline void check_lr(const char* optimizer, double lr) {
  check_option(lr >= 0.0, optimizer, "lr", "learning rate lr", lr, "must be >= 0");
}
// A decay rate: 0 <= value < 1 (Adam's betas, RMSprop's alpha).
inline void check_beta(const char* optimizer, const char* option, const char* shown, double value) {
  check_option(value >= 0.0 && value < 1.0, optimizer, option, shown, value, "must be in [0, 1)");
}

// Sets `field` from j[key] when present.
template <class T>
void read(const nlohmann::json& j, const char* key, T& field) {
  if (j.contains(key)) field = j.at(key).get<T>();
}

// A state buffer shaped like `param`, made on its first use: zeros, or `fill`.
inline Tensor& state_buffer(Tensor& slot, const Tensor& param, double fill = 0.0) {
  if (!slot.defined())
    slot = fill == 0.0 ? zeros(param.shape(), param.dtype()) : full(param.shape(), fill, param.dtype());
  return slot;
}

}  // namespace nabla::optim::detail

namespace nabla::optim::detail {

// Calls fn.template operator()<b1, b2, ...>() with the runtime flags as template arguments, so
// that each update loop is compiled without branches inside (which would stop vectorization).
template <bool... Known, class Fn>
void dispatch_flags(Fn&& fn) {
  fn.template operator()<Known...>();
}
template <bool... Known, class Fn, class... Rest>
void dispatch_flags(Fn&& fn, bool flag, Rest... rest) {
  if (flag)
    dispatch_flags<Known..., true>(fn, rest...);
  else
    dispatch_flags<Known..., false>(fn, rest...);
}

}  // namespace nabla::optim::detail
