// The formulas are PyTorch 1.13's, term for term and in its evaluation order (Python evaluates
// a * b / c as (a * b) / c), so that the doubles come out the same.
#include "nabla/optim/lr_scheduler.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>

namespace nabla::optim {

// ---- base ----

LRScheduler::LRScheduler(Optimizer& optimizer, std::string name) : optimizer_(&optimizer), name_(std::move(name)) {
  for (size_t g = 0; g < optimizer.num_param_groups(); ++g) {
    if (!optimizer.initial_lr(g)) optimizer.set_initial_lr(g, optimizer.lr(g));  // group.setdefault('initial_lr', lr)
    base_lrs_.push_back(*optimizer.initial_lr(g));
  }
}

void LRScheduler::initial_step() {
  step_count_ = 0;
  step();
}

std::vector<double> LRScheduler::current_lrs() const {
  std::vector<double> lrs(optimizer_->num_param_groups());
  for (size_t g = 0; g < lrs.size(); ++g) lrs[g] = optimizer_->lr(g);
  return lrs;
}

void LRScheduler::apply(const std::vector<double>& lrs) {
  // A group added to the optimizer after the scheduler was built keeps its own lr, as in PyTorch
  // (zip stops at the shorter list).
  const size_t n = std::min(lrs.size(), optimizer_->num_param_groups());
  for (size_t g = 0; g < n; ++g) optimizer_->set_lr(g, lrs[g]);
  last_lr_ = current_lrs();
}

void LRScheduler::step() {
  ++step_count_;
  ++last_epoch_;
  apply(get_lr());
}

void LRScheduler::step_to(int64_t epoch) {
  ++step_count_;
  last_epoch_ = epoch;
  apply(closed_form_lr());
}

nlohmann::json LRScheduler::settings() const { return nlohmann::json::object(); }

nlohmann::json LRScheduler::state_dict() const {
  nlohmann::json j = settings();
  j["scheduler"] = name_;
  j["last_epoch"] = last_epoch_;
  j["_step_count"] = step_count_;
  j["base_lrs"] = base_lrs_;
  j["_last_lr"] = last_lr_;
  return j;
}

void LRScheduler::load_state_dict(const nlohmann::json& j) {
  const std::string where = name_ + ".load_state_dict";
  NABLA_CHECK(j.is_object() && j.value("scheduler", std::string()) == name_, ValueError, where, ": the state is from ",
              j.is_object() && j.contains("scheduler") ? j["scheduler"].dump() : "?", ", not ", name_);
  try {
    auto base_lrs = j.at("base_lrs").get<std::vector<double>>();
    NABLA_CHECK(base_lrs.size() == base_lrs_.size(), ValueError, where, ": the state has ", base_lrs.size(),
                " parameter groups, the optimizer ", base_lrs_.size());
    load_settings(j);
    base_lrs_ = std::move(base_lrs);
    last_epoch_ = j.at("last_epoch").get<int64_t>();
    step_count_ = j.at("_step_count").get<int64_t>();
    last_lr_ = j.at("_last_lr").get<std::vector<double>>();
  } catch (const nlohmann::json::exception& e) {
    throw ValueError(nabla::detail::concat(where, ": ", e.what()));
  }
}

// ---- StepLR ----

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : LRScheduler(optimizer, "StepLR"), step_size_(step_size), gamma_(gamma) {
  NABLA_CHECK(step_size > 0, ValueError, "StepLR: invalid step_size ", step_size, " (must be > 0)");
  initial_step();
}

std::vector<double> StepLR::get_lr() const {
  std::vector<double> lrs = current_lrs();
  if (last_epoch_ == 0 || last_epoch_ % step_size_ != 0) return lrs;
  for (double& lr : lrs) lr = lr * gamma_;
  return lrs;
}

std::vector<double> StepLR::closed_form_lr() const {
  std::vector<double> lrs;
  for (double base : base_lrs_) lrs.push_back(base * std::pow(gamma_, double(last_epoch_ / step_size_)));
  return lrs;
}

nlohmann::json StepLR::settings() const { return {{"step_size", step_size_}, {"gamma", gamma_}}; }
void StepLR::load_settings(const nlohmann::json& j) {
  step_size_ = j.value("step_size", step_size_);
  gamma_ = j.value("gamma", gamma_);
}

// ---- MultiStepLR ----

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma)
    : LRScheduler(optimizer, "MultiStepLR"), gamma_(gamma) {
  for (int64_t m : milestones) ++milestones_[m];  // collections.Counter
  initial_step();
}

std::vector<double> MultiStepLR::get_lr() const {
  std::vector<double> lrs = current_lrs();
  auto it = milestones_.find(last_epoch_);
  if (it == milestones_.end()) return lrs;
  for (double& lr : lrs) lr = lr * std::pow(gamma_, double(it->second));
  return lrs;
}

