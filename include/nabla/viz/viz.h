// nabla/viz/viz.h — everything for plotting: include this one header.
//
// Plain std::vector<double> in, PNG / SVG / GIF files out; no dependency on Tensor.
//
//   #include "nabla/viz/viz.h"
//   nabla::viz::LinePlot().title("Loss").line("train", losses).save_png("loss.png");
//   nabla::viz::Figure(1, 2).add(plot_a).add(plot_b).save_svg("both.svg");
//   nabla::viz::Animation anim(480, 360);  anim.add_frame(plot_a).save_gif("a.gif");
#pragma once
#include "nabla/viz/animation.h"
#include "nabla/viz/canvas.h"
#include "nabla/viz/color.h"
#include "nabla/viz/decision_map.h"
#include "nabla/viz/figure.h"
#include "nabla/viz/image_io.h"
#include "nabla/viz/plot.h"
#include "nabla/viz/surface.h"
#include "nabla/viz/svg.h"
