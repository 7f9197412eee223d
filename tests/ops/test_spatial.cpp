// Rank-4 NHWC images: conv2d, max_pool2d, reshape and flatten, and the ops
// their derivatives are made of. Values and gradients against an independent
// numpy implementation (tests/reference/make_conv_reference.py, float64);
// every op's laws (gradcheck, JVP against VJP, hvp against differences) at
// several strides, paddings and dilations, dilation in the backward included.
#include "../reference/conv_reference.hpp"
#include "../support/testing.hpp"

#include <cstring>

namespace tg = typegrad;
namespace ref = conv_reference;
using testing::check_op_laws;
using testing::from_flat;
using testing::uniform;

namespace {

// Within 1e-13 of numpy's values unless a check says otherwise.
template <class Tensor>
void require_close(const Tensor& got, const double* expected, double tolerance = 1e-13) {
  testing::require_close(got, expected, tolerance);
}

// One numpy case: y = Conv{}(x, w), and the gradients of sum(y ⊙ R), in T.
template <class Conv, class XS, class WS, class T = double>
void check_conv_case(const double* x, const double* w, const double* r, const double* y, const double* dx,
                     const double* dw, double tolerance = 1e-13) {
  constexpr tg::leaf_expr<tg::input_leaf<"x", XS>> X;
  constexpr tg::leaf_expr<tg::param_leaf<"w", WS>> W;
  constexpr auto out = Conv{}(X, W);
  constexpr testing::input_like<decltype(out)> R;
  const auto env = tg::bind(X = from_flat<tg::tensor_for_t<T, XS>>(x), W = from_flat<tg::tensor_for_t<T, WS>>(w),
                            R = from_flat<tg::tensor_for_t<T, tg::shape_of_t<decltype(out)>>>(r));
  require_close(tg::eval(out, env), y, tolerance);
  const auto g = tg::grad(tg::sum(tg::hadamard(out, R)), X, W)(env);
  require_close(g[X], dx, tolerance);
  require_close(g[W], dw, tolerance);
}

template <tg::conv_options O>
constexpr auto conv2d_with = [](auto x, auto w) { return tg::conv2d<O>(x, w); };
template <tg::conv_options O>
using conv2d_case = decltype(conv2d_with<O>);
constexpr tg::conv_options stride2_same{.stride = {2, 2}, .pad = tg::same};
constexpr tg::conv_options dilated{.stride = {1, 2}, .pad = tg::pad(1, 2, 0, 1), .dilation = {2, 2}};
constexpr tg::conv_options strided_dilated_same{.stride = {2, 1}, .pad = tg::same, .dilation = {2, 1}};

}  // namespace

TEST_CASE("conv2d and its gradients agree with numpy", "[spatial][reference]") {
  check_conv_case<conv2d_case<tg::conv_options{}>, tg::shape<2, 5, 6, 2>, tg::shape<3, 3, 2, 3>>(
      ref::valid_x, ref::valid_w, ref::valid_r, ref::valid_y, ref::valid_dx, ref::valid_dw);
  check_conv_case<conv2d_case<stride2_same>, tg::shape<2, 7, 6, 3>, tg::shape<3, 2, 3, 2>>(
      ref::same_stride2_x, ref::same_stride2_w, ref::same_stride2_r, ref::same_stride2_y, ref::same_stride2_dx,
      ref::same_stride2_dw);
  check_conv_case<conv2d_case<dilated>, tg::shape<1, 7, 7, 2>, tg::shape<3, 3, 2, 2>>(
      ref::dilated_x, ref::dilated_w, ref::dilated_r, ref::dilated_y, ref::dilated_dx, ref::dilated_dw);
  check_conv_case<conv2d_case<strided_dilated_same>, tg::shape<2, 6, 5, 1>, tg::shape<2, 3, 1, 4>>(
      ref::strided_dilated_same_x, ref::strided_dilated_same_w, ref::strided_dilated_same_r, ref::strided_dilated_same_y,
      ref::strided_dilated_same_dx, ref::strided_dilated_same_dw);
}

