// course/autodiff_seed.h — seed 002 §3: the function whose forward and backward passes the
// student worked out by hand, and the numbers the notebook wrote, checked against nabla's trace.
//
//   auto ev = nabla::expr::Expression(nabla::demo::kSeed002Formula)
//                 .evaluate(nabla::expr::parse_bindings(nabla::demo::kSeed002Values));
//   auto t = nabla::expr::trace(ev);
//   for (auto& c : nabla::demo::check_seed002(t)) if (!c.agrees) ...;   // which hand values drifted
#pragma once
#include <string>
#include <vector>

#include "nabla/expr/expr.h"

namespace nabla::demo {

// f = x3·tanh(w4·σ(w3·[ReLU(w1·x1) + σ(w2·x2)])) in the `nabla grad` language; the steps are
// named a1 = w1·x1, r1 = relu(a1), a2 = w2·x2, s2 = σ(a2), b1 = r1 + s2, a3 = w3·b1, s3 = σ(a3),
// a4 = w4·s3, t4 = tanh(a4), f = x3·t4.
inline constexpr const char* kSeed002Formula = "x3*tanh(w4*sigmoid(w3*(relu(w1*x1)+sigmoid(w2*x2))))";
inline constexpr const char* kSeed002Values = "x1=-1.5,x2=3.1,x3=7.3,w1=4.5,w2=-2.7,w3=0.2,w4=-5";

enum class SeedQuantity { value, adjoint, gradient };

// One number the notebook wrote, as it wrote it, and nabla's value.
struct SeedCheck {
  std::string name;  // the trace's name: "s2", "a4" (adjoint a4'), "w2" (∂f/∂w2)
  SeedQuantity kind = SeedQuantity::value;
  std::string written;  // "0.00023", "-0.0000558"
  double seed = 0;      // the written number
  double nabla = 0;     // nabla's value (full precision)
  // True when the written number is nabla's value to the digits written: within one unit of the
  // last digit written, so a truncated 0.5000115 (for 0.50001158) agrees while a drifted 0.1943
  // (for 0.19410) does not.
  bool agrees = false;
  double relative_error = 0;  // |seed − nabla| / |nabla| (0 when nabla's value is 0 and the seed's too)
};

// Every value the seed wrote in §3 (α) and (δ), compared with the trace of kSeed002Formula at
// kSeed002Values. Throws ValueError if `trace` lacks one of the names (a different formula).
std::vector<SeedCheck> check_seed002(const expr::Trace& trace);

// Why the seed's backward pass drifts: it rounded t = tanh(a4) to −0.9866 and then formed 1 − t²,
// a difference of nearly equal numbers that keeps only ~2 of the 4 digits.
struct RoundingNote {
  double t = 0, t_written = -0.9866;
  double one_minus_t2 = 0, one_minus_t2_from_written = 0;
  double s2 = 0, s2_written = 0.00023;  // σ(−8.37), which the seed rounds to 2 digits
};
RoundingNote seed002_rounding(const expr::Trace& trace);

}  // namespace nabla::demo
