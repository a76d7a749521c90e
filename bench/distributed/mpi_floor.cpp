// nabla_mpi_floor: what MPI alone takes to combine a step's gradients (W5: 21 M float32 values,
// 84 MB, the default; W4: TOTAL_MB=2.1) over the ranks, without nabla: MPI_Allgather of
// everything, MPI_Allreduce (blocking, out of place and in place), the rank-order pattern
// DataParallel uses from 3 ranks (MPI_Alltoallv of chunks, MPI_Allgatherv in place of the combined
// chunks), and MPI_Iallreduce in place completed by an MPI_Test loop, spinning or yielding the CPU
// between tests (DataParallel's wait). In buckets. Prints rank 0's best of the repeats, wall and
// CPU (user, sys) seconds per TOTAL_MB.
//   mpirun -np 2 ./build/nabla_mpi_floor [BUCKET_MB=4] [REPEATS=5] [TOTAL_MB=84]
#include <mpi.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

double cpu_seconds(bool system) {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const timeval t = system ? u.ru_stime : u.ru_utime;
  return t.tv_sec + 1e-6 * t.tv_usec;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int me = 0, n = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &me);
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  const long total = static_cast<long>((argc > 3 ? std::atof(argv[3]) : 84.0) * 1e6 / 4);
  const long bucket = std::min(total, static_cast<long>((argc > 1 ? std::atof(argv[1]) : 4.0) * 1e6 / 4));
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  std::vector<float> data(total, 1.0f), all(static_cast<size_t>(total) * n), out(total), chunks(bucket);
  const char* names[] = {"MPI_Allgather",
                         "MPI_Allreduce",
                         "MPI_Allreduce in place",
                         "Alltoallv + Allgatherv (nabla)",
                         "MPI_Iallreduce in place + spin",
                         "MPI_Iallreduce in place + yield"};
  for (int method = 0; method < 6; ++method) {
    double best = 1e30, user = 0, sys = 0;
    for (int r = 0; r < repeats; ++r) {
      MPI_Barrier(MPI_COMM_WORLD);
      const double u0 = cpu_seconds(false), s0 = cpu_seconds(true), t0 = MPI_Wtime();
      for (long at = 0; at < total; at += bucket) {
        const int count = static_cast<int>(std::min(bucket, total - at));
        if (method == 0) {
          MPI_Allgather(data.data() + at, count, MPI_FLOAT, all.data(), count, MPI_FLOAT, MPI_COMM_WORLD);
        } else if (method == 1) {
          MPI_Allreduce(data.data() + at, out.data() + at, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        } else if (method == 2) {
          MPI_Allreduce(MPI_IN_PLACE, data.data() + at, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        } else if (method >= 4) {
          MPI_Request request;
          MPI_Iallreduce(MPI_IN_PLACE, data.data() + at, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &request);
          for (int flag = 0; MPI_Test(&request, &flag, MPI_STATUS_IGNORE), !flag;)
            if (method == 5) std::this_thread::yield();
        } else {
          std::vector<int> counts(n), displs(n), send(n), recv(n), rdispls(n);
          for (int k = 0; k < n; ++k) {
            displs[k] = static_cast<int>(static_cast<long>(count) * k / n);
            counts[k] = static_cast<int>(static_cast<long>(count) * (k + 1) / n) - displs[k];
          }
          for (int k = 0; k < n; ++k) {
            send[k] = k == me ? 0 : counts[k];
            recv[k] = k == me ? 0 : counts[me];
            rdispls[k] = k * counts[me];
          }
          float* buf = data.data() + at;
          MPI_Alltoallv(buf, send.data(), displs.data(), MPI_FLOAT, chunks.data(), recv.data(), rdispls.data(),
                        MPI_FLOAT, MPI_COMM_WORLD);
          MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_FLOAT, buf, counts.data(), displs.data(), MPI_FLOAT, MPI_COMM_WORLD);
        }
      }
      const double t = MPI_Wtime() - t0;
      best = std::min(best, t);
      user += cpu_seconds(false) - u0;
      sys += cpu_seconds(true) - s0;
    }
    if (me == 0)
      std::printf("%-32s %d ranks, buckets of %.1f MB: %.5f s per %.1f MB (%.0f MB/s), cpu user %.4f s sys %.4f s\n",
                  names[method], n, bucket * 4e-6, best, total * 4e-6, total * 4e-6 / best, user / repeats,
                  sys / repeats);
  }
  MPI_Finalize();
  return 0;
}
