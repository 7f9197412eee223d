#pragma once
// Declarations of every op's builder, so that each op header can state its VJP
// rule in terms of the others without an include cycle.
#include <cstddef>

#include <typegrad/core/expr.hpp>

namespace typegrad {

// arithmetic.hpp
template <operand A, operand B>
  requires(expression<A> || expression<B>)
constexpr auto add(const A& a, const B& b);
template <operand A, operand B>
  requires(expression<A> || expression<B>)
constexpr auto subtract(const A& a, const B& b);
template <operand A, operand B>
  requires(expression<A> || expression<B>)
constexpr auto hadamard(const A& a, const B& b);
template <operand A, operand B>
  requires(expression<A> || expression<B>)
constexpr auto divide(const A& a, const B& b);
template <expression X>
constexpr auto negate(const X& x);

// linear.hpp
template <expression A, expression B>
constexpr auto matmul(const A& a, const B& b);
template <expression A, expression B>
constexpr auto outer(const A& a, const B& b);
template <expression X>
constexpr auto transpose(const X& x);

// elementwise.hpp
template <expression X>
constexpr auto relu(const X& x);
template <expression X>
constexpr auto relu6(const X& x);
template <expression X>
constexpr auto step(const X& x);
template <expression X>
constexpr auto sigmoid(const X& x);
template <expression X>
constexpr auto tanh(const X& x);
template <expression X>
constexpr auto exp(const X& x);
template <expression X>
constexpr auto log(const X& x);
template <expression X>
constexpr auto square(const X& x);
template <expression X>
constexpr auto sqrt(const X& x);
template <expression X>
constexpr auto softplus(const X& x);
template <expression X>
constexpr auto log_sigmoid(const X& x);

// softmax.hpp
template <expression X>
constexpr auto softmax(const X& x);
template <expression X>
constexpr auto log_softmax(const X& x);

// cross_entropy.hpp
template <expression P, expression Y>
constexpr auto cross_entropy(const P& p, const Y& y);

// losses.hpp
template <expression P, expression Y>
constexpr auto mse(const P& p, const Y& y);
template <expression Z, expression Y>
constexpr auto bce_with_logits(const Z& z, const Y& y);

// reduce.hpp
template <expression X>
constexpr auto sum(const X& x);
template <expression X>
constexpr auto mean(const X& x);
template <expression X>
constexpr auto row_sums(const X& x);
template <std::size_t Cols, expression X>
constexpr auto repeat_cols(const X& x);
template <class To>
struct broadcast_op;  // its product with an operand is simplified in arithmetic.hpp
template <class To, expression X>
constexpr auto broadcast(const X& x);
template <class To, expression X>
constexpr auto unbroadcast(const X& x);

}  // namespace typegrad
