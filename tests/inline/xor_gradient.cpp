// The XOR gradient program at -O2. The CTest test inline.xor_gradient_calls
// reads the disassembly of the program's call operator (one function, by
// [[gnu::flatten]]): it must call nothing but exp and log.
#include <cstdio>

#include "../support/xor_model.hpp"

using namespace xor_model;

using environment = std::remove_cvref_t<decltype(env)>;
using gradients = decltype(program(std::declval<const environment&>()));

extern "C" [[gnu::noinline]] void xor_gradient(const environment& env, gradients& out) { out = program(env); }

int main() {
  gradients g{};
  xor_gradient(env, g);
  std::printf("loss %.16g dW(0,0) %.16g\n", g.value, g[W](0, 0));
  return g.value > 0.56 && g.value < 0.57 ? 0 : 1;
}
