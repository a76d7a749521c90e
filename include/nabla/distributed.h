// nabla/distributed.h — data-parallel training over MPI: the same run as one process, on N.
//
// Built when CMake finds MPI (option NABLA_WITH_MPI, target nabla::distributed); launch with
// `mpirun -np N program`. Each rank holds a full copy of the model and takes its shard of every
// global batch; DataParallel averages the gradients so that every rank applies the same step.
//
//   nabla::dist::Context mpi(&argc, &argv);              // MPI_Init .. MPI_Finalize (RAII)
//   nabla::dist::DataParallel ddp(model);                // parameters and buffers from rank 0
//   nabla::dist::DistributedSampler sampler(n_rows, {.seed = 0});
//   for (int64_t epoch = 0; ...; ++epoch) {
//     sampler.set_epoch(epoch);                          // this rank's indices: sampler.indices()
//     ... ddp.prepare_backward(rows_here);              // optional: overlap (below)
//     ... loss.backward(); ddp.sync_gradients(rows_here); opt.step();
//   }
//
// Reduction order (why float64 runs are bit for bit reproducible): every value is combined with
// combine_shards(), the ranks' contributions added in rank order 0, 1, .., N-1, whatever MPI's
// algorithm. A bucket travels as a reduce-scatter (MPI_Alltoallv: rank r gets chunk r of every
// rank's bucket, unchanged, and combines it) then an all-gather of the combined chunks
// (MPI_Allgatherv): each rank sends and receives 2(N-1)/N of the bucket. On 2 ranks, when the
// gradients fit one bucket, it is an MPI_Allreduce: the same bits (a + b == b + a) in one round
// trip. The result is the same bits on every rank, and the same bits as one process that
// computes the N shards' gradients one after the other and calls combine_shards() (what the
// tests do). Against one
// process taking the whole batch at once the result differs only by the rounding of the
// summation order (the batch's rows are added in a different grouping): tested to 1e-12 in
// float64 and 1e-5 in float32 over 3 epochs. DataParallelOptions{.deterministic = false} uses
// MPI_Allreduce on any N (its order is the MPI library's: no bit-exactness promise from 3 ranks).
// Gradients are combined in place in .grad (copied first only when another tensor shares it);
// no buffer exceeds a bucket.
//
// Overlap: after prepare_backward(rows), a bucket's reduction starts (non-blocking) as soon as
// backward has accumulated the last gradient in it (autograd::register_post_accumulate_hook);
// buckets hold the parameters in reverse order (the order backward produces them; the first one
// small), and start in that fixed order on every rank. sync_gradients then completes them. Every
// value is combined exactly as without overlap (the same bits). MPI moves a started reduction on
// only inside MPI calls (there is no progress thread: each rank computes on its own CPU), and each
// hook tests the started ones: the overlap is as fine-grained as the parameters are many.
// prepare_backward(rows, mean, /*finish_when_ready=*/true) is torch's DDP: when backward has
// accumulated the last parameter's gradient, the reduction also finishes inside backward, so no
// sync_gradients call is needed (the Python module's DistributedDataParallel arms it in forward).
//
// BatchNorm: per-rank statistics, as torch's DistributedDataParallel (not SyncBatchNorm): each
// rank normalises its shard with that shard's mean and variance; DataParallel::sync_buffers()
// (call it before each forward, as DDP's broadcast_buffers=True does; the trainer calls it after
// each step) copies rank 0's running statistics to every rank, so evaluation and checkpoints see
// rank 0's.
//
// Every collective waits at most NABLA_DIST_TIMEOUT seconds (default 300) for the other ranks,
// then throws nabla::IOError naming this rank and the operation (a rank died or hangs).
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nabla/nn/module.h"
#include "nabla/tensor/tensor.h"

namespace nabla::dist {

// MPI_Init_thread on construction (unless MPI is already initialised), MPI_Finalize on
// destruction (only if this object initialised it). Communication errors are returned, not
// fatal (MPI_ERRORS_RETURN), and reported as nabla::IOError naming the operation.
class Context {
 public:
  Context(int* argc = nullptr, char*** argv = nullptr);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

