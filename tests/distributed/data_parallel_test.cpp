// DataParallel: N ranks, each taking its share of every global batch, train exactly as one
// process does. float64: bit for bit against one process that computes the N shards' gradients
// one after the other and combines them with dist::combine_shards (the documented reduction
// order); float32: to 1e-5 against one process taking each whole batch at once. BatchNorm keeps
// per-rank statistics (as torch's DDP) with rank 0's running statistics broadcast.
#include <gtest/gtest.h>

#include "nabla/distributed.h"
#include "nabla/error.h"
#include "nabla/nn/nn.h"
#include "nabla/ops/ops.h"
#include "nabla/optim/sgd.h"
#include "nabla/tensor/random.h"

using namespace nabla;
namespace F = nabla::nn::functional;

namespace {

constexpr int64_t kRows = 40, kBatch = 10, kEpochs = 3;

struct Data {
  Tensor x, y;  // (kRows, 3), (kRows, 1)
};

Data make_data(DType dtype) {
  Generator g(7);
  Tensor x = randn({kRows, 3}, DType::float64, &g);
  Tensor y = (x.select(1, 0).unsqueeze(1) * 2.0 - x.select(1, 2).unsqueeze(1)).tanh() +
             randn({kRows, 1}, DType::float64, &g) * 0.1;
  return {x.to(dtype).contiguous(), y.to(dtype).contiguous()};
}

std::shared_ptr<nn::Sequential> make_model(DType dtype, bool batch_norm, uint64_t seed, int64_t hidden = 8) {
  manual_seed(seed);
  auto m = std::make_shared<nn::Sequential>();
  m->push_back(std::make_shared<nn::Linear>(nn::LinearOptions(3, hidden).dtype(dtype)));
  if (batch_norm) m->push_back(std::make_shared<nn::BatchNorm1d>(nn::BatchNormOptions(hidden).dtype(dtype)));
  m->push_back(std::make_shared<nn::Tanh>());
  m->push_back(std::make_shared<nn::Linear>(nn::LinearOptions(hidden, 1).dtype(dtype)));
  return m;
}

// Rows [begin, end) of a global batch of `b` rows for rank k of n: the first b % n ranks take one more.
std::pair<int64_t, int64_t> shard(int64_t b, int n, int k) {
  const int64_t base = b / n, extra = b % n;
  const int64_t begin = k * base + std::min<int64_t>(k, extra);
  return {begin, begin + base + (k < extra ? 1 : 0)};
}

// The rows of global batch j of epoch e.
Tensor batch_index(int64_t epoch, int64_t j, int64_t begin, int64_t end) {
  Generator g(100 + epoch);
  Tensor perm = randperm(kRows, &g);
  return perm.slice(0, j * kBatch + begin, j * kBatch + end).contiguous();
}

Tensor step_loss(nn::Module& model, const Data& d, const Tensor& rows) {
  Tensor out = model.forward(index_select(d.x, 0, rows));
  return F::mse_loss(out, index_select(d.y, 0, rows));
}

template <typename T>
std::vector<T> flat_params(nn::Module& m) {
  std::vector<T> all;
  for (const Tensor& p : m.parameters()) {
    auto v = p.contiguous().to_vector<T>();
    all.insert(all.end(), v.begin(), v.end());
  }
  return all;
}

std::vector<double> flat_grads(nn::Module& m) {
  std::vector<double> all;
  for (const Tensor& p : m.parameters()) {
    auto v = p.grad().contiguous().to_vector<double>();
    all.insert(all.end(), v.begin(), v.end());
  }
  return all;
}

template <typename T>
std::vector<T> flat_buffers(nn::Module& m) {
  std::vector<T> all;
  for (const Tensor& b : m.buffers()) {
    if (b.dtype() == DType::int64) {
      all.push_back(static_cast<T>(b.item()));
      continue;
    }
    auto v = b.contiguous().to_vector<T>();
    all.insert(all.end(), v.begin(), v.end());
  }
  return all;
}

// How a step reduces the gradients: sync_gradients after backward; prepare_backward before it
// (reductions started during backward) then sync_gradients; prepare_backward(.., finish_when_ready)
// alone (finished inside backward, as torch's DDP; on odd steps a sync_gradients after it, which
// must do nothing).
enum class Mode { plain, overlap, in_backward };

// One global step of this rank, through DataParallel.
void ddp_step(dist::DataParallel& ddp, nn::Module& model, optim::SGD& opt, const Data& d, int64_t epoch, int64_t j,
              Mode mode = Mode::plain) {
  const auto [begin, end] = shard(kBatch, dist::world_size(), dist::rank());
  ddp.sync_buffers();
  opt.zero_grad();
  Tensor loss = step_loss(model, d, batch_index(epoch, j, begin, end));
  if (mode != Mode::plain) ddp.prepare_backward(end - begin, true, mode == Mode::in_backward);
  loss.backward();
  if (mode == Mode::in_backward) {
    EXPECT_FALSE(ddp.pending()) << "backward produced every gradient: the reduction must have finished";
    if (j % 2 == 1) ddp.sync_gradients(end - begin);
  } else {
    EXPECT_EQ(ddp.pending(), mode == Mode::overlap);
    ddp.sync_gradients(end - begin);
  }
  EXPECT_FALSE(ddp.pending());
  opt.step();
}

void ddp_step(dist::DataParallel& ddp, optim::SGD& opt, const Data& d, int64_t epoch, int64_t j, bool overlap) {
  ddp_step(ddp, ddp.module(), opt, d, epoch, j, overlap ? Mode::overlap : Mode::plain);
}

// The same global step in one process: the n shards one after the other (each from the same
// buffers: per-rank BatchNorm statistics; rank 0's updated buffers kept), combined in rank order.
template <typename T>
void emulated_step(nn::Module& model, optim::SGD& opt, const Data& d, int64_t epoch, int64_t j, int n) {
  std::vector<Tensor> buffers = model.buffers();
  std::vector<Tensor> saved;
  for (const Tensor& b : buffers) saved.push_back(b.clone().detach());
  std::vector<Tensor> params = model.parameters();
  std::vector<std::vector<std::vector<T>>> grads(params.size(), std::vector<std::vector<T>>(n));
  std::vector<Tensor> rank0_buffers;
  std::vector<int64_t> rows(n);
  for (int k = 0; k < n; ++k) {
    for (size_t i = 0; i < buffers.size(); ++i) buffers[i].copy_(saved[i]);
    const auto [begin, end] = shard(kBatch, n, k);
    rows[k] = end - begin;
    opt.zero_grad();
    step_loss(model, d, batch_index(epoch, j, begin, end)).backward();
    for (size_t i = 0; i < params.size(); ++i) grads[i][k] = params[i].grad().contiguous().to_vector<T>();
    if (k == 0)
      for (const Tensor& b : buffers) rank0_buffers.push_back(b.clone().detach());
  }
  for (size_t i = 0; i < buffers.size(); ++i) buffers[i].copy_(rank0_buffers[i]);
  for (size_t i = 0; i < params.size(); ++i) {
    std::vector<const T*> shards;
    for (int k = 0; k < n; ++k) shards.push_back(grads[i][k].data());
    Tensor g = Tensor::empty(params[i].shape(), params[i].dtype());
    dist::combine_shards(shards, rows, params[i].numel(), g.data<T>());
    params[i].set_grad(g);
  }
  opt.step();
}

void full_batch_step(nn::Module& model, optim::SGD& opt, const Data& d, int64_t epoch, int64_t j) {
  opt.zero_grad();
  step_loss(model, d, batch_index(epoch, j, 0, kBatch)).backward();
  opt.step();
}

// named: DataParallel built over the model's named parameters and buffers (as the Python
// module builds it), not over the module.
void check_f64_bit_exact(bool batch_norm, int64_t bucket_bytes, Mode mode = Mode::plain, bool named = false) {
  SCOPED_TRACE(testing::Message() << "bucket_bytes " << bucket_bytes << " mode " << static_cast<int>(mode)
                                  << (named ? " named" : ""));
  const int n = dist::world_size();
  const Data d = make_data(DType::float64);
  // Ranks other than 0 start from other weights: DataParallel must replace them with rank 0's.
  auto model = make_model(DType::float64, batch_norm, dist::rank() == 0 ? 1 : 50 + dist::rank());
  const dist::DataParallelOptions options{.bucket_bytes = bucket_bytes,
                                          .first_bucket_bytes = std::min<int64_t>(bucket_bytes, 40)};
  auto ddp = named ? std::make_unique<dist::DataParallel>(model->named_parameters(), model->named_buffers(), options)
                   : std::make_unique<dist::DataParallel>(model, options);
  optim::SGD opt(model->parameters(), optim::SGDOptions(0.1).momentum(0.9));
  auto ref = make_model(DType::float64, batch_norm, 1);
  optim::SGD ref_opt(ref->parameters(), optim::SGDOptions(0.1).momentum(0.9));
  auto whole = make_model(DType::float64, batch_norm, 1);
  optim::SGD whole_opt(whole->parameters(), optim::SGDOptions(0.1).momentum(0.9));
  ASSERT_EQ(flat_params<double>(*model), flat_params<double>(*ref));
  for (int64_t e = 0; e < kEpochs; ++e) {
    for (int64_t j = 0; j < kRows / kBatch; ++j) {
      ddp_step(*ddp, *model, opt, d, e, j, mode);
      emulated_step<double>(*ref, ref_opt, d, e, j, n);
      full_batch_step(*whole, whole_opt, d, e, j);
    }
    ddp->sync_buffers();
    EXPECT_EQ(flat_params<double>(*model), flat_params<double>(*ref)) << "epoch " << e;
    EXPECT_EQ(flat_buffers<double>(*model), flat_buffers<double>(*ref)) << "epoch " << e;
    const auto a = flat_params<double>(*model), b = flat_params<double>(*whole);
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
    if (batch_norm && n > 1)
      EXPECT_GT(worst, 1e-6) << "per-rank BatchNorm statistics differ from the whole batch's";
    else
      EXPECT_LT(worst, 1e-12) << "epoch " << e;
  }
}

// Buckets of 8 values (a gradient in pieces), of 12 (the last weight and bias packed together),
// and the default (every gradient packed in one).
constexpr int64_t kBucketBytes[] = {64, 96, 4 << 20};

TEST(DataParallel, Float64BitExactWithTheFixedReductionOrder) {
  for (int64_t bytes : kBucketBytes) check_f64_bit_exact(false, bytes);
}

TEST(DataParallel, BatchNormPerRankStatistics) {
  for (int64_t bytes : kBucketBytes) check_f64_bit_exact(true, bytes);
}

// prepare_backward: the buckets reduced while backward runs (the first one of 40 bytes, 5
// values), the same bits; with and without BatchNorm (whose buffers travel separately).
TEST(DataParallel, OverlapWithBackwardKeepsTheBits) {
  for (int64_t bytes : kBucketBytes) {
    check_f64_bit_exact(false, bytes, Mode::overlap);
    check_f64_bit_exact(true, bytes, Mode::overlap);
  }
}

// prepare_backward(.., finish_when_ready): no sync_gradients call, the same bits; also over the
// model's named parameters and buffers (the Python module's constructor).
TEST(DataParallel, FinishedInsideBackwardKeepsTheBits) {
  for (int64_t bytes : kBucketBytes) {
    check_f64_bit_exact(false, bytes, Mode::in_backward);
    check_f64_bit_exact(true, bytes, Mode::in_backward, true);
  }
  check_f64_bit_exact(true, kBucketBytes[0], Mode::plain, true);
}

// Each rank's own gradients (different on every rank: checked), then the reduction finished
// inside backward: the sum over the ranks (mean = false), once, even with a sync_gradients
// after it; a gradient accumulated after that is reduced again by the next sync_gradients.
TEST(DataParallel, FinishedInsideBackwardReducesOnce) {
  const Data d = make_data(DType::float64);
  auto model = make_model(DType::float64, false, 1);
  dist::DataParallel ddp(model, {.bucket_bytes = 64, .first_bucket_bytes = 40});
  const auto [begin, end] = shard(kBatch, dist::world_size(), dist::rank());
  const Tensor rows = batch_index(0, 0, begin, end);
  step_loss(*model, d, rows).backward();  // not armed: this rank's gradients only
  const std::vector<double> local = flat_grads(*model);
  Tensor all = dist::all_gather(Tensor::from_vector(local, Shape{static_cast<int64_t>(local.size())}));
  std::vector<double> sum(local.size(), -0.0);
  for (int k = 0; k < dist::world_size(); ++k) {
    const auto theirs = all.select(0, k).contiguous().to_vector<double>();
    if (k != dist::rank()) EXPECT_NE(theirs, local) << "rank " << k << "'s gradients equal this rank's";
    for (size_t i = 0; i < sum.size(); ++i) sum[i] += theirs[i];
  }
  model->zero_grad();
  ddp.prepare_backward(end - begin, false, true);
  step_loss(*model, d, rows).backward();
  EXPECT_FALSE(ddp.pending());
  EXPECT_EQ(flat_grads(*model), sum);
  ddp.sync_gradients(end - begin, false);  // already reduced: nothing
  EXPECT_EQ(flat_grads(*model), sum);
  try {
    ddp.prepare_backward(end - begin, false, true);
    step_loss(*model, d, rows).backward();
    ddp.sync_gradients(end - begin + 1, false);
    FAIL() << "no error";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("pass the same rows"), std::string::npos) << e.what();
  }
  // Accumulated after the reduction (not armed): sync_gradients reduces the new sum.
  model->zero_grad();
  step_loss(*model, d, rows).backward();
  EXPECT_EQ(flat_grads(*model), local);
  ddp.sync_gradients(end - begin, false);
  EXPECT_EQ(flat_grads(*model), sum);
}

