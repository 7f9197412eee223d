// Convolutional layers and a CNN's training step, typegrad against libtorch
// (on OpenBLAS, one thread), each pair in the same run:
//   one 3x3 conv, stride 1, same padding, batch 1: forward and both backward
//     passes (the input's and the kernel's gradients of sum(conv(x, k) ⊙ R)),
//     at 28x28x1 -> 8, 14x14x16 -> 32 and 7x7x32 -> 64; libtorch both
//     through autograd and calling ATen's convolution and
//     convolution_backward directly (its best case); and oneDNN, in the
//     layouts it chooses, reordered from and back to NHWC (when built with
//     TYPEGRAD_BENCH_ONEDNN);
//   one LeNet-5 training step at batch 64 (conv 5x5 -> 6, max pool, conv
//     5x5 -> 16, max pool, 120, 84, 10, relu; 61,706 parameters): forward,
//     backward and Adam.
// Before timing, the peers' results are compared.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <vector>

#include <typegrad/typegrad.hpp>

#include "peers/one_thread.hpp"

#ifdef TYPEGRAD_BENCH_TORCH
#include <torch/torch.h>
#endif
#ifdef TYPEGRAD_BENCH_ONEDNN
#include "peers/onednn_conv.hpp"
#endif

namespace tg = typegrad;

namespace {

template <class Tensor>
Tensor random_tensor(unsigned seed, double scale = 1.0) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(-scale, scale);
  Tensor t{};
  for (auto& v : t) v = static_cast<typename Tensor::value_type>(uniform(rng));
  return t;
}

constexpr tg::conv_options same{.pad = tg::same};

// ---- one conv layer ------------------------------------------------------------------
template <std::size_t H, std::size_t Cin, std::size_t Cout>
struct conv_layer {
  static constexpr tg::input<"X", 1, H, H, Cin> X{};
  static constexpr tg::param<"K", 3, 3, Cin, Cout> K{};
  static constexpr tg::input<"R", 1, H, H, Cout> R{};
  static constexpr auto loss = tg::sum(tg::hadamard(tg::conv2d<same>(X, K), R));
  static constexpr auto program = tg::grad(loss, X, K);

  static auto inputs() {
    return tg::bind(X = random_tensor<tg::tensor<float, 1, H, H, Cin>>(1),
                    K = random_tensor<tg::tensor<float, 3, 3, Cin, Cout>>(2, 0.3),
                    R = random_tensor<tg::tensor<float, 1, H, H, Cout>>(3));
  }
  static void typegrad(benchmark::State& state) {
    const auto env = inputs();
    for (auto _ : state) {
      auto g = program(env);
      benchmark::DoNotOptimize(g);
    }
  }
#ifdef TYPEGRAD_BENCH_TORCH
  struct peer {
    torch::Tensor x, k, r;
    explicit peer(const decltype(inputs())& env) {
      torch::set_num_threads(1);
      const auto from = [](const auto& t, std::vector<int64_t> shape) {
        std::vector<float> v(t.begin(), t.end());
        return torch::tensor(v, torch::dtype(torch::kFloat32)).reshape(shape);
      };
      x = from(env[X], {1, H, H, Cin}).permute({0, 3, 1, 2}).contiguous().requires_grad_(true);
      k = from(env[K], {3, 3, Cin, Cout}).permute({3, 2, 0, 1}).contiguous().requires_grad_(true);
      r = from(env[R], {1, H, H, Cout}).permute({0, 3, 1, 2}).contiguous();
    }
    double step() {
      x.mutable_grad() = torch::Tensor();
      k.mutable_grad() = torch::Tensor();
      auto total = (torch::conv2d(x, k, {}, 1, 1) * r).sum();
      total.backward();
      return total.template item<double>();
    }
    // Without autograd: the forward and ATen's convolution_backward (both
    // gradients at once), which is what autograd calls underneath.
    double direct() {
      torch::NoGradGuard no_grad;
      const auto y = at::convolution(x, k, {}, {1, 1}, {1, 1}, {1, 1}, false, {0, 0}, 1);
      const auto grads = at::convolution_backward(r, x, k, c10::nullopt, {1, 1}, {1, 1}, {1, 1}, false, {0, 0}, 1,
                                                  {true, true, false});
      benchmark::DoNotOptimize(std::get<0>(grads).data_ptr());
      benchmark::DoNotOptimize(std::get<1>(grads).data_ptr());
      return (y * r).sum().template item<double>();
    }
  };
  static void libtorch(benchmark::State& state) {
    peer p(inputs());
    for (auto _ : state) benchmark::DoNotOptimize(p.step());
  }
  static void libtorch_direct(benchmark::State& state) {
    peer p(inputs());
    for (auto _ : state) benchmark::DoNotOptimize(p.direct());
  }
  static bool agree() {
    const auto env = inputs();
    peer p(env);
    const double theirs = p.step();
    const auto g = program(env);
    const double dk_theirs = p.k.grad().abs().sum().template item<double>();
    double dk_ours = 0;
    for (float v : g[K]) dk_ours += std::abs(double(v));
    const double difference = std::max(std::abs(double(g.value) - theirs) / std::max(1.0, std::abs(theirs)),
                                       std::abs(dk_ours - dk_theirs) / std::max(1.0, dk_theirs));
    std::printf("check conv %zux%zux%zu->%zu: loss %.6g against %.6g, |dK| %.6g against %.6g: %s\n", H, H, Cin, Cout,
                double(g.value), theirs, dk_ours, dk_theirs, difference <= 1e-4 ? "same" : "DIFFERENT");
    return difference <= 1e-4;
  }
#endif
#ifdef TYPEGRAD_BENCH_ONEDNN
  static std::unique_ptr<bench::onednn_conv> onednn_peer(const decltype(inputs())& env) {
    auto p = std::make_unique<bench::onednn_conv>(1, H, Cin, Cout, 3, 1);
    std::copy(env[X].begin(), env[X].end(), p->x());
    std::copy(env[K].begin(), env[K].end(), p->k());
    std::copy(env[R].begin(), env[R].end(), p->r());
    return p;
  }
  static void onednn(benchmark::State& state) {
    const auto p = onednn_peer(inputs());
    for (auto _ : state) {
      p->step();
      benchmark::DoNotOptimize(p->dk());
    }
  }
  // Every element of y, dx and dk against typegrad's, to 1e-4 relative.
  static bool agree_onednn() {
    const auto env = inputs();
    const auto p = onednn_peer(env);
    p->step();
    const auto y = tg::eval(tg::conv2d<same>(X, K), env);
    const auto g = program(env);
    double worst = 0;
    const auto compare = [&worst](const auto& ours, const float* theirs) {
      for (std::size_t i = 0; i < ours.size; ++i)
        worst = std::max(worst, std::abs(double(ours[i]) - theirs[i]) / std::max(1.0, std::abs(double(ours[i]))));
    };
    compare(y, p->y());
    compare(g[X], p->dx());
    compare(g[K], p->dk());
    std::printf("check conv %zux%zux%zu->%zu against oneDNN: y, dx and dK within %.2g: %s\n", H, H, Cin, Cout, worst,
                worst <= 1e-4 ? "same" : "DIFFERENT");
    return worst <= 1e-4;
  }
#endif
};

