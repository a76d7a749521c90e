// DataParallel's overlap (nabla/distributed.h: prepare_backward): gradient buckets reduced while
// backward runs, each started by a post-accumulate hook when its last gradient is ready.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "internal.h"
#include "nabla/autograd/engine.h"
#include "nabla/autograd/node.h"
#include "nabla/distributed.h"
#include "nabla/error.h"

namespace nabla::dist {

using internal::check_mpi;
using internal::exclusive_grad;
using internal::kMaxCount;
using internal::wait_all;

// The gradients' buckets, fixed when made: the parameters in reverse order (backward's), whole
// small gradients packed together, a large one in pieces, the first bucket at most
// first_bucket_bytes, never two dtypes in one bucket. Each step, a bucket starts when its last
// gradient is ready and every bucket before it has started (so that every rank starts the same
// collectives in the same order), and finish() completes them in that order. Every value is
// combined alike whatever bucket it travels in (combine_shards' order, or MPI_Allreduce's a + b on
// 2 ranks), so the overlapped and the plain reduction give the same bits.
namespace internal {
struct Overlap {
  struct Piece {
    size_t param;  // index in params
    int64_t offset, count;
  };
  struct Bucket {
    DType dtype;
    std::vector<Piece> pieces;
    std::vector<size_t> params;  // the distinct parameters, each once
    int64_t count = 0;
    bool packed = false;
    int pending = 0;            // parameters whose gradient is not ready yet, this step
    std::vector<char> buffer;   // packed values
    std::vector<char> scratch;  // rank-order path: the other ranks' copies of this rank's chunk
    std::vector<int> counts, displs, send_counts, recv_counts, recv_displs;
    MPI_Request request = MPI_REQUEST_NULL;
  };
  std::vector<Tensor> params;
  std::vector<std::string> names;               // per parameter
  std::vector<DType> dtypes;                    // per parameter, when the buckets were cut
  std::vector<Shape> shapes;                    // the same
  std::vector<std::vector<size_t>> buckets_of;  // per parameter
  std::vector<Bucket> buckets;
  std::vector<void*> grads;  // per parameter: its .grad's values, once ready
  std::vector<bool> ready;
  size_t next = 0;  // the next bucket to start
  bool armed = false, mean = true, allreduce = false;
  bool finish_when_ready = false;  // this step finishes inside backward (prepare_backward's flag)
  bool any_ready = false;          // a gradient came this step (the rows' gather has started)
  bool reduced = false;            // finished inside backward, no gradient accumulated since
  size_t ready_count = 0;
  int64_t local_rows = 0;
  std::vector<int64_t> rows;
  MPI_Request rows_request = MPI_REQUEST_NULL;
  static constexpr const char* kOp = "DataParallel::sync_gradients";

  Overlap(const std::vector<Tensor>& all, const std::vector<std::string>& all_names,
          const DataParallelOptions& options) {
    std::set<const TensorImpl*> seen;
    for (size_t k = all.size(); k-- > 0;)
      if (all[k].requires_grad() && seen.insert(all[k].impl()).second) {
        params.push_back(all[k]);
        names.push_back(all_names[k]);
        dtypes.push_back(all[k].dtype());
        shapes.push_back(all[k].shape());
      }
    buckets_of.resize(params.size());
    int64_t total_f32 = 0, total_f64 = 0;
    for (const Tensor& p : params) {
      NABLA_CHECK(p.dtype() == DType::float32 || p.dtype() == DType::float64, DTypeError,
                  "sync_gradients: a parameter of dtype ", dtype_name(p.dtype()));
      (p.dtype() == DType::float32 ? total_f32 : total_f64) += p.numel();
    }
    size_t first = 0;
    int64_t offset = 0;
    while (first < params.size()) {
      const DType dtype = params[first].dtype();
      const int64_t size = static_cast<int64_t>(element_size(dtype));
      const int64_t bytes =
          buckets.empty() ? std::min(options.first_bucket_bytes, options.bucket_bytes) : options.bucket_bytes;
      const int64_t cap = std::clamp<int64_t>(bytes / size, 1, kMaxCount);
      const int64_t left = params[first].numel() - offset;
      if (left == 0) {
        ++first, offset = 0;
        continue;
      }
      Bucket b;
      b.dtype = dtype;
      size_t last = first + 1;
      int64_t count = left;
      while (last < params.size() && params[last].dtype() == dtype && count + params[last].numel() <= cap)
        count += params[last++].numel();
      if (last == first + 1 || offset > 0) {
        count = std::min(left, cap);
        b.pieces.push_back({first, offset, count});
        offset += count;
      } else {
        for (size_t i = first; i < last; ++i) b.pieces.push_back({i, 0, params[i].numel()});
        b.packed = true;
        first = last, offset = 0;
      }
      for (const Piece& piece : b.pieces) {
        b.count += piece.count;
        b.params.push_back(piece.param);
        buckets_of[piece.param].push_back(buckets.size());
      }
      buckets.push_back(std::move(b));
    }
    // MPI_Allreduce takes one round trip, the reduce-scatter and all-gather two, but moves the
    // data slower (OpenMPI 4.1, 2 ranks: W5's 4 MB buckets spent 21-29 % of the step in it against
    // 13-20 %; W4, all its gradients in one bucket, 25-26 steps/s against 21-24; 2 loaded CPUs).
    // On 2 ranks it gives the same bits as combine_shards (a + b == b + a: the rank order only
    // matters from 3 ranks on), so it is used there when the gradients fit one bucket (dtype by
    // dtype), and always when not deterministic.
    const int64_t max_total = std::max(total_f32 * 4, total_f64 * 8);
    allreduce = !options.deterministic || (world_size() <= 2 && max_total <= options.bucket_bytes);
    grads.assign(params.size(), nullptr);
    ready.assign(params.size(), false);
  }

