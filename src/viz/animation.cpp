#include "nabla/viz/animation.h"

#include "nabla/error.h"

namespace nabla::viz {

Animation::Animation(int width, int height) : width_(width), height_(height) {
  NABLA_CHECK(width > 0 && height > 0 && width < 65536 && height < 65536, ValueError, "Animation: invalid size ", width,
              "x", height);
}

Animation& Animation::delay_ms(int ms) {
  NABLA_CHECK(ms >= 0, ValueError, "Animation::delay_ms: negative delay ", ms);
  return delay_ms_ = ms, *this;
}

Animation& Animation::loop(bool forever) { return loop_ = forever, *this; }

Animation& Animation::tolerance(int levels) {
  NABLA_CHECK(levels >= 0 && levels <= 255, ValueError, "Animation::tolerance: must be in [0, 255], got ", levels);
  return tolerance_ = levels, *this;
}

Animation& Animation::add_frame(const Canvas& frame, int delay_ms) {
  NABLA_CHECK(frame.width() == width_ && frame.height() == height_, ValueError, "Animation::add_frame: frame is ",
              frame.width(), "x", frame.height(), " but the animation is ", width_, "x", height_);
  if (std::optional<GifFrame> f = delta_frame(frame, screen_, tolerance_)) {
    frames_.push_back(std::move(*f));
    delays_.emplace_back();
  }
  Delay& d = delays_.back();
  if (delay_ms < 0)
    ++d.defaults;
  else
    d.given_ms += delay_ms;
  return *this;
}

Animation& Animation::add_frame(const Plot& plot, int delay_ms) {
  return add_frame(plot.to_canvas(width_, height_), delay_ms);
}

void Animation::save_gif(const std::string& path) const {
  NABLA_CHECK(!frames_.empty(), ValueError, "Animation::save_gif: no frames to write to '", path, "'");
  std::vector<GifFrame> frames = frames_;
  for (std::size_t i = 0; i < frames.size(); ++i)
    frames[i].delay_ms = delays_[i].given_ms + delays_[i].defaults * delay_ms_;
  write_file_atomic(path, encode_gif(width_, height_, frames, loop_), "Animation::save_gif");
}

}  // namespace nabla::viz
