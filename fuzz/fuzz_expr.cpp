// libFuzzer target for nabla::fuzz::run_expr (fuzz/fuzz_targets.h); seeds in fuzz/corpus/expr/.
#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)nabla::fuzz::run_expr(data, size);
  return 0;
}
