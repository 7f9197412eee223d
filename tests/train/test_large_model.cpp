// A 784-1024-512-10 MLP written the tutorial's way: the parameter set and
// Adam as local variables. Its parameters take 5.3 MB, and Adam's two moments
// as much again each, more than a default 8 MB stack holds. The set keeps its
// tensors on the heap: one allocation for the parameters, one per moment,
// none per step. The XOR set, far below the limit, stays in place.
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include "../support/allocation_counter.hpp"
#include "../support/xor_model.hpp"

namespace tg = typegrad;
using allocation_counter::count;

constexpr std::size_t batch = 8;
constexpr tg::input<"X", batch, 784> X;
constexpr tg::input<"Y", batch, 10> Y;
constexpr tg::param<"W1", 784, 1024> W1;
constexpr tg::param<"b1", 1024> b1;
constexpr tg::param<"W2", 1024, 512> W2;
constexpr tg::param<"b2", 512> b2;
constexpr tg::param<"W3", 512, 10> W3;
constexpr tg::param<"b3", 10> b3;
constexpr auto logits = tg::relu(tg::relu(X * W1 + b1) * W2 + b2) * W3 + b3;
constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax(logits), Y));
constexpr auto step = tg::grad(loss);

int failures = 0;
void check(bool ok, const char* what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what);
  failures += ok ? 0 : 1;
}

int main() {
  using params_t = tg::parameters_t<float, decltype(loss)>;
  static_assert(params_t::on_heap && sizeof(params_t) <= 64);
  static_assert(!std::remove_cvref_t<decltype(xor_model::env)>::on_heap);

  std::size_t before = count;
  auto params = tg::parameters<float>(loss);
  check(count - before == 1, "the parameter set: one allocation");
  tg::random_engine rng(5);
  tg::initialize(params, rng, tg::init::he_uniform{});
  before = count;
  tg::adam optimiser(params, {.learning_rate = 1e-3});
  check(count - before == 2, "Adam's two moments: one allocation each");

  auto data = tg::bind(X = tg::tensor<float, batch, 784>{}, Y = tg::tensor<float, batch, 10>{});
  for (std::size_t r = 0; r < batch; ++r) {
    for (std::size_t c = 0; c < 784; ++c) data[X](r, c) = float((r * 31 + c * 7) % 17) / 17.0f;
    data[Y](r, r % 10) = 1;
  }
  auto ws = std::make_unique<decltype(step)::workspace_type>();
  before = count;
  double first = 0, last = 0;
  for (int s = 0; s < 5; ++s) {
    const auto& g = step(params, data, *ws);
    optimiser.step(params, g);
    (s == 0 ? first : last) = g.value;
  }
  check(count - before == 0, "five steps: no allocation");
  std::printf("loss %.6f after one step, %.6f after five\n", first, last);
  check(std::isfinite(first) && last < first, "the loss falls");

  // Copies are deep and independent; a moved-from set still holds storage.
  auto copy = params;
  copy[W1](0, 0) += 1;
  check(copy[W1](0, 0) != params[W1](0, 0), "a copy is independent");
  auto moved = std::move(copy);
  check(copy[W1](0, 0) == moved[W1](0, 0), "a moved-from set is still readable");
  return failures == 0 ? 0 : 1;
}
