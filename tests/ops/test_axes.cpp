// Ops along axes: sum, mean and max over an axis list, slice, concat, and the
// ops their derivatives are made of (expand_axes, max_scatter, max_gather,
// slice_transpose). Values and gradients against numpy
// (tests/reference/make_axes_reference.py, float64); each op's laws.
#include "../reference/axes_reference.hpp"
#include "../support/testing.hpp"

namespace tg = typegrad;
namespace ref = axes_reference;
using testing::check_op_laws;
using testing::from_flat;
using testing::uniform;

namespace {

using x_shape = tg::shape<2, 3, 4, 5>;
constexpr tg::leaf_expr<tg::input_leaf<"x", x_shape>> X;
const auto x_value = from_flat<tg::tensor_for_t<double, x_shape>>(ref::x);

// y = Op{}(x) against numpy's y, and the gradient of sum(y ⊙ R) against dx.
template <class Op>
void check_case(const double* r, const double* y, const double* dx, double tolerance = 1e-14) {
  constexpr auto out = Op{}(X);
  constexpr testing::input_like<decltype(out)> R;
  const auto env = tg::bind(X = x_value, R = from_flat<tg::tensor_for_t<double, tg::shape_of_t<decltype(out)>>>(r));
  testing::require_close(tg::eval(out, env), y, tolerance);
  testing::require_close(tg::grad(tg::sum(tg::hadamard(out, R)), X)(env)[X], dx, tolerance);
}
constexpr auto sum_1_2 = [](auto x) { return tg::sum<1, 2>(x); };
constexpr auto sum_0 = [](auto x) { return tg::sum<0>(x); };
constexpr auto mean_0_3 = [](auto x) { return tg::mean<0, 3>(x); };
constexpr auto max_1_3 = [](auto x) { return tg::max<1, 3>(x); };
constexpr auto max_2 = [](auto x) { return tg::max<2>(x); };
constexpr auto slice_2 = [](auto x) { return tg::slice<2, 1, 3>(x); };

}  // namespace

TEST_CASE("sum, mean and max over axes agree with numpy, max's ties to the first", "[axes][reference]") {
  check_case<decltype(sum_1_2)>(ref::sum_1_2_r, ref::sum_1_2_y, ref::sum_1_2_dx);
  check_case<decltype(sum_0)>(ref::sum_0_r, ref::sum_0_y, ref::sum_0_dx);
  check_case<decltype(mean_0_3)>(ref::mean_0_3_r, ref::mean_0_3_y, ref::mean_0_3_dx);
  check_case<decltype(max_1_3)>(ref::max_1_3_r, ref::max_1_3_y, ref::max_1_3_dx, 0.0);
  check_case<decltype(max_2)>(ref::max_2_r, ref::max_2_y, ref::max_2_dx, 0.0);
  STATIC_REQUIRE(std::is_same_v<tg::shape_of_t<decltype(tg::sum<1, 2>(X))>, tg::shape<2, 5>>);
  STATIC_REQUIRE(std::is_same_v<tg::shape_of_t<decltype(tg::max<0, 1, 2, 3>(X))>, tg::shape<>>);
}

TEST_CASE("slice and concat agree with numpy", "[axes][reference]") {
  check_case<decltype(slice_2)>(ref::slice_r, ref::slice_y, ref::slice_dx, 0.0);
  constexpr tg::input<"z", 2, 2, 4, 5> Z;
  constexpr auto out = tg::concat<1>(X, Z, tg::slice<1, 1, 2>(X));
  constexpr testing::input_like<decltype(out)> R;
  const auto env = tg::bind(X = x_value, Z = from_flat<tg::tensor<double, 2, 2, 4, 5>>(ref::concat_z),
                            R = from_flat<tg::tensor_for_t<double, tg::shape_of_t<decltype(out)>>>(ref::concat_r));
  testing::require_close(tg::eval(out, env), ref::concat_y, 0.0);
  const auto g = tg::grad(tg::sum(tg::hadamard(out, R)), X, Z)(env);
  testing::require_close(g[X], ref::concat_dx, 0.0);
  testing::require_close(g[Z], ref::concat_dz, 0.0);
}

namespace {
constexpr tg::input<"x", 2, 3, 4> x;
constexpr tg::input<"m", 3, 5> m;
}  // namespace

TEST_CASE("reductions over axes obey the laws, at every rank", "[laws][axes]") {
  check_op_laws(tg::sum<1>(x), uniform{}, x);
  check_op_laws(tg::sum<0, 2>(x), uniform{}, x);
  check_op_laws(tg::mean<2, 0>(x), uniform{}, x);  // in any order
  check_op_laws(tg::mean<0>(m), uniform{}, m);
  check_op_laws(tg::max<1>(x), uniform{}, x);
  check_op_laws(tg::max<0, 2>(x), uniform{}, x);
  check_op_laws(tg::max<1>(m), uniform{}, m);
  // Nonlinear around them, so that the hvp sees their transposes.
  check_op_laws(tg::hadamard(tg::mean<1>(x), tg::max<1>(x)), uniform{}, x);
  using kept = tg::shape_of_t<decltype(tg::max<1>(x))>;
  constexpr tg::leaf_expr<tg::input_leaf<"u", kept>> u;
  constexpr tg::input<"t", 2, 3, 4> t;
  check_op_laws(tg::expand_axes<tg::axes<1>, tg::shape<2, 3, 4>>(u), uniform{}, u);
  check_op_laws(tg::choice_scatter<tg::detail::axes_max<tg::axes<1>>>(x, u), uniform{}, x, u);
  check_op_laws(tg::choice_gather<tg::detail::axes_max<tg::axes<1>>>(x, t), uniform{}, x, t);
}

