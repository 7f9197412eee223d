// The cost of derivatives of derivatives, each against a baseline in the
// same run:
//   hvp against grad of the same loss (a 64-32-10 tanh MLP, batch 32,
//     softmax cross-entropy, every parameter);
//   jacobian in forward and in reverse mode, for a 4->16->3 and a 3->16->4
//     tanh MLP (the automatic choice is the faster one when it should be);
//   one training step of the physics-informed network of examples/pinn.cpp
//     (u'' in the loss, then its gradient, then Adam), typegrad against
//     libtorch doing the same with double backward, one thread each.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include <typegrad/typegrad.hpp>

#include "../examples/pinn_model.hpp"
#include "peers/one_thread.hpp"

#ifdef TYPEGRAD_BENCH_TORCH
#include <torch/torch.h>
#endif

namespace tg = typegrad;

namespace {

template <class Params>
void fill_normal(Params& params, unsigned seed, double scale) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0, 1);
  params.for_each([&](const auto&, auto& t) {
    for (auto& v : t) v = static_cast<std::remove_cvref_t<decltype(v)>>(scale * normal(rng));
  });
}
template <class Tensor>
Tensor random_tensor(unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(-1, 1);
  Tensor t{};
  for (auto& v : t) v = static_cast<typename Tensor::value_type>(uniform(rng));
  return t;
}

// ---- hvp against grad ------------------------------------------------------------
namespace mlp {
constexpr tg::input<"X", 32, 64> X;
constexpr tg::input<"Y", 32, 10> Y;
constexpr tg::param<"W1", 64, 32> W1;
constexpr tg::param<"b1", 32> b1;
constexpr tg::param<"W2", 32, 10> W2;
constexpr tg::param<"b2", 10> b2;
constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax(tg::tanh(X * W1 + b1) * W2 + b2), Y));

auto setup() {
  auto params = tg::parameters<float>(loss);
  fill_normal(params, 1, 0.2);
  auto y = tg::tensor<float, 32, 10>{};
  for (std::size_t r = 0; r < 32; ++r) y[r * 10 + r % 10] = 1;
  return std::pair{params, tg::bind(X = random_tensor<tg::tensor<float, 32, 64>>(2), Y = y)};
}

void grad(benchmark::State& state) {
  auto [params, data] = setup();
  constexpr auto program = tg::grad(loss);
  for (auto _ : state) {
    auto g = program(params, data);
    benchmark::DoNotOptimize(g);
  }
}
void hvp(benchmark::State& state) {
  auto [params, data] = setup();
  const auto seeds = tg::bind(tg::tangent(W1) = random_tensor<tg::tensor<float, 64, 32>>(3),
                              tg::tangent(b1) = random_tensor<tg::tensor<float, 32>>(4),
                              tg::tangent(W2) = random_tensor<tg::tensor<float, 32, 10>>(5),
                              tg::tangent(b2) = random_tensor<tg::tensor<float, 10>>(6));
  constexpr auto program = tg::hvp(loss, W1, b1, W2, b2);
  for (auto _ : state) {
    auto r = program(params, data, seeds);
    benchmark::DoNotOptimize(r);
  }
}
}  // namespace mlp

// ---- jacobians, both modes -------------------------------------------------------
template <std::size_t In, std::size_t Out>
struct small_map {
  static constexpr tg::input<"x", In> x{};
  static constexpr tg::param<"A", 16, In> A{};
  static constexpr tg::param<"a", 16> a{};
  static constexpr tg::param<"B", Out, 16> B{};
  static constexpr tg::param<"c", Out> c{};
  static constexpr auto f = tg::tanh(B * tg::tanh(A * x + a) + c);

  template <tg::jacobian_mode Mode>
  static void run(benchmark::State& state) {
    auto params = tg::parameters<double>(f);
    fill_normal(params, 7, 0.5);
    const auto at = tg::bind(x = random_tensor<tg::tensor<double, In>>(8));
    constexpr auto program = tg::jacobian<Mode>(f, x);
    state.SetLabel(decltype(program)::mode == tg::jacobian_mode::forward ? "forward" : "reverse");
    for (auto _ : state) {
      auto J = program(params, at);
      benchmark::DoNotOptimize(J);
    }
  }
};

// ---- the physics-informed network's training step --------------------------------
void pinn_typegrad(benchmark::State& state) {
  auto params = tg::parameters<float>(pinn::loss);
  fill_normal(params, 9, 0.3);
  tg::adam optimiser(params, {.learning_rate = 1e-4});
  const auto data = pinn::problem_data<float>();
  for (auto _ : state) {
    const auto g = pinn::step(params, data);
    optimiser.step(params, g);
    benchmark::DoNotOptimize(params);
  }
}

