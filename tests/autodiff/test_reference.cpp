// Gradients against values computed outside typegrad: numpy with hand-written
// backpropagation, by tests/reference/make_reference.py (see its header for
// how). The models here are written to match the script's, layer for layer.
#include "../support/testing.hpp"
#include "../reference/reference_values.hpp"

namespace tg = typegrad;
using testing::from_flat;

namespace {

template <class Got>
void require_values(const char* what, const Got& got, const double* want) {
  for (std::size_t i = 0; i < Got::size; ++i) {
    INFO(what << "[" << i << "]: typegrad " << got[i] << ", numpy " << want[i]);
    REQUIRE(std::abs(got[i] - want[i]) <= 1e-12 * std::max(1.0, std::abs(want[i])));
  }
}

template <class Terminal>
auto bound(const Terminal& t, const double* values) {
  return t = from_flat<tg::tensor_for_t<double, tg::shape_of_t<Terminal>>>(values);
}

}  // namespace

TEST_CASE("the seed's XOR gradient matches numpy", "[reference][xor]") {
  namespace ref = reference::xor_seed;
  constexpr tg::param<"W", 2, 2> W;
  constexpr tg::param<"b1", 2> b1;
  constexpr tg::param<"V", 2, 2> V;
  constexpr tg::param<"b2", 2> b2;
  constexpr tg::input<"X", 4, 2> X;
  constexpr tg::input<"Y", 4, 2> Y;
  constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax(tg::relu(X * W + b1) * V + b2), Y));
  const auto env = tg::bind(bound(W, ref::param0), bound(b1, ref::param1), bound(V, ref::param2),
                            bound(b2, ref::param3), bound(X, ref::X), bound(Y, ref::Y));
  const auto g = tg::grad(loss, W, b1, V, b2)(env);
  REQUIRE(std::abs(g.value - ref::loss) <= 1e-12);
  require_values("dW", g[W], ref::grad0);
  require_values("db1", g[b1], ref::grad1);
  require_values("dV", g[V], ref::grad2);
  require_values("db2", g[b2], ref::grad3);
}

TEST_CASE("a tanh MLP 3-4-2 matches numpy", "[reference][mlp]") {
  namespace ref = reference::mlp_tanh;
  constexpr tg::param<"W1", 3, 4> W1;
  constexpr tg::param<"b1", 4> b1;
  constexpr tg::param<"W2", 4, 2> W2;
  constexpr tg::param<"b2", 2> b2;
  constexpr tg::input<"X", 5, 3> X;
  constexpr tg::input<"Y", 5, 2> Y;
  constexpr auto logits = tg::tanh(X * W1 + b1) * W2 + b2;
  constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax(logits), Y));
  const auto env = tg::bind(bound(W1, ref::param0), bound(b1, ref::param1), bound(W2, ref::param2),
                            bound(b2, ref::param3), bound(X, ref::X), bound(Y, ref::Y));
  const auto g = tg::grad(loss, W1, b1, W2, b2)(env);
  REQUIRE(std::abs(g.value - ref::loss) <= 1e-12);
  require_values("dW1", g[W1], ref::grad0);
  require_values("db1", g[b1], ref::grad1);
  require_values("dW2", g[W2], ref::grad2);
  require_values("db2", g[b2], ref::grad3);
}

