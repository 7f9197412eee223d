// One training step of typegrad's peer, compiled into a shared library
// twice: once for the baseline x86-64 (SSE2) and once with -march=native.
// Everything but the three entry points is hidden, so each library keeps its
// own copies of typegrad's inline code (statically linked, the linker would
// keep one copy of each and time the same code twice). MARCH_VARIANT names
// the entry points: march_make_<variant>, march_step_<variant>,
// march_loss_<variant>.
#include <memory>

#include "peers/model.hpp"
#include "peers/typegrad_peer.hpp"

#define MARCH_GLUE2(a, b) a##b
#define MARCH_GLUE(a, b) MARCH_GLUE2(a, b)
#define MARCH_EXPORT extern "C" __attribute__((visibility("default")))

namespace {
// The Fashion-MNIST MLP of the papercuts issue: 784-256-128-10 at batch 64.
using model = bench::model<float, 64, 784, 256, 128, 10>;
using network = bench::tgpeer::network<model>;
}  // namespace

MARCH_EXPORT void* MARCH_GLUE(march_make_, MARCH_VARIANT)() {
  return new network(bench::make_start<model>(42));
}
MARCH_EXPORT void MARCH_GLUE(march_step_, MARCH_VARIANT)(void* net) { static_cast<network*>(net)->step(); }
MARCH_EXPORT double MARCH_GLUE(march_loss_, MARCH_VARIANT)(void* net) {
  static_cast<network*>(net)->checked_step();
  return static_cast<network*>(net)->result().loss;
}
MARCH_EXPORT void MARCH_GLUE(march_free_, MARCH_VARIANT)(void* net) { delete static_cast<network*>(net); }
