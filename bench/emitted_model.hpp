// The model bench_emitted times: a 784-256-128-10 relu MLP (the Fashion-MNIST
// MLP of the papercuts issue), float, He-uniform weights from a fixed seed.
// emit_bench_model writes it as C with emit_c; bench_emitted rebuilds the
// same parameters to time typegrad's own batch-1 evaluation beside it.
#pragma once
#include <typegrad/typegrad.hpp>

namespace emitted_bench {
namespace tg = typegrad;
constexpr std::size_t pixels = 784, classes = 10;
inline constexpr tg::param<"W1", pixels, 256> W1;
inline constexpr tg::param<"b1", 256> b1;
inline constexpr tg::param<"W2", 256, 128> W2;
inline constexpr tg::param<"b2", 128> b2;
inline constexpr tg::param<"W3", 128, classes> W3;
inline constexpr tg::param<"b3", classes> b3;
inline constexpr tg::input<"X", 1, pixels> X;
inline constexpr auto logits = tg::relu(tg::relu(X * W1 + b1) * W2 + b2) * W3 + b3;

inline auto make_params() {
  auto params = tg::parameters<float>(logits);
  tg::random_engine rng(31);
  tg::initialize(params, rng, tg::init::he_uniform{}, tg::init::uniform{-0.1, 0.1});
  return params;
}
// An image with pixels in [0, 1], as Fashion-MNIST's scaled to one.
inline tg::tensor<float, 1, pixels> make_image(std::size_t seed) {
  tg::tensor<float, 1, pixels> image;
  tg::random_engine rng(seed);
  tg::init::uniform{0, 1}(image, rng);
  return image;
}
}  // namespace emitted_bench
