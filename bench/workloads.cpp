#include "workloads.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "nabla/data/synthetic.h"
#include "nabla/nabla.h"

namespace nabla::bench {

namespace {

constexpr uint64_t kWeightSeed = 0;
constexpr uint64_t kDataSeed = 1;

std::shared_ptr<nn::Linear> linear(int64_t in, int64_t out, DType dtype) {
  return std::make_shared<nn::Linear>(nn::LinearOptions(in, out).dtype(dtype));
}

// W3's network (seed 002): the first hidden layer's output is added to the third hidden layer's
// pre-activation, h3 = relu(fc3(h2) + h1); the output is a logit.
class SkipMlp : public nn::Module {
 public:
  SkipMlp(int64_t in, int64_t hidden, int64_t out) : Module("SkipMlp") {
    fc1 = register_module("fc1", linear(in, hidden, DType::float32));
    fc2 = register_module("fc2", linear(hidden, hidden, DType::float32));
    fc3 = register_module("fc3", linear(hidden, hidden, DType::float32));
    fc4 = register_module("fc4", linear(hidden, out, DType::float32));
  }
  Tensor forward(const Tensor& x) override {
    Tensor h1 = relu(fc1->forward(x));   // (B, H)
    Tensor h2 = relu(fc2->forward(h1));  // (B, H)
    Tensor h3 = relu(fc3->forward(h2) + h1);
    return fc4->forward(h3);  // (B, 1) logits
  }
  std::shared_ptr<nn::Linear> fc1, fc2, fc3, fc4;
};

// Σ 2·B·in·out over the layers, times 3 (forward + two backward GEMMs).
double flop_per_step(int64_t batch, const std::vector<int64_t>& widths) {
  double f = 0;
  for (size_t i = 0; i + 1 < widths.size(); ++i) f += 2.0 * batch * widths[i] * widths[i + 1];
  return 3 * f;
}

// Consecutive batches of `batch` rows, each with its own contiguous storage.
void split_batches(const Dataset& d, int64_t batch, std::vector<Tensor>& xs, std::vector<Tensor>& ys) {
  for (int64_t start = 0; start + batch <= d.size(); start += batch) {
    xs.push_back(d.x.slice(0, start, start + batch).clone().detach());
    ys.push_back(d.y.slice(0, start, start + batch).clone().detach());
  }
}

std::unique_ptr<Workload> make_w1() {
  WorkloadInfo info{"W1",
                    "2-2-1, sigmoid hidden and out",
                    "XOR truth table (4 rows)",
                    4,
                    DType::float64,
                    "MSE",
                    "SGD lr 0.5",
                    flop_per_step(4, {2, 2, 1}),
                    false};
  manual_seed(kWeightSeed);
  auto net = std::make_shared<nn::Sequential>(
      std::vector<std::shared_ptr<nn::Module>>{linear(2, 2, DType::float64), std::make_shared<nn::Sigmoid>(),
                                               linear(2, 1, DType::float64), std::make_shared<nn::Sigmoid>()});
  auto opt = std::make_unique<optim::SGD>(net->parameters(), optim::SGDOptions(0.5));
  const Dataset d = make_xor({.dtype = DType::float64});
  return std::make_unique<Workload>(info, net, std::make_shared<nn::MSELoss>(), std::move(opt),
                                    std::vector<Tensor>{d.x}, std::vector<Tensor>{d.y});
}

Dataset moons() { return make_moons({.n = 1024, .noise = 0.1, .dtype = DType::float32, .seed = kDataSeed}); }

std::unique_ptr<Workload> make_w2() {
  WorkloadInfo info{"W2",
                    "2-16-16-1, ReLU",
                    "two moons (1024 points, noise 0.1)",
                    32,
                    DType::float32,
                    "BCE with logits",
                    "SGD lr 0.1",
                    flop_per_step(32, {2, 16, 16, 1}),
                    false};
  manual_seed(kWeightSeed);
  auto net = std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
      linear(2, 16, DType::float32), std::make_shared<nn::ReLU>(), linear(16, 16, DType::float32),
      std::make_shared<nn::ReLU>(), linear(16, 1, DType::float32)});
  auto opt = std::make_unique<optim::SGD>(net->parameters(), optim::SGDOptions(0.1));
  std::vector<Tensor> xs, ys;
  split_batches(moons(), info.batch, xs, ys);
  return std::make_unique<Workload>(info, net, std::make_shared<nn::BCEWithLogitsLoss>(), std::move(opt), xs, ys);
}

std::unique_ptr<Workload> make_w3() {
  WorkloadInfo info{"W3",
                    "2-64-64-64-1, ReLU, skip h1 -> h3 pre-activation",
                    "two moons (1024 points, noise 0.1)",
                    64,
                    DType::float32,
                    "BCE with logits",
                    "SGD lr 0.1",
                    flop_per_step(64, {2, 64, 64, 64, 1}),
                    false};
  manual_seed(kWeightSeed);
  auto net = std::make_shared<SkipMlp>(2, 64, 1);
  auto opt = std::make_unique<optim::SGD>(net->parameters(), optim::SGDOptions(0.1));
  std::vector<Tensor> xs, ys;
  split_batches(moons(), info.batch, xs, ys);
  return std::make_unique<Workload>(info, net, std::make_shared<nn::BCEWithLogitsLoss>(), std::move(opt), xs, ys);
}

