// What grad derives: one slot per distinct node, forward values reused,
// cotangents summed over consumers, and the simplifications it promises.
#include "../support/testing.hpp"
#include "../support/xor_model.hpp"

#include <type_traits>

namespace tg = typegrad;

namespace {

using namespace xor_model;
constexpr auto xor_loss = loss;
constexpr auto xor_program = program;
using xor_nodes = decltype(xor_program)::nodes;
const auto& xor_env = env;

// How many nodes of a list satisfy a predicate.
template <template <class> class Pred, class... N>
constexpr std::size_t count_nodes(tg::type_list<N...>) {
  return (std::size_t{0} + ... + (Pred<N>::value ? 1 : 0));
}
template <class N>
struct is_transpose : tg::is_node_of<tg::transpose_op, N> {};
template <class N>
struct is_relu : tg::is_node_of<tg::map_op<tg::relu_fn>, N> {};
template <class N>
struct is_plain_cross_entropy : tg::is_node_of<tg::cross_entropy_op, N> {};
template <class N>
struct is_fused_cross_entropy : tg::is_node_of<tg::softmax_cross_entropy_op, N> {};
template <class N>
struct is_fused_gradient : tg::is_node_of<tg::softmax_cross_entropy_grad_op, N> {};
template <class N>
struct is_log : tg::is_node_of<tg::map_op<tg::log_fn>, N> {};
template <class N>
struct is_matmul : std::false_type {};
template <bool A, bool B, class... C>
struct is_matmul<tg::node<tg::matmul_op<A, B>, C...>> : std::true_type {};
template <class N>
struct is_literal_one : std::is_same<N, tg::leaf_expr<tg::literal_leaf<1, 1>>> {};
// A product or sum whose operand is the literal one or zero.
template <class N>
struct is_trivial_arithmetic : std::false_type {};
template <class A, class B>
struct is_trivial_arithmetic<tg::node<tg::multiply_op, A, B>>
    : std::bool_constant<std::is_same_v<A, tg::leaf_expr<tg::literal_leaf<1, 1>>> ||
                         std::is_same_v<B, tg::leaf_expr<tg::literal_leaf<1, 1>>>> {};
template <class A, class B>
struct is_trivial_arithmetic<tg::node<tg::add_op, A, B>>
    : std::bool_constant<std::is_same_v<A, tg::leaf_expr<tg::literal_leaf<0, 1>>> ||
                         std::is_same_v<B, tg::leaf_expr<tg::literal_leaf<0, 1>>>> {};
template <class N>
struct is_multiply : tg::is_node_of<tg::multiply_op, N> {};
template <class N>
struct is_any : std::true_type {};

}  // namespace

TEST_CASE("the XOR gradient program reuses the forward nodes", "[grad][xor]") {
  using forward = tg::node_list_t<decltype(xor_program)::loss_type>;
  // Every forward node is in the program once, and the backward part adds
  // only what the VJP rules need: no forward subtree is copied.
  STATIC_REQUIRE(count_nodes<is_relu>(xor_nodes{}) == 1);
  STATIC_REQUIRE(count_nodes<is_any>(forward{}) == 14);  // the softmax is forward: the fused loss reads it
  STATIC_REQUIRE(count_nodes<is_any>(xor_nodes{}) == 24);
  STATIC_REQUIRE(count_nodes<is_matmul>(xor_nodes{}) == 5);  // 2 forward, dW, dV, dh
}

TEST_CASE("the XOR gradient program is simplified", "[grad][simplify]") {
  STATIC_REQUIRE(count_nodes<is_transpose>(xor_nodes{}) == 0);          // folded into the products
  STATIC_REQUIRE(count_nodes<is_trivial_arithmetic>(xor_nodes{}) == 0);  // no product with one, no sum with zero
  STATIC_REQUIRE(count_nodes<is_literal_one>(xor_nodes{}) == 0);        // the seed 1 folded away
  STATIC_REQUIRE(count_nodes<is_plain_cross_entropy>(xor_nodes{}) == 0);
  STATIC_REQUIRE(count_nodes<is_fused_cross_entropy>(xor_nodes{}) == 1);
  STATIC_REQUIRE(count_nodes<is_fused_gradient>(xor_nodes{}) == 1);
  STATIC_REQUIRE(count_nodes<is_log>(xor_nodes{}) == 0);
}

