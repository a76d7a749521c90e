// libFuzzer target for nabla::fuzz::run_train_set (fuzz/fuzz_targets.h); seeds in fuzz/corpus/train_set/.
#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)nabla::fuzz::run_train_set(data, size);
  return 0;
}
