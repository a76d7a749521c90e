// The session's exports: the model (safetensors), the `nabla train` configuration, the points.
#include <tuple>

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
  const train::TrainConfig t = train_config();
  if (t.data.name == "csv") head += "# The data are the playground's points: save its points.csv next to this file.\n";
  return head + train::to_toml(t);
}

std::string Session::export_points_csv() const {
  // The rows in the order they had before the split: `nabla train` splits the file with the same
  // seed and fraction (train_test_split) and gets the session's training and test rows back.
  // Which row went where: the same split of the row numbers 0 .. N-1.
  const int64_t n_train = train_.size(), n = n_train + test_.size();
  std::vector<double> rows(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) rows[size_t(i)] = double(i);
  Dataset index;
  index.x = Tensor::from_vector(rows, {n, 1}, kDType);
  index.y = index.x;
  const auto [train_rows, test_rows] = train_test_split(index, 1.0 - config_.train_ratio / 100.0, data_seed_);
  std::vector<std::string> lines(static_cast<size_t>(n));
  const bool classes = task() != Task::regression;
  for (const auto& [xy, d, at] :
       {std::tuple{&train_xy_, &train_, &train_rows}, std::tuple{&test_xy_, &test_, &test_rows}}) {
    const std::vector<double> p = xy->to_vector<double>(), y = d->y.to_vector<double>(),
                              where = at->x.to_vector<double>();
    for (size_t i = 0; i < y.size(); ++i)
      lines[size_t(where[i])] = number_text(p[2 * i]) + "," + number_text(p[2 * i + 1]) + "," +
                                (classes ? std::to_string(int64_t(y[i])) : number_text(y[i])) + "\n";
  }
  std::string csv = "x1,x2,label\n";
  for (const std::string& line : lines) csv += line;
  return csv;
}

}  // namespace nabla::serve
