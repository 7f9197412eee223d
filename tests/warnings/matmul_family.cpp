// Valid code compiles without warnings: matrix products of every row count
// from 1 to 64, plain and with either or both operands transposed, in float
// and double. check_warnings.cmake compiles
// this with -Wall -Wextra -Wpedantic -Werror at -O2 and -O3, with and
// without -march=native.
#include <typegrad/typegrad.hpp>

#include <cstddef>
#include <utility>

namespace tg = typegrad;

namespace {

volatile double sink = 0;

template <class Tensor>
void consume(const Tensor& t) {
  for (std::size_t i = 0; i < Tensor::size; ++i) sink = sink + static_cast<double>(t[i]);
}

// Each shape is its own function, not inlined into main, so that it is
// optimised as a user's small program would be (in one huge main the
// inliner gives up early and the warning paths are never looked at).
template <class T, std::size_t Rows>
[[gnu::noinline]] void products() {
  constexpr tg::input<"X", Rows, 4> X;    // rows of examples
  constexpr tg::input<"Xt", 4, Rows> Xt;  // the same, stored transposed
  constexpr tg::param<"W", 8, 4> W;       // used transposed
  constexpr tg::param<"V", 4, 8> V;
  tg::tensor<T, Rows, 4> x{};
  tg::tensor<T, 4, Rows> xt{};
  for (std::size_t i = 0; i < x.size; ++i) x[i] = xt[i] = static_cast<T>(sink + double(i));
  const auto env = tg::bind(X = x, Xt = xt, W = tg::tensor<T, 8, 4>{}, V = tg::tensor<T, 4, 8>{});
  consume(tg::eval(X * V, env));
  consume(tg::eval(X * tg::transpose(W), env));
  consume(tg::eval(tg::transpose(Xt) * V, env));
  consume(tg::eval(tg::transpose(Xt) * tg::transpose(W), env));
}

template <class T, std::size_t... R>
void all_rows(std::index_sequence<R...>) {
  (products<T, R + 1>(), ...);
}

}  // namespace

int main() {
  all_rows<float>(std::make_index_sequence<64>{});
  all_rows<double>(std::make_index_sequence<64>{});
  return sink == 12345.0 ? 1 : 0;
}
