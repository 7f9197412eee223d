// The memory plan of the benchmark models: the arena a gradient program
// needs (planned by liveness), the sum of every computed node's elements (one
// slot per node), and workspace_bytes. docs/performance.md quotes its output.
//   ./build/bench/bench/workspace_sizes
#include <typegrad/typegrad.hpp>
#include <cstdio>
namespace tg = typegrad;
namespace {

template <std::size_t B, std::size_t I, std::size_t H1, std::size_t H2, std::size_t O>
void report(const char* name) {
  constexpr tg::param<"W1", I, H1> W1; constexpr tg::param<"b1", H1> b1;
  constexpr tg::param<"W2", H1, H2> W2; constexpr tg::param<"b2", H2> b2;
  constexpr tg::param<"W3", H2, O> W3; constexpr tg::param<"b3", O> b3;
  constexpr tg::input<"X", B, I> X; constexpr tg::input<"Y", B, O> Y;
  using P = decltype(tg::grad(tg::mean(tg::cross_entropy(tg::softmax(tg::relu(tg::relu(X * W1 + b1) * W2 + b2) * W3 + b3), Y))));
  std::printf("%-28s planned %9zu  one slot per node %9zu  ratio %.2f  workspace_bytes %zu\n", name, P::planned_elements, P::unplanned_elements,
              double(P::planned_elements) / double(P::unplanned_elements), P::workspace_bytes);
}
template <std::size_t B, std::size_t I, std::size_t H, std::size_t O>
void report2(const char* name) {
  constexpr tg::param<"W1", I, H> W1; constexpr tg::param<"b1", H> b1;
  constexpr tg::param<"W2", H, O> W2; constexpr tg::param<"b2", O> b2;
  constexpr tg::input<"X", B, I> X; constexpr tg::input<"Y", B, O> Y;
  using P = decltype(tg::grad(tg::mean(tg::cross_entropy(tg::softmax(tg::relu(X * W1 + b1) * W2 + b2), Y))));
  std::printf("%-28s planned %9zu  one slot per node %9zu  ratio %.2f  workspace_bytes %zu\n", name, P::planned_elements, P::unplanned_elements,
              double(P::planned_elements) / double(P::unplanned_elements), P::workspace_bytes);
}
}  // namespace

int main() {
  report2<4, 2, 2, 2>("XOR 2-2-2, batch 4");
  report2<32, 64, 32, 10>("64-32-10, batch 32");
  report2<64, 256, 128, 10>("256-128-10, batch 64");
  report<64, 784, 256, 256, 10>("784-256-256-10, batch 64");
  report<128, 784, 512, 512, 10>("784-512-512-10, batch 128");
  report<256, 784, 512, 512, 10>("784-512-512-10, batch 256");
}
