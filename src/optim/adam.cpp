// Adam and AdamW share one update loop; they differ only in where weight decay enters.
#include "nabla/optim/adam.h"

#include <cmath>

#include "../kernels/parallel.h"
#include "nabla/compile/tape.h"
#include "optim_internal.h"

namespace nabla::optim {
namespace {

struct AdamHyper {
  double lr, beta1, beta2, eps, weight_decay;
  bool amsgrad, maximize, decoupled;  // decoupled: AdamW
};

Betas read_betas(const nlohmann::json& j, Betas current) {
  if (!j.contains("betas")) return current;
  const auto& b = j.at("betas");
  NABLA_CHECK(b.is_array() && b.size() == 2, ValueError, "Adam options: \"betas\" must be [beta1, beta2], got ",
              b.dump());
  return {b[0].get<double>(), b[1].get<double>()};
}

// One parameter's update, as torch.optim.adam._single_tensor_adam (and adamw's, with
// kDecoupled), capturable=False, for one combination of the flags: the bias corrections are
// Python floats (double), rounded to T where they meet the tensors.
template <class T, bool kMaximize, bool kCoupledDecay, bool kDecoupled, bool kAmsgrad>
void adam_update(T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v,  // all (n)
                 T* __restrict vmax, int64_t n, int64_t step, const AdamHyper& h) {
  const double bias_correction1 = 1 - std::pow(h.beta1, double(step));
  const double bias_correction2 = 1 - std::pow(h.beta2, double(step));
  const double step_size = h.lr / bias_correction1;
  const T bias_correction2_sqrt = T(std::sqrt(bias_correction2));
  const T neg_step_size = T(-step_size), eps = T(h.eps);
  const T beta1 = T(h.beta1), one_minus_beta1 = T(1 - h.beta1);
  const T beta2 = T(h.beta2), one_minus_beta2 = T(1 - h.beta2);
  const T wd = T(h.weight_decay), decay_factor = T(1 - h.lr * h.weight_decay);
  for (int64_t i = 0; i < n; ++i) {
    T grad = kMaximize ? -g[i] : g[i];
    if constexpr (kDecoupled) p[i] = p[i] * decay_factor;  // param.mul_(1 - lr * weight_decay)
    if constexpr (kCoupledDecay) grad = grad + wd * p[i];
    m[i] = m[i] * beta1 + one_minus_beta1 * grad;
    v[i] = v[i] * beta2 + one_minus_beta2 * grad * grad;  // addcmul_: (value * t1) * t2
    T second = v[i];
    if constexpr (kAmsgrad) {
      // torch.maximum propagates NaN from either side.
      const T a = vmax[i], b = v[i];
      vmax[i] = (a != a || a > b) ? a : b;
      second = vmax[i];
    }
    const T denom = std::sqrt(second) / bias_correction2_sqrt + eps;
    p[i] = p[i] + neg_step_size * m[i] / denom;  // addcdiv_: (value * t1) / t2
  }
}

// One parameter's step, shared by Adam and AdamW. buffers: exp_avg, exp_avg_sq, max_exp_avg_sq.
// Replayable (nabla/compile.h): the step count, the options and the state buffers are read when
// the update runs, so a compiled step counts its steps and sees a scheduler's new lr.
template <class Options, class State>
void adam_param_step(const Options& o, bool decoupled, const char* name, const Tensor& p, const Tensor& g, State& s) {
  detail::state_buffer(s.buffers[0], p);
  detail::state_buffer(s.buffers[1], p);
  if (o.amsgrad()) detail::state_buffer(s.buffers[2], p);
  const bool coupled_decay = !decoupled && o.weight_decay() != 0;
  dispatch_floating(p.dtype(), name, [&]<class T>() {
    detail::dispatch_flags(
        [&]<bool... kFlags>() {
          capture::launch(
              name,
              [pp = p.data<T>(), pg = g.data<T>(), n = p.numel(), o = &o, s = &s, decoupled] {
                const AdamHyper h{o->lr(),           o->betas().first, o->betas().second, o->eps(),
                                  o->weight_decay(), o->amsgrad(),     o->maximize(),     decoupled};
                const int64_t step = ++s->step;
                T *m = s->buffers[0].template data<T>(), *v = s->buffers[1].template data<T>();
                T* vmax = h.amsgrad ? s->buffers[2].template data<T>() : nullptr;
                kernels::parallel_range(n, [&](int64_t b, int64_t e) {
                  adam_update<T, kFlags...>(pp + b, pg + b, m + b, v + b, vmax ? vmax + b : nullptr, e - b, step, h);
                });
              },
              p, g);
        },
        o.maximize(), coupled_decay, decoupled, o.amsgrad());
  });
}

}  // namespace

// ---- the options both share ----

template <class Self>
std::unique_ptr<OptimizerOptions> AdamFamilyOptions<Self>::clone() const {
  return std::make_unique<Self>(static_cast<const Self&>(*this));
}

template <class Self>
nlohmann::json AdamFamilyOptions<Self>::to_json() const {
  return {{"lr", lr()},          {"betas", {betas_.first, betas_.second}},
          {"eps", eps_},         {"weight_decay", weight_decay_},
          {"amsgrad", amsgrad_}, {"maximize", maximize_}};
}

template <class Self>
void AdamFamilyOptions<Self>::from_json(const nlohmann::json& j) {
  detail::read(j, "lr", lr_);
  betas_ = read_betas(j, betas_);
  detail::read(j, "eps", eps_);
  detail::read(j, "weight_decay", weight_decay_);
  detail::read(j, "amsgrad", amsgrad_);
  detail::read(j, "maximize", maximize_);
}

template <class Self>
void AdamFamilyOptions<Self>::validate() const {
  detail::check_lr(Self::kName, lr());
  detail::check_non_negative(Self::kName, "eps", eps_);
  detail::check_beta(Self::kName, "beta1", "beta1 (betas.first)", betas_.first);
  detail::check_beta(Self::kName, "beta2", "beta2 (betas.second)", betas_.second);
  detail::check_non_negative(Self::kName, "weight_decay", weight_decay_);
}

template class AdamFamilyOptions<AdamOptions>;
template class AdamFamilyOptions<AdamWOptions>;

// ---- Adam ----

std::vector<std::string_view> Adam::buffer_names() const { return {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}; }

Adam::Adam(std::vector<Tensor> params, const AdamOptions& defaults)
    : Adam(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}
Adam::Adam(std::vector<ParamGroup> groups, const AdamOptions& defaults)
    : Optimizer("Adam", std::move(groups), defaults.clone()) {}

void Adam::step() {
  for_each_update<AdamOptions>([](const AdamOptions& o, const Tensor& p, const Tensor& g, ParamState& s) {
    adam_param_step(o, /*decoupled=*/false, "Adam.step", p, g, s);
  });
}

// ---- AdamW ----

std::vector<std::string_view> AdamW::buffer_names() const { return {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}; }

AdamW::AdamW(std::vector<Tensor> params, const AdamWOptions& defaults)
    : AdamW(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}
AdamW::AdamW(std::vector<ParamGroup> groups, const AdamWOptions& defaults)
    : Optimizer("AdamW", std::move(groups), defaults.clone()) {}

void AdamW::step() {
  for_each_update<AdamWOptions>([](const AdamWOptions& o, const Tensor& p, const Tensor& g, ParamState& s) {
    adam_param_step(o, /*decoupled=*/true, "AdamW.step", p, g, s);
  });
}

}  // namespace nabla::optim
