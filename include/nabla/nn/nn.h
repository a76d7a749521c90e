// nabla/nn/nn.h — all of nabla::nn: modules, layers, losses, initialisers and functional forms.
//
//   #include <nabla/nn/nn.h>
//   auto net = std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
//       std::make_shared<nn::Linear>(2, 16), std::make_shared<nn::Tanh>(), std::make_shared<nn::Linear>(16, 1)});
//   Tensor loss = nn::functional::mse_loss(net->forward(x), y);
#pragma once
#include "nabla/nn/activation.h"
#include "nabla/nn/batch_norm.h"
#include "nabla/nn/dropout.h"
#include "nabla/nn/flatten.h"
#include "nabla/nn/functional.h"
#include "nabla/nn/group_norm.h"
#include "nabla/nn/identity.h"
#include "nabla/nn/init.h"
#include "nabla/nn/layer_norm.h"
#include "nabla/nn/linear.h"
#include "nabla/nn/loss.h"
#include "nabla/nn/loss_options.h"
#include "nabla/nn/module.h"
#include "nabla/nn/options.h"
#include "nabla/nn/sequential.h"
#include "nabla/nn/utils.h"