// ---- LeNet-5 -------------------------------------------------------------------------
namespace lenet {
constexpr std::size_t batch = 64;
constexpr tg::input<"X", batch, 28, 28, 1> X;
constexpr tg::input<"Y", batch, 10> Y;
constexpr tg::param<"K1", 5, 5, 1, 6> K1;
constexpr tg::param<"c1", 6> c1;
constexpr tg::param<"K2", 5, 5, 6, 16> K2;
constexpr tg::param<"c2", 16> c2;
constexpr tg::param<"W3", 400, 120> W3;
constexpr tg::param<"b3", 120> b3;
constexpr tg::param<"W4", 120, 84> W4;
constexpr tg::param<"b4", 84> b4;
constexpr tg::param<"W5", 84, 10> W5;
constexpr tg::param<"b5", 10> b5;
constexpr auto features = tg::max_pool2d(tg::relu(tg::conv2d(tg::max_pool2d(tg::relu(tg::conv2d<same>(X, K1) + c1)), K2) + c2));
constexpr auto logits = tg::relu(tg::relu(tg::flatten(features) * W3 + b3) * W4 + b4) * W5 + b5;
constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax(logits), Y));
constexpr auto program = tg::grad(loss);

auto setup() {
  auto params = tg::parameters<float>(loss);
  tg::random_engine rng(5);
  tg::initialize(params, rng, tg::init::he_uniform{});
  auto y = tg::tensor<float, batch, 10>{};
  for (std::size_t r = 0; r < batch; ++r) y[r * 10 + r % 10] = 1;
  auto data = tg::bind(X = random_tensor<tg::tensor<float, batch, 28, 28, 1>>(6, 1.0), Y = y);
  return std::pair{params, data};
}

void typegrad(benchmark::State& state) {
  auto [params, data] = setup();
  tg::adam optimiser(params, {.learning_rate = 0.001});
  const auto ws = std::make_unique<decltype(program)::workspace_type>();
  for (auto _ : state) {
    const auto& g = program(tg::join(params, data), *ws);
    optimiser.step(params, g);
    benchmark::DoNotOptimize(params);
  }
}