namespace {
constexpr auto depthwise_same = [](auto x, auto w) { return tg::depthwise_conv2d<tg::conv_options{.pad = tg::same}>(x, w); };
constexpr auto conv1d_strided = [](auto x, auto w) {
  return tg::conv1d<tg::conv1d_options{.stride = 2, .pad = tg::pad(0, 0, 2, 1), .dilation = 2}>(x, w);
};
}  // namespace

TEST_CASE("grouped, depthwise and 1-D convolutions agree with numpy", "[spatial][reference]") {
  using grouped = conv2d_case<tg::conv_options{.stride = {1, 2}, .pad = tg::pad(1, 1, 0, 1), .dilation = {2, 1}, .groups = 2}>;
  check_conv_case<grouped, tg::shape<2, 5, 4, 4>, tg::shape<3, 2, 2, 6>>(ref::grouped_x, ref::grouped_w, ref::grouped_r,
                                                                        ref::grouped_y, ref::grouped_dx, ref::grouped_dw);
  using depthwise = decltype(depthwise_same);
  check_conv_case<depthwise, tg::shape<2, 5, 6, 3>, tg::shape<3, 3, 3, 2>>(
      ref::depthwise_x, ref::depthwise_w, ref::depthwise_r, ref::depthwise_y, ref::depthwise_dx, ref::depthwise_dw);
  using conv1d = decltype(conv1d_strided);
  check_conv_case<conv1d, tg::shape<2, 11, 3>, tg::shape<3, 3, 4>>(ref::conv1d_x, ref::conv1d_w, ref::conv1d_r,
                                                                  ref::conv1d_y, ref::conv1d_dx, ref::conv1d_dw);
  // In float, where a group's products take the plain loops.
  check_conv_case<depthwise, tg::shape<2, 5, 6, 3>, tg::shape<3, 3, 3, 2>, float>(
      ref::depthwise_x, ref::depthwise_w, ref::depthwise_r, ref::depthwise_y, ref::depthwise_dx, ref::depthwise_dw, 2e-6);
}

TEST_CASE("in float too, where fewer output channels than a vector's lanes take the transposed product", "[spatial][reference]") {
  // 3 and 2 output channels: fewer than a float vector holds on every x86-64 target.
  check_conv_case<conv2d_case<tg::conv_options{}>, tg::shape<2, 5, 6, 2>, tg::shape<3, 3, 2, 3>, float>(
      ref::valid_x, ref::valid_w, ref::valid_r, ref::valid_y, ref::valid_dx, ref::valid_dw, 2e-6);
  check_conv_case<conv2d_case<dilated>, tg::shape<1, 7, 7, 2>, tg::shape<3, 3, 2, 2>, float>(
      ref::dilated_x, ref::dilated_w, ref::dilated_r, ref::dilated_y, ref::dilated_dx, ref::dilated_dw, 2e-6);
  check_conv_case<conv2d_case<strided_dilated_same>, tg::shape<2, 6, 5, 1>, tg::shape<2, 3, 1, 4>, float>(
      ref::strided_dilated_same_x, ref::strided_dilated_same_w, ref::strided_dilated_same_r, ref::strided_dilated_same_y,
      ref::strided_dilated_same_dx, ref::strided_dilated_same_dw, 2e-6);
}

namespace {
template <tg::pool_options P, class XS>
void check_pool_case(const double* x, const double* r, const double* y, const double* dx) {
  constexpr tg::leaf_expr<tg::input_leaf<"x", XS>> X;
  constexpr auto out = tg::max_pool2d<P>(X);
  constexpr testing::input_like<decltype(out)> R;
  const auto env = tg::bind(X = from_flat<tg::tensor_for_t<double, XS>>(x),
                            R = from_flat<tg::tensor_for_t<double, tg::shape_of_t<decltype(out)>>>(r));
  require_close(tg::eval(out, env), y, 0.0);
  require_close(tg::grad(tg::sum(tg::hadamard(out, R)), X)(env)[X], dx, 0.0);
}
}  // namespace

