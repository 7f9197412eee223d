// One training step (forward, backward, SGD) of each workload, by each peer,
// in one binary. Before anything is timed, every peer's first step is checked
// against typegrad's: the same loss and gradients from the same start.
// Heap allocations per step are counted and reported as a counter.
#include <benchmark/benchmark.h>


#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "peers/eigen.hpp"
#include "peers/eigen_dynamic.hpp"
#include "peers/hand.hpp"
#include "peers/model.hpp"
#include "peers/one_thread.hpp"
#include "peers/typegrad_peer.hpp"
#include "peers/unrolled_xor.hpp"
#ifdef TYPEGRAD_BENCH_TORCH
#include "peers/torch.hpp"
#endif

#include "../tests/support/allocation_counter.hpp"

using allocation_counter::count;

namespace {

using xor_model = bench::model<double, 4, 2, 2, 2>;
using mlp_f32 = bench::model<float, 32, 64, 32, 10>;
using mlp_f64 = bench::model<double, 32, 64, 32, 10>;
using deep_f32 = bench::model<float, 32, 64, 64, 64, 64, 10>;
// Large models: too big for fixed-size Eigen and for the hand-written peer's
// stack arrays, so they are timed against dynamic-size Eigen (and libtorch).
using wide_f32 = bench::model<float, 64, 256, 128, 10>;
using mnist_f32 = bench::model<float, 64, 784, 256, 256, 10>;
using mnist_large_f32 = bench::model<float, 128, 784, 512, 512, 10>;

// ---- checking the peers against typegrad ---------------------------------------
template <class Model, class Peer>
bool agrees(const char* workload, const char* peer_name) {
  const auto start = bench::make_start<Model>(42);
  auto reference = std::make_unique<bench::tgpeer::network<Model>>(start);
  auto peer = std::make_unique<Peer>(start);
  reference->checked_step();
  peer->checked_step();
  const auto a = reference->result(), b = peer->result();
  const double tolerance = sizeof(typename Model::scalar) == 8 ? 1e-10 : 2e-4;
  double worst = std::abs(a.loss - b.loss) / std::max(1.0, std::abs(a.loss));
  bool same_size = a.gradient.size() == b.gradient.size();
  for (std::size_t i = 0; same_size && i < a.gradient.size(); ++i)
    worst = std::max(worst, std::abs(a.gradient[i] - b.gradient[i]) / std::max(1.0, std::abs(a.gradient[i])));
  const bool ok = same_size && worst <= tolerance;
  std::printf("check %-10s %-9s loss %.10g, %zu gradient values, worst relative difference %.2e: %s\n", workload,
              peer_name, b.loss, b.gradient.size(), worst, ok ? "same" : "DIFFERENT");
  return ok;
}

// ---- the timed step -----------------------------------------------------------------
template <class Model, class Peer>
void step(benchmark::State& state) {
  const auto start = bench::make_start<Model>(42);
  auto peer = std::make_unique<Peer>(start);
  peer->step();  // warm up (libtorch creates its gradient buffers here)
  const std::size_t before = count;
  for (auto _ : state) {
    peer->step();
    benchmark::ClobberMemory();
  }
  state.counters["allocs_per_step"] =
      benchmark::Counter(double(count - before) / double(state.iterations()));
}

template <class Model>
using tg_peer = bench::tgpeer::network<Model>;
template <class Model>
using hand_peer = bench::hand::network<Model>;
template <class Model>
using eigen_peer = bench::eigen::network<Model>;
#ifdef TYPEGRAD_BENCH_TORCH
template <class Model>
using torch_peer = bench::libtorch::network<Model>;
#endif

template <class Model>
bool register_workload(const std::string& name, bool with_torch) {
  bool ok = agrees<Model, hand_peer<Model>>(name.c_str(), "hand") && agrees<Model, eigen_peer<Model>>(name.c_str(), "eigen");
  benchmark::RegisterBenchmark((name + "/hand").c_str(), step<Model, hand_peer<Model>>);
  benchmark::RegisterBenchmark((name + "/typegrad").c_str(), step<Model, tg_peer<Model>>);
  benchmark::RegisterBenchmark((name + "/eigen").c_str(), step<Model, eigen_peer<Model>>);
#ifdef TYPEGRAD_BENCH_TORCH
  if (with_torch) {
    ok = ok && agrees<Model, torch_peer<Model>>(name.c_str(), "libtorch");
    benchmark::RegisterBenchmark((name + "/libtorch").c_str(), step<Model, torch_peer<Model>>);
  }
#else
  (void)with_torch;
#endif
  return ok;
}

template <class Model>
using eigen_dynamic_peer = bench::eigen_dynamic::network<Model>;

template <class Model>
bool register_large_workload(const std::string& name) {
  bool ok = agrees<Model, eigen_dynamic_peer<Model>>(name.c_str(), "eigen_dyn");
  benchmark::RegisterBenchmark((name + "/typegrad").c_str(), step<Model, tg_peer<Model>>);
  benchmark::RegisterBenchmark((name + "/eigen_dyn").c_str(), step<Model, eigen_dynamic_peer<Model>>);
#ifdef TYPEGRAD_BENCH_TORCH
  ok = ok && agrees<Model, torch_peer<Model>>(name.c_str(), "libtorch");
  benchmark::RegisterBenchmark((name + "/libtorch").c_str(), step<Model, torch_peer<Model>>);
#endif
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef TYPEGRAD_BENCH_TORCH
  bench::rerun_with_one_thread(argv);
#else
  std::printf("libtorch peer skipped: libtorch was not found when this was built (Debian: libtorch-dev)\n");
#endif
  bool ok = register_workload<xor_model>("xor_f64", true);
  ok = agrees<xor_model, bench::unrolled::xor_network<xor_model>>("xor_f64", "unrolled") && ok;
  benchmark::RegisterBenchmark("xor_f64/unrolled", step<xor_model, bench::unrolled::xor_network<xor_model>>);
  ok = register_workload<mlp_f32>("mlp_f32", true) && ok;
  ok = register_workload<mlp_f64>("mlp_f64", true) && ok;
  ok = register_workload<deep_f32>("deep_f32", false) && ok;
  ok = register_large_workload<wide_f32>("256-128-10_f32") && ok;
  ok = register_large_workload<mnist_f32>("784-256-256-10_f32") && ok;
  ok = register_large_workload<mnist_large_f32>("784-512-512-10_f32") && ok;
  if (!ok) {
    std::printf("a peer disagrees with typegrad: nothing is timed\n");
    return 1;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
