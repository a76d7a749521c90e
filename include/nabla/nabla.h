// nabla/nabla.h — everything in one include.
//
//   #include <nabla/nabla.h>
//   Tensor x = nabla::randn({4, 2}, DType::float64).requires_grad_();
//   nabla::sum(nabla::sigmoid(x)).backward();  // x.grad() = σ'(x)
#pragma once
#include "nabla/autograd/engine.h"
#include "nabla/autograd/gradcheck.h"
#include "nabla/autograd/node.h"
#include "nabla/compile.h"
#include "nabla/data/csv.h"
#include "nabla/data/dataloader.h"
#include "nabla/data/dataset.h"
#include "nabla/data/mnist.h"
#include "nabla/data/numpy_random.h"
#include "nabla/data/synthetic.h"
#include "nabla/error.h"
#include "nabla/io/safetensors.h"
#include "nabla/nn/nn.h"
#include "nabla/ops/ops.h"
#include "nabla/optim/optim.h"
#include "nabla/tensor/random.h"
#include "nabla/tensor/tensor.h"
#include "nabla/threads.h"