TEST_CASE("max_pool2d and its gradient agree with numpy, ties to the first in the window", "[spatial][reference]") {
  check_pool_case<tg::pool_options{}, tg::shape<2, 4, 6, 3>>(ref::pool2_x, ref::pool2_r, ref::pool2_y, ref::pool2_dx);
  check_pool_case<tg::pool_options{.window = {3, 3}, .stride = {2, 2}, .pad = tg::same}, tg::shape<1, 7, 5, 2>>(
      ref::pool3_stride2_same_x, ref::pool3_stride2_same_r, ref::pool3_stride2_same_y, ref::pool3_stride2_same_dx);
}

namespace {
template <tg::pool_options P, class XS>
void check_avg_case(const double* x, const double* r, const double* y, const double* dx) {
  constexpr tg::leaf_expr<tg::input_leaf<"x", XS>> X;
  constexpr auto out = tg::avg_pool2d<P>(X);
  constexpr testing::input_like<decltype(out)> R;
  const auto env = tg::bind(X = from_flat<tg::tensor_for_t<double, XS>>(x),
                            R = from_flat<tg::tensor_for_t<double, tg::shape_of_t<decltype(out)>>>(r));
  require_close(tg::eval(out, env), y);
  require_close(tg::grad(tg::sum(tg::hadamard(out, R)), X)(env)[X], dx);
}
}  // namespace

TEST_CASE("avg_pool2d and its gradient agree with numpy, padding not counted", "[spatial][reference]") {
  check_avg_case<tg::pool_options{.window = {3, 3}, .stride = {2, 2}, .pad = tg::same}, tg::shape<2, 7, 5, 3>>(
      ref::avg3_stride2_same_x, ref::avg3_stride2_same_r, ref::avg3_stride2_same_y, ref::avg3_stride2_same_dx);
  check_avg_case<tg::pool_options{.window = {4, 3}}, tg::shape<2, 4, 3, 2>>(ref::avg_global_x, ref::avg_global_r,
                                                                             ref::avg_global_y, ref::avg_global_dx);
  constexpr tg::input<"x", 2, 4, 3, 2> X;
  const auto env = tg::bind(X = from_flat<tg::tensor<double, 2, 4, 3, 2>>(ref::avg_global_x));
  require_close(tg::eval(tg::global_avg_pool(X), env), ref::avg_global_y);
  STATIC_REQUIRE(std::is_same_v<tg::shape_of_t<decltype(tg::global_avg_pool(X))>, tg::shape<2, 2>>);
}

TEST_CASE("a tie in a pooling window sends the whole derivative to its first element", "[spatial]") {
  constexpr tg::input<"x", 1, 2, 2, 1> X;
  const auto env = tg::bind(X = tg::tensor<double, 1, 2, 2, 1>{});  // all four equal
  const auto g = tg::grad(tg::sum(tg::max_pool2d(X)), X)(env);
  REQUIRE(g[X][0] == 1.0);
  REQUIRE(g[X][1] + g[X][2] + g[X][3] == 0.0);
}

namespace {
constexpr tg::input<"x", 2, 5, 4, 2> x;
constexpr tg::input<"k", 3, 2, 2, 3> k;
constexpr tg::input<"k1", 2, 2, 2, 2> k1;
}  // namespace