std::vector<double> MultiStepLR::closed_form_lr() const {
  int64_t passed = 0;  // bisect_right(sorted milestones with repeats, last_epoch)
  for (const auto& [epoch, count] : milestones_)
    if (epoch <= last_epoch_) passed += count;
  std::vector<double> lrs;
  for (double base : base_lrs_) lrs.push_back(base * std::pow(gamma_, double(passed)));
  return lrs;
}

nlohmann::json MultiStepLR::settings() const {
  nlohmann::json m = nlohmann::json::object();
  for (const auto& [epoch, count] : milestones_) m[std::to_string(epoch)] = count;
  return {{"milestones", m}, {"gamma", gamma_}};
}
void MultiStepLR::load_settings(const nlohmann::json& j) {
  if (j.contains("milestones")) {
    milestones_.clear();
    for (const auto& [epoch, count] : j.at("milestones").items()) milestones_[std::stoll(epoch)] = count.get<int>();
  }
  gamma_ = j.value("gamma", gamma_);
}

// ---- ExponentialLR ----

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma)
    : LRScheduler(optimizer, "ExponentialLR"), gamma_(gamma) {
  initial_step();
}

std::vector<double> ExponentialLR::get_lr() const {
  std::vector<double> lrs = current_lrs();
  if (last_epoch_ == 0) return lrs;
  for (double& lr : lrs) lr = lr * gamma_;
  return lrs;
}

std::vector<double> ExponentialLR::closed_form_lr() const {
  std::vector<double> lrs;
  for (double base : base_lrs_) lrs.push_back(base * std::pow(gamma_, double(last_epoch_)));
  return lrs;
}

nlohmann::json ExponentialLR::settings() const { return {{"gamma", gamma_}}; }
void ExponentialLR::load_settings(const nlohmann::json& j) { gamma_ = j.value("gamma", gamma_); }

// ---- CosineAnnealingLR ----

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min)
    : LRScheduler(optimizer, "CosineAnnealingLR"), T_max_(T_max), eta_min_(eta_min) {
  NABLA_CHECK(T_max > 0, ValueError, "CosineAnnealingLR: invalid T_max ", T_max, " (must be > 0)");
  initial_step();
}

std::vector<double> CosineAnnealingLR::get_lr() const {
  constexpr double pi = std::numbers::pi;  // == math.pi
  const double T = double(T_max_), e = double(last_epoch_);
  std::vector<double> lrs = current_lrs();
  if (last_epoch_ == 0) return lrs;
  if (step_count_ == 1 && last_epoch_ > 0) {  // only reachable through load_state_dict; kept for parity
    for (size_t g = 0; g < lrs.size(); ++g)
      lrs[g] = eta_min_ + (base_lrs_[g] - eta_min_) * (1 + std::cos(e * pi / T)) / 2;
    return lrs;
  }
  // NOTE: Python's % is never negative, C++'s can be; only "== 0" is tested, which agrees.
  if ((last_epoch_ - 1 - T_max_) % (2 * T_max_) == 0) {
    for (size_t g = 0; g < lrs.size(); ++g) lrs[g] = lrs[g] + (base_lrs_[g] - eta_min_) * (1 - std::cos(pi / T)) / 2;
    return lrs;
  }
  for (double& lr : lrs)
    lr = (1 + std::cos(pi * e / T)) / (1 + std::cos(pi * (e - 1) / T)) * (lr - eta_min_) + eta_min_;
  return lrs;
}

std::vector<double> CosineAnnealingLR::closed_form_lr() const {
  constexpr double pi = std::numbers::pi;
  std::vector<double> lrs;
  for (double base : base_lrs_)
    lrs.push_back(eta_min_ + (base - eta_min_) * (1 + std::cos(pi * double(last_epoch_) / double(T_max_))) / 2);
  return lrs;
}

nlohmann::json CosineAnnealingLR::settings() const { return {{"T_max", T_max_}, {"eta_min", eta_min_}}; }
void CosineAnnealingLR::load_settings(const nlohmann::json& j) {
  T_max_ = j.value("T_max", T_max_);
  eta_min_ = j.value("eta_min", eta_min_);
}

// ---- LinearLR ----

LinearLR::LinearLR(Optimizer& optimizer, double start_factor, double end_factor, int64_t total_iters)
    : LRScheduler(optimizer, "LinearLR"),
      start_factor_(start_factor),
      end_factor_(end_factor),
      total_iters_(total_iters) {
  // PyTorch 1.13 accepts start_factor 0 and then divides by zero at epoch 1; 2.x rejects it.
  NABLA_CHECK(start_factor > 0 && start_factor <= 1, ValueError, "LinearLR: invalid start_factor ", start_factor,
              " (must be in (0, 1])");
  NABLA_CHECK(end_factor >= 0 && end_factor <= 1, ValueError, "LinearLR: invalid end_factor ", end_factor,
              " (must be in [0, 1])");
  NABLA_CHECK(total_iters > 0, ValueError, "LinearLR: invalid total_iters ", total_iters, " (must be > 0)");
  initial_step();
}

