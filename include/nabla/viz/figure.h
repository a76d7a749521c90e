// nabla/viz/figure.h — several plots side by side in one image (a subplot grid).
//
// Cells are filled row by row; each plot lays itself out inside its cell, so any mix of
// LinePlot and DecisionMap works. A Figure is itself a Plot: save it, or make it a GIF frame.
//
//   nabla::viz::Figure fig(1, 2);                            // one row, two columns
//   fig.title("Dos redes").add(loss_of_net_a).add(loss_of_net_b);
//   fig.save_png("comparison.png");                          // 560x420 per cell by default
#pragma once
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "nabla/viz/plot.h"

namespace nabla::viz {

class Figure : public Plot {
 public:
  Figure(int rows, int cols);

  // Copies the plot into the next free cell (row-major); throws ValueError when full.
  template <class P>
  requires std::is_base_of_v<Plot, P> Figure& add(P plot) {
    return add(std::shared_ptr<const Plot>(std::make_shared<P>(std::move(plot))));
  }
  Figure& add(std::shared_ptr<const Plot> plot);
  // Puts the plot in a given cell (replacing what was there).
  template <class P>
  requires std::is_base_of_v<Plot, P> Figure& set(int row, int col, P plot) {
    return set(row, col, std::shared_ptr<const Plot>(std::make_shared<P>(std::move(plot))));
  }
  Figure& set(int row, int col, std::shared_ptr<const Plot> plot);
  // A title above the whole grid.
  Figure& title(std::string text);
  // Default cell size used by save_png(path) / to_canvas() without explicit sizes.
  Figure& cell_size(int width, int height);

  int rows() const { return rows_; }
  int cols() const { return cols_; }

  void render(Surface& surface, const Rect& area) const override;
  PlotSize default_size() const override;

 private:
  int rows_, cols_;
  int cell_w_ = 560, cell_h_ = 420;
  std::string title_;
  std::vector<std::shared_ptr<const Plot>> cells_;  // (rows, cols), null = empty cell
};

}  // namespace nabla::viz
