// nabla::dist — MPI collectives on tensors, the DistributedSampler and DataParallel
// (nabla/distributed.h). Every collective returns errors (MPI_ERRORS_RETURN) and turns them into
// nabla::IOError naming the operation, so a dead peer ends in an exception, not an abort.
#include "nabla/distributed.h"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "internal.h"
#include "nabla/autograd/engine.h"
#include "nabla/error.h"
#include "nabla/tensor/random.h"

namespace nabla::dist {

namespace internal {

void check_mpi(int code, const char* op) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(code, text, &len);
  throw IOError(detail::concat("distributed: ", op, " failed on rank ", rank(), ": ", std::string(text, len)));
}

// Seconds a rank waits in a collective for the others before it gives up (a rank that died
// or hangs): NABLA_DIST_TIMEOUT, default 300.
double collective_timeout() {
  static const double seconds = [] {
    const char* env = std::getenv("NABLA_DIST_TIMEOUT");
    const double v = env ? std::atof(env) : 0;
    return v > 0 ? v : 300.0;
  }();
  return seconds;
}

// Waits for non-blocking collectives (each request becomes MPI_REQUEST_NULL) with a deadline:
// MPI's blocking calls would wait forever for a rank that hangs. Polls (MPI_Test) and yields the CPU between polls
// (sched_yield): a rank that spins takes the CPU from the rank it waits for when the ranks share
// CPUs (oversubscribed, or a loaded machine). Measured on 2 CPUs at load average 11, 2 ranks, W1:
// 10 000 steps/s yielding, 2 000 sleeping 0.2 ms between polls after 10 ms of spinning, 900
// spinning. After 1 s (a slow or dead rank) it polls every millisecond.
void wait_all(const char* op, MPI_Request* requests, int count) {
  const auto begin = std::chrono::steady_clock::now();
  const double timeout = collective_timeout();
  for (int flag = 0;;) {
    check_mpi(MPI_Testall(count, requests, &flag, MPI_STATUSES_IGNORE), op);
    if (flag) return;
    const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    NABLA_CHECK(waited < timeout, IOError, "distributed: ", op, " on rank ", rank(), ": no answer from the other ",
                world_size() - 1, " rank(s) within ", timeout,
                " s (NABLA_DIST_TIMEOUT): a rank died, hangs or stopped calling it");
    if (waited < 1.0)
      std::this_thread::yield();
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace internal

namespace {

bool initialized() {
  int flag = 0;
  MPI_Initialized(&flag);
  int finalized = 0;
  MPI_Finalized(&finalized);
  return flag && !finalized;
}

using internal::check_mpi;
using internal::kMaxCount;
using internal::wait_all;

// Starts a non-blocking collective and waits for it (with wait_all's deadline).
template <class Start>
void collective(const char* op, Start start) {
  MPI_Request request = MPI_REQUEST_NULL;
  check_mpi(start(&request), op);
  wait_all(op, &request, 1);
}

void require_init(const char* op) {
  NABLA_CHECK(initialized(), ValueError, "distributed: ", op,
              " needs MPI initialised (create a nabla::dist::Context first)");
}

MPI_Datatype mpi_type(DType dtype, const char* op) {
  switch (dtype) {
    case DType::float32:
      return MPI_FLOAT;
    case DType::float64:
      return MPI_DOUBLE;
    case DType::int64:
      return MPI_INT64_T;
    default:
      throw DTypeError(
          detail::concat("distributed: ", op, " supports float32, float64 and int64 tensors, got ", dtype_name(dtype)));
  }
}

// "float64 [2, 3]": what every rank must agree on before a collective on a tensor.
std::string describe(const Tensor& t) { return detail::concat(dtype_name(t.dtype()), " ", t.shape().to_string()); }

void check_contiguous(const Tensor& t, const char* op) {
  NABLA_CHECK(t.defined(), ValueError, "distributed: ", op, " on an undefined tensor");
  NABLA_CHECK(t.is_contiguous(), ValueError, "distributed: ", op, " needs a contiguous tensor (call .contiguous())");
}

// Combines `count` values at `data` over the ranks, in place, in the documented fixed order: a
// reduce-scatter in which rank r combines chunk r of every rank's values with combine_shards
// (ranks 0, 1, .., N-1 in that order), then an all-gather of the combined chunks. Every rank
// gets the same bits as combine_shards over whole copies, while it sends and receives 2(N-1)/N
// of the values (an all-gather of everything: N-1 times them) and adds 1/N of them. `scratch`
// holds the other ranks' copies of this rank's chunk; kept by the caller from call to call.
template <typename T>
void reduce_in_rank_order(T* data, int64_t count, MPI_Datatype type, const std::vector<int64_t>& rows, bool mean,
                          std::vector<T>& scratch, const char* op) {
  const int n = world_size(), me = rank();
  NABLA_CHECK(count <= kMaxCount, ValueError, "distributed: ", op, ": ", count, " values in one call (at most ",
              kMaxCount, ")");
  std::vector<int> counts(n), displs(n), send_counts(n), recv_counts(n), recv_displs(n);
  for (int k = 0; k < n; ++k) {
    displs[k] = static_cast<int>(count * k / n);
    counts[k] = static_cast<int>(count * (k + 1) / n) - displs[k];
  }
  const int mine = counts[me];
  if (scratch.size() < static_cast<size_t>(mine) * n) scratch.resize(static_cast<size_t>(mine) * n);
  for (int k = 0; k < n; ++k) {  // this rank's own chunk stays where it is
    send_counts[k] = k == me ? 0 : counts[k];
    recv_counts[k] = k == me ? 0 : mine;
    recv_displs[k] = k * mine;
  }
  collective(op, [&](MPI_Request* request) {
    return MPI_Ialltoallv(data, send_counts.data(), displs.data(), type, scratch.data(), recv_counts.data(),
                          recv_displs.data(), type, MPI_COMM_WORLD, request);
  });
  std::vector<const T*> shards(n);
  for (int k = 0; k < n; ++k) shards[k] = k == me ? data + displs[me] : scratch.data() + static_cast<size_t>(k) * mine;
  // Element i of every shard is read before out[i] is written, so the output may be shards[me].
  combine_shards(shards, rows, mine, data + displs[me], mean);
  collective(op, [&](MPI_Request* request) {
    return MPI_Iallgatherv(MPI_IN_PLACE, 0, type, data, counts.data(), displs.data(), type, MPI_COMM_WORLD, request);
  });
}

template <typename T>
void sum_in_rank_order(T* data, int64_t count, MPI_Datatype type, bool mean) {
  // Each rank counts as one row: combine_shards' mean is then the sum over N (x * 1 == x exactly).
  const std::vector<int64_t> ones(world_size(), 1);
  std::vector<T> scratch;
  for (int64_t at = 0; at < count; at += kMaxCount)
    reduce_in_rank_order(data + at, std::min(kMaxCount, count - at), type, ones, mean, scratch, "all_reduce");
}

}  // namespace

Context::Context(int* argc, char*** argv) {
  if (initialized()) return;
  int provided = 0;
  check_mpi(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  owns_ = true;
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

Context::~Context() {
  if (owns_ && initialized()) MPI_Finalize();
}

void abort(int code) {
  if (initialized()) MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(name)) return true;
  return false;
}

int rank() {
  if (!initialized()) return 0;
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int world_size() {
  if (!initialized()) return 1;
  int n = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

void barrier() {
  require_init("barrier");
  collective("barrier", [&](MPI_Request* request) { return MPI_Ibarrier(MPI_COMM_WORLD, request); });
}

void check_same_on_all_ranks(const std::string& text, const std::string& what) {
  require_init("check_same_on_all_ranks");
  const int n = world_size();
  int len = static_cast<int>(text.size());
  std::vector<int> lens(n);
  collective("check_same_on_all_ranks", [&](MPI_Request* request) {
    return MPI_Iallgather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, MPI_COMM_WORLD, request);
  });
  std::vector<int> offsets(n, 0);
  for (int k = 1; k < n; ++k) offsets[k] = offsets[k - 1] + lens[k - 1];
  std::string all(static_cast<size_t>(offsets[n - 1] + lens[n - 1]), '\0');
  collective("check_same_on_all_ranks", [&](MPI_Request* request) {
    return MPI_Iallgatherv(text.data(), len, MPI_CHAR, all.data(), lens.data(), offsets.data(), MPI_CHAR,
                           MPI_COMM_WORLD, request);
  });
  const std::string reference = all.substr(0, lens[0]);
  for (int k = 1; k < n; ++k) {
    const std::string other = all.substr(offsets[k], lens[k]);
    if (other == reference) continue;
    std::istringstream a(reference), b(other);
    std::string la, lb;
    int line = 0;
    while (true) {
      ++line;
      const bool ga = static_cast<bool>(std::getline(a, la));
      const bool gb = static_cast<bool>(std::getline(b, lb));
      if (!ga) la = "<end>";
      if (!gb) lb = "<end>";
      if (la != lb || (!ga && !gb)) break;
    }
    throw ValueError(detail::concat("distributed: the ", what, " differs between rank 0 and rank ", k, " (line ", line,
                                    ": rank 0 has '", la, "', rank ", k, " has '", lb, "')"));
  }
}

void all_reduce(Tensor& tensor, ReduceOp op) {
  require_init("all_reduce");
  check_contiguous(tensor, "all_reduce");
  check_same_on_all_ranks(describe(tensor), "all_reduce tensor (dtype and shape)");
  const MPI_Datatype type = mpi_type(tensor.dtype(), "all_reduce");
  const int64_t count = tensor.numel();
  if (op == ReduceOp::max) {
    collective("all_reduce", [&](MPI_Request* request) {
      return MPI_Iallreduce(MPI_IN_PLACE, tensor.raw_data(), static_cast<int>(count), type, MPI_MAX, MPI_COMM_WORLD,
                            request);
    });
    return;
  }
  const bool mean = op == ReduceOp::mean;
  switch (tensor.dtype()) {
    case DType::float32:
      return sum_in_rank_order(tensor.data<float>(), count, type, mean);
    case DType::float64:
      return sum_in_rank_order(tensor.data<double>(), count, type, mean);
    default:
      return sum_in_rank_order(tensor.data<int64_t>(), count, type, mean);
  }
}

void broadcast(Tensor& tensor, int root) {
  require_init("broadcast");
  NABLA_CHECK(root >= 0 && root < world_size(), ValueError, "distributed: broadcast from rank ", root, " of ",
              world_size());
  check_contiguous(tensor, "broadcast");
  check_same_on_all_ranks(describe(tensor), "broadcast tensor (dtype and shape)");
  const MPI_Datatype type = mpi_type(tensor.dtype(), "broadcast");
  collective("broadcast", [&](MPI_Request* request) {
    return MPI_Ibcast(tensor.raw_data(), static_cast<int>(tensor.numel()), type, root, MPI_COMM_WORLD, request);
  });
}

Tensor all_gather(const Tensor& tensor) {
  require_init("all_gather");
  NABLA_CHECK(tensor.defined(), ValueError, "distributed: all_gather on an undefined tensor");
  check_same_on_all_ranks(describe(tensor), "all_gather tensor (dtype and shape)");
  const Tensor src = tensor.contiguous();
  const MPI_Datatype type = mpi_type(src.dtype(), "all_gather");
  std::vector<int64_t> dims{world_size()};
  for (int d = 0; d < src.dim(); ++d) dims.push_back(src.size(d));
  Tensor out = Tensor::empty(Shape(dims), src.dtype());
  const int count = static_cast<int>(src.numel());
  collective("all_gather", [&](MPI_Request* request) {
    return MPI_Iallgather(src.raw_data(), count, type, out.raw_data(), count, type, MPI_COMM_WORLD, request);
  });
  return out;
}

// ---- DistributedSampler ----

DistributedSampler::DistributedSampler(int64_t dataset_size, const DistributedSamplerOptions& options)
    : size_(dataset_size), options_(options) {
  replicas_ = options.num_replicas < 0 ? world_size() : options.num_replicas;
  rank_ = options.rank < 0 ? rank() : options.rank;
  NABLA_CHECK(dataset_size >= 0, ValueError, "DistributedSampler: the data set size must be >= 0, got ", dataset_size);
  NABLA_CHECK(replicas_ >= 1, ValueError, "DistributedSampler: num_replicas must be >= 1, got ", replicas_);
  NABLA_CHECK(rank_ >= 0 && rank_ < replicas_, ValueError, "DistributedSampler: invalid rank ", rank_,
              ", rank should be in the interval [0, ", replicas_ - 1, "]");
  // torch: ceil((len - N) / N) when dropping an uneven tail, else ceil(len / N).
  if (options.drop_last && size_ % replicas_ != 0)
    num_samples_ = (size_ - replicas_ + replicas_ - 1) / replicas_;
  else
    num_samples_ = (size_ + replicas_ - 1) / replicas_;
  if (num_samples_ < 0) num_samples_ = 0;
}

std::vector<int64_t> DistributedSampler::indices() const {
  std::vector<int64_t> order;
  if (options_.shuffle) {
    Generator g(options_.seed + static_cast<uint64_t>(epoch_));
    order = randperm(size_, &g).to_vector<int64_t>();
  } else {
    order.resize(size_);
    for (int64_t i = 0; i < size_; ++i) order[i] = i;
  }
  const int64_t total = total_size();
  if (!options_.drop_last) {
    // Pad by repeating the start (the whole list as many times as needed), as torch does.
    const int64_t n = static_cast<int64_t>(order.size());
    NABLA_CHECK(n > 0 || total == 0, ValueError, "DistributedSampler: an empty data set");
    for (int64_t i = 0; static_cast<int64_t>(order.size()) < total; ++i) order.push_back(order[i % n]);
  } else {
    order.resize(total);
  }
  std::vector<int64_t> mine;
  mine.reserve(num_samples_);
  for (int64_t i = rank_; i < total; i += replicas_) mine.push_back(order[i]);
  return mine;
}

// ---- DataParallel ----

namespace {

DataParallel::Named named_members(const std::shared_ptr<nn::Module>& module, bool parameters) {
  NABLA_CHECK(module != nullptr, ValueError, "DataParallel: null module");
  return parameters ? module->named_parameters() : module->named_buffers();
}

}  // namespace

DataParallel::DataParallel(std::shared_ptr<nn::Module> module, const DataParallelOptions& options)
    : DataParallel(named_members(module, true), named_members(module, false), options) {
  module_ = std::move(module);
  buffers_.clear();  // the module's current ones from now on
}

DataParallel::DataParallel(Named parameters, Named buffers, const DataParallelOptions& options)
    : options_(options), buffers_(std::move(buffers)) {
  require_init("DataParallel");
  NABLA_CHECK(options.bucket_bytes > 0, ValueError, "DataParallel: bucket_bytes must be > 0, got ",
              options.bucket_bytes);
  NABLA_CHECK(options.first_bucket_bytes > 0, ValueError, "DataParallel: first_bucket_bytes must be > 0, got ",
              options.first_bucket_bytes);
  std::ostringstream layout;
  for (const auto& [name, p] : parameters) {
    NABLA_CHECK(p.defined(), ValueError, "DataParallel: parameter ", name, " is an undefined tensor");
    layout << "parameter " << name << " " << describe(p) << "\n";
  }
  for (const auto& [name, b] : buffers_) {
    NABLA_CHECK(b.defined(), ValueError, "DataParallel: buffer ", name, " is an undefined tensor");
    layout << "buffer " << name << " " << describe(b) << "\n";
  }
  check_same_on_all_ranks(layout.str(), "model (parameter names, dtypes and shapes)");
  for (auto& [name, p] : parameters) {
    broadcast(p, 0);
    params_.push_back(p);
    param_names_.push_back(name);
  }
  sync_buffers();
}

nn::Module& DataParallel::module() {
  NABLA_CHECK(module_ != nullptr, ValueError,
              "DataParallel::module(): this DataParallel was constructed from named parameters, not a module");
  return *module_;
}

void DataParallel::sync_buffers() {
  const auto start = std::chrono::steady_clock::now();
  for (const auto& [name, b] : module_ ? module_->named_buffers() : buffers_) {
    Tensor t = b;
    const MPI_Datatype type = mpi_type(t.dtype(), "sync_buffers");
    check_contiguous(t, "sync_buffers");
    collective("sync_buffers", [&](MPI_Request* request) {
      return MPI_Ibcast(t.raw_data(), static_cast<int>(t.numel()), type, 0, MPI_COMM_WORLD, request);
    });
  }
  comm_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void sync_gradients(const std::vector<Tensor>& parameters, int64_t local_rows, bool mean,
                    const DataParallelOptions& options) {
  require_init("sync_gradients");
  NABLA_CHECK(local_rows >= 0, ValueError, "sync_gradients: local_rows must be >= 0, got ", local_rows);
  NABLA_CHECK(options.bucket_bytes > 0, ValueError, "sync_gradients: bucket_bytes must be > 0, got ",
              options.bucket_bytes);
  internal::reduce_gradients(parameters, local_rows, mean, options);
}

}  // namespace nabla::dist
