// Resuming from a checkpoint gives, bit for bit, the parameters of an
// unbroken run (run_resume.cmake compares the files):
//   resume straight TOTAL OUT        TOTAL steps in one process, parameters to OUT
//   resume first N CHECKPOINT        N steps, then params, Adam state and the
//                                    mini-batches' position to CHECKPOINT
//   resume continue CHECKPOINT M OUT a new process: load, M more steps, params to OUT
// Mini-batches are reshuffled at every epoch, so the resumed run must draw
// exactly the order the unbroken one draws, mid-epoch too. The loop is the
// one docs/training.md shows: the checkpoint carries the data order, and
// load_checkpoint is all a resume takes.
#include <typegrad/io/safetensors.hpp>
#include <typegrad/typegrad.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace tg = typegrad;

namespace {
constexpr std::size_t features = 4, hidden = 8, classes = 3, batch = 16, rows = 72;
constexpr tg::param<"W1", features, hidden> W1;
constexpr tg::param<"b1", hidden> b1;
constexpr tg::param<"W2", hidden, classes> W2;
constexpr tg::param<"b2", classes> b2;
constexpr tg::input<"X", batch, features> X;
constexpr tg::input<"Y", batch, classes> Y;
constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax(tg::tanh(X * W1 + b1) * W2 + b2), Y));
constexpr auto step = tg::grad(loss);
using data_set = tg::dataset<float, features, classes>;

data_set make_data() {
  tg::random_engine rng(123);  // fixed: the data is the same in every process
  data_set d;
  for (std::size_t r = 0; r < rows; ++r) {
    float x[features], y[classes] = {};
    for (auto& v : x) v = static_cast<float>(rng.normal(0, 1));
    y[(x[0] + x[1] > 0 ? 1 : 0) + (x[2] > 0.5f ? 1 : 0)] = 1;
    d.add(x, y);
  }
  return d;
}

struct run {
  static constexpr std::uint64_t seed = 7;
  data_set data = make_data();
  tg::minibatches<batch, data_set> batches{data, seed};  // each epoch's order from (seed, epoch)
  tg::parameters_t<float, decltype(loss)> params{};
  tg::adam<tg::parameters_t<float, decltype(loss)>> optimiser{params, {.learning_rate = 0.01}};

  run() {
    tg::random_engine rng(seed);
    tg::initialize(params, rng, tg::init::xavier_uniform{});
  }

  void train(std::size_t steps) {
    auto env = tg::bind(X = tg::tensor<float, batch, features>{}, Y = tg::tensor<float, batch, classes>{});
    for (std::size_t s = 0; s < steps; ++s) {
      batches.load_next(env[X], env[Y]);
      optimiser.step(params, step(params, env));
    }
  }
};
}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  try {
    run r;
    if (mode == "straight" && argc == 4) {
      r.train(std::strtoull(argv[2], nullptr, 10));
      tg::save_safetensors(argv[3], r.params);
    } else if (mode == "first" && argc == 4) {
      r.train(std::strtoull(argv[2], nullptr, 10));
      tg::save_checkpoint(argv[3], r.params, r.optimiser, r.batches);
    } else if (mode == "continue" && argc == 5) {
      tg::load_checkpoint(argv[2], r.params, r.optimiser, r.batches);
      r.train(std::strtoull(argv[3], nullptr, 10));
      tg::save_safetensors(argv[4], r.params);
    } else {
      std::fprintf(stderr, "usage: resume straight TOTAL OUT | first N CHECKPOINT | continue CHECKPOINT M OUT\n");
      return 2;
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "resume: %s\n", e.what());
    return 1;
  }
}
