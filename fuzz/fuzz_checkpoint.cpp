// libFuzzer target for nabla::fuzz::run_checkpoint (fuzz/fuzz_targets.h); seeds in fuzz/corpus/checkpoint/.
#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)nabla::fuzz::run_checkpoint(data, size);
  return 0;
}
