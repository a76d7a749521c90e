// The data-parallel tests' program: started by mpirun (ctest label mpi: -np 1, 2 and 3). Every
// rank runs every test; a failure on any rank fails mpirun. Only rank 0 prints GoogleTest's
// progress, and a rank that fails says which it is.
#include <gtest/gtest.h>

#include <cstdio>

#include "nabla/distributed.h"

namespace {
class RankFailures : public testing::EmptyTestEventListener {
  void OnTestPartResult(const testing::TestPartResult& result) override {
    if (result.failed() && nabla::dist::rank() != 0)
      std::fprintf(stderr, "rank %d: %s:%d: %s\n", nabla::dist::rank(), result.file_name() ? result.file_name() : "?",
                   result.line_number(), result.summary());
  }
};
}  // namespace

int main(int argc, char** argv) {
  nabla::dist::Context mpi(&argc, &argv);
  testing::InitGoogleTest(&argc, argv);
  testing::TestEventListeners& listeners = testing::UnitTest::GetInstance()->listeners();
  if (nabla::dist::rank() != 0) {
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new RankFailures);
  }
  const int code = RUN_ALL_TESTS();
  return code;
}
