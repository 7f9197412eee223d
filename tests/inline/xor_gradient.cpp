// The XOR gradient program at -O2. The CTest test inline.xor_gradient_calls
// reads the disassembly of the program's call operator (one function, by
// [[gnu::flatten]]): it must call nothing but exp and log.
#include <typegrad/typegrad.hpp>

#include <cstdio>

namespace tg = typegrad;
constexpr tg::param<"W", 2, 2> W;
constexpr tg::param<"b1", 2> b1;
constexpr tg::param<"V", 2, 2> V;
constexpr tg::param<"b2", 2> b2;
constexpr tg::input<"X", 4, 2> X;
constexpr tg::input<"Y", 4, 2> Y;
constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax(tg::relu(X * W + b1) * V + b2), Y));
constexpr auto program = tg::grad(loss, W, b1, V, b2);

using environment = decltype(tg::bind(W = tg::tensor<double, 2, 2>{}, b1 = tg::tensor<double, 2>{},
                                      V = tg::tensor<double, 2, 2>{}, b2 = tg::tensor<double, 2>{},
                                      X = tg::tensor<double, 4, 2>{}, Y = tg::tensor<double, 4, 2>{}));
using gradients = decltype(program(std::declval<const environment&>()));

extern "C" [[gnu::noinline]] void xor_gradient(const environment& env, gradients& out) { out = program(env); }

int main() {
  const auto env = tg::bind(W = tg::tensor<double, 2, 2>{{1, 1}, {1, 1}}, b1 = tg::tensor<double, 2>{-1, 0.5},
                            V = tg::tensor<double, 2, 2>{{1, -1}, {-1, 1}}, b2 = tg::tensor<double, 2>{1, -1},
                            X = tg::tensor<double, 4, 2>{{0, 0}, {0, 1}, {1, 0}, {1, 1}},
                            Y = tg::tensor<double, 4, 2>{{1, 0}, {0, 1}, {0, 1}, {1, 0}});
  gradients g{};
  xor_gradient(env, g);
  std::printf("loss %.16g dW(0,0) %.16g\n", g.value, g[W](0, 0));
  return g.value > 0.56 && g.value < 0.57 ? 0 : 1;
}