  void arm(int64_t rows_here, bool mean_rows, bool finish_in_backward) {
    if (armed && finish_when_ready) {
      // torch's DDP: a forward whose backward never ran is replaced; a backward that left some
      // parameter without a gradient must be finished first.
      if (any_ready) {
        size_t missing = 0;
        while (ready[missing]) ++missing;
        throw ValueError(detail::concat(
            "DataParallel::prepare_backward: expected to have finished reduction in the prior iteration before "
            "starting a new one: the previous backward gave no gradient to parameter ",
            names[missing], " (", params[missing].shape().to_string(), "; ", params.size() - ready_count, " of ",
            params.size(),
            " parameters got none), so its gradients were not averaged. Call sync_gradients() after such a "
            "backward (missing gradients count as zeros), run that forward and backward inside no_sync(), or, when "
            "some parameters take no part in the forward, call find_unused_parameters(outputs) after it (Python: "
            "DistributedDataParallel(module, find_unused_parameters=True))"));
      }
      armed = false;
    }
    NABLA_CHECK(!armed, ValueError, "DataParallel::prepare_backward called twice without sync_gradients in between");
    for (size_t i = 0; i < params.size(); ++i)
      NABLA_CHECK(params[i].dtype() == dtypes[i] && params[i].shape() == shapes[i], ValueError,
                  "DataParallel::prepare_backward: parameter ", names[i], " is now ", dtype_name(params[i].dtype()),
                  " ", params[i].shape().to_string(), ", was ", dtype_name(dtypes[i]), " ", shapes[i].to_string(),
                  " when the gradient buckets were made: convert the model (.to(dtype), .double()) before "
                  "wrapping it");
    armed = true, mean = mean_rows, local_rows = rows_here, next = 0;
    finish_when_ready = finish_in_backward, any_ready = false, reduced = false, ready_count = 0;
    std::fill(ready.begin(), ready.end(), false);
    for (Bucket& b : buckets) b.pending = static_cast<int>(b.params.size());
  }

  // Every rank's rows, gathered while the buckets travel (the first gradient starts it).
  void start_rows() {
    any_ready = true;
    rows.assign(world_size(), 0);
    check_mpi(MPI_Iallgather(&local_rows, 1, MPI_INT64_T, rows.data(), 1, MPI_INT64_T, MPI_COMM_WORLD, &rows_request),
              kOp);
  }

  // Parameter i's gradient is in its .grad (backward's hook, or sync_gradients for one that got
  // none): starts every bucket that can start now.
  void mark_ready(size_t i) {
    if (!armed) {
      reduced = false;  // a gradient accumulated after the reduction: sync_gradients reduces again
      return;
    }
    NABLA_CHECK(!ready[i], ValueError,
                "DataParallel: a second backward between prepare_backward and sync_gradients (parameter ",
                params[i].shape().to_string(),
                " got its gradient twice); call prepare_backward before the last "
                "backward only");
    ready[i] = true;
    ++ready_count;
    if (!any_ready) start_rows();
    grads[i] = params[i].dtype() == DType::float32 ? static_cast<void*>(exclusive_grad<float>(params[i]))
                                                   : static_cast<void*>(exclusive_grad<double>(params[i]));
    for (size_t b : buckets_of[i]) --buckets[b].pending;
    while (next < buckets.size() && buckets[next].pending == 0) start(buckets[next++]);
    // Lets the started collectives move on (MPI progresses them only inside its calls).
    for (size_t b = 0; b < next; ++b)
      if (buckets[b].request != MPI_REQUEST_NULL) {
        int flag = 0;
        check_mpi(MPI_Test(&buckets[b].request, &flag, MPI_STATUS_IGNORE), kOp);
      }
    if (finish_when_ready && ready_count == params.size()) {
      complete_all();
      reduced = true;
    }
  }

