// A 64-32-10 network trained on real data: the UCI handwritten digits (8x8
// images, 1797 of them; data/README.md has the source and licence). Trains
// with minibatch SGD on the first 1472 images and reports accuracy on the
// last 320.
//   digits [path/to/digits.csv]
#include <typegrad/typegrad.hpp>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>

namespace tg = typegrad;

constexpr std::size_t batch = 32, pixels = 64, hidden = 32, classes = 10;
constexpr tg::param<"W1", pixels, hidden> W1;
constexpr tg::param<"b1", hidden> b1;
constexpr tg::param<"W2", hidden, classes> W2;
constexpr tg::param<"b2", classes> b2;
constexpr tg::input<"X", batch, pixels> X;
constexpr tg::input<"Y", batch, classes> Y;

constexpr auto logits = tg::relu(X * W1 + b1) * W2 + b2;
constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax(logits), Y));
constexpr auto step = tg::grad(loss, W1, b1, W2, b2);

constexpr std::size_t train_rows = 1472, test_first = 1477, test_rows = 320;

// One-hot targets of a batch, each label checked to be a digit.
tg::tensor<double, batch, classes> targets(const tg::csv_table& table, std::size_t first) {
  tg::tensor<double, batch, classes> y{};
  for (std::size_t r = 0; r < batch; ++r) {
    const double label = table.at(first + r, pixels);
    if (!(label >= 0 && label <= 9 && std::floor(label) == label))
      throw tg::data_error(table.where(first + r, pixels) + ": expected a digit label 0..9, found " + std::to_string(label));
    y(r, std::size_t(label)) = 1;
  }
  return y;
}

template <class Tensor>
Tensor random_weights(std::mt19937_64& rng, double scale) {
  std::normal_distribution<double> normal(0, scale);
  Tensor t{};
  for (auto& v : t) v = normal(rng);
  return t;
}

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "digits.csv";
  try {
    const tg::csv_table table = tg::read_csv(path, pixels + 1);
    if (table.rows < test_first + test_rows) throw tg::data_error(path + ": expected 1797 rows, found " + std::to_string(table.rows));

    std::mt19937_64 rng(7);
    auto env = tg::bind(W1 = random_weights<tg::tensor<double, pixels, hidden>>(rng, 1 / std::sqrt(double(pixels))),
                        b1 = tg::tensor<double, hidden>{}, W2 = random_weights<tg::tensor<double, hidden, classes>>(rng, 1 / std::sqrt(double(hidden))),
                        b2 = tg::tensor<double, classes>{}, X = tg::tensor<double, batch, pixels>{},
                        Y = tg::tensor<double, batch, classes>{});

    for (int epoch = 1; epoch <= 30; ++epoch) {
      double total = 0;
      for (std::size_t first = 0; first + batch <= train_rows; first += batch) {
        env[X] = table.block<double, batch, pixels>(first, 0, 1.0 / 16);  // pixels are 0..16
        env[Y] = targets(table, first);
        const auto g = step(env);
        tg::sgd_step(env, g, 0.2);
        total += g.value;
      }
      if (epoch % 10 == 0) std::printf("epoch %2d  mean training loss %.4f\n", epoch, total / double(train_rows / batch));
    }

    std::size_t correct = 0;
    for (std::size_t first = test_first; first < test_first + test_rows; first += batch) {
      env[X] = table.block<double, batch, pixels>(first, 0, 1.0 / 16);
      env[Y] = targets(table, first);
      const auto scores = tg::eval(logits, env);
      for (std::size_t r = 0; r < batch; ++r) {
        std::size_t best = 0;
        for (std::size_t c = 1; c < classes; ++c) best = scores(r, c) > scores(r, best) ? c : best;
        correct += env[Y](r, best) == 1;
      }
    }
    std::printf("test accuracy %.3f (%zu of %zu held-out images)\n", double(correct) / test_rows, correct, test_rows);
    return 0;
  } catch (const tg::data_error& e) {
    std::fprintf(stderr, "digits: %s\n", e.what());
    return 1;
  }
}