// W4, W5: an MLP with ReLU on 8 batches of N(0, 1) inputs with random labels out of 10.
std::unique_ptr<Workload> make_random_mlp(const std::string& id, const std::vector<int64_t>& widths, int64_t batch) {
  std::string shape;
  for (int64_t w : widths) shape += (shape.empty() ? "" : "-") + std::to_string(w);
  WorkloadInfo info{id,
                    shape + ", ReLU",
                    "8 random batches, N(0,1), random labels",
                    batch,
                    DType::float32,
                    "softmax cross-entropy",
                    "SGD lr 0.01 momentum 0.9",
                    flop_per_step(batch, widths),
                    true};
  manual_seed(kWeightSeed);
  auto net = std::make_shared<nn::Sequential>();
  for (size_t i = 0; i + 1 < widths.size(); ++i) {
    if (i > 0) net->push_back(std::make_shared<nn::ReLU>());
    net->push_back(linear(widths[i], widths[i + 1], DType::float32));
  }
  auto opt = std::make_unique<optim::SGD>(net->parameters(), optim::SGDOptions(0.01).momentum(0.9));
  Generator g(kDataSeed);
  std::vector<Tensor> xs, ys;
  for (int b = 0; b < 8; ++b) {
    xs.push_back(randn({batch, widths.front()}, DType::float32, &g));
    ys.push_back(randint(0, widths.back(), {batch}, &g));
  }
  return std::make_unique<Workload>(info, net, std::make_shared<nn::CrossEntropyLoss>(), std::move(opt), xs, ys);
}

}  // namespace

Workload::Workload(WorkloadInfo info, std::shared_ptr<nn::Module> model, std::shared_ptr<nn::Loss> loss,
                   std::unique_ptr<optim::Optimizer> optimizer, std::vector<Tensor> inputs, std::vector<Tensor> targets)
    : info_(std::move(info)),
      model_(std::move(model)),
      loss_fn_(std::move(loss)),
      optimizer_(std::move(optimizer)),
      inputs_(std::move(inputs)),
      targets_(std::move(targets)),
      step_(*model_, *loss_fn_, *optimizer_, {.check_finite = false}) {
  NABLA_CHECK(!inputs_.empty() && inputs_.size() == targets_.size(), ValueError, "Workload ", info_.id, ": ",
              inputs_.size(), " input batches for ", targets_.size(), " target batches");
}

Tensor Workload::eager_step(const Tensor& x, const Tensor& y) { return step_(x, y).loss; }

void Workload::set_compiled(bool compiled) {
  compiled_.reset();
  if (compiled)
    compiled_ =
        std::make_unique<CompiledStep>(compile([this](const Tensor& x, const Tensor& y) { return eager_step(x, y); }));
}

void Workload::set_parallel(train::Parallel* parallel) {
  NABLA_CHECK(!compiled_, ValueError, "Workload ", info_.id,
              ": a data-parallel step cannot be compiled (the replay would skip the communication): time it eagerly");
  if (!parallel) return;
  const auto [begin, end] = train::shard_rows(info_.batch, parallel->world_size(), parallel->rank());
  for (Tensor& x : inputs_) x = x.slice(0, begin, end).contiguous();
  for (Tensor& y : targets_) y = y.slice(0, begin, end).contiguous();
  parallel->attach(model_, false);
  step_ = train::TrainStep(*model_, *loss_fn_, *optimizer_, {.check_finite = false, .parallel = parallel});
}

void Workload::step() {
  const Tensor& x = inputs_[next_];
  const Tensor& y = targets_[next_];
  next_ = (next_ + 1) % inputs_.size();
  if (compiled_) {
    loss_ = (*compiled_)(x, y);  // the recording's output buffer, overwritten by the next step
    return;
  }
  // Detached, so that this step's graph is freed now and not when the next loss replaces it.
  loss_ = eager_step(x, y).detach();
}

double Workload::last_loss() const { return loss_.defined() ? loss_.item() : std::numeric_limits<double>::quiet_NaN(); }

std::vector<std::string> workload_ids() { return {"W1", "W2", "W3", "W4", "W5"}; }

std::unique_ptr<Workload> make_workload(const std::string& id) {
  std::string key = id;
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::toupper(c); });
  if (key == "W1") return make_w1();
  if (key == "W2") return make_w2();
  if (key == "W3") return make_w3();
  if (key == "W4") return make_random_mlp("W4", {784, 512, 256, 10}, 128);
  if (key == "W5") return make_random_mlp("W5", {1024, 4096, 4096, 10}, 256);
  NABLA_CHECK(false, ValueError, "bench: unknown workload \"", id, "\"; expected one of W1, W2, W3, W4, W5 or all");
  return nullptr;
}

}  // namespace nabla::bench