#ifdef TYPEGRAD_BENCH_TORCH
// The same network, loss and Adam in libtorch: u'' by two torch::autograd::grad
// calls with create_graph, then backward.
struct torch_pinn {
  std::vector<torch::Tensor> weights;
  torch::Tensor x, f, boundary;
  std::unique_ptr<torch::optim::Adam> optimiser;

  template <class Params>
  explicit torch_pinn(const Params& params) {
    torch::set_num_threads(1);
    const auto from = [](const auto& t, std::vector<int64_t> shape) {
      std::vector<float> v(t.begin(), t.end());
      return torch::tensor(v, torch::dtype(torch::kFloat32)).reshape(shape).clone().requires_grad_(true);
    };
    weights = {from(params[pinn::W1], {1, 32}), from(params[pinn::b1], {32}), from(params[pinn::W2], {32, 32}),
               from(params[pinn::b2], {32}),    from(params[pinn::W3], {32, 1}), from(params[pinn::b3], {1})};
    const auto data = pinn::problem_data<float>();
    const auto plain = [](const auto& t, std::vector<int64_t> shape) {
      std::vector<float> v(t.begin(), t.end());
      return torch::tensor(v, torch::dtype(torch::kFloat32)).reshape(shape).clone();
    };
    x = plain(data[pinn::x], {64, 1}).requires_grad_(true);
    f = plain(data[pinn::f], {64, 1});
    boundary = plain(data[pinn::boundary], {2, 1});
    optimiser = std::make_unique<torch::optim::Adam>(weights, torch::optim::AdamOptions(1e-4));
  }
  torch::Tensor u(const torch::Tensor& at) const {
    const auto h1 = torch::tanh(torch::addmm(weights[1], at, weights[0]));
    const auto h2 = torch::tanh(torch::addmm(weights[3], h1, weights[2]));
    return torch::addmm(weights[5], h2, weights[4]);
  }
  double step() {
    optimiser->zero_grad();
    const auto values = u(x);
    const auto du = torch::autograd::grad({values.sum()}, {x}, {}, true, true)[0];
    const auto d2u = torch::autograd::grad({du.sum()}, {x}, {}, true, true)[0];
    const auto total = (d2u + f).square().mean() + u(boundary).square().mean();
    total.backward();
    optimiser->step();
    return total.item<double>();
  }
};

void pinn_libtorch(benchmark::State& state) {
  auto params = tg::parameters<float>(pinn::loss);
  fill_normal(params, 9, 0.3);
  torch_pinn peer(params);
  for (auto _ : state) benchmark::DoNotOptimize(peer.step());
}

// Before timing: the first loss of both is the same.
bool pinn_peers_agree() {
  auto params = tg::parameters<float>(pinn::loss);
  fill_normal(params, 9, 0.3);
  torch_pinn peer(params);
  const double theirs = peer.step();
  const double ours = pinn::step(params, pinn::problem_data<float>()).value;
  const double difference = std::abs(ours - theirs) / std::max(1.0, std::abs(theirs));
  std::printf("check pinn loss: typegrad %.7g, libtorch %.7g, relative difference %.1e: %s\n", ours, theirs, difference,
              difference <= 1e-4 ? "same" : "DIFFERENT");
  return difference <= 1e-4;
}
#endif

}  // namespace

int main(int argc, char** argv) {
#ifdef TYPEGRAD_BENCH_TORCH
  bench::rerun_with_one_thread(argv);
  if (!pinn_peers_agree()) return 1;
  benchmark::RegisterBenchmark("pinn_step/libtorch", pinn_libtorch);
#else
  std::printf("libtorch peer skipped: libtorch was not found when this was built (Debian: libtorch-dev)\n");
#endif
  benchmark::RegisterBenchmark("pinn_step/typegrad", pinn_typegrad);
  benchmark::RegisterBenchmark("mlp_64_32_10/grad", mlp::grad);
  benchmark::RegisterBenchmark("mlp_64_32_10/hvp", mlp::hvp);
  benchmark::RegisterBenchmark("jacobian_4_to_3/forward", small_map<4, 3>::run<tg::jacobian_mode::forward>);
  benchmark::RegisterBenchmark("jacobian_4_to_3/reverse", small_map<4, 3>::run<tg::jacobian_mode::reverse>);
  benchmark::RegisterBenchmark("jacobian_3_to_4/forward", small_map<3, 4>::run<tg::jacobian_mode::forward>);
  benchmark::RegisterBenchmark("jacobian_3_to_4/reverse", small_map<3, 4>::run<tg::jacobian_mode::reverse>);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