TEST_CASE("a relu-sigmoid MLP 4-5-3-3 matches numpy", "[reference][mlp]") {
  namespace ref = reference::mlp_relu_sigmoid;
  constexpr tg::param<"W1", 4, 5> W1;
  constexpr tg::param<"b1", 5> b1;
  constexpr tg::param<"W2", 5, 3> W2;
  constexpr tg::param<"b2", 3> b2;
  constexpr tg::param<"W3", 3, 3> W3;
  constexpr tg::param<"b3", 3> b3;
  constexpr tg::input<"X", 6, 4> X;
  constexpr tg::input<"Y", 6, 3> Y;
  constexpr auto h1 = tg::relu(X * W1 + b1);
  constexpr auto h2 = tg::sigmoid(h1 * W2 + b2);
  constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax(h2 * W3 + b3), Y));
  const auto env = tg::bind(bound(W1, ref::param0), bound(b1, ref::param1), bound(W2, ref::param2),
                            bound(b2, ref::param3), bound(W3, ref::param4), bound(b3, ref::param5),
                            bound(X, ref::X), bound(Y, ref::Y));
  const auto g = tg::grad(loss, W1, b1, W2, b2, W3, b3)(env);
  REQUIRE(std::abs(g.value - ref::loss) <= 1e-12);
  require_values("dW1", g[W1], ref::grad0);
  require_values("db1", g[b1], ref::grad1);
  require_values("dW2", g[W2], ref::grad2);
  require_values("db2", g[b2], ref::grad3);
  require_values("dW3", g[W3], ref::grad4);
  require_values("db3", g[b3], ref::grad5);
}

TEST_CASE("a deep MLP 2-3-4-3-2 with soft targets and an L2 penalty matches numpy", "[reference][mlp]") {
  namespace ref = reference::mlp_deep_l2;
  constexpr tg::param<"W1", 2, 3> W1;
  constexpr tg::param<"b1", 3> b1;
  constexpr tg::param<"W2", 3, 4> W2;
  constexpr tg::param<"b2", 4> b2;
  constexpr tg::param<"W3", 4, 3> W3;
  constexpr tg::param<"b3", 3> b3;
  constexpr tg::param<"W4", 3, 2> W4;
  constexpr tg::param<"b4", 2> b4;
  constexpr tg::input<"X", 3, 2> X;
  constexpr tg::input<"Y", 3, 2> Y;
  constexpr auto h1 = tg::sigmoid(X * W1 + b1);
  constexpr auto h2 = tg::tanh(h1 * W2 + b2);
  constexpr auto h3 = tg::relu(h2 * W3 + b3);
  constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax(h3 * W4 + b4), Y)) + 0.01 * tg::sum(tg::square(W1));
  const auto env = tg::bind(bound(W1, ref::param0), bound(b1, ref::param1), bound(W2, ref::param2),
                            bound(b2, ref::param3), bound(W3, ref::param4), bound(b3, ref::param5),
                            bound(W4, ref::param6), bound(b4, ref::param7), bound(X, ref::X), bound(Y, ref::Y));
  const auto g = tg::grad(loss, W1, b1, W2, b2, W3, b3, W4, b4)(env);
  REQUIRE(std::abs(g.value - ref::loss) <= 1e-12);
  require_values("dW1", g[W1], ref::grad0);
  require_values("db1", g[b1], ref::grad1);
  require_values("dW2", g[W2], ref::grad2);
  require_values("db2", g[b2], ref::grad3);
  require_values("dW3", g[W3], ref::grad4);
  require_values("db3", g[b3], ref::grad5);
  require_values("dW4", g[W4], ref::grad6);
  require_values("db4", g[b4], ref::grad7);
}

TEST_CASE("cross-entropy of softmax keeps its digits at large logits", "[reference][cross_entropy]") {
  // A difference of two large sums, lse * sum(y) - sum(y a), lost 4e-11 at
  // logits 1e6 and all digits at 1e12; the per-logit differences do not.
  namespace ref = reference::large_logits;
  constexpr tg::input<"A", 5, 3> A;
  constexpr tg::input<"Y", 5, 3> Y;
  const auto env = tg::bind(bound(A, ref::A), bound(Y, ref::Y));
  const auto rows = tg::eval(tg::cross_entropy(tg::softmax(A), Y), env);
  for (std::size_t r = 0; r < 5; ++r) {
    INFO("row " << r << ": typegrad " << rows[r] << ", 50-digit decimal " << ref::loss[r]);
    REQUIRE(std::abs(rows[r] - ref::loss[r]) <= 4e-16 * 8 * std::abs(ref::loss[r]));
  }
}
