// apps/cli/json_out.h — how every `--json` output of the nabla command is written.
//
// JSON has no infinity or NaN, and nlohmann writes them as null, which reads back as "missing".
// nabla writes them as the strings "inf", "-inf" and "nan" (README, "Machine-readable output"),
// everywhere: grad, explore, demo and bench --json all print through dump_json.
//
//   std::cout << dump_json(nlohmann::json{{"value", 1.0 / 0.0}}) << "\n";  // {"value":"inf"}
#pragma once
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

namespace nabla::cli {

// Replaces every non-finite number in `j` (at any depth) by "inf", "-inf" or "nan".
template <class Json>
void encode_non_finite(Json& j) {
  if (j.is_number_float()) {
    const double v = j.template get<double>();
    if (!std::isfinite(v)) j = std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf";
  } else if (j.is_structured()) {
    for (auto& item : j) encode_non_finite(item);
  }
}

// `j` as text (indent < 0: one line), non-finite numbers encoded as above.
template <class Json>
std::string dump_json(Json j, int indent = -1) {
  encode_non_finite(j);
  return j.dump(indent);
}

}  // namespace nabla::cli
