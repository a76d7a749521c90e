#include "nabla/optim/adagrad.h"

#include <cmath>

#include "nabla/compile/tape.h"
#include "optim_internal.h"

namespace nabla::optim {

std::unique_ptr<OptimizerOptions> AdagradOptions::clone() const { return std::make_unique<AdagradOptions>(*this); }

nlohmann::json AdagradOptions::to_json() const {
  return {{"lr", lr_},
          {"lr_decay", lr_decay_},
          {"weight_decay", weight_decay_},
          {"initial_accumulator_value", initial_accumulator_value_},
          {"eps", eps_},
          {"maximize", maximize_}};
}

void AdagradOptions::from_json(const nlohmann::json& j) {
  detail::read(j, "lr", lr_);
  detail::read(j, "lr_decay", lr_decay_);
  detail::read(j, "weight_decay", weight_decay_);
  detail::read(j, "initial_accumulator_value", initial_accumulator_value_);
  detail::read(j, "eps", eps_);
  detail::read(j, "maximize", maximize_);
}

void AdagradOptions::validate() const {
  detail::check_lr("Adagrad", lr_);
  detail::check_non_negative("Adagrad", "lr_decay", lr_decay_);
  detail::check_non_negative("Adagrad", "weight_decay", weight_decay_);
  detail::check_non_negative("Adagrad", "initial_accumulator_value", initial_accumulator_value_);
  detail::check_non_negative("Adagrad", "eps", eps_);
}

std::vector<std::string_view> Adagrad::buffer_names() const { return {"sum"}; }

Adagrad::Adagrad(std::vector<Tensor> params, const AdagradOptions& defaults)
    : Adagrad(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}
Adagrad::Adagrad(std::vector<ParamGroup> groups, const AdagradOptions& defaults)
    : Optimizer("Adagrad", std::move(groups), defaults.clone()) {}

namespace {

// One parameter's update, as torch.optim.adagrad._single_tensor_adagrad (dense gradient), for
// one combination of the flags.
template <class T, bool kMaximize, bool kDecay>
void adagrad_update(T* __restrict p, const T* __restrict g, T* __restrict sum, int64_t n,  // all (n)
                    int64_t step, const AdagradOptions& o) {
  const double clr = o.lr() / (1 + (double(step) - 1) * o.lr_decay());
  const T neg_clr = T(-clr), eps = T(o.eps()), wd = T(o.weight_decay());
  for (int64_t i = 0; i < n; ++i) {
    T grad = kMaximize ? -g[i] : g[i];
    if constexpr (kDecay) grad = grad + wd * p[i];
    sum[i] = sum[i] + T(1) * grad * grad;  // addcmul_(value=1)
    const T std_ = std::sqrt(sum[i]) + eps;
    p[i] = p[i] + neg_clr * grad / std_;
  }
}

}  // namespace

void Adagrad::step() {
  for_each_update<AdagradOptions>([](const AdagradOptions& o, const Tensor& p, const Tensor& g, ParamState& s) {
    detail::state_buffer(s.buffers[0], p, o.initial_accumulator_value());
    dispatch_floating(p.dtype(), "Adagrad.step", [&]<class T>() {
      detail::dispatch_flags(
          [&]<bool... kFlags>() {
            // Replayable (nabla/compile.h): options, state and step count are read when it runs.
            capture::launch(
                "Adagrad.step",
                [pp = p.data<T>(), pg = g.data<T>(), n = p.numel(), o = &o, s = &s] {
                  const int64_t step = ++s->step;
                  adagrad_update<T, kFlags...>(pp, pg, s->buffers[0].data<T>(), n, step, *o);
                },
                p, g);
          },
          o.maximize(), o.weight_decay() != 0);
    });
  });
}

}  // namespace nabla::optim
