// Default sanitizer options built into every fuzz target, so that a plain
// `build-fuzz/fuzz_csv corpus/` behaves as tools/fuzz.sh does. float-cast-overflow is
// recoverable in this build (fuzz/CMakeLists.txt) only so that fuzz/ubsan.supp can silence the
// one known report in toml++; halt_on_error keeps every other report fatal.
extern "C" const char* __ubsan_default_options() {
  return "halt_on_error=1:print_stacktrace=1:suppressions=" NABLA_FUZZ_DIR "/ubsan.supp";
}
