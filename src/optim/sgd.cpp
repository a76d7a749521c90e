#include "nabla/optim/sgd.h"

#include "../kernels/parallel.h"
#include "nabla/compile/tape.h"
#include "optim_internal.h"

namespace nabla::optim {

std::unique_ptr<OptimizerOptions> SGDOptions::clone() const { return std::make_unique<SGDOptions>(*this); }

nlohmann::json SGDOptions::to_json() const {
  return {{"lr", lr_},
          {"momentum", momentum_},
          {"dampening", dampening_},
          {"weight_decay", weight_decay_},
          {"nesterov", nesterov_},
          {"maximize", maximize_}};
}

void SGDOptions::from_json(const nlohmann::json& j) {
  detail::read(j, "lr", lr_);
  detail::read(j, "momentum", momentum_);
  detail::read(j, "dampening", dampening_);
  detail::read(j, "weight_decay", weight_decay_);
  detail::read(j, "nesterov", nesterov_);
  detail::read(j, "maximize", maximize_);
}

void SGDOptions::validate() const {
  detail::check_lr("SGD", lr_);
  detail::check_non_negative("SGD", "momentum", momentum_);
  detail::check_option(dampening_ >= 0 && dampening_ <= 1, "SGD", "dampening", "dampening", dampening_,
                       "must be in [0, 1]");
  detail::check_non_negative("SGD", "weight_decay", weight_decay_);
  if (nesterov_ && !(momentum_ > 0 && dampening_ == 0))
    throw OptionError(
        nabla::detail::concat("SGD: nesterov momentum requires momentum > 0 and dampening 0 (got momentum ", momentum_,
                              ", dampening ", dampening_, ")"),
        "nesterov", "Nesterov momentum requires momentum > 0 and dampening = 0", 1.0);
}

std::vector<std::string_view> SGD::buffer_names() const { return {"momentum_buffer"}; }

SGD::SGD(std::vector<Tensor> params, const SGDOptions& defaults)
    : SGD(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}

SGD::SGD(std::vector<ParamGroup> groups, const SGDOptions& defaults)
    : Optimizer("SGD", std::move(groups), defaults.clone()) {}

namespace {

// One parameter's update, as torch.optim._single_tensor_sgd, for one combination of the flags.
// kFirst is the step that starts the momentum buffer (PyTorch: buf = clone(d_p)).
template <class T, bool kMaximize, bool kDecay, bool kMomentum, bool kFirst, bool kNesterov>
void sgd_update(T* __restrict p, const T* __restrict g, T* __restrict buf, int64_t n,  // all (n)
                const SGDOptions& o) {
  // Scalars are rounded to T first, as PyTorch does when a Python number meets a tensor.
  const T wd = T(o.weight_decay()), mom = T(o.momentum()), one_minus_damp = T(1 - o.dampening()), neg_lr = T(-o.lr());
  for (int64_t i = 0; i < n; ++i) {
    T d = kMaximize ? -g[i] : g[i];
    if constexpr (kDecay) d = d + wd * p[i];
    if constexpr (kMomentum) {
      buf[i] = kFirst ? d : buf[i] * mom + one_minus_damp * d;
      d = kNesterov ? d + mom * buf[i] : buf[i];
    }
    p[i] = p[i] + neg_lr * d;
  }
}

}  // namespace

void SGD::step() {
  for_each_update<SGDOptions>([](const SGDOptions& o, const Tensor& p, const Tensor& g, ParamState& s) {
    const bool momentum = o.momentum() != 0;
    const bool first = momentum && !s.buffers[0].defined();
    if (momentum) detail::state_buffer(s.buffers[0], p);
    dispatch_floating(p.dtype(), "SGD.step", [&]<class T>() {
      detail::dispatch_flags(
          [&]<bool... kFlags>() {
            // Replayable (nabla/compile.h): options and state are read when the update runs, so a
            // scheduler's new lr or a loaded state_dict is seen by a compiled step too.
            capture::launch(
                "SGD.step",
                [pp = p.data<T>(), pg = g.data<T>(), n = p.numel(), o = &o, s = &s, momentum] {
                  T* buf = momentum ? s->buffers[0].data<T>() : nullptr;
                  kernels::parallel_range(n, [&](int64_t b, int64_t e) {
                    sgd_update<T, kFlags...>(pp + b, pg + b, buf ? buf + b : nullptr, e - b, *o);
                  });
                },
                p, g);
          },
          o.maximize(), o.weight_decay() != 0, momentum, first, o.nesterov());
    });
  });
}

}  // namespace nabla::optim
