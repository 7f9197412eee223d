// Every op's VJP rule against central differences and the directional
// (adjoint) identity, at 25 seeded random points each, away from kinks.
#include "../support/testing.hpp"

namespace tg = typegrad;
using testing::away_from_zero;
using testing::check_op_laws;
using testing::uniform;

namespace {
constexpr tg::input<"a", 3, 4> a;
constexpr tg::input<"b", 3, 4> b;
constexpr tg::input<"c", 4> c;
constexpr tg::input<"k", 4, 2> k;
constexpr tg::input<"v", 4> v;
constexpr tg::input<"w", 3> w;
constexpr tg::input<"s"> s;
constexpr uniform positive{0.3, 2.0};
}  // namespace

TEST_CASE("add passes the cotangent through, summed over broadcast rows", "[laws][arithmetic]") {
  check_op_laws(a + b, away_from_zero{}, a, b);
  check_op_laws(a + c, away_from_zero{}, a, c);
  check_op_laws(c + a, away_from_zero{}, a, c);
  check_op_laws(s + a, away_from_zero{}, a, s);
  check_op_laws(a + 2.5, away_from_zero{}, a);
}

TEST_CASE("subtract negates the cotangent of its right operand", "[laws][arithmetic]") {
  check_op_laws(a - b, away_from_zero{}, a, b);
  check_op_laws(a - c, away_from_zero{}, a, c);
  check_op_laws(s - c, away_from_zero{}, c, s);
}

TEST_CASE("hadamard and scaling multiply the cotangent by the other operand", "[laws][arithmetic]") {
  check_op_laws(tg::hadamard(a, b), away_from_zero{}, a, b);
  check_op_laws(tg::hadamard(a, c), away_from_zero{}, a, c);
  check_op_laws(s * a, away_from_zero{}, a, s);
  check_op_laws(a * s, away_from_zero{}, a, s);
  check_op_laws(0.25 * a, away_from_zero{}, a);
}

TEST_CASE("divide differentiates both numerator and denominator", "[laws][arithmetic]") {
  check_op_laws(a / b, away_from_zero{}, a, b);
  check_op_laws(a / c, away_from_zero{}, a, c);
  check_op_laws(1.0 / a, away_from_zero{}, a);
}

TEST_CASE("negate negates the cotangent", "[laws][arithmetic]") { check_op_laws(-a, away_from_zero{}, a); }

TEST_CASE("matmul follows dA = U B^T and dB = A^T U, with or without transposes", "[laws][linear]") {
  check_op_laws(a * k, away_from_zero{}, a, k);
  check_op_laws(a * v, away_from_zero{}, a, v);
  check_op_laws(tg::transpose(k) * tg::transpose(a), away_from_zero{}, a, k);
  check_op_laws(tg::transpose(a) * b, away_from_zero{}, a, b);
  check_op_laws(a * tg::transpose(b), away_from_zero{}, a, b);
  check_op_laws(tg::transpose(a) * w, away_from_zero{}, a, w);
}

TEST_CASE("outer and transpose", "[laws][linear]") {
  check_op_laws(tg::outer(w, v), away_from_zero{}, w, v);
  check_op_laws(tg::transpose(a), away_from_zero{}, a);
}

TEST_CASE("relu passes the cotangent only where the input is positive", "[laws][elementwise]") {
  check_op_laws(tg::relu(a), away_from_zero{}, a);
}

// Values on every side of relu6's kinks at 0 and 6, never within 0.3 of one.
struct around_relu6_kinks {
  double operator()(std::mt19937_64& rng) const {
    const double pieces[][2] = {{-2.0, -0.3}, {0.3, 5.7}, {6.3, 8.0}};
    const auto& piece = pieces[std::uniform_int_distribution<int>(0, 2)(rng)];
    return std::uniform_real_distribution<double>(piece[0], piece[1])(rng);
  }
};
TEST_CASE("relu6 passes the cotangent only strictly between 0 and 6", "[laws][elementwise]") {
  check_op_laws(tg::relu6(a), around_relu6_kinks{}, a);
  constexpr tg::input<"z", 1, 5> z;
  const auto env = tg::bind(z = tg::tensor<double, 1, 5>{{-1.0, 0.0, 3.0, 6.0, 7.0}});
  CHECK(tg::eval(tg::relu6(z), env) == tg::tensor<double, 1, 5>{{0.0, 0.0, 3.0, 6.0, 6.0}});
  const auto g = tg::grad(tg::sum(tg::relu6(z)), z)(env);
  CHECK(g[z] == tg::tensor<double, 1, 5>{{0.0, 0.0, 1.0, 0.0, 0.0}});  // 0 at both kinks
}

TEST_CASE("smooth elementwise functions", "[laws][elementwise]") {
  check_op_laws(tg::sigmoid(a), away_from_zero{}, a);
  check_op_laws(tg::tanh(a), away_from_zero{}, a);
  check_op_laws(tg::exp(a), away_from_zero{}, a);
  check_op_laws(tg::log(a), positive, a);
  check_op_laws(tg::square(a), away_from_zero{}, a);
  check_op_laws(tg::sqrt(a), positive, a);
}

TEST_CASE("step has a zero derivative away from zero", "[laws][elementwise]") {
  check_op_laws(tg::hadamard(tg::step(a), b), away_from_zero{}, a, b);
}

TEST_CASE("softmax and log_softmax, row-wise and on a vector", "[laws][softmax]") {
  check_op_laws(tg::softmax(a), away_from_zero{}, a);
  check_op_laws(tg::softmax(v), away_from_zero{}, v);
  check_op_laws(tg::log_softmax(a), away_from_zero{}, a);
  check_op_laws(tg::log_softmax(v), away_from_zero{}, v);
  check_op_laws(tg::log(tg::softmax(a)), away_from_zero{}, a);
}

TEST_CASE("cross_entropy, plain and fused with softmax, in both operands", "[laws][cross_entropy]") {
  check_op_laws(tg::cross_entropy(a, b), positive, a, b);
  check_op_laws(tg::cross_entropy(v, c), positive, v, c);
  check_op_laws(tg::cross_entropy(tg::softmax(a), b), positive, a, b);
  check_op_laws(tg::cross_entropy(tg::softmax(v), c), away_from_zero{}, v, c);
}

TEST_CASE("reductions and their adjoint broadcasts", "[laws][reduce]") {
  check_op_laws(tg::sum(a), away_from_zero{}, a);
  check_op_laws(tg::mean(a), away_from_zero{}, a);
  check_op_laws(tg::row_sums(a), away_from_zero{}, a);
  check_op_laws(tg::row_sums(v), away_from_zero{}, v);
  check_op_laws(tg::repeat_cols<3>(v), away_from_zero{}, v);
  check_op_laws(tg::repeat_cols<3>(s), away_from_zero{}, s);
  check_op_laws(tg::broadcast<tg::shape<3, 4>>(c), away_from_zero{}, c);
  check_op_laws(tg::broadcast<tg::shape<3, 4>>(s), away_from_zero{}, s);
  check_op_laws(tg::unbroadcast<tg::shape<4>>(a), away_from_zero{}, a);
  check_op_laws(tg::unbroadcast<tg::shape<>>(a), away_from_zero{}, a);
}