TEST_CASE("conv2d's laws hold at every stride, padding and dilation", "[laws][spatial]") {
  check_op_laws(tg::conv2d(x, k), uniform{}, x, k);
  check_op_laws(tg::conv2d<tg::conv_options{.stride = {2, 1}, .pad = tg::same}>(x, k), uniform{}, x, k);
  check_op_laws(tg::conv2d<tg::conv_options{.pad = tg::pad(2, 0, 1, 1), .dilation = {1, 2}}>(x, k), uniform{}, x, k);
  check_op_laws(tg::conv2d<tg::conv_options{.stride = {2, 2}, .pad = tg::pad(1), .dilation = {2, 1}}>(x, k1), uniform{},
                x, k1);
}

TEST_CASE("grouped, depthwise and 1-D convolutions obey the laws", "[laws][spatial]") {
  constexpr tg::input<"kg", 3, 2, 1, 4> kg;
  constexpr tg::input<"kd", 2, 3, 2, 3> kd;
  constexpr tg::input<"s", 2, 9, 4> s;
  constexpr tg::input<"k3", 3, 2, 6> k3;
  check_op_laws(tg::conv2d<tg::conv_options{.stride = {2, 1}, .pad = tg::same, .groups = 2}>(x, kg), uniform{}, x, kg);
  check_op_laws(tg::depthwise_conv2d<tg::conv_options{.pad = tg::pad(1), .dilation = {1, 2}}>(x, kd), uniform{}, x, kd);
  check_op_laws(tg::conv1d<tg::conv1d_options{.stride = 2, .pad = tg::same, .groups = 2}>(s, k3), uniform{}, s, k3);
  constexpr tg::conv_options o{.stride = {2, 1}, .pad = tg::same, .groups = 2};
  using y_shape = tg::shape_of_t<decltype(tg::conv2d<o>(x, kg))>;
  constexpr tg::leaf_expr<tg::input_leaf<"u", y_shape>> u;
  check_op_laws(tg::conv2d_transpose<o, tg::shape_of_t<decltype(x)>>(u, kg), uniform{}, u, kg);
  check_op_laws(tg::conv2d_kernel_gradient<o, tg::shape_of_t<decltype(kg)>>(x, u), uniform{}, x, u);
}

TEST_CASE("the transposed conv and the kernel gradient have laws of their own", "[laws][spatial]") {
  constexpr tg::conv_options o{.stride = {2, 1}, .pad = tg::same, .dilation = {1, 2}};
  using y_shape = tg::shape_of_t<decltype(tg::conv2d<o>(x, k))>;
  constexpr tg::leaf_expr<tg::input_leaf<"u", y_shape>> u;
  check_op_laws(tg::conv2d_transpose<o, tg::shape_of_t<decltype(x)>>(u, k), uniform{}, u, k);
  check_op_laws(tg::conv2d_kernel_gradient<o, tg::shape_of_t<decltype(k)>>(x, u), uniform{}, x, u);
}

TEST_CASE("max_pool2d routes the cotangent, and scatter and gather are each other's adjoints", "[laws][spatial]") {
  constexpr tg::pool_options p{.window = {3, 2}, .stride = {2, 1}, .pad = tg::pad(1, 1, 0, 1)};
  check_op_laws(tg::max_pool2d(x), uniform{}, x);
  check_op_laws(tg::max_pool2d<p>(x), uniform{}, x);
  using y_shape = tg::shape_of_t<decltype(tg::max_pool2d<p>(x))>;
  constexpr tg::leaf_expr<tg::input_leaf<"u", y_shape>> u;
  constexpr tg::input<"t", 2, 5, 4, 2> t;
  check_op_laws(tg::max_pool2d_scatter<p>(x, u), uniform{}, x, u);  // constant in x between ties
  check_op_laws(tg::max_pool2d_gather<p>(x, t), uniform{}, x, t);
}