std::vector<double> LinearLR::get_lr() const {
  std::vector<double> lrs = current_lrs();
  if (last_epoch_ == 0) {
    for (double& lr : lrs) lr = lr * start_factor_;
    return lrs;
  }
  if (last_epoch_ > total_iters_) return lrs;
  const double delta = end_factor_ - start_factor_;
  for (double& lr : lrs)
    lr = lr * (1. + delta / (double(total_iters_) * start_factor_ + double(last_epoch_ - 1) * delta));
  return lrs;
}

std::vector<double> LinearLR::closed_form_lr() const {
  std::vector<double> lrs;
  const double delta = end_factor_ - start_factor_;
  for (double base : base_lrs_)
    lrs.push_back(base * (start_factor_ + delta * double(std::min(total_iters_, last_epoch_)) / double(total_iters_)));
  return lrs;
}

nlohmann::json LinearLR::settings() const {
  return {{"start_factor", start_factor_}, {"end_factor", end_factor_}, {"total_iters", total_iters_}};
}
void LinearLR::load_settings(const nlohmann::json& j) {
  start_factor_ = j.value("start_factor", start_factor_);
  end_factor_ = j.value("end_factor", end_factor_);
  total_iters_ = j.value("total_iters", total_iters_);
}

// ---- SequentialLR ----

SequentialLR::SequentialLR(Optimizer& optimizer, std::vector<std::shared_ptr<LRScheduler>> schedulers,
                           std::vector<int64_t> milestones)
    : LRScheduler(optimizer, "SequentialLR"), schedulers_(std::move(schedulers)), milestones_(std::move(milestones)) {
  NABLA_CHECK(!schedulers_.empty(), ValueError, "SequentialLR: no schedulers");
  for (size_t i = 0; i < schedulers_.size(); ++i) {
    NABLA_CHECK(schedulers_[i] != nullptr, ValueError, "SequentialLR: scheduler ", i, " is null");
    NABLA_CHECK(&schedulers_[i]->optimizer() == &optimizer, ValueError, "SequentialLR: scheduler ", i,
                " belongs to another optimizer");
  }
  NABLA_CHECK(milestones_.size() + 1 == schedulers_.size(), ValueError, "SequentialLR: ", schedulers_.size(),
              " schedulers need ", schedulers_.size() - 1, " milestones, got ", milestones_.size());
  NABLA_CHECK(std::is_sorted(milestones_.begin(), milestones_.end()), ValueError,
              "SequentialLR: milestones must be in increasing order");
  last_epoch_ = 0;
  // Undo what the schedulers did when they were built, and start the first one.
  for (size_t g = 0; g < optimizer.num_param_groups(); ++g) optimizer.set_lr(g, *optimizer.initial_lr(g));
  for (auto& s : schedulers_) --s->last_epoch_;
  schedulers_[0]->initial_step();
  last_lr_ = schedulers_[0]->get_last_lr();
}

void SequentialLR::step() {
  ++last_epoch_;
  const size_t idx = std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch_) - milestones_.begin();
  LRScheduler& s = *schedulers_[idx];
  if (idx > 0 && milestones_[idx - 1] == last_epoch_)
    s.step_to(0);
  else
    s.step();
  last_lr_ = s.get_last_lr();
}

nlohmann::json SequentialLR::settings() const {
  nlohmann::json subs = nlohmann::json::array();
  for (const auto& s : schedulers_) subs.push_back(s->state_dict());
  return {{"_milestones", milestones_}, {"_schedulers", subs}};
}

void SequentialLR::load_settings(const nlohmann::json& j) {
  const auto& subs = j.at("_schedulers");
  NABLA_CHECK(subs.is_array() && subs.size() == schedulers_.size(), ValueError,
              "SequentialLR.load_state_dict: ", subs.size(), " scheduler states for ", schedulers_.size(),
              " schedulers");
  milestones_ = j.at("_milestones").get<std::vector<int64_t>>();
  for (size_t i = 0; i < schedulers_.size(); ++i) schedulers_[i]->load_state_dict(subs[i]);
}

std::shared_ptr<SequentialLR> warmup_cosine(Optimizer& optimizer, int64_t warmup_steps, int64_t total_steps,
                                            double start_factor, double eta_min) {
  NABLA_CHECK(warmup_steps > 0 && total_steps > warmup_steps, ValueError, "warmup_cosine: need 0 < warmup_steps (",
              warmup_steps, ") < total_steps (", total_steps, ")");
  auto warmup = std::make_shared<LinearLR>(optimizer, start_factor, 1.0, warmup_steps);
  auto cosine = std::make_shared<CosineAnnealingLR>(optimizer, total_steps - warmup_steps, eta_min);
  return std::make_shared<SequentialLR>(optimizer, std::vector<std::shared_ptr<LRScheduler>>{warmup, cosine},
                                        std::vector<int64_t>{warmup_steps});
}

}  // namespace nabla::optim
