// nabla/viz/animation.h — frames (plots or canvases) collected into one looping GIF.
//
// Each frame is quantised to its own palette as it is added and only what changed since the
// previous frame is kept (delta_frame in image_io.h: the changed rectangle, with transparent
// pixels where nothing changed), so long animations (a tangent line sliding down a loss curve, a
// decision boundary forming epoch by epoch) stay small in memory and on disk. A frame that shows
// nothing new is not stored: the previous one stays up for its delay too.
//
//   nabla::viz::Animation anim(640, 480);
//   for (double w : ws) anim.add_frame(LinePlot().function("C", C, -2, 2).tangent(w, C(w), dC(w)));
//   anim.delay_ms(80).save_gif("descent.gif");
#pragma once
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
  // For the frames added from now on: how far (0..255 in each of R, G, B) a shown pixel may stay
  // from its frame before it is redrawn (delta_frame). 0, the default, is lossless; 4 to 8 is
  // invisible on a probability heatmap and makes one that drifts a little every frame several
  // times cheaper.
  Animation& tolerance(int levels);

  // A canvas of the animation's size (ValueError otherwise). delay_ms < 0: the default delay.
  Animation& add_frame(const Canvas& frame, int delay_ms = -1);
  // Renders the plot at the animation's size.
  Animation& add_frame(const Plot& plot, int delay_ms = -1);

  int width() const { return width_; }
  int height() const { return height_; }
  // Frames the GIF will hold (a repeated frame adds to the previous one's delay instead).
  std::size_t frame_count() const { return frames_.size(); }

  // Atomic write; throws nabla::ValueError with no frames, nabla::IOError naming the path.
  void save_gif(const std::string& path) const;

 private:
  // How long a stored frame stays up: the delays given with it and with the repeats merged into
  // it, plus the default delay for each of those given none.
  struct Delay {
    int given_ms = 0, defaults = 0;
  };
  int width_, height_;
  int delay_ms_ = 100;
  bool loop_ = true;
  int tolerance_ = 0;
  std::vector<GifFrame> frames_;
  std::vector<Delay> delays_;  // per stored frame
  GifScreen screen_;           // what the frames so far show
};

}  // namespace nabla::viz