// A backward that leaves a parameter without a gradient does not finish the reduction: the next
// prepare_backward names the parameter and what to do; sync_gradients finishes it (the missing
// gradient counts as zeros). A prepare_backward whose backward never ran is replaced.
// find_unused_parameters marks the parameters the loss does not reach.
TEST(DataParallel, FinishedInsideBackwardNamesAnUnusedParameter) {
  const int me = dist::rank(), n = dist::world_size();
  Tensor a = Tensor::from_vector(std::vector<double>{1, 2, 3}, Shape{3}).requires_grad_(true);
  Tensor unused = Tensor::from_vector(std::vector<double>{4, 5}, Shape{2}).requires_grad_(true);
  dist::DataParallel ddp(dist::DataParallel::Named{{"a", a}, {"head.unused", unused}}, {});
  EXPECT_THROW(ddp.module(), ValueError);
  const Tensor scale = Tensor::from_vector(std::vector<double>{1.0 + me, 2.0 * me, -3.0}, Shape{3});
  ddp.prepare_backward(1, true, true);
  ddp.prepare_backward(1, true, true);  // no backward in between: replaced
  (a * scale).sum().backward();
  EXPECT_TRUE(ddp.pending());
  try {
    ddp.prepare_backward(1, true, true);
    FAIL() << "no error";
  } catch (const ValueError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("expected to have finished reduction"), std::string::npos) << what;
    EXPECT_NE(what.find("head.unused"), std::string::npos) << what;
    EXPECT_NE(what.find("sync_gradients()"), std::string::npos) << what;
  }
  ddp.sync_gradients(1);
  EXPECT_FALSE(ddp.pending());
  std::vector<double> mean(3, 0.0);
  for (int k = 0; k < n; ++k) {
    const double s[] = {1.0 + k, 2.0 * k, -3.0};
    for (int i = 0; i < 3; ++i) mean[i] += s[i];
  }
  for (double& v : mean) v /= n;
  EXPECT_EQ(a.grad().to_vector<double>(), mean);
  EXPECT_EQ(unused.grad().to_vector<double>(), std::vector<double>(2, 0.0));
  a.zero_grad();
  unused.zero_grad();
  ddp.prepare_backward(1, true, true);  // works again
  (a * scale).sum().backward();
  (unused * 2.0).sum().backward();
  EXPECT_FALSE(ddp.pending());
  EXPECT_EQ(a.grad().to_vector<double>(), mean);
  EXPECT_EQ(unused.grad().to_vector<double>(), std::vector<double>(2, 2.0));
  // find_unused_parameters: the loss's graph does not reach `unused`, which counts as zeros.
  a.zero_grad();
  unused.zero_grad();
  ddp.prepare_backward(1, true, true);
  Tensor loss = (a * scale).sum();
  ddp.find_unused_parameters({loss});
  EXPECT_TRUE(ddp.pending());
  loss.backward();
  EXPECT_FALSE(ddp.pending());
  EXPECT_EQ(a.grad().to_vector<double>(), mean);
  EXPECT_EQ(unused.grad().to_vector<double>(), std::vector<double>(2, 0.0));
  EXPECT_THROW(ddp.find_unused_parameters({loss}), ValueError);  // not armed
}

