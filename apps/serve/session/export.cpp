// The session's exports: the model (safetensors), the `nabla train` configuration, the points.
#include "nabla/io/safetensors.h"
#include "session/internal.h"
#include "session/session.h"

namespace nabla::serve {

using nlohmann::json;
using namespace internal;

std::string Session::export_safetensors() const {
  return serialize_safetensors(
      model_->named_parameters(),
      {{"format", "nabla serve"}, {"features", joined(config_.features)}, {"config", to_json(config_).dump()}});
}

std::string Session::export_toml() const {
  std::string head = "# Exported from the nabla serve playground. Train it with: nabla train playground.toml\n";
  head += "# --init model.safetensors starts from the playground's weights.\n";
  if (config_.features != std::vector<std::string>{"x1", "x2"})
    head += "# The playground's input features (" + joined(config_.features) +
            ") have no TOML counterpart: `nabla train` feeds the raw x1, x2.\n";
  const train::TrainConfig t = train_config();
  if (t.data.name == "csv")
    head += "# The data are the playground's points: save its points.csv next to this file.\n";
  else
    head += "# The playground rescales some datasets (xor to ±1, gaussian by 0.5, moons centred).\n";
  return head + train::to_toml(t);
}

std::string Session::export_points_csv() const {
  std::string csv = "x1,x2,label\n";
  const bool classes = task() != Task::regression;
  for (const auto& [xy, d] : {std::pair{&train_xy_, &train_}, std::pair{&test_xy_, &test_}}) {
    const std::vector<double> p = xy->to_vector<double>(), y = d->y.to_vector<double>();
    for (size_t i = 0; i < y.size(); ++i)
      csv += number_text(p[2 * i]) + "," + number_text(p[2 * i + 1]) + "," +
             (classes ? std::to_string(int64_t(y[i])) : number_text(y[i])) + "\n";
  }
  return csv;
}

}  // namespace nabla::serve
