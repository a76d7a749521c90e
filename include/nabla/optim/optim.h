// nabla/optim/optim.h — all of nabla::optim in one include: optimizers, LR schedulers, clipping.
//
//   optim::AdamW opt(params, optim::AdamWOptions(3e-4));
//   optim::CosineAnnealingLR sched(opt, /*T_max=*/100);
//   for (...) { opt.zero_grad(); loss.backward(); optim::clip_grad_norm_(params, 1.0); opt.step(); sched.step(); }
#pragma once
#include "nabla/optim/adagrad.h"
#include "nabla/optim/adam.h"
#include "nabla/optim/clip_grad.h"
#include "nabla/optim/lr_scheduler.h"
#include "nabla/optim/optimizer.h"
#include "nabla/optim/registry.h"
#include "nabla/optim/rmsprop.h"
#include "nabla/optim/sgd.h"