TEST_CASE("simplification rules", "[grad][simplify]") {
  constexpr tg::param<"A", 3, 2> A;
  constexpr tg::param<"B", 2, 3> B;
  STATIC_REQUIRE(std::is_same_v<tg::canonical_t<decltype(tg::transpose(tg::transpose(A)))>, std::remove_cvref_t<decltype(A)>>);
  STATIC_REQUIRE(std::is_same_v<tg::canonical_t<decltype(1.0 * A)>,
                                tg::node<tg::multiply_op, tg::leaf_expr<tg::constant_leaf<0>>, std::remove_cvref_t<decltype(A)>>>);
  STATIC_REQUIRE(std::is_same_v<tg::canonical_t<decltype(tg::hadamard(tg::literal<1>, A))>, std::remove_cvref_t<decltype(A)>>);
  STATIC_REQUIRE(std::is_same_v<tg::canonical_t<decltype(tg::hadamard(tg::literal<2>, tg::literal<3, 4>))>,
                                std::remove_cvref_t<decltype(tg::literal<3, 2>)>>);
  STATIC_REQUIRE(std::is_same_v<tg::canonical_t<decltype(-(-A))>, std::remove_cvref_t<decltype(A)>>);
  STATIC_REQUIRE(std::is_same_v<tg::canonical_t<decltype(tg::transpose(A) * tg::transpose(B))>,
                                tg::node<tg::matmul_op<true, true>, std::remove_cvref_t<decltype(A)>, std::remove_cvref_t<decltype(B)>>>);
  STATIC_REQUIRE(std::is_same_v<tg::canonical_t<decltype(tg::transpose(A * B))>,
                                tg::node<tg::matmul_op<true, true>, std::remove_cvref_t<decltype(B)>, std::remove_cvref_t<decltype(A)>>>);
  STATIC_REQUIRE(tg::node_of<tg::log_softmax_op, tg::canonical_t<decltype(tg::log(tg::softmax(A)))>>);
}

TEST_CASE("a product with broadcast ones is simplified away", "[grad][simplify]") {
  constexpr tg::param<"A", 3, 2> A;
  constexpr tg::input<"X", 3, 2> X;
  using A_type = std::remove_cvref_t<decltype(A)>;
  using ones = decltype(tg::broadcast<tg::shape<3, 2>>(tg::literal<1>));
  STATIC_REQUIRE(std::is_same_v<tg::canonical_t<decltype(tg::hadamard(ones{}, A))>, A_type>);
  STATIC_REQUIRE(std::is_same_v<tg::canonical_t<decltype(tg::hadamard(A, ones{}))>, A_type>);
  STATIC_REQUIRE(std::is_same_v<tg::canonical_t<decltype(tg::hadamard(ones{}, ones{}))>, ones>);
  // Ones of another shape broadcast the operand: the product stays.
  using row_ones = decltype(tg::broadcast<tg::shape<2>>(tg::literal<1>));
  STATIC_REQUIRE(tg::node_of<tg::multiply_op, tg::canonical_t<decltype(tg::hadamard(row_ones{}, A))>>);
  // The seed of sum(.) reaches the VJP of the product as ones.
  using nodes = decltype(tg::grad(tg::sum(tg::hadamard(A, X)), A))::nodes;
  STATIC_REQUIRE(count_nodes<is_multiply>(nodes{}) == 1);  // the forward product only
}

TEST_CASE("the XOR gradient has the seed's values", "[grad][xor]") {
  const auto g = xor_program(xor_env);
  CHECK(g.value == Approx(0.5632616875182226).epsilon(1e-14));
  CHECK(g[W](0, 0) == Approx(-0.36552928931500245).epsilon(1e-14));
  CHECK(g[V](1, 0) == Approx(-0.288823223287506).epsilon(1e-14));
  CHECK(g[b2](0) == Approx(-0.11552928931500236).epsilon(1e-14));
}

TEST_CASE("a node used twice in one op gets both cotangents: hadamard(h, h)", "[grad][sharing]") {
  constexpr tg::param<"x", 3> x;
  constexpr auto h = tg::tanh(x);
  constexpr auto loss = tg::sum(tg::hadamard(h, h));
  const auto env = tg::bind(x = tg::tensor<double, 3>{0.3, -1.2, 2.0});
  const auto g = tg::grad(loss, x)(env);
  for (std::size_t i = 0; i < 3; ++i) {
    const double t = std::tanh(env.lookup<tg::leaf_of_t<std::remove_cvref_t<decltype(x)>>>()[i]);
    CHECK(g[x](i) == Approx(2 * t * (1 - t * t)).epsilon(1e-14));
  }
  CHECK(tg::gradcheck(loss, env, x).passed(1e-8));
}

