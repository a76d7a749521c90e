// train::Parallel over MPI (nabla/distributed/train.h): the trainer's hooks call DataParallel.
#include "nabla/distributed/train.h"
#include "nabla/error.h"

namespace nabla::dist {
namespace {

class MpiParallel : public train::Parallel {
 public:
  explicit MpiParallel(const DataParallelOptions& options) : options_(options) {}
  int rank() const override { return dist::rank(); }
  int world_size() const override { return dist::world_size(); }
  void check_same(const std::string& text, const std::string& what) override { check_same_on_all_ranks(text, what); }
  void attach(std::shared_ptr<nn::Module> model, bool sum_loss) override {
    ddp_ = std::make_unique<DataParallel>(std::move(model), options_);
    mean_ = !sum_loss;
  }
  void prepare_backward(int64_t local_rows) override {
    NABLA_CHECK(ddp_ != nullptr, ValueError, "data-parallel step without a model (attach it first)");
    ddp_->prepare_backward(local_rows, mean_);
  }
  void sync_gradients(int64_t local_rows) override {
    NABLA_CHECK(ddp_ != nullptr, ValueError, "data-parallel step without a model (attach it first)");
    ddp_->sync_gradients(local_rows, mean_);
    ddp_->sync_buffers();
  }
  double batch_loss(double local_loss, int64_t local_rows) override {
    Tensor mine = Tensor::from_vector({local_loss, static_cast<double>(local_rows)}, Shape{2});
    const std::vector<double> all = all_gather(mine).to_vector<double>();
    const double value = all[0];
    std::vector<const double*> shards;
    std::vector<int64_t> rows;
    for (size_t k = 0; k < all.size(); k += 2) {
      shards.push_back(&all[k]);
      rows.push_back(static_cast<int64_t>(all[k + 1]));
    }
    double loss = value;
    combine_shards(shards, rows, 1, &loss, mean_);
    return loss;
  }
  bool any(bool flag) override {
    Tensor t = Tensor::from_vector(std::vector<int64_t>{flag ? 1 : 0}, Shape{1});
    all_reduce(t, ReduceOp::max);
    return t.to_vector<int64_t>()[0] != 0;
  }

 private:
  DataParallelOptions options_;
  std::unique_ptr<DataParallel> ddp_;
  bool mean_ = true;
};

}  // namespace

std::unique_ptr<train::Parallel> trainer_parallel(const DataParallelOptions& options) {
  return std::make_unique<MpiParallel>(options);
}

MpiRun join_if_launched(const DataParallelOptions& options) {
  MpiRun run;
  if (!launched_by_mpi()) return run;
  run.context = std::make_unique<Context>();
  run.parallel = trainer_parallel(options);
  return run;
}

}  // namespace nabla::dist