TEST_CASE("avg_pool2d, its transpose and global_avg_pool obey the laws", "[laws][spatial]") {
  constexpr tg::pool_options p{.window = {3, 2}, .stride = {2, 1}, .pad = tg::pad(1, 1, 0, 1)};
  check_op_laws(tg::avg_pool2d<p>(x), uniform{}, x);
  check_op_laws(tg::global_avg_pool(x), uniform{}, x);
  using y_shape = tg::shape_of_t<decltype(tg::avg_pool2d<p>(x))>;
  constexpr tg::leaf_expr<tg::input_leaf<"u", y_shape>> u;
  check_op_laws(tg::avg_pool2d_transpose<p, tg::shape_of_t<decltype(x)>>(u), uniform{}, u);
  check_op_laws(tg::hadamard(tg::avg_pool2d<p>(x), tg::avg_pool2d<p>(x)), uniform{}, x);
}

TEST_CASE("reshape, flatten and a per-channel bias at rank 4", "[laws][spatial]") {
  constexpr tg::input<"c", 2> c;
  check_op_laws(tg::reshape<5, 8, 2>(x), uniform{}, x);
  check_op_laws(tg::flatten(x), uniform{}, x);
  check_op_laws(x + c, uniform{}, x, c);
  check_op_laws(tg::hadamard(tg::reshape<2, 5, 4, 2>(tg::flatten(x)), x), uniform{}, x);
  STATIC_REQUIRE(std::is_same_v<tg::shape_of_t<decltype(tg::flatten(x))>, tg::shape<2, 40>>);
}

namespace {
constexpr tg::param<"K1", 3, 3, 1, 4> K1;
constexpr tg::param<"c1", 4> c1;
constexpr tg::param<"K2", 3, 3, 4, 8> K2;
constexpr tg::param<"W", 8, 3> W;
template <std::size_t B>
constexpr auto cnn_logits(tg::input<"X", B, 12, 12, 1> X) {
  const auto h = tg::max_pool2d(tg::relu(tg::conv2d<tg::conv_options{.pad = tg::same}>(X, K1) + c1));  // [B,6,6,4]
  return tg::flatten(tg::max_pool2d(tg::relu(tg::conv2d<tg::conv_options{.dilation = {2, 2}}>(h, K2)))) * W;
}
}  // namespace

TEST_CASE("a CNN classifies each image alike at batch 1 and at batch 8, bit for bit", "[spatial][batch]") {
  const auto logits = [](auto X) { return cnn_logits(X); };
  constexpr tg::input<"X", 8, 12, 12, 1> X8;
  constexpr tg::input<"X", 1, 12, 12, 1> X1;
  auto params = tg::parameters<float>(logits(X8));
  tg::random_engine rng(3);
  tg::initialize(params, rng, tg::init::he_uniform{}, tg::init::he_uniform{});
  std::mt19937_64 data_rng(4);
  const auto images = testing::random_tensor<tg::shape<8, 12, 12, 1>, uniform, float>(data_rng, uniform{});
  const auto all = tg::eval(logits(X8), params, tg::bind(X8 = images));
  for (std::size_t i = 0; i < 8; ++i) {
    tg::tensor<float, 1, 12, 12, 1> one;
    std::memcpy(one.data(), images.data() + i * 144, sizeof(float) * 144);
    const auto single = tg::eval(logits(X1), params, tg::bind(X1 = one));
    REQUIRE(std::memcmp(single.data(), all.data() + i * 3, sizeof(float) * 3) == 0);
  }
}

TEST_CASE("conv and pooling print with their options", "[spatial][inspect]") {
  constexpr auto e = tg::max_pool2d<tg::pool_options{.stride = {1, 1}}>(
      tg::conv2d<tg::conv_options{.stride = {2, 2}, .pad = tg::same, .dilation = {1, 2}}>(x, k));
  REQUIRE(tg::to_string(e) == "max_pool2d(conv2d(x, k; stride 2x2, same, dilation 1x2); window 2x2, stride 1x1)");
  constexpr tg::input<"kd", 3, 3, 2, 2> kd;
  REQUIRE(tg::to_string(tg::depthwise_conv2d(x, kd)) == "conv2d(x, reshape<[3,3,1,4]>(kd); groups 2)");
}
