// libFuzzer target for nabla::fuzz::run_serve (fuzz/serve_target.h); seeds in fuzz/corpus/serve/.
#include "serve_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)nabla::fuzz::run_serve(data, size);
  return 0;
}
