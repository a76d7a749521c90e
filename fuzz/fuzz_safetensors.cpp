// libFuzzer target for nabla::fuzz::run_safetensors (fuzz/fuzz_targets.h); seeds in fuzz/corpus/safetensors/.
#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)nabla::fuzz::run_safetensors(data, size);
  return 0;
}
