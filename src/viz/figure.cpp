#include "nabla/viz/figure.h"

#include <cmath>

#include "nabla/error.h"

namespace nabla::viz {

namespace {
constexpr int kTitleScale = 2;
constexpr double kTitleBand = 13 * kTitleScale + 12;
}  // namespace

Figure::Figure(int rows, int cols) : rows_(rows), cols_(cols) {
  NABLA_CHECK(rows >= 1 && cols >= 1 && rows * cols <= 256, ValueError, "Figure: invalid grid ", rows, "x", cols);
  cells_.resize(static_cast<std::size_t>(rows) * cols);
}

Figure& Figure::add(std::shared_ptr<const Plot> plot) {
  for (auto& cell : cells_) {
    if (!cell) {
      cell = std::move(plot);
      return *this;
    }
  }
  throw ValueError(
      nabla::detail::concat("Figure::add: all ", rows_, "x", cols_, " cells are taken; use set(row, col, plot)"));
}

Figure& Figure::set(int row, int col, std::shared_ptr<const Plot> plot) {
  NABLA_CHECK(row >= 0 && row < rows_ && col >= 0 && col < cols_, ValueError, "Figure::set: cell (", row, ", ", col,
              ") is outside the ", rows_, "x", cols_, " grid");
  cells_[static_cast<std::size_t>(row) * cols_ + col] = std::move(plot);
  return *this;
}

Figure& Figure::title(std::string text) { return title_ = std::move(text), *this; }

Figure& Figure::cell_size(int width, int height) {
  NABLA_CHECK(width > 0 && height > 0, ValueError, "Figure::cell_size: invalid size ", width, "x", height);
  return cell_w_ = width, cell_h_ = height, *this;
}

PlotSize Figure::default_size() const {
  return {cols_ * cell_w_, rows_ * cell_h_ + (title_.empty() ? 0 : static_cast<int>(kTitleBand))};
}

void Figure::render(Surface& s, const Rect& area) const {
  s.fill_rect(area, colors::white);
  Rect grid = area;
  if (!title_.empty()) {
    s.text({area.x + area.w / 2, area.y + 8}, title_,
           {.color = colors::black, .scale = kTitleScale, .halign = HAlign::Center, .valign = VAlign::Top});
    grid.y += kTitleBand, grid.h -= kTitleBand;
  }
  // Whole-pixel cell edges keep every subplot's lines as crisp as in a single plot.
  for (int r = 0; r < rows_; ++r) {
    for (int c = 0; c < cols_; ++c) {
      const auto& plot = cells_[static_cast<std::size_t>(r) * cols_ + c];
      if (!plot) continue;
      const double x0 = std::round(grid.x + grid.w * c / cols_), x1 = std::round(grid.x + grid.w * (c + 1) / cols_);
      const double y0 = std::round(grid.y + grid.h * r / rows_), y1 = std::round(grid.y + grid.h * (r + 1) / rows_);
      const Rect cell{x0, y0, x1 - x0, y1 - y0};
      s.push_clip(cell);
      plot->render(s, cell);
      s.pop_clip();
    }
  }
}

}  // namespace nabla::viz
