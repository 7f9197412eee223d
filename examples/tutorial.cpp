// The tutorial's program (docs/tutorial.md quotes it): a model as a typed
// expression, evaluated, differentiated, checked, and trained.
#include <typegrad/typegrad.hpp>

#include <cstdio>

namespace tg = typegrad;

// [terminals]
constexpr tg::param<"W", 2, 4> W;   // weights: [inputs, hidden]
constexpr tg::param<"b", 4> b;      // one bias per hidden unit
constexpr tg::param<"V", 4, 2> V;
constexpr tg::param<"c", 2> c;
constexpr tg::input<"X", 4, 2> X;   // a batch of four examples, one per row
constexpr tg::input<"Y", 4, 2> Y;   // their one-hot classes
// [terminals]

// [model]
constexpr auto hidden = tg::tanh(X * W + b);            // b repeats over the rows
constexpr auto logits = hidden * V + c;
constexpr auto data_loss = tg::mean(tg::cross_entropy(tg::softmax(logits), Y));
constexpr auto loss = data_loss + 0.001 * tg::sum(tg::square(W));

static_assert(tg::shape_of(hidden) == tg::shape<4, 4>{});
static_assert(tg::shape_of(loss) == tg::shape<>{});
// [model]

// [grad]
constexpr auto step = tg::grad(loss, W, b, V, c);  // derived here, by the compiler
// [grad]

int main() {
  // [bind]
  auto env = tg::bind(W = tg::tensor<double, 2, 4>{{0.5, -0.4, 0.3, 0.8}, {-0.6, 0.7, 0.2, -0.9}},
                      b = tg::tensor<double, 4>{0.1, -0.1, 0.05, 0.0},
                      V = tg::tensor<double, 4, 2>{{0.3, -0.2}, {-0.5, 0.4}, {0.2, 0.1}, {0.6, -0.7}},
                      c = tg::tensor<double, 2>{0, 0},
                      X = tg::tensor<double, 4, 2>{{0, 0}, {0, 1}, {1, 0}, {1, 1}},
                      Y = tg::tensor<double, 4, 2>{{1, 0}, {0, 1}, {0, 1}, {1, 0}});
  // [bind]

  // [eval]
  const double before = tg::eval(loss, env);
  const auto probabilities = tg::eval(tg::softmax(logits), env);  // a tensor<double, 4, 2>
  std::printf("loss %.6f, p(class 1 | [0 1]) = %.4f\n", before, probabilities(1, 1));
  // [eval]

  // [gradcheck]
  const auto report = tg::gradcheck(loss, env, W, b, V, c);
  std::printf("gradcheck: worst error %.2e at %.*s[%zu] over %zu elements\n", report.worst_error,
              static_cast<int>(report.terminal.size()), report.terminal.data(), report.index,
              report.elements_checked);
  // [gradcheck]

  // [train]
  for (int epoch = 1; epoch <= 2000; ++epoch) {
    const auto g = step(env);          // g.value is the loss, g[W] its gradient
    tg::sgd_step(env, g, 0.5);
    if (epoch % 500 == 0) std::printf("epoch %4d  loss %.6f\n", epoch, g.value);
  }
  const auto trained = tg::eval(tg::softmax(logits), env);
  for (std::size_t i = 0; i < 4; ++i) std::printf("p(xor = 1 | example %zu) = %.3f\n", i, trained(i, 1));
  // [train]
  return report.passed(1e-7) && static_cast<double>(tg::eval(loss, env)) < before ? 0 : 1;
}
