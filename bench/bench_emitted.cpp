// The emitted C against typegrad's own batch-1 evaluation, per image, in one
// run under the same flags: a 784-256-128-10 MLP (bench/emitted_model.hpp).
// Before anything is timed, the C output is checked against typegrad's on 16
// images (2e-6 relative, a few float roundings).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>

#include "emitted_model.hpp"

extern "C" {
void emitted_predict(const float* input, float* output);
void emitted_predict_elsewhere(const float* input, float* output);
}

namespace {
using namespace emitted_bench;

const auto params = make_params();
const auto image = make_image(1);

void typegrad_batch1(benchmark::State& state) {
  for (auto _ : state) {
    auto scores = tg::eval(logits, params, tg::bind(X = image));
    benchmark::DoNotOptimize(scores);
  }
}
void emitted_c(benchmark::State& state) {
  float scores[classes];
  for (auto _ : state) {
    emitted_predict(image.data(), scores);
    benchmark::DoNotOptimize(scores);
  }
}

bool agrees() {
  double worst = 0;
  for (std::size_t seed = 0; seed < 16; ++seed) {
    const auto x = make_image(100 + seed);
    const auto want = tg::eval(logits, params, tg::bind(X = x));
    float got[classes], again[classes];
    emitted_predict(x.data(), got);
    emitted_predict_elsewhere(x.data(), again);
    for (std::size_t c = 0; c < classes; ++c) {
      worst = std::max(worst, std::abs(double(got[c]) - double(want[c])) / (1 + std::abs(double(want[c]))));
      if (got[c] != again[c]) return false;
    }
  }
  std::printf("check: emitted C against typegrad on 16 images, worst relative difference %.2e\n", worst);
  return worst <= 2e-6;
}

}  // namespace

BENCHMARK(typegrad_batch1)->Name("mlp784_f32_per_image/typegrad_eval")->MinTime(1.0);
BENCHMARK(emitted_c)->Name("mlp784_f32_per_image/emitted_c")->MinTime(1.0);

int main(int argc, char** argv) {
  if (!agrees()) {
    std::printf("the emitted C DIFFERS from typegrad\n");
    return 1;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
