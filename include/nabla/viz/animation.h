// nabla/viz/animation.h — frames (plots or canvases) collected into one looping GIF.
//
// Each frame is quantised to its own palette as it is added and only the rectangle that
// changed since the previous frame is kept, so long animations (a tangent line sliding down
// a loss curve, a decision boundary forming epoch by epoch) stay small in memory and on disk.
//
//   nabla::viz::Animation anim(640, 480);
//   for (double w : ws) anim.add_frame(LinePlot().function("C", C, -2, 2).tangent(w, C(w), dC(w)));
//   anim.delay_ms(80).save_gif("descent.gif");
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "nabla/viz/canvas.h"
#include "nabla/viz/image_io.h"
#include "nabla/viz/plot.h"

namespace nabla::viz {

class Animation {
 public:
  Animation(int width = 640, int height = 480);

  // Default delay for frames added without one (also applies to frames already added).
  Animation& delay_ms(int ms);
  Animation& loop(bool forever = true);

  // A canvas of the animation's size (ValueError otherwise). delay_ms < 0: the default delay.
  Animation& add_frame(const Canvas& frame, int delay_ms = -1);
  // Renders the plot at the animation's size.
  Animation& add_frame(const Plot& plot, int delay_ms = -1);

  int width() const { return width_; }
  int height() const { return height_; }
  std::size_t frame_count() const { return frames_.size(); }

  // Atomic write; throws nabla::ValueError with no frames, nabla::IOError naming the path.
  void save_gif(const std::string& path) const;

 private:
  int width_, height_;
  int delay_ms_ = 100;
  bool loop_ = true;
  std::vector<GifFrame> frames_;
  std::vector<int> own_delay_;     // per frame; < 0: use delay_ms_
  std::optional<Canvas> last_;     // previous frame, to find what changed
};

}  // namespace nabla::viz
