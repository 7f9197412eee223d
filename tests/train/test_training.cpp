// Training: parameter sets, one model at any batch size, initialisers and
// the random engine, optimisers and schedules against numpy, data sets and
// mini-batches, metrics.
#include "../reference/training_reference.hpp"
#include "../support/testing.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <type_traits>

namespace tg = typegrad;
namespace ref = reference::training;
using testing::from_flat;

namespace {

constexpr tg::param<"W1", 5, 8> W1;
constexpr tg::param<"b1", 8> b1;
constexpr tg::param<"W2", 8, 3> W2;
constexpr tg::param<"b2", 3> b2;
template <std::size_t B>
constexpr tg::input<"X", B, 5> X{};
template <std::size_t B>
constexpr tg::input<"Y", B, 3> Y{};
// The model, written once for every batch size.
template <std::size_t B>
constexpr auto logits = tg::tanh(X<B> * W1 + b1) * W2 + b2;
template <std::size_t B>
constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax(logits<B>), Y<B>));

template <class Tensor>
void require_equal_to(const Tensor& t, const double* want) {
  for (std::size_t i = 0; i < Tensor::size; ++i) {
    INFO("element " << i);
    REQUIRE(t[i] == want[i]);
  }
}
template <class Tensor>
void require_near(const Tensor& t, const double* want, double tolerance = 1e-13) {
  for (std::size_t i = 0; i < Tensor::size; ++i) {
    INFO("element " << i << ": " << t[i] << " against " << want[i]);
    REQUIRE(std::abs(t[i] - want[i]) <= tolerance * std::max(1.0, std::abs(want[i])));
  }
}

}  // namespace

TEST_CASE("parameters gives one zeroed tensor per param, in first-use order", "[train][parameters]") {
  auto params = tg::parameters<float>(loss<32>);
  using P = decltype(params);
  STATIC_REQUIRE(std::is_same_v<P::leaves, tg::type_list<tg::leaf_of_t<decltype(W1)>, tg::leaf_of_t<decltype(b1)>,
                                                         tg::leaf_of_t<decltype(W2)>, tg::leaf_of_t<decltype(b2)>>>);
  STATIC_REQUIRE(std::is_same_v<std::remove_cvref_t<decltype(params[W1])>, tg::tensor<float, 5, 8>>);
  STATIC_REQUIRE(std::is_same_v<P, tg::parameters_t<float, decltype(logits<1>)>>);  // no batch in parameters
  for (float v : params[W2]) REQUIRE(v == 0.0f);
  // grad(loss) with no terminal listed differentiates every param.
  using program = decltype(tg::grad(loss<4>));
  STATIC_REQUIRE(std::is_same_v<program::wrt, tg::type_list<std::remove_cvref_t<decltype(W1)>, std::remove_cvref_t<decltype(b1)>,
                                                           std::remove_cvref_t<decltype(W2)>, std::remove_cvref_t<decltype(b2)>>>);
}

TEST_CASE("one parameter set serves batch 32 and batch 1, and rows agree", "[train][batch]") {
  tg::random_engine rng(1);
  auto params = tg::parameters<double>(loss<32>);
  tg::initialize(params, rng, tg::init::xavier_uniform{}, tg::init::uniform{-0.1, 0.1});
  auto batch = tg::bind(X<32> = tg::tensor<double, 32, 5>{}, Y<32> = tg::tensor<double, 32, 3>{});
  tg::init::normal{0, 1}(batch[X<32>], rng);
  const auto scores32 = tg::eval(logits<32>, params, batch);
  for (std::size_t r = 0; r < 32; ++r) {
    tg::tensor<double, 1, 5> row;
    for (std::size_t c = 0; c < 5; ++c) row(0, c) = batch[X<32>](r, c);
    const auto one = tg::bind(X<1> = row);
    const auto scores1 = tg::eval(logits<1>, params, one);
    for (std::size_t c = 0; c < 3; ++c) {
      INFO("row " << r << ", class " << c);
      REQUIRE(std::abs(scores1(0, c) - scores32(r, c)) <= 1e-14);
    }
  }
  // The gradient program takes parameters and data apart too, and agrees
  // with the bound-together form.
  constexpr auto step = tg::grad(loss<32>);
  for (std::size_t r = 0; r < 32; ++r) batch[Y<32>](r, r % 3) = 1;
  const auto apart = step(params, batch);
  const auto together = tg::grad(loss<32>, W1, b1, W2, b2)(
      tg::bind(W1 = params[W1], b1 = params[b1], W2 = params[W2], b2 = params[b2], X<32> = batch[X<32>], Y<32> = batch[Y<32>]));
  REQUIRE(apart.value == together.value);
  REQUIRE(apart[W1] == together[W1]);
  REQUIRE(apart[b2] == together[b2]);
}