TEST_CASE("a param used in two places sums its cotangents", "[grad][sharing]") {
  constexpr tg::param<"M", 3, 2> M;
  constexpr tg::input<"A", 4, 3> A;
  constexpr auto loss = tg::sum(tg::tanh(A * M) * tg::transpose(M));  // M in two places
  std::mt19937_64 rng(7);
  const auto env = tg::bind(M = testing::random_tensor<tg::shape<3, 2>>(rng, testing::uniform{}),
                            A = testing::random_tensor<tg::shape<4, 3>>(rng, testing::uniform{}));
  const auto report = tg::gradcheck(loss, env, M, A);
  INFO("worst error " << report.worst_error << " at " << report.terminal << "[" << report.index << "]");
  CHECK(report.passed(1e-8));
}

TEST_CASE("a penalty term adds its own gradient: loss + 0.01 * sum(square(W))", "[grad][sharing]") {
  constexpr auto penalised = xor_loss + 0.01 * tg::sum(tg::square(W));
  const auto plain = xor_program(xor_env);
  const auto g = tg::grad(penalised, W, b1, V, b2)(xor_env);
  const auto& w = xor_env.lookup<tg::leaf_of_t<std::remove_cvref_t<decltype(W)>>>();
  CHECK(g.value == Approx(plain.value + 0.01 * 4).epsilon(1e-15));
  for (std::size_t i = 0; i < 4; ++i) CHECK(g[W][i] == Approx(plain[W][i] + 0.02 * w[i]).epsilon(1e-15));
  for (std::size_t i = 0; i < 4; ++i) CHECK(g[V][i] == plain[V][i]);
}

TEST_CASE("numbers keep their own identity: 0.5 * sum(P) + 0.25 * sum(P)", "[grad][constants]") {
  constexpr tg::param<"P", 2> P;
  constexpr auto loss = 0.5 * tg::sum(P) + 0.25 * tg::sum(P);
  const auto env = tg::bind(P = tg::tensor<double, 2>{1.0, 3.0});
  CHECK(static_cast<double>(tg::eval(loss, env)) == 3.0);
  const auto g = tg::grad(loss, P)(env);
  CHECK(g[P](0) == 0.75);
  CHECK(g[P](1) == 0.75);
}

TEST_CASE("inputs can be differentiated too, and unused terminals get zeros", "[grad]") {
  constexpr tg::param<"unused", 3> unused;
  const auto g = tg::grad(xor_loss, X, unused)(tg::bind(
      W = tg::tensor<double, 2, 2>{{1, 1}, {1, 1}}, b1 = tg::tensor<double, 2>{-1, 0.5},
      V = tg::tensor<double, 2, 2>{{1, -1}, {-1, 1}}, b2 = tg::tensor<double, 2>{1, -1},
      X = tg::tensor<double, 4, 2>{{0.1, 0.2}, {0.3, 0.9}, {1.1, 0.4}, {0.8, 0.7}},
      Y = tg::tensor<double, 4, 2>{{1, 0}, {0, 1}, {0, 1}, {1, 0}}, unused = tg::tensor<double, 3>{1, 2, 3}));
  for (std::size_t i = 0; i < 3; ++i) CHECK(g[unused](i) == 0.0);
  double total = 0;
  for (double v : g[X]) total += std::abs(v);
  CHECK(total > 0);
}

TEST_CASE("float models evaluate and differentiate in float", "[grad][float]") {
  const auto env = tg::bind(W = tg::tensor<float, 2, 2>{{1, 1}, {1, 1}}, b1 = tg::tensor<float, 2>{-1, 0.5},
                            V = tg::tensor<float, 2, 2>{{1, -1}, {-1, 1}}, b2 = tg::tensor<float, 2>{1, -1},
                            X = tg::tensor<float, 4, 2>{{0, 0}, {0, 1}, {1, 0}, {1, 1}},
                            Y = tg::tensor<float, 4, 2>{{1, 0}, {0, 1}, {0, 1}, {1, 0}});
  const auto g = xor_program(env);
  STATIC_REQUIRE(std::is_same_v<std::remove_cvref_t<decltype(g[W])>, tg::tensor<float, 2, 2>>);
  CHECK(g.value == Approx(0.5632616875182226).epsilon(1e-6));
  CHECK(g[W](0, 0) == Approx(-0.36552928931500245).epsilon(1e-6));
}