 private:
  bool owns_ = false;
};

// Ends every rank of the job (MPI_Abort) with `code`: what a rank that hit an error calls, so
// that the others, waiting in a collective, do not wait forever.
[[noreturn]] void abort(int code);
// True when this process was started by mpirun / mpiexec (OpenMPI's, MPICH's or a PMIx launcher).
bool launched_by_mpi();

int rank();        // 0 without MPI initialised
int world_size();  // 1 without MPI initialised
void barrier();

enum class ReduceOp { sum, mean, max };

// In place, on a contiguous float32 / float64 / int64 tensor, the same on every rank. sum and
// mean combine in rank order (a reduce-scatter adding ranks 0..N-1, then an all-gather), so the
// result is the same bits on every rank and for every MPI algorithm; mean divides the sum by N
// (int64: truncating).
void all_reduce(Tensor& tensor, ReduceOp op = ReduceOp::sum);
// Rank `root`'s values into every rank's tensor (the shapes and dtypes must match: checked).
void broadcast(Tensor& tensor, int root = 0);
// Every rank's tensor (same shape and dtype on all ranks: checked), stacked: (N, *shape).
Tensor all_gather(const Tensor& tensor);

// Checks that every rank passes the same text (e.g. the configuration and the parameter
// shapes); throws ValueError naming `what`, the first rank that differs and the first
// differing line. Call it on every rank at start-up.
void check_same_on_all_ranks(const std::string& text, const std::string& what);

// torch.utils.data.distributed.DistributedSampler (torch 1.13), index for index: a randperm of
// the data set from a generator seeded with seed + epoch (the same on every rank), padded by
// repeating its start to a multiple of N (or, drop_last, cut to one), then every N-th index
// from this rank's position.
struct DistributedSamplerOptions {
  bool shuffle = true;
  uint64_t seed = 0;
  bool drop_last = false;
  int num_replicas = -1;  // -1: world_size()
  int rank = -1;          // -1: rank()
};

class DistributedSampler {
 public:
  explicit DistributedSampler(int64_t dataset_size, const DistributedSamplerOptions& options = {});
  void set_epoch(int64_t epoch) { epoch_ = epoch; }
  int64_t epoch() const { return epoch_; }
  // This rank's indices for the current epoch (num_samples() of them).
  std::vector<int64_t> indices() const;
  int64_t num_samples() const { return num_samples_; }
  int64_t total_size() const { return num_samples_ * replicas_; }

