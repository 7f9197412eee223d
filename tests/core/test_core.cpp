// Shapes, tensors, terminals and expressions: the types the language is made of.
#include "../support/testing.hpp"

#include <type_traits>

namespace tg = typegrad;

TEST_CASE("shapes are constexpr values compared by extents", "[core][shape]") {
  STATIC_REQUIRE(tg::shape<4, 2>{} == tg::shape<4, 2>{});
  STATIC_REQUIRE(!(tg::shape<4, 2>{} == tg::shape<2, 4>{}));
  STATIC_REQUIRE(tg::shape<>::rank == 0);
  STATIC_REQUIRE(tg::shape<>::size == 1);
  STATIC_REQUIRE(tg::shape<3, 5>::size == 15);
  STATIC_REQUIRE(tg::shape_text<tg::shape<4, 12>>::value == "[4,12]");
  STATIC_REQUIRE(tg::shape_text<tg::shape<>>::value == "[]");
}

TEST_CASE("tensors are row-major values with brace-list rows", "[core][tensor]") {
  constexpr tg::tensor<double, 2, 3> m{{1, 2, 3}, {4, 5, 6}};
  STATIC_REQUIRE(m(1, 0) == 4);
  STATIC_REQUIRE(m[5] == 6);
  STATIC_REQUIRE(sizeof(m) == 6 * sizeof(double));
  constexpr tg::tensor<float, 3> v{1, 0.5, -2};
  STATIC_REQUIRE(v(2) == -2.0f);
  constexpr tg::tensor<double> s{2.5};
  constexpr double as_number = s;
  STATIC_REQUIRE(as_number == 2.5);
  constexpr tg::tensor<double, 2, 2> zero{};
  STATIC_REQUIRE(zero(1, 1) == 0);
  STATIC_REQUIRE(std::is_trivially_copyable_v<tg::tensor<double, 4, 2>>);
}

TEST_CASE("terminals carry a name and a shape and no data", "[core][terminal]") {
  constexpr tg::param<"W", 2, 3> W;
  constexpr tg::input<"X", 4, 2> X;
  STATIC_REQUIRE(tg::shape_of(W) == tg::shape<2, 3>{});
  STATIC_REQUIRE(tg::shape_of(X * W) == tg::shape<4, 3>{});
  STATIC_REQUIRE(tg::leaf_of_t<decltype(W)>::name == tg::fixed_string("W"));
  STATIC_REQUIRE(boost::yap::is_expr<decltype(X * W)>::value);
}

namespace {
// Terminals are stored by value: an expression built from locals and
// returned from a function holds no reference to them.
constexpr auto make_model() {
  tg::param<"A", 2, 2> A;
  tg::input<"x", 2> x;
  auto hidden = tg::tanh(A * x);
  return tg::sum(tg::square(hidden)) + 0.5;
}
}  // namespace

TEST_CASE("an expression returned from a function does not dangle", "[core][expr]") {
  constexpr auto model = make_model();
  const auto env = tg::bind(tg::param<"A", 2, 2>{} = tg::tensor<double, 2, 2>{{1, 0}, {0, 2}},
                            tg::input<"x", 2>{} = tg::tensor<double, 2>{0.5, -0.25});
  const double expected = std::tanh(0.5) * std::tanh(0.5) + std::tanh(-0.5) * std::tanh(-0.5) + 0.5;
  CHECK(static_cast<double>(tg::eval(model, env)) == Approx(expected).epsilon(1e-15));
}

TEST_CASE("numbers in expressions keep their value through normalisation", "[core][canon]") {
  constexpr tg::param<"p", 2> p;
  constexpr auto e = 2.0 * p + 0.5 - p / 4;
  constexpr auto form = tg::canonicalize(e);
  STATIC_REQUIRE(form.number_count == 3);
  STATIC_REQUIRE(form.numbers[0] == 2.0);
  STATIC_REQUIRE(form.numbers[1] == 0.5);
  STATIC_REQUIRE(form.numbers[2] == 4.0);
  const auto v = tg::eval(e, tg::bind(p = tg::tensor<double, 2>{1, 8}));
  CHECK(v(0) == 2.0 + 0.5 - 0.25);
  CHECK(v(1) == 16.0 + 0.5 - 2.0);
}