TEST_CASE("slice, its transpose and concat obey the laws", "[laws][axes]") {
  constexpr tg::input<"y", 2, 2, 4> y;
  check_op_laws(tg::slice<1, 1, 3>(x), uniform{}, x);
  check_op_laws(tg::slice<2, 0, 1>(x), uniform{}, x);
  check_op_laws(tg::slice<0, 1, 2>(m), uniform{}, m);
  check_op_laws(tg::concat<1>(x, y), uniform{}, x, y);
  check_op_laws(tg::concat<2>(x, tg::square(x)), uniform{}, x);
  check_op_laws(tg::slice_transpose<1, 1, tg::shape<2, 5, 4>>(y), uniform{}, y);
  check_op_laws(tg::hadamard(tg::concat<0>(x, x), tg::concat<0>(x, x)), uniform{}, x);
}

TEST_CASE("numpy broadcasting with axes of extent 1 among others: values, and the laws", "[laws][axes][broadcast]") {
  // Against the definition: y[b,h,w,c] = x[b,h,w,c] * s[b,0,0,c] + r[h,0,0].
  constexpr tg::input<"x", 2, 5, 4, 3> x4;
  constexpr tg::input<"s", 2, 1, 1, 3> s;
  constexpr tg::input<"r", 5, 1, 1> r;
  constexpr auto y = tg::hadamard(x4, s) + r;
  std::mt19937_64 rng(7);
  const auto env = tg::bind(x4 = testing::random_tensor<tg::shape<2, 5, 4, 3>>(rng, uniform{}),
                            s = testing::random_tensor<tg::shape<2, 1, 1, 3>>(rng, uniform{}),
                            r = testing::random_tensor<tg::shape<5, 1, 1>>(rng, uniform{}));
  const auto got = tg::eval(y, env);
  for (std::size_t b = 0; b < 2; ++b)
    for (std::size_t h = 0; h < 5; ++h)
      for (std::size_t w = 0; w < 4; ++w)
        for (std::size_t c = 0; c < 3; ++c)
          // Within an ulp or so: the compiler may fuse the test's own multiply-add.
          REQUIRE(std::abs(got(b, h, w, c) - (env[x4](b, h, w, c) * env[s](b, 0, 0, c) + env[r](h, 0, 0))) <= 1e-15);
  check_op_laws(y, uniform{}, x4, s, r);
  // And against numpy's broadcasting, on the reference's x.
  constexpr tg::input<"s", 2, 1, 1, 5> s5;
  constexpr tg::input<"t", 3, 1, 1> t;
  constexpr auto z = tg::hadamard(X, s5) + t;
  constexpr testing::input_like<decltype(z)> R;
  const auto values = tg::bind(X = x_value, s5 = from_flat<tg::tensor<double, 2, 1, 1, 5>>(ref::broadcast_s),
                               t = from_flat<tg::tensor<double, 3, 1, 1>>(ref::broadcast_t),
                               R = from_flat<tg::tensor<double, 2, 3, 4, 5>>(ref::broadcast_r));
  testing::require_close(tg::eval(z, values), ref::broadcast_y, 1e-15);
  const auto g = tg::grad(tg::sum(tg::hadamard(z, R)), X, s5, t)(values);
  testing::require_close(g[X], ref::broadcast_dx, 1e-15);
  testing::require_close(g[s5], ref::broadcast_ds, 1e-14);
  testing::require_close(g[t], ref::broadcast_dt, 1e-14);
  constexpr tg::input<"c", 3, 1> c;
  check_op_laws(m / (tg::hadamard(c, c) + 1.0), uniform{}, m, c);  // a per-row scale
  check_op_laws(tg::broadcast<tg::shape<2, 3, 4>>(c), uniform{}, c);
  check_op_laws(tg::unbroadcast<tg::shape<2, 1, 4>>(x), uniform{}, x);
}

TEST_CASE("axis ops print with their axes, and a whole-axis slice is its operand", "[axes][inspect]") {
  constexpr tg::input<"y", 2, 2, 4> y;
  REQUIRE(tg::to_string(tg::max<0>(tg::sum<0, 2>(tg::concat<1>(x, y)))) == "max<0>(sum<0,2>(concat<1>(x, y)))");
  REQUIRE(tg::to_string(tg::mean<2>(tg::slice<1, 0, 2>(x))) == "mean<2>(slice<1, 0, 2>(x))");
  STATIC_REQUIRE(std::is_same_v<tg::canonical_t<decltype(tg::slice<1, 0, 3>(x))>, std::remove_cvref_t<decltype(x)>>);
}