#ifdef TYPEGRAD_BENCH_TORCH
struct peer {
  std::vector<torch::Tensor> w;
  torch::Tensor x, y;
  std::unique_ptr<torch::optim::Adam> optimiser;
  template <class Params, class Data>
  peer(const Params& params, const Data& data) {
    torch::set_num_threads(1);
    const auto from = [](const auto& t, std::vector<int64_t> shape) {
      std::vector<float> v(t.begin(), t.end());
      return torch::tensor(v, torch::dtype(torch::kFloat32)).reshape(shape);
    };
    const auto kernel = [&](const auto& t, int64_t kh, int64_t ci, int64_t co) {
      return from(t, {kh, kh, ci, co}).permute({3, 2, 0, 1}).contiguous().requires_grad_(true);
    };
    w = {kernel(params[K1], 5, 1, 6),          from(params[c1], {6}).requires_grad_(true),
         kernel(params[K2], 5, 6, 16),         from(params[c2], {16}).requires_grad_(true),
         from(params[W3], {400, 120}).requires_grad_(true), from(params[b3], {120}).requires_grad_(true),
         from(params[W4], {120, 84}).requires_grad_(true),  from(params[b4], {84}).requires_grad_(true),
         from(params[W5], {84, 10}).requires_grad_(true),   from(params[b5], {10}).requires_grad_(true)};
    x = from(data[X], {int64_t(batch), 28, 28, 1}).permute({0, 3, 1, 2}).contiguous();
    y = from(data[Y], {int64_t(batch), 10});
    optimiser = std::make_unique<torch::optim::Adam>(w, torch::optim::AdamOptions(1e-3));
  }
  double step() {
    optimiser->zero_grad();
    auto h = torch::max_pool2d(torch::relu(torch::conv2d(x, w[0], w[1], 1, 2)), 2);
    h = torch::max_pool2d(torch::relu(torch::conv2d(h, w[2], w[3])), 2);
    h = h.permute({0, 2, 3, 1}).flatten(1);  // NHWC order, as typegrad's flatten
    h = torch::relu(torch::addmm(w[5], h, w[4]));
    h = torch::relu(torch::addmm(w[7], h, w[6]));
    h = torch::addmm(w[9], h, w[8]);
    auto total = -(y * torch::log_softmax(h, 1)).sum(1).mean();
    total.backward();
    optimiser->step();
    return total.item<double>();
  }
};
void libtorch(benchmark::State& state) {
  auto [params, data] = setup();
  peer p(params, data);
  for (auto _ : state) benchmark::DoNotOptimize(p.step());
}
bool agree() {
  auto [params, data] = setup();
  peer p(params, data);
  const double theirs = p.step();
  const auto ws = std::make_unique<decltype(program)::workspace_type>();
  const double ours = program(tg::join(params, data), *ws).value;
  const double difference = std::abs(ours - theirs) / std::max(1.0, std::abs(theirs));
  std::printf("check lenet5 loss: typegrad %.7g, libtorch %.7g: %s\n", ours, theirs, difference <= 1e-4 ? "same" : "DIFFERENT");
  return difference <= 1e-4;
}
#endif
}  // namespace lenet

}  // namespace

int main(int argc, char** argv) {
  bench::rerun_with_one_thread(argv);
#ifdef TYPEGRAD_BENCH_TORCH
  if (!conv_layer<28, 1, 8>::agree() || !conv_layer<14, 16, 32>::agree() || !conv_layer<7, 32, 64>::agree() ||
      !lenet::agree())
    return 1;
  benchmark::RegisterBenchmark("conv_28x28x1_to_8/libtorch", conv_layer<28, 1, 8>::libtorch);
  benchmark::RegisterBenchmark("conv_14x14x16_to_32/libtorch", conv_layer<14, 16, 32>::libtorch);
  benchmark::RegisterBenchmark("conv_7x7x32_to_64/libtorch", conv_layer<7, 32, 64>::libtorch);
  benchmark::RegisterBenchmark("conv_28x28x1_to_8/libtorch_direct", conv_layer<28, 1, 8>::libtorch_direct);
  benchmark::RegisterBenchmark("conv_14x14x16_to_32/libtorch_direct", conv_layer<14, 16, 32>::libtorch_direct);
  benchmark::RegisterBenchmark("conv_7x7x32_to_64/libtorch_direct", conv_layer<7, 32, 64>::libtorch_direct);
  benchmark::RegisterBenchmark("lenet5_step_batch64/libtorch", lenet::libtorch);
#else
  std::printf("libtorch peer skipped: libtorch was not found when this was built (Debian: libtorch-dev)\n");
#endif
#ifdef TYPEGRAD_BENCH_ONEDNN
  if (!conv_layer<28, 1, 8>::agree_onednn() || !conv_layer<14, 16, 32>::agree_onednn() ||
      !conv_layer<7, 32, 64>::agree_onednn())
    return 1;
  benchmark::RegisterBenchmark("conv_28x28x1_to_8/onednn", conv_layer<28, 1, 8>::onednn);
  benchmark::RegisterBenchmark("conv_14x14x16_to_32/onednn", conv_layer<14, 16, 32>::onednn);
  benchmark::RegisterBenchmark("conv_7x7x32_to_64/onednn", conv_layer<7, 32, 64>::onednn);
#else
  std::printf("oneDNN peer skipped: oneDNN was not found when this was built (Debian: libdnnl-dev)\n");
#endif
  benchmark::RegisterBenchmark("conv_28x28x1_to_8/typegrad", conv_layer<28, 1, 8>::typegrad);
  benchmark::RegisterBenchmark("conv_14x14x16_to_32/typegrad", conv_layer<14, 16, 32>::typegrad);
  benchmark::RegisterBenchmark("conv_7x7x32_to_64/typegrad", conv_layer<7, 32, 64>::typegrad);
  benchmark::RegisterBenchmark("lenet5_step_batch64/typegrad", lenet::typegrad);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