 private:
  int64_t size_;
  DistributedSamplerOptions options_;
  int replicas_, rank_;
  int64_t num_samples_;
  int64_t epoch_ = 0;
};

// The fixed reduction order, public so that one process can reproduce N ranks bit for bit (each
// sum starts from -0, the identity of IEEE addition, so that it equals MPI_Allreduce's a + b):
// mean (each shard's value a mean over its rows): out[i] = (sum over k = 0..N-1, in that order,
// of shards[k][i] * rows[k]) / sum(rows); otherwise (a sum over rows, loss reduction "sum"):
// out[i] = sum over k in order of shards[k][i]. Shards of 0 rows are left out (their mean is NaN).
template <typename T>
void combine_shards(const std::vector<const T*>& shards, const std::vector<int64_t>& rows, int64_t count, T* out,
                    bool mean = true) {
  int64_t total = 0;
  for (int64_t r : rows) total += r;
  // Block by block, shard after shard: the additions vectorise (a loop over the shards for each
  // element does not), each element still adds its shards in order k = 0, 1, ... from 0, and a
  // block is read whole before it is written, so `out` may be one of the shards.
  constexpr int64_t kBlock = 512;
  T acc[kBlock];
  for (int64_t begin = 0; begin < count; begin += kBlock) {
    const int64_t len = std::min(kBlock, count - begin);
    std::fill_n(acc, len, -T(0));  // -0: x + -0 == x for every x, -0 included
    for (size_t k = 0; k < shards.size(); ++k) {
      if (rows[k] <= 0) continue;
      const T* s = shards[k] + begin;
      const T weight = static_cast<T>(rows[k]);
      if (mean)
        for (int64_t i = 0; i < len; ++i) acc[i] += s[i] * weight;
      else
        for (int64_t i = 0; i < len; ++i) acc[i] += s[i];
    }
    for (int64_t i = 0; i < len; ++i)
      out[begin + i] = !mean ? acc[i] : total > 0 ? acc[i] / static_cast<T>(total) : T(0);
  }
}

struct DataParallelOptions {
  // Gradients are packed into buffers of at most this many bytes, one collective per buffer.
  int64_t bucket_bytes = 4 << 20;
  // With prepare_backward, the first bucket (the last layer's gradients, ready first) holds at
  // most this many bytes, so that communication starts early (torch DDP's 1 MB).
  int64_t first_bucket_bytes = 1 << 20;
  // true: added in rank order (bit-exact, see above); false: MPI_Allreduce on any N.
  bool deterministic = true;
};

// The gradient synchronisation of DataParallel on a list of parameters (the Python module's
// DistributedDataParallel calls it): every parameter's .grad becomes the row-weighted mean
// (mean = false: the sum) over the ranks, bucket by bucket, in the documented order.
void sync_gradients(const std::vector<Tensor>& parameters, int64_t local_rows, bool mean = true,
                    const DataParallelOptions& options = {});

namespace internal {
struct Overlap;
}  // namespace internal

// Wraps a module for data-parallel training. The constructor checks that every rank has the
// same parameter and buffer names, shapes and dtypes (naming the first mismatch), then copies
// rank 0's parameters and buffers to every rank.
class DataParallel {
 public:
  using Named = std::vector<std::pair<std::string, Tensor>>;
  explicit DataParallel(std::shared_ptr<nn::Module> module, const DataParallelOptions& options = {});
  // The same over named parameters and buffers held elsewhere (the Python module's Modules);
  // module() is then unavailable and sync_buffers() broadcasts these buffers.
  //   dist::DataParallel ddp({{"weight", w}, {"bias", b}}, {}, {});
  DataParallel(Named parameters, Named buffers, const DataParallelOptions& options = {});
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;
  nn::Module& module();
  // Optional, before the backward whose gradients sync_gradients will combine (with the same
  // arguments): each bucket starts its reduction while backward goes on (see Overlap above).
  // Only one backward may run between prepare_backward and sync_gradients.
  //
  // finish_when_ready (torch DDP's behaviour): when backward has produced the last parameter's
  // gradient, the reduction also finishes inside backward (every bucket waited for, unpacked and
  // divided): no sync_gradients call is needed, and one made then does nothing. When a parameter
  // got no gradient in that backward, nothing finishes: sync_gradients() then finishes it
  // (missing gradients count as zeros), and a prepare_backward before it throws ValueError
  // naming the parameter. A prepare_backward after one whose backward never ran (a forward
  // without backward) replaces it.
  void prepare_backward(int64_t local_rows, bool mean = true, bool finish_when_ready = false);
  // After prepare_backward and the forward (torch DDP's find_unused_parameters): the parameters
  // that the graph of `outputs` does not reach will get no gradient in this backward; they count
  // as ready (zeros), so that a finish_when_ready reduction still finishes inside backward.
  void find_unused_parameters(const std::vector<Tensor>& outputs);
  // After backward: every parameter's gradient becomes the row-weighted mean of the ranks'
  // gradients (each rank's loss a mean over its `local_rows` rows), or with mean = false (a loss
  // summed over the rows) their sum. A parameter without a gradient on this rank counts as zeros.
  // Does nothing when a prepare_backward(.., finish_when_ready) reduction has finished inside
  // backward and no gradient was accumulated since.
  void sync_gradients(int64_t local_rows, bool mean = true);
  // True from prepare_backward until its reduction has finished (in backward or sync_gradients).
  bool pending() const;
  // Rank 0's buffers (BatchNorm's running statistics) to every rank.
  void sync_buffers();
  // The seconds spent in communication since construction (for the benchmarks).
  double communication_seconds() const { return comm_seconds_; }

 private:
  std::shared_ptr<nn::Module> module_;  // null when constructed from named tensors
  DataParallelOptions options_;
  std::vector<Tensor> params_;
  std::vector<std::string> param_names_;
  Named buffers_;  // without a module (with one, its current named_buffers())
  // The buckets and their requests (src/distributed/overlap.cpp), made at the first
  // prepare_backward or sync_gradients; with hooks that start a bucket when backward is done with it.
  std::shared_ptr<internal::Overlap> overlap_;
  internal::Overlap& overlap();
  std::vector<int64_t> hook_ids_;
  double comm_seconds_ = 0;
};

}  // namespace nabla::dist