// The arguments of prepare_backward and sync_gradients must agree; a second backward in between
// is named; without prepare_backward the hooks do nothing (evaluation, gradient accumulation).
TEST(DataParallel, OverlapMisuseIsNamed) {
  const Data d = make_data(DType::float64);
  auto model = make_model(DType::float64, false, 1);
  dist::DataParallel ddp(model);
  const Tensor rows = batch_index(0, 0, 0, 2);
  step_loss(*model, d, rows).backward();  // not armed: nothing starts
  ddp.sync_gradients(2);
  ddp.prepare_backward(2);
  EXPECT_THROW(ddp.prepare_backward(2), ValueError);
  step_loss(*model, d, rows).backward();
  try {
    ddp.sync_gradients(3);
    FAIL() << "no error";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("prepare_backward(2"), std::string::npos) << e.what();
  }
  ddp.sync_gradients(2);
  ddp.prepare_backward(2);
  Tensor loss = step_loss(*model, d, rows);
  loss.backward({}, /*retain_graph=*/true);
  EXPECT_THROW(loss.backward(), ValueError);
  ddp.sync_gradients(2);
}

// sync_gradients writes into a .grad that only its parameter holds; a gradient shared with
// anything else (here two parameters' .grad are one tensor) is left alone and replaced. Both
// reductions, mean and sum, against the formula over every rank's known values.
TEST(SyncGradients, SharedGradientIsNotOverwritten) {
  const int n = dist::world_size(), me = dist::rank();
  auto values = [](int k, int64_t count, int64_t salt) {
    std::vector<double> v(count);
    for (int64_t i = 0; i < count; ++i) v[i] = static_cast<double>((i * 5 + k * 3 + salt) % 13) - 6.0;
    return v;
  };
  for (bool deterministic : {true, false}) {
    for (bool mean : {true, false}) {
      SCOPED_TRACE(testing::Message() << "deterministic " << deterministic << " mean " << mean);
      Tensor a = Tensor::empty(Shape{2, 3}, DType::float64).requires_grad_(true);
      Tensor b = Tensor::empty(Shape{2, 3}, DType::float64).requires_grad_(true);
      Tensor c = Tensor::empty(Shape{7}, DType::float64).requires_grad_(true);
      Tensor shared = Tensor::from_vector(values(me, 6, 0), Shape{2, 3});
      a.set_grad(shared);
      b.set_grad(shared);
      c.set_grad(Tensor::from_vector(values(me, 7, 1), Shape{7}));
      const int64_t rows = me + 1;
      // c twice (a tied weight): combined once.
      dist::sync_gradients({a, b, c, c}, rows, mean, {.bucket_bytes = 32, .deterministic = deterministic});
      EXPECT_EQ(shared.to_vector<double>(), values(me, 6, 0)) << "the shared gradient was overwritten";
      EXPECT_FALSE(a.grad().same(b.grad()));
      auto expected = [&](int64_t count, int64_t salt) {
        std::vector<double> out(count);
        int64_t total = 0;
        for (int k = 0; k < n; ++k) total += k + 1;
        for (int64_t i = 0; i < count; ++i) {
          double acc = 0;
          for (int k = 0; k < n; ++k) acc += mean ? values(k, count, salt)[i] * (k + 1) : values(k, count, salt)[i];
          out[i] = mean ? acc / static_cast<double>(total) : acc;
        }
        return out;
      };
      EXPECT_EQ(a.grad().to_vector<double>(), expected(6, 0));
      EXPECT_EQ(b.grad().to_vector<double>(), expected(6, 0));
      EXPECT_EQ(c.grad().to_vector<double>(), expected(7, 1));
    }
  }
}

