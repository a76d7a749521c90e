// libFuzzer target for nabla::fuzz::run_train_config (fuzz/fuzz_targets.h); seeds in fuzz/corpus/train_config/.
#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)nabla::fuzz::run_train_config(data, size);
  return 0;
}
