// A gradient call touches no heap: every call to the global operator new and
// to malloc, calloc and realloc is counted around it. A control allocation
// first shows that the counter sees allocations at all.
#include <typegrad/typegrad.hpp>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <vector>

namespace {
std::size_t allocations = 0;
}

// glibc's own allocator, under the names it exports for wrappers like these.
extern "C" void* __libc_malloc(std::size_t);
extern "C" void* __libc_calloc(std::size_t, std::size_t);
extern "C" void* __libc_realloc(void*, std::size_t);
extern "C" void* malloc(std::size_t n) {
  ++allocations;
  return __libc_malloc(n);
}
extern "C" void* calloc(std::size_t n, std::size_t size) {
  ++allocations;
  return __libc_calloc(n, size);
}
extern "C" void* realloc(void* p, std::size_t n) {
  ++allocations;
  return __libc_realloc(p, n);
}
void* operator new(std::size_t n) {
  ++allocations;
  if (void* p = __libc_malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace tg = typegrad;
constexpr tg::param<"W", 2, 2> W;
constexpr tg::param<"b1", 2> b1;
constexpr tg::param<"V", 2, 2> V;
constexpr tg::param<"b2", 2> b2;
constexpr tg::input<"X", 4, 2> X;
constexpr tg::input<"Y", 4, 2> Y;
constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax(tg::relu(X * W + b1) * V + b2), Y)) +
                      0.01 * tg::sum(tg::square(W));
constexpr auto program = tg::grad(loss, W, b1, V, b2);

int main() {
  const std::size_t before_control = allocations;
  {
    std::vector<double> control(64);
    control[3] = 1;
    std::printf("control: %g\n", control[3]);
  }
  if (allocations == before_control) {
    std::printf("FAILED: the counter did not see the control allocation\n");
    return 1;
  }

  const auto env = tg::bind(W = tg::tensor<double, 2, 2>{{1, 1}, {1, 1}}, b1 = tg::tensor<double, 2>{-1, 0.5},
                            V = tg::tensor<double, 2, 2>{{1, -1}, {-1, 1}}, b2 = tg::tensor<double, 2>{1, -1},
                            X = tg::tensor<double, 4, 2>{{0, 0}, {0, 1}, {1, 0}, {1, 1}},
                            Y = tg::tensor<double, 4, 2>{{1, 0}, {0, 1}, {0, 1}, {1, 0}});
  const std::size_t before = allocations;
  const auto g = program(env);
  const double value = tg::eval(loss, env);
  const std::size_t used = allocations - before;
  std::printf("loss %.16g (eval %.16g), dW(0,0) %.16g\n", g.value, value, g[W](0, 0));
  std::printf("heap allocations in one gradient call and one evaluation: %zu\n", used);
  return used == 0 ? 0 : 1;
}
