// Property tests: gradcheck over a family of generated models, enumerated at
// compile time, at seeded random points, with zero failures allowed.
//   depth       1, 2 or 3 hidden layers
//   widths      input 3, hidden 4 or 2 (so layers change width), 2 classes
//   activation  tanh, sigmoid, softplus
//   shared      each layer uses its pre-activation z twice and its
//               activation a twice: h = a + a ⊙ z, so cotangents of shared
//               nodes must be summed
//   loss        softmax cross-entropy with soft targets, or mse
// relu is left to the law tests, which sample away from its kink.
#include "../support/testing.hpp"

#include <cstddef>
#include <utility>

namespace tg = typegrad;
using testing::random_tensor;
using testing::uniform;

namespace {

constexpr std::size_t batch = 5, inputs = 3, classes = 2;
constexpr tg::input<"X", batch, inputs> X;
constexpr tg::input<"Y", batch, classes> Y;

enum class activation { tanh, sigmoid, softplus };

template <activation A, class E>
constexpr auto activate(const E& z) {
  if constexpr (A == activation::tanh)
    return tg::tanh(z);
  else if constexpr (A == activation::sigmoid)
    return tg::sigmoid(z);
  else
    return tg::softplus(z);
}

// Layer L's parameters, named W0 b0, W1 b1, ...
template <std::size_t L, std::size_t In, std::size_t Out>
constexpr auto weight() {
  constexpr char name[] = {'W', char('0' + L), 0};
  return tg::param<tg::fixed_string<3>(name), In, Out>{};
}
template <std::size_t L, std::size_t Out>
constexpr auto bias() {
  constexpr char name[] = {'b', char('0' + L), 0};
  return tg::param<tg::fixed_string<3>(name), Out>{};
}

// The hidden width of layer L: 4, 2, 4, ...
template <std::size_t L>
inline constexpr std::size_t width = L % 2 == 0 ? 4 : 2;

template <std::size_t L, std::size_t Depth, activation A, class H>
constexpr auto hidden_layers(const H& h) {
  if constexpr (L == Depth) {
    return h;
  } else {
    constexpr std::size_t in = tg::shape_of_t<H>::dims[1];
    const auto z = h * weight<L, in, width<L>>() + bias<L, width<L>>();
    const auto a = activate<A>(z);
    return hidden_layers<L + 1, Depth, A>(a + tg::hadamard(a, z));
  }
}

template <std::size_t Depth, activation A, bool Mse>
constexpr auto model_loss() {
  const auto h = hidden_layers<0, Depth, A>(X);
  constexpr std::size_t last = tg::shape_of_t<decltype(h)>::dims[1];
  const auto logits = h * weight<Depth, last, classes>() + bias<Depth, classes>();
  if constexpr (Mse)
    return tg::mse(logits, Y);
  else
    return tg::mean(tg::cross_entropy(tg::softmax(logits), Y));
}

template <std::size_t Depth, activation A, bool Mse>
void check_model() {
  constexpr auto loss = model_loss<Depth, A, Mse>();
  using params_type = tg::parameters_t<double, decltype(loss)>;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    tg::random_engine rng(seed * 7919 + Depth * 31 + std::uint64_t(A) * 3 + Mse);
    params_type params{};
    tg::initialize(params, rng, tg::init::xavier_normal{}, tg::init::normal{0, 0.5});
    std::mt19937_64 data_rng(seed);
    auto targets = random_tensor<tg::shape<batch, classes>>(data_rng, uniform{0.05, 1.0});
    if constexpr (!Mse)
      for (std::size_t r = 0; r < batch; ++r) {  // soft targets: rows of probabilities
        const double total = targets(r, 0) + targets(r, 1);
        targets(r, 0) /= total;
        targets(r, 1) /= total;
      }
    auto data = tg::bind(X = random_tensor<tg::shape<batch, inputs>>(data_rng, uniform{-2, 2}), Y = targets);
    // gradcheck needs one environment it can perturb: every param with the data.
    auto all = [&]<class... Leaves>(tg::type_list<Leaves...>) {
      return tg::bind((tg::leaf_expr<Leaves>{} = params.template lookup<Leaves>())..., X = data[X], Y = data[Y]);
    }(typename params_type::leaves{});
    const auto report = [&]<class... Leaves>(tg::type_list<Leaves...>) {
      return tg::gradcheck(loss, all, tg::leaf_expr<Leaves>{}...);
    }(typename params_type::leaves{});
    INFO("depth " << Depth << ", activation " << int(A) << (Mse ? ", mse" : ", cross-entropy") << ", seed " << seed
                  << ": worst error " << report.worst_error << " at " << report.terminal << "[" << report.index << "]");
    REQUIRE(report.non_finite == 0);
    REQUIRE(report.passed(1e-6));
    // The program on parameters and data apart gives the same gradient.
    const auto apart = tg::grad(loss)(params, data);
    const auto together = tg::grad(loss)(all);
    REQUIRE(apart.value == together.value);
  }
}

template <std::size_t Depth, bool Mse>
void check_activations() {
  check_model<Depth, activation::tanh, Mse>();
  check_model<Depth, activation::sigmoid, Mse>();
  check_model<Depth, activation::softplus, Mse>();
}

}  // namespace

TEST_CASE("gradcheck passes on every generated model: depths 1-3, three activations, shared nodes, two losses",
          "[properties][gradcheck]") {
  check_activations<1, false>();
  check_activations<2, false>();
  check_activations<3, false>();
  check_activations<1, true>();
  check_activations<2, true>();
  check_activations<3, true>();
}
