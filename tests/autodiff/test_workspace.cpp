// Large models: every intermediate in one arena planned by liveness, and a
// workspace the caller owns, so that a 784-512-512-10 MLP at batch 256
// trains within a default 8 MiB stack. The same program called with and
// without a workspace gives the same numbers.
#include "../support/testing.hpp"
#include "../support/xor_model.hpp"

#include <pthread.h>

#include <memory>

namespace tg = typegrad;

namespace large {
constexpr std::size_t batch = 256;
constexpr tg::param<"W1", 784, 512> W1;
constexpr tg::param<"b1", 512> b1;
constexpr tg::param<"W2", 512, 512> W2;
constexpr tg::param<"b2", 512> b2;
constexpr tg::param<"W3", 512, 10> W3;
constexpr tg::param<"b3", 10> b3;
constexpr tg::input<"X", batch, 784> X;
constexpr tg::input<"Y", batch, 10> Y;
constexpr auto logits = tg::relu(tg::relu(X * W1 + b1) * W2 + b2) * W3 + b3;
constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax(logits), Y));
constexpr auto step = tg::grad(loss);
using program_type = decltype(step);

// The plan keeps storage well under one slot per node: at most 0.6 of it.
static_assert(program_type::planned_elements * 10 <= program_type::unplanned_elements * 6);
}  // namespace large

namespace {
// Runs f on a thread whose stack is exactly 8 MiB, the usual default.
template <class F>
void on_8_mib_stack(F f) {
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setstacksize(&attributes, 8u << 20);
  pthread_t thread;
  auto trampoline = [](void* arg) -> void* {
    (*static_cast<F*>(arg))();
    return nullptr;
  };
  REQUIRE(pthread_create(&thread, &attributes, trampoline, &f) == 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attributes);
}
}  // namespace

TEST_CASE("a 784-512-512-10 MLP at batch 256 trains through a workspace on an 8 MiB stack", "[workspace][large]") {
  using namespace large;
  double first = 0, last = 0;
  bool finite = true;
  on_8_mib_stack([&] {
    // Parameters, data and workspace on the heap; nothing large on the stack.
    auto params = std::make_unique<tg::parameters_t<float, decltype(loss)>>();
    using data_type = decltype(tg::bind(X = tg::tensor<float, batch, 784>{}, Y = tg::tensor<float, batch, 10>{}));
    auto data = std::make_unique<data_type>();
    auto ws = std::make_unique<program_type::workspace_type>();
    tg::random_engine rng(3);
    tg::initialize(*params, rng, tg::init::he_uniform{});
    tg::init::uniform{0, 1}((*data)[X], rng);
    for (std::size_t r = 0; r < batch; ++r) (*data)[Y](r, r % 10) = 1;
    for (int s = 0; s < 4; ++s) {
      const auto& g = step(*params, *data, *ws);  // the gradients stay in *ws
      finite = finite && std::isfinite(g.value);
      (s == 0 ? first : last) = g.value;
      tg::sgd_step(*params, g, 0.05f);
    }
  });
  INFO("loss " << first << " -> " << last);
  REQUIRE(finite);
  REQUIRE(last < first);
}

TEST_CASE("a program gives the same numbers with and without a workspace", "[workspace]") {
  using namespace xor_model;
  const auto on_stack = program(env);
  auto ws = std::make_unique<decltype(program)::workspace_type>();
  const auto& in_workspace = program(env, *ws);
  REQUIRE(in_workspace.value == on_stack.value);
  REQUIRE(in_workspace[W] == on_stack[W]);
  REQUIRE(in_workspace[b2] == on_stack[b2]);
  auto ews = std::make_unique<tg::eval_workspace_t<decltype(loss)>>();
  REQUIRE(static_cast<double>(tg::eval(loss, env, *ews)) == static_cast<double>(tg::eval(loss, env)));
  // A float run uses the same workspace type.
  const auto envf = tg::bind(W = tg::tensor<float, 2, 2>{{1, 1}, {1, 1}}, b1 = tg::tensor<float, 2>{-1, 0.5f},
                             V = tg::tensor<float, 2, 2>{{1, -1}, {-1, 1}}, b2 = tg::tensor<float, 2>{1, -1},
                             X = tg::tensor<float, 4, 2>{{0, 0}, {0, 1}, {1, 0}, {1, 1}},
                             Y = tg::tensor<float, 4, 2>{{1, 0}, {0, 1}, {0, 1}, {1, 0}});
  REQUIRE(program(envf, *ws).value == program(envf).value);
}

TEST_CASE("a workspace holds the arena and the gradients", "[workspace]") {
  using namespace xor_model;
  using xor_program = std::remove_cvref_t<decltype(program)>;
  STATIC_REQUIRE(xor_program::workspace_bytes >= xor_program::planned_elements * sizeof(double) +
                                                     sizeof(tg::gradients<double, tg::leaf_expr<tg::leaf_of_t<decltype(W)>>>));
}