  template <typename T>
  T* data(Bucket& b) {
    if (b.packed) return reinterpret_cast<T*>(b.buffer.data());
    return static_cast<T*>(grads[b.pieces[0].param]) + b.pieces[0].offset;
  }

  void start(Bucket& b) {
    if (b.dtype == DType::float32) return start_typed<float>(b, MPI_FLOAT);
    start_typed<double>(b, MPI_DOUBLE);
  }

  template <typename T>
  void start_typed(Bucket& b, MPI_Datatype type) {
    if (b.packed) {
      b.buffer.resize(sizeof(T) * b.count);
      T* at = reinterpret_cast<T*>(b.buffer.data());
      for (const Piece& piece : b.pieces)
        at = std::copy_n(static_cast<const T*>(grads[piece.param]) + piece.offset, piece.count, at);
    }
    T* values = data<T>(b);
    const int count = static_cast<int>(b.count);
    if (allreduce) {
      // Weighted by the rows, as sync_dtype (a rank without rows adds -0).
      if (mean || local_rows == 0)
        for (int i = 0; i < count; ++i) values[i] = local_rows == 0 ? -T(0) : values[i] * static_cast<T>(local_rows);
      check_mpi(MPI_Iallreduce(MPI_IN_PLACE, values, count, type, MPI_SUM, MPI_COMM_WORLD, &b.request), kOp);
      return;
    }
    // Rank order, phase 1 (reduce_in_rank_order's): chunk k of this rank's values to rank k.
    const int n = world_size(), me = rank();
    b.counts.resize(n), b.displs.resize(n), b.send_counts.resize(n), b.recv_counts.resize(n), b.recv_displs.resize(n);
    for (int k = 0; k < n; ++k) {
      b.displs[k] = static_cast<int>(b.count * k / n);
      b.counts[k] = static_cast<int>(b.count * (k + 1) / n) - b.displs[k];
    }
    const int mine = b.counts[me];
    b.scratch.resize(sizeof(T) * static_cast<size_t>(mine) * n);
    for (int k = 0; k < n; ++k) {
      b.send_counts[k] = k == me ? 0 : b.counts[k];
      b.recv_counts[k] = k == me ? 0 : mine;
      b.recv_displs[k] = k * mine;
    }
    check_mpi(MPI_Ialltoallv(values, b.send_counts.data(), b.displs.data(), type, b.scratch.data(),
                             b.recv_counts.data(), b.recv_displs.data(), type, MPI_COMM_WORLD, &b.request),
              kOp);
  }

  // After backward: starts the buckets not started yet (gradients that never came: zeros), then
  // completes every bucket, in order.
  void finish(int64_t rows_here, bool mean_rows) {
    NABLA_CHECK(rows_here == local_rows && mean_rows == mean, ValueError, "DataParallel::sync_gradients(", rows_here,
                ", mean ", mean_rows, ") after prepare_backward(", local_rows, ", mean ", mean,
                "): pass the same rows");
    if (reduced) {  // finished inside backward
      reduced = false;
      return;
    }
    finish_when_ready = false;  // finished here, below
    for (size_t i = 0; i < params.size(); ++i)
      if (!ready[i]) mark_ready(i);
    if (!any_ready) start_rows();  // no parameter to reduce: the rows still travel
    complete_all();
  }

  // Every bucket started (each parameter ready): waits for them, in order, and unpacks.
  void complete_all() {
    armed = false;
    wait_all(kOp, &rows_request, 1);
    for (Bucket& b : buckets) {
      wait_all(kOp, &b.request, 1);
      if (b.dtype == DType::float32)
        complete<float>(b, MPI_FLOAT);
      else
        complete<double>(b, MPI_DOUBLE);
    }
    std::vector<MPI_Request> gathers;
    for (Bucket& b : buckets) gathers.push_back(b.request);
    wait_all(kOp, gathers.data(), static_cast<int>(gathers.size()));
    for (Bucket& b : buckets) {
      b.request = MPI_REQUEST_NULL;
      if (!b.packed) continue;
      if (b.dtype == DType::float32)
        unpack<float>(b);
      else
        unpack<double>(b);
    }
  }