TEST(DataParallel, Float32MatchesOneProcessPerEpoch) {
  for (bool deterministic : {true, false}) {
    for (bool overlap : {false, true}) {
      const Data d = make_data(DType::float32);
      auto model = make_model(DType::float32, false, 3);
      dist::DataParallel ddp(model, {.deterministic = deterministic});
      optim::SGD opt(model->parameters(), optim::SGDOptions(0.1));
      auto whole = make_model(DType::float32, false, 3);
      optim::SGD whole_opt(whole->parameters(), optim::SGDOptions(0.1));
      Tensor all = Tensor::from_vector(std::vector<int64_t>{0}, Shape{1});
      for (int64_t e = 0; e < kEpochs; ++e) {
        for (int64_t j = 0; j < kRows / kBatch; ++j) {
          ddp_step(ddp, opt, d, e, j, overlap);
          full_batch_step(*whole, whole_opt, d, e, j);
        }
        const double loss = F::mse_loss(model->forward(d.x), d.y).item();
        const double ref = F::mse_loss(whole->forward(d.x), d.y).item();
        EXPECT_NEAR(loss, ref, 1e-5) << "epoch " << e << (deterministic ? "" : " (MPI_Allreduce)");
        const auto a = flat_params<float>(*model), b = flat_params<float>(*whole);
        for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-5) << i;
      }
    }
  }
}

TEST(DataParallel, ParameterShapeMismatchIsNamed) {
  if (dist::world_size() < 2) GTEST_SKIP() << "needs 2 ranks";
  auto model = make_model(DType::float64, false, 1, dist::rank() == 1 ? 9 : 8);
  try {
    dist::DataParallel ddp(model);
    FAIL() << "no error";
  } catch (const ValueError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("rank 1"), std::string::npos) << what;
    EXPECT_NE(what.find("0.weight"), std::string::npos) << what;
  }
}

}  // namespace
