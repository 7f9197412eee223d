#pragma once
// The seed's XOR network, shared by the inspect tests.
#include <typegrad/typegrad.hpp>

namespace xor_model {
namespace tg = typegrad;
inline constexpr tg::param<"W", 2, 2> W;
inline constexpr tg::param<"b1", 2> b1;
inline constexpr tg::param<"V", 2, 2> V;
inline constexpr tg::param<"b2", 2> b2;
inline constexpr tg::input<"X", 4, 2> X;
inline constexpr tg::input<"Y", 4, 2> Y;
inline constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax(tg::relu(X * W + b1) * V + b2), Y));
inline constexpr auto program = tg::grad(loss, W, b1, V, b2);
inline constexpr auto env = tg::bind(W = tg::tensor<double, 2, 2>{{1, 1}, {1, 1}}, b1 = tg::tensor<double, 2>{-1, 0.5},
                                     V = tg::tensor<double, 2, 2>{{1, -1}, {-1, 1}}, b2 = tg::tensor<double, 2>{1, -1},
                                     X = tg::tensor<double, 4, 2>{{0, 0}, {0, 1}, {1, 0}, {1, 1}},
                                     Y = tg::tensor<double, 4, 2>{{1, 0}, {0, 1}, {0, 1}, {1, 0}});
}  // namespace xor_model