  // Phase 2: the allreduce path divides by the rows; the rank-order path combines this rank's
  // chunk and starts the all-gather of the combined chunks (b.request).
  template <typename T>
  void complete(Bucket& b, MPI_Datatype type) {
    T* values = data<T>(b);
    if (allreduce) {
      if (!mean) return;
      int64_t total_rows = 0;
      for (int64_t r : rows) total_rows += r;
      for (int64_t i = 0; i < b.count; ++i) values[i] = total_rows > 0 ? values[i] / static_cast<T>(total_rows) : T(0);
      return;
    }
    const int n = world_size(), me = rank();
    const int mine = b.counts[me];
    const T* scratch = reinterpret_cast<const T*>(b.scratch.data());
    std::vector<const T*> shards(n);
    for (int k = 0; k < n; ++k) shards[k] = k == me ? values + b.displs[me] : scratch + static_cast<size_t>(k) * mine;
    combine_shards(shards, rows, mine, values + b.displs[me], mean);
    check_mpi(MPI_Iallgatherv(MPI_IN_PLACE, 0, type, values, b.counts.data(), b.displs.data(), type, MPI_COMM_WORLD,
                              &b.request),
              kOp);
  }

  template <typename T>
  void unpack(Bucket& b) {
    const T* at = reinterpret_cast<const T*>(b.buffer.data());
    for (const Piece& piece : b.pieces) {
      std::copy_n(at, piece.count, static_cast<T*>(grads[piece.param]) + piece.offset);
      at += piece.count;
    }
  }
};

void reduce_gradients(const std::vector<Tensor>& parameters, int64_t local_rows, bool mean,
                      const DataParallelOptions& options) {
  std::vector<std::string> names;
  for (size_t i = 0; i < parameters.size(); ++i) names.push_back("parameter " + std::to_string(i));
  Overlap buckets(parameters, names, options);
  buckets.arm(local_rows, mean, false);
  buckets.finish(local_rows, mean);
}

}  // namespace internal

internal::Overlap& DataParallel::overlap() {
  if (!overlap_) {
    overlap_ = std::make_shared<internal::Overlap>(params_, param_names_, options_);
    for (size_t i = 0; i < overlap_->params.size(); ++i)
      hook_ids_.push_back(autograd::register_post_accumulate_hook(
          overlap_->params[i], [weak = std::weak_ptr<internal::Overlap>(overlap_), i](const Tensor&) {
            if (auto overlap = weak.lock()) overlap->mark_ready(i);
          }));
  }
  return *overlap_;
}

DataParallel::~DataParallel() {
  if (!overlap_) return;
  for (size_t i = 0; i < hook_ids_.size(); ++i)
    autograd::remove_post_accumulate_hook(overlap_->params[i], hook_ids_[i]);
}

void DataParallel::prepare_backward(int64_t local_rows, bool mean, bool finish_when_ready) {
  NABLA_CHECK(local_rows >= 0, ValueError, "DataParallel::prepare_backward: local_rows must be >= 0, got ", local_rows);
  internal::Overlap& buckets = overlap();
  const auto start = std::chrono::steady_clock::now();
  buckets.arm(local_rows, mean, finish_when_ready);
  comm_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void DataParallel::sync_gradients(int64_t local_rows, bool mean) {
  const auto start = std::chrono::steady_clock::now();
  NABLA_CHECK(local_rows >= 0, ValueError, "DataParallel::sync_gradients: local_rows must be >= 0, got ", local_rows);
  if (!overlap_ || !(overlap_->armed || overlap_->reduced)) overlap().arm(local_rows, mean, false);  // after backward
  overlap_->finish(local_rows, mean);
  comm_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void DataParallel::find_unused_parameters(const std::vector<Tensor>& outputs) {
  NABLA_CHECK(overlap_ && overlap_->armed, ValueError,
              "DataParallel::find_unused_parameters: call prepare_backward before the forward");
  std::set<const TensorImpl*> reached;
  std::set<const Node*> seen;
  std::vector<const Node*> stack;
  for (const Tensor& t : outputs) {
    if (!t.defined()) continue;
    if (t.impl()->grad_fn)
      stack.push_back(t.impl()->grad_fn.get());
    else if (t.requires_grad())
      reached.insert(t.impl());
  }
  while (!stack.empty()) {
    const Node* node = stack.back();
    stack.pop_back();
    if (!seen.insert(node).second) continue;
    if (const Tensor leaf = node->leaf(); leaf.defined()) reached.insert(leaf.impl());
    for (const auto& next : node->next())
      if (next) stack.push_back(next.get());
  }
  const auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < overlap_->params.size(); ++i)
    if (!reached.count(overlap_->params[i].impl()) && !overlap_->ready[i]) overlap_->mark_ready(i);
  comm_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool DataParallel::pending() const { return overlap_ && overlap_->armed; }

}  // namespace nabla::dist
