#include "nabla/compile/tape.h"

#include <cstddef>
#include <cstring>

namespace nabla::capture {

namespace {
thread_local Tape* g_active = nullptr;
}

Tape* active() { return g_active; }
void detail::set_active(Tape* tape) { g_active = tape; }

Recording::Recording(Tape& tape) {
  NABLA_CHECK(g_active == nullptr, CaptureError,
              "compile: a step is already being captured on this thread "
              "(a compiled function called inside another one's capture)");
  g_active = &tape;
}

Recording::~Recording() { g_active = nullptr; }

void refuse(const char* what) {
  NABLA_CHECK(g_active == nullptr, CaptureError, "compile: '", what,
              "' cannot be captured (it reads tensor values back into C++ or draws random numbers outside a "
              "kernel); run this step eagerly, without nabla::compile");
}

void restore_on_replay(const Tensor& fresh) {
  Tape* tape = active();
  if (!tape || fresh.numel() == 0) return;
  const size_t nbytes = size_t(fresh.numel()) * element_size(fresh.dtype());
  const auto* first = static_cast<const std::byte*>(fresh.raw_data());
  tape->keep(fresh.impl()->storage);
  tape->add("restore", [dst = fresh.raw_data(), bytes = std::vector<std::byte>(first, first + nbytes)] {
    std::memcpy(dst, bytes.data(), bytes.size());
  });
}

}  // namespace nabla::capture
