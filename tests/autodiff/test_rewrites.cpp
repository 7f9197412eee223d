// A value law per rewrite rule: an expression that matches the rule, as
// eval computes it (rewritten), equals the same op computed over its
// operands' values (not rewritten: each operand is evaluated alone and bound
// to a fresh input, so the pattern around the op is gone). gradcheck cannot
// catch a wrong rule that keeps the shape, as it differentiates the rewritten
// forward; this does.
#include "../support/testing.hpp"

#include <cmath>
#include <utility>

namespace tg = typegrad;

namespace {

template <tg::fixed_string Name, std::size_t... D>
constexpr auto input_of(tg::shape<D...>) {
  return tg::input<Name, D...>{};
}
constexpr tg::fixed_string<3> operand_names[] = {"c0", "c1", "c2"};

// The top op of e over its operands' values, bound to inputs c0, c1, ...
template <class E, class Env>
auto unrewritten(const E& e, const Env& env) {
  using op = tg::op_of_t<E>;
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    const auto operands = std::make_tuple(input_of<operand_names[I]>(tg::shape_of_t<tg::child_t<I, E>>{})...);
    const auto values = tg::bind((std::get<I>(operands) = tg::eval(tg::child<I>(e), env))...);
    return tg::eval(tg::make_node<op>(std::get<I>(operands)...), values);
  }(std::make_index_sequence<tg::children_t<E>::size>{});
}

template <class E, class Env>
void require_law(const char* rule, const E& e, const Env& env) {
  const auto rewritten = tg::eval(e, env);
  const auto plain = unrewritten(e, env);
  using shape = tg::shape_of_t<decltype(tg::canonical_t<E>{})>;
  static_assert(std::is_same_v<shape, tg::shape_of_t<E>>, "a rule keeps the shape");
  for (std::size_t i = 0; i < plain.size; ++i) {
    INFO(rule << " [" << i << "]: rewritten " << rewritten[i] << ", not rewritten " << plain[i]);
    REQUIRE(std::abs(rewritten[i] - plain[i]) <= 1e-12 * (1 + std::abs(plain[i])));
  }
}

template <class Tensor>
Tensor filled(double scale, double shift) {
  Tensor t{};
  for (std::size_t i = 0; i < Tensor::size; ++i) t[i] = std::sin(scale * double(i + 1) + shift) + 0.1 * double(i % 3);
  return t;
}

constexpr tg::input<"A", 3, 2> A;
constexpr tg::input<"B", 2, 4> B;
constexpr tg::input<"C", 3, 2> C;
constexpr tg::input<"a", 3> a;
constexpr tg::input<"b", 4> b;
constexpr tg::input<"Y", 3, 2> Y;

}  // namespace

TEST_CASE("each rewrite rule keeps the value it rewrites", "[grad][simplify][laws]") {
  const auto env = tg::bind(A = filled<tg::tensor<double, 3, 2>>(0.9, 0.1), B = filled<tg::tensor<double, 2, 4>>(1.3, 0.4),
                            C = filled<tg::tensor<double, 3, 2>>(0.7, 0.2), a = filled<tg::tensor<double, 3>>(1.1, 0.5),
                            b = filled<tg::tensor<double, 4>>(0.6, 0.9),
                            Y = tg::tensor<double, 3, 2>{{0.25, 0.75}, {1, 0}, {0.5, 0.5}});
  const auto X = tg::tanh(A);
  using AB = tg::shape<3, 2>;
  // arithmetic.hpp
  require_law("literal times literal", tg::hadamard(tg::literal<2>, tg::literal<3, 4>), env);
  require_law("one times x", tg::hadamard(tg::literal<1>, X), env);
  require_law("x times one", tg::hadamard(X, tg::literal<1>), env);
  require_law("x plus zero", tg::add(X, tg::literal<0>), env);
  require_law("zero plus x", tg::add(tg::literal<0>, X), env);
  require_law("x minus zero", tg::subtract(X, tg::literal<0>), env);
  require_law("a plus minus b", tg::add(X, tg::negate(C)), env);
  require_law("ones times x", tg::hadamard(tg::broadcast<AB>(tg::literal<1>), X), env);
  require_law("x times ones", tg::hadamard(X, tg::broadcast<AB>(tg::literal<1>)), env);
  require_law("minus a literal", tg::negate(tg::literal<3, 4>), env);
  require_law("minus minus x", tg::negate(tg::negate(X)), env);
  // linear.hpp
  require_law("transpose of transpose", tg::transpose(tg::transpose(X)), env);
  require_law("transpose(A) times B", tg::make_node<tg::matmul_op<false, false>>(tg::transpose(C), X * B), env);
  require_law("A times transpose(B)", tg::make_node<tg::matmul_op<false, false>>(X, tg::transpose(C)), env);
  require_law("transpose of a product", tg::transpose(X * B), env);
  require_law("transpose of transposed products", tg::transpose(tg::make_node<tg::matmul_op<true, false>>(C, X)), env);
  require_law("transpose of an outer product", tg::transpose(tg::outer(a, b)), env);
  // reduce.hpp
  require_law("broadcast to its own shape", tg::broadcast<AB>(X), env);
  require_law("unbroadcast to its own shape", tg::unbroadcast<AB>(X), env);
  // softmax.hpp and cross_entropy.hpp
  require_law("log of softmax", tg::log(tg::softmax(X)), env);
  require_law("cross-entropy of softmax", tg::cross_entropy(tg::softmax(X), Y), env);
}
