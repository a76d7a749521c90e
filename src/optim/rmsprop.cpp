#include "nabla/optim/rmsprop.h"

#include <cmath>

#include "nabla/compile/tape.h"
#include "optim_internal.h"

namespace nabla::optim {

std::unique_ptr<OptimizerOptions> RMSpropOptions::clone() const { return std::make_unique<RMSpropOptions>(*this); }

nlohmann::json RMSpropOptions::to_json() const {
  return {{"lr", lr_},
          {"alpha", alpha_},
          {"eps", eps_},
          {"weight_decay", weight_decay_},
          {"momentum", momentum_},
          {"centered", centered_},
          {"maximize", maximize_}};
}

void RMSpropOptions::from_json(const nlohmann::json& j) {
  detail::read(j, "lr", lr_);
  detail::read(j, "alpha", alpha_);
  detail::read(j, "eps", eps_);
  detail::read(j, "weight_decay", weight_decay_);
  detail::read(j, "momentum", momentum_);
  detail::read(j, "centered", centered_);
  detail::read(j, "maximize", maximize_);
}

void RMSpropOptions::validate() const {
  detail::check_lr("RMSprop", lr_);
  detail::check_non_negative("RMSprop", "eps", eps_);
  detail::check_non_negative("RMSprop", "momentum", momentum_);
  detail::check_non_negative("RMSprop", "weight_decay", weight_decay_);
  detail::check_beta("RMSprop", "alpha", "alpha", alpha_);
}

std::vector<std::string_view> RMSprop::buffer_names() const { return {"square_avg", "momentum_buffer", "grad_avg"}; }

RMSprop::RMSprop(std::vector<Tensor> params, const RMSpropOptions& defaults)
    : RMSprop(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}
RMSprop::RMSprop(std::vector<ParamGroup> groups, const RMSpropOptions& defaults)
    : Optimizer("RMSprop", std::move(groups), defaults.clone()) {}

namespace {

// One parameter's update, as torch.optim.rmsprop._single_tensor_rmsprop, for one combination
// of the flags. `grad_avg` is used only when centered, `buf` only with momentum.
template <class T, bool kMaximize, bool kDecay, bool kCentered, bool kMomentum>
void rmsprop_update(T* __restrict p, const T* __restrict g, T* __restrict square_avg,  // all (n)
                    T* __restrict grad_avg, T* __restrict buf, int64_t n, const RMSpropOptions& o) {
  const T alpha = T(o.alpha()), one_minus_alpha = T(1 - o.alpha()), eps = T(o.eps());
  const T wd = T(o.weight_decay()), mom = T(o.momentum()), neg_lr = T(-o.lr());
  for (int64_t i = 0; i < n; ++i) {
    T grad = kMaximize ? -g[i] : g[i];
    if constexpr (kDecay) grad = grad + wd * p[i];
    square_avg[i] = square_avg[i] * alpha + one_minus_alpha * grad * grad;
    T avg;
    if constexpr (kCentered) {
      grad_avg[i] = grad_avg[i] * alpha + one_minus_alpha * grad;
      avg = std::sqrt(square_avg[i] + T(-1) * grad_avg[i] * grad_avg[i]);  // addcmul(value=-1).sqrt_()
    } else {
      avg = std::sqrt(square_avg[i]);
    }
    avg = avg + eps;
    if constexpr (kMomentum) {
      buf[i] = buf[i] * mom + grad / avg;  // addcdiv_ with value 1
      p[i] = p[i] + neg_lr * buf[i];
    } else {
      p[i] = p[i] + neg_lr * grad / avg;
    }
  }
}

}  // namespace

void RMSprop::step() {
  for_each_update<RMSpropOptions>([](const RMSpropOptions& o, const Tensor& p, const Tensor& g, ParamState& s) {
    detail::state_buffer(s.buffers[0], p);
    const bool momentum = o.momentum() > 0, centered = o.centered();
    if (momentum) detail::state_buffer(s.buffers[1], p);
    if (centered) detail::state_buffer(s.buffers[2], p);
    dispatch_floating(p.dtype(), "RMSprop.step", [&]<class T>() {
      detail::dispatch_flags(
          [&]<bool... kFlags>() {
            // Replayable (nabla/compile.h): options, state and step count are read when it runs.
            capture::launch(
                "RMSprop.step",
                [pp = p.data<T>(), pg = g.data<T>(), n = p.numel(), o = &o, s = &s, momentum, centered] {
                  ++s->step;  // kept for the state (PyTorch counts it too); the update does not use it
                  rmsprop_update<T, kFlags...>(pp, pg, s->buffers[0].data<T>(),
                                               centered ? s->buffers[2].data<T>() : nullptr,
                                               momentum ? s->buffers[1].data<T>() : nullptr, n, *o);
                },
                p, g);
          },
          o.maximize(), o.weight_decay() != 0, centered, momentum);
    });
  });
}

}  // namespace nabla::optim
