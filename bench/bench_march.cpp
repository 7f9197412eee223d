// What -march=native buys: one training step of a 784-256-128-10 MLP (float,
// batch 64, typegrad's peer), built for the baseline x86-64 and with
// -march=native, timed in one run (bench/march_step.cpp). The first step of
// each is checked to give the same loss within float rounding.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>

extern "C" {
void* march_make_portable();
void march_step_portable(void*);
double march_loss_portable(void*);
void march_free_portable(void*);
void* march_make_native();
void march_step_native(void*);
double march_loss_native(void*);
void march_free_native(void*);
}

namespace {

template <void* (*Make)(), void (*Step)(void*), void (*Free)(void*)>
void step(benchmark::State& state) {
  void* net = Make();
  Step(net);
  for (auto _ : state) {
    Step(net);
    benchmark::ClobberMemory();
  }
  Free(net);
}

}  // namespace

BENCHMARK(step<march_make_portable, march_step_portable, march_free_portable>)->Name("mlp784_f32/x86-64")->MinTime(1.0);
BENCHMARK(step<march_make_native, march_step_native, march_free_native>)->Name("mlp784_f32/native")->MinTime(1.0);

int main(int argc, char** argv) {
  void* portable = march_make_portable();
  void* native = march_make_native();
  const double a = march_loss_portable(portable), b = march_loss_native(native);
  march_free_portable(portable);
  march_free_native(native);
  const bool same = std::abs(a - b) <= 1e-5 * (1 + std::abs(a));
  std::printf("check: first-step loss %.9g (x86-64) and %.9g (native): %s\n", a, b, same ? "same" : "DIFFERENT");
  if (!same) return 1;
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
