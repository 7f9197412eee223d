// A gradient call touches no heap: every call to the global operator new and
// to malloc, calloc and realloc is counted around it. A control allocation
// first shows that the counter sees allocations at all.
#include <cstdio>
#include <vector>

#include "../support/allocation_counter.hpp"
#include "../support/xor_model.hpp"

using allocation_counter::count;
using namespace xor_model;
constexpr auto penalised = loss + 0.01 * tg::sum(tg::square(W));
constexpr auto penalised_program = tg::grad(penalised, W, b1, V, b2);

int main() {
  const std::size_t before_control = count;
  {
    std::vector<double> control(64);
    control[3] = 1;
    std::printf("control: %g\n", control[3]);
  }
  if (count == before_control) {
    std::printf("FAILED: the counter did not see the control allocation\n");
    return 1;
  }
  const std::size_t before = count;
  const auto g = penalised_program(env);
  const double value = tg::eval(penalised, env);
  const std::size_t used = count - before;
  std::printf("loss %.16g (eval %.16g), dW(0,0) %.16g\n", g.value, value, g[W](0, 0));
  std::printf("heap allocations in one gradient call and one evaluation: %zu\n", used);
  return used == 0 ? 0 : 1;
}