TEST_CASE("the random engine's draws are the ones the reference script defines", "[train][random]") {
  {
    tg::random_engine rng(42);
    for (unsigned long long want : ref::raw_seed42) REQUIRE(rng.next() == want);
  }
  tg::random_engine uniform(42);
  for (double want : ref::uniform01_seed42) REQUIRE(uniform.uniform01() == want);
  tg::random_engine normal(7);
  for (double want : ref::normal_1_2_seed7) REQUIRE(normal.normal(1.0, 2.0) == want);
  tg::random_engine below(3);
  for (unsigned long long want : ref::below10_seed3) REQUIRE(below.below(10) == want);
  tg::random_engine shuffler(11);
  int order[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  shuffler.shuffle(order, order + 10);
  for (std::size_t i = 0; i < 10; ++i) REQUIRE(static_cast<unsigned long long>(order[i]) == ref::shuffle10_seed11[i]);
}

TEST_CASE("initialisers give the reference values, bit for bit, in double and float", "[train][init]") {
  auto check = [](const auto& initialiser, const double* want) {
    tg::tensor<double, 3, 4> t;
    tg::random_engine rng(5);
    initialiser(t, rng);
    require_equal_to(t, want);
    tg::tensor<float, 3, 4> f;
    tg::random_engine again(5);
    initialiser(f, again);
    for (std::size_t i = 0; i < 12; ++i) REQUIRE(f[i] == static_cast<float>(want[i]));
  };
  check(tg::init::uniform{-0.5, 0.25}, ref::init_uniform_3x4_seed5);
  check(tg::init::normal{0.0, 0.1}, ref::init_normal_3x4_seed5);
  check(tg::init::xavier_uniform{}, ref::init_xavier_uniform_3x4_seed5);
  check(tg::init::xavier_normal{}, ref::init_xavier_normal_3x4_seed5);
  check(tg::init::he_uniform{}, ref::init_he_uniform_3x4_seed5);
  check(tg::init::he_normal{}, ref::init_he_normal_3x4_seed5);
  tg::tensor<double, 4> c;
  tg::random_engine rng(1);
  tg::init::constant{0.25}(c, rng);
  for (double v : c) REQUIRE(v == 0.25);
  tg::init::zeros{}(c, rng);
  for (double v : c) REQUIRE(v == 0.0);
}

namespace {
constexpr tg::param<"W", 3, 2> W;
constexpr tg::param<"b", 2> b;
constexpr tg::input<"Xr", 4, 3> Xr;
constexpr tg::input<"Yr", 4, 2> Yr;
constexpr auto regression = tg::mse(Xr * W + b, Yr);
constexpr auto regression_step = tg::grad(regression);

struct reference_problem {
  tg::parameters_t<double, decltype(regression)> params = tg::parameters<double>(regression);
  decltype(tg::bind(Xr = tg::tensor<double, 4, 3>{}, Yr = tg::tensor<double, 4, 2>{})) data =
      tg::bind(Xr = from_flat<tg::tensor<double, 4, 3>>(ref::X), Yr = from_flat<tg::tensor<double, 4, 2>>(ref::Y));
  reference_problem() {
    params[W] = from_flat<tg::tensor<double, 3, 2>>(ref::W0);
    params[b] = from_flat<tg::tensor<double, 2>>(ref::b0);
  }
  // Five steps; `update(g, t)` applies one step with the gradients g at step t.
  template <class Update>
  void run(Update update, const double* losses) {
    for (std::size_t t = 0; t < 5; ++t) {
      auto g = regression_step(params, data);
      INFO("step " << t);
      REQUIRE(std::abs(g.value - losses[t]) <= 1e-13);
      update(g, t);
    }
  }
  void require_params(const double* want_W, const double* want_b) {
    require_near(params[W], want_W);
    require_near(params[b], want_b);
  }
};
}  // namespace

TEST_CASE("SGD, with momentum, Nesterov, weight decay and schedules, matches numpy", "[train][optim][sgd]") {
  SECTION("plain") {
    reference_problem p;
    tg::sgd opt(p.params, {.learning_rate = 0.1});
    p.run([&](auto& g, std::size_t) { opt.step(p.params, g); }, ref::sgd_losses);
    p.require_params(ref::sgd_W, ref::sgd_b);
    REQUIRE(opt.steps == 5);
  }
  SECTION("momentum and weight decay") {
    reference_problem p;
    tg::sgd opt(p.params, {.learning_rate = 0.1, .momentum = 0.9, .weight_decay = 0.01});
    p.run([&](auto& g, std::size_t) { opt.step(p.params, g); }, ref::sgd_momentum_decay_losses);
    p.require_params(ref::sgd_momentum_decay_W, ref::sgd_momentum_decay_b);
  }
  SECTION("Nesterov") {
    reference_problem p;
    tg::sgd opt(p.params, {.learning_rate = 0.1, .momentum = 0.9, .nesterov = true});
    p.run([&](auto& g, std::size_t) { opt.step(p.params, g); }, ref::sgd_nesterov_losses);
    p.require_params(ref::sgd_nesterov_W, ref::sgd_nesterov_b);
  }
  SECTION("linear warm-up into cosine decay") {
    reference_problem p;
    tg::sgd opt(p.params, {.momentum = 0.5});
    const tg::schedule::warmup schedule{2, tg::schedule::cosine{0.2, 4, 0.01}};
    p.run([&](auto& g, std::size_t) { opt.step(p.params, g, schedule(opt.steps)); }, ref::sgd_warmup_cosine_losses);
    p.require_params(ref::sgd_warmup_cosine_W, ref::sgd_warmup_cosine_b);
  }
  SECTION("step decay") {
    reference_problem p;
    tg::sgd opt(p.params, {});
    const tg::schedule::step_decay schedule{0.3, 2, 0.5};
    p.run([&](auto& g, std::size_t t) { opt.step(p.params, g, schedule(t)); }, ref::sgd_step_decay_losses);
    p.require_params(ref::sgd_step_decay_W, ref::sgd_step_decay_b);
  }
  SECTION("clipped by global norm") {
    reference_problem p;
    tg::sgd opt(p.params, {.learning_rate = 0.5});
    p.run(
        [&](auto& g, std::size_t) {
          tg::clip_by_global_norm(g, 0.1);
          opt.step(p.params, g);
        },
        ref::sgd_clipped_losses);
    p.require_params(ref::sgd_clipped_W, ref::sgd_clipped_b);
  }
}

TEST_CASE("Adam, Adam with L2 and AdamW match numpy", "[train][optim][adam]") {
  SECTION("adam") {
    reference_problem p;
    tg::adam opt(p.params, {.learning_rate = 0.05});
    REQUIRE(opt.weight_decay() == 0.0);
    p.run([&](auto& g, std::size_t) { opt.step(p.params, g); }, ref::adam_losses);
    p.require_params(ref::adam_W, ref::adam_b);
  }
  SECTION("adam with L2 weight decay") {
    reference_problem p;
    tg::adam opt(p.params, {.learning_rate = 0.05, .weight_decay = 0.1});
    p.run([&](auto& g, std::size_t) { opt.step(p.params, g); }, ref::adam_l2_losses);
    p.require_params(ref::adam_l2_W, ref::adam_l2_b);
  }
  SECTION("adamw, decoupled weight decay") {
    reference_problem p;
    tg::adamw opt(p.params, {.learning_rate = 0.05, .weight_decay = 0.1});
    p.run([&](auto& g, std::size_t) { opt.step(p.params, g); }, ref::adamw_losses);
    p.require_params(ref::adamw_W, ref::adamw_b);
  }
  SECTION("adamw with weight decay unset decays by PyTorch's default, 1e-2") {
    reference_problem p;
    tg::adamw opt(p.params, {.learning_rate = 0.05});
    REQUIRE(opt.weight_decay() == 1e-2);
    p.run([&](auto& g, std::size_t) { opt.step(p.params, g); }, ref::adamw_default_decay_losses);
    p.require_params(ref::adamw_default_decay_W, ref::adamw_default_decay_b);
  }
  SECTION("adamw with weight decay set to 0 does not decay") {
    reference_problem p;
    tg::adamw opt(p.params, {.learning_rate = 0.05, .weight_decay = 0.0});
    p.run([&](auto& g, std::size_t) { opt.step(p.params, g); }, ref::adam_losses);
    p.require_params(ref::adam_W, ref::adam_b);
  }
  SECTION("adam after clipping") {
    reference_problem p;
    tg::adam opt(p.params, {.learning_rate = 0.05});
    p.run(
        [&](auto& g, std::size_t) {
          tg::clip_by_global_norm(g, 0.05);
          opt.step(p.params, g);
        },
        ref::adam_clipped_losses);
    p.require_params(ref::adam_clipped_W, ref::adam_clipped_b);
  }
}

TEST_CASE("clipping returns the norm, leaves small gradients alone and never hides NaN", "[train][clip]") {
  tg::gradients<double, std::remove_cvref_t<decltype(b)>> g{};
  std::get<0>(g.tensors) = tg::tensor<double, 2>{3, 4};
  REQUIRE(tg::clip_by_global_norm(g, 10) == 5);
  REQUIRE(g[b] == tg::tensor<double, 2>{3, 4});
  REQUIRE(tg::clip_by_global_norm(g, 1) == 5);
  REQUIRE(std::abs(g[b](0) - 0.6) < 1e-6);
  std::get<0>(g.tensors)(1) = std::nan("");
  REQUIRE(std::isnan(tg::clip_by_global_norm(g, 1)));
  REQUIRE(std::isnan(g[b](1)));
}

TEST_CASE("clipping leaves gradients holding an Inf alone, and clips gradients whose squares overflow", "[train][clip]") {
  tg::gradients<double, std::remove_cvref_t<decltype(b)>> g{};
  SECTION("Inf: the norm is Inf and nothing is scaled") {
    std::get<0>(g.tensors) = tg::tensor<double, 2>{3, std::numeric_limits<double>::infinity()};
    REQUIRE(tg::clip_by_global_norm(g, 1) == std::numeric_limits<double>::infinity());
    REQUIRE(g[b](0) == 3);
    REQUIRE(std::isinf(g[b](1)));
  }
  SECTION("Inf and NaN together: NaN, nothing scaled") {
    std::get<0>(g.tensors) = tg::tensor<double, 2>{std::nan(""), -std::numeric_limits<double>::infinity()};
    REQUIRE(std::isnan(tg::clip_by_global_norm(g, 1)));
    REQUIRE(std::isnan(g[b](0)));
    REQUIRE(std::isinf(g[b](1)));
  }
  SECTION("finite values whose squares overflow: a finite norm, and a clip to max_norm") {
    std::get<0>(g.tensors) = tg::tensor<double, 2>{3e200, 4e200};
    const double norm = tg::clip_by_global_norm(g, 1);
    REQUIRE(norm == Approx(5e200).epsilon(1e-15));
    REQUIRE(g[b](0) == Approx(0.6).epsilon(1e-15));
    REQUIRE(g[b](1) == Approx(0.8).epsilon(1e-15));
  }
}

TEST_CASE("schedules are functions of the step count", "[train][schedule]") {
  REQUIRE(tg::schedule::constant{0.3}(1000) == 0.3);
  const tg::schedule::step_decay decay{1.0, 10, 0.5};
  REQUIRE(decay(9) == 1.0);
  REQUIRE(decay(10) == 0.5);
  REQUIRE(decay(25) == 0.25);
  const tg::schedule::cosine cosine{1.0, 100, 0.1};
  REQUIRE(cosine(0) == 1.0);
  REQUIRE(std::abs(cosine(50) - 0.55) < 1e-15);
  REQUIRE(cosine(100) == 0.1);
  REQUIRE(cosine(1000) == 0.1);
  const tg::schedule::warmup warm{4, tg::schedule::constant{0.8}};
  REQUIRE(warm(0) == 0.2);
  REQUIRE(warm(3) == 0.8);
  REQUIRE(warm(10) == 0.8);
}

namespace {
tg::csv_table labelled_table(std::size_t rows) {
  std::string text;
  for (std::size_t r = 0; r < rows; ++r)
    text += std::to_string(r) + "," + std::to_string(r * 10) + "," + std::to_string(r % 3) + "\n";
  return tg::parse_csv(text, "labelled.csv");
}
}  // namespace

TEST_CASE("a classification table becomes inputs and one-hot targets", "[data][dataset]") {
  const auto data = tg::dataset<double, 2, 3>::classification(labelled_table(7), 2, 0.5);
  REQUIRE(data.rows() == 7);
  REQUIRE(data.input_row(4)[1] == 20.0);
  REQUIRE(data.label(5) == 2);
  REQUIRE(data.output(5) == tg::tensor<double, 1, 3>{{0, 0, 1}});
  const auto bad = tg::parse_csv("1,2,0\n3,4,3\n", "bad.csv");
  REQUIRE_THROWS_WITH((tg::dataset<double, 2, 3>::classification(bad, 2)),
                      "bad.csv:2: field 3: expected a class label 0..2, found 3.000000");
}

TEST_CASE("splits are seeded, disjoint, complete and (stratified) keep class proportions", "[data][split]") {
  const auto data = tg::dataset<double, 2, 3>::classification(labelled_table(90), 2);
  tg::random_engine a(9), b(9);
  const auto first = tg::stratified_split(data, 0.8, a);
  const auto again = tg::stratified_split(data, 0.8, b);
  REQUIRE(first.train.inputs == again.train.inputs);
  REQUIRE(first.train.rows() == 72);
  REQUIRE(first.test.rows() == 18);
  std::size_t per_class[3] = {};
  for (std::size_t r = 0; r < first.test.rows(); ++r) ++per_class[first.test.label(r)];
  REQUIRE((per_class[0] == 6 && per_class[1] == 6 && per_class[2] == 6));
  std::set<double> seen;
  for (const auto* part : {&first.train, &first.test})
    for (std::size_t r = 0; r < part->rows(); ++r) seen.insert(part->input_row(r)[0]);
  REQUIRE(seen.size() == 90);
  tg::random_engine c(9);
  const auto plain = tg::split(data, 0.75, c);
  REQUIRE(plain.train.rows() + plain.test.rows() == 90);
  REQUIRE(plain.test.rows() == 22);  // round(0.25 * 90) left for testing
  REQUIRE_THROWS_AS(tg::split(data, 1.0, c), tg::data_error);
}

TEST_CASE("mini-batches: load_next walks the epochs, each in the order of (seed, epoch)", "[data][batches]") {
  const auto data = tg::dataset<double, 2, 3>::classification(labelled_table(10), 2);
  using set = std::remove_cvref_t<decltype(data)>;
  tg::minibatches<4, set> seeded(data, 11), by_hand(data), in_file_order(data);
  tg::tensor<double, 4, 2> x, x_hand;
  tg::tensor<double, 4, 3> y, y_hand;
  for (std::size_t epoch = 0; epoch < 3; ++epoch) {
    by_hand.shuffle(11, epoch);
    for (std::size_t b = 0; b < seeded.count(); ++b) {
      REQUIRE(seeded.epoch() == epoch);
      seeded.load_next(x, y);
      by_hand.load(b, x_hand, y_hand);
      REQUIRE(x == x_hand);
      REQUIRE(seeded.epoch_done() == (b + 1 == seeded.count()));
    }
  }
  REQUIRE(seeded.position() == 6);
  // Unseeded: the file's order every epoch.
  for (int i = 0; i < 2; ++i) in_file_order.load_next(x, y);
  REQUIRE(x(0, 0) == data.input_row(4)[0]);
  in_file_order.load_next(x, y);  // the next epoch starts again at row 0
  REQUIRE(x(0, 0) == data.input_row(0)[0]);
}

TEST_CASE("mini-batches: a new order each epoch, partial batches dropped or wrapped", "[data][batches]") {
  const auto data = tg::dataset<double, 2, 3>::classification(labelled_table(10), 2);
  tg::tensor<double, 4, 2> x;
  tg::tensor<double, 4, 3> y;
  tg::minibatches<4, std::remove_cvref_t<decltype(data)>> dropping(data);
  REQUIRE(dropping.count() == 2);
  tg::random_engine rng(3);
  dropping.shuffle(rng);
  std::multiset<double> rows;
  for (std::size_t b = 0; b < dropping.count(); ++b) {
    dropping.load(b, x, y);
    for (std::size_t r = 0; r < 4; ++r) {
      rows.insert(x(r, 0));
      REQUIRE(y(r, std::size_t(x(r, 0)) % 3) == 1);  // targets travel with their inputs
    }
  }
  REQUIRE(rows.size() == 8);
  REQUIRE(std::set<double>(rows.begin(), rows.end()).size() == 8);
  tg::minibatches<4, std::remove_cvref_t<decltype(data)>> wrapping(data, tg::partial_batch::wrap);
  REQUIRE(wrapping.count() == 3);
  std::set<double> all;
  for (std::size_t b = 0; b < wrapping.count(); ++b) {
    wrapping.load(b, x, y);
    for (std::size_t r = 0; r < 4; ++r) all.insert(x(r, 0));
  }
  REQUIRE(all.size() == 10);
  REQUIRE_THROWS_AS((tg::minibatches<16, std::remove_cvref_t<decltype(data)>>(data)), tg::data_error);
}

TEST_CASE("accuracy counts rows whose argmax matches", "[train][metrics]") {
  const tg::tensor<double, 3, 2> scores{{0.1, 0.9}, {2, 1}, {0, 0}};
  const tg::tensor<double, 3, 2> targets{{0, 1}, {0, 1}, {1, 0}};
  REQUIRE(tg::correct_predictions(scores, targets) == 2);  // a tie picks the first class
}
