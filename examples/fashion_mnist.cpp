// A small CNN trained with Adam on Fashion-MNIST (28x28 grey images of ten
// kinds of clothing; 60,000 to train on, 10,000 to test). The IDX files come
// from Debian's dataset-fashion-mnist (MIT licence). One progress line per
// epoch, then the accuracy on the 10,000 test images, classified in batches
// with the parameters trained at batch 32. Then it deploys, next to this
// program:
//   fashion_mnist.safetensors  the trained parameters (with the safetensors
//                              component)
//   fashion_mnist_model.h      the model as standalone C99, float32 weights inside
//
//   fashion_mnist [epochs [training images]] [--data FOLDER]
// Fewer epochs and images make a quick run (the test suite trains 1 epoch on
// 3,000 images).
#include <typegrad/io/idx.hpp>
#include <typegrad/typegrad.hpp>
#if TYPEGRAD_EXAMPLE_CHECKPOINTS
#include <typegrad/io/safetensors.hpp>
#endif

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace tg = typegrad;

constexpr std::size_t side = 28, pixels = side * side, classes = 10, batch = 32;

// [model]
// conv 3x3 (16) -> relu -> max pool 2 -> conv 3x3 (32) -> relu -> max pool 2
// -> dense 64 -> relu -> dense 10: 1,568 features after the convolutions.
constexpr tg::param<"K1", 3, 3, 1, 16> K1;
constexpr tg::param<"c1", 16> c1;
constexpr tg::param<"K2", 3, 3, 16, 32> K2;
constexpr tg::param<"c2", 32> c2;
constexpr tg::param<"W3", 7 * 7 * 32, 64> W3;
constexpr tg::param<"b3", 64> b3;
constexpr tg::param<"W4", 64, classes> W4;
constexpr tg::param<"b4", classes> b4;
template <std::size_t B>
constexpr tg::input<"X", B, pixels> X{};  // rows of 784 pixels, as the data set stores them
template <std::size_t B>
constexpr tg::input<"Y", B, classes> Y{};

constexpr tg::conv_options same{.pad = tg::same};
template <std::size_t B>
constexpr auto images = tg::reshape<B, side, side, 1>(X<B>);  // NHWC
template <std::size_t B>
constexpr auto features = tg::max_pool2d(tg::relu(tg::conv2d<same>(tg::max_pool2d(tg::relu(tg::conv2d<same>(images<B>, K1) + c1)), K2) + c2));
template <std::size_t B>
constexpr auto logits = tg::relu(tg::flatten(features<B>) * W3 + b3) * W4 + b4;
template <std::size_t B>
constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax(logits<B>), Y<B>));

constexpr auto step = tg::grad(loss<batch>);  // every param
// [model]

using image_set = tg::dataset<float, pixels, classes>;
namespace fs = std::filesystem;

fs::path program_folder() {
  std::error_code ignored;
  return fs::read_symlink("/proc/self/exe", ignored).parent_path();
}

// Correct classes on a set, a batch of 100 at a time (the rest one by one).
template <class Params>
std::size_t correct_on(const Params& params, const image_set& set) {
  constexpr std::size_t chunk = 100;
  // A batch of 100 needs 10 MB of intermediates: a workspace on the heap, made once.
  static const auto ws = std::make_unique<tg::eval_workspace_t<decltype(logits<chunk>)>>();
  static auto data = tg::bind(X<chunk> = tg::tensor<float, chunk, pixels>{});
  std::size_t correct = 0, r = 0;
  for (; r + chunk <= set.rows(); r += chunk) {
    std::copy_n(set.input_row(r), chunk * pixels, data[X<chunk>].data());
    const auto& scores = tg::eval(logits<chunk>, tg::join(params, data), *ws);
    for (std::size_t i = 0; i < chunk; ++i) correct += tg::argmax(scores.data() + i * classes, classes) == set.label(r + i);
  }
  for (; r < set.rows(); ++r)
    correct += tg::argmax(tg::eval(logits<1>, params, tg::bind(X<1> = set.input(r))).data(), classes) == set.label(r);
  return correct;
}

int main(int argc, char** argv) {
  std::size_t epochs = 8, train_rows = 60000;
  std::string folder = "/usr/share/datasets/fashion-mnist";
  for (int a = 1, positional = 0; a < argc; ++a) {
    const std::string arg = argv[a];
    if (arg == "--data" && a + 1 < argc)
      folder = argv[++a];
    else if (positional++ == 0)
      epochs = std::strtoul(argv[a], nullptr, 10);
    else
      train_rows = std::strtoul(argv[a], nullptr, 10);
  }
  try {
    // [data]
    auto train = tg::idx_classification<image_set>(folder + "/train-images-idx3-ubyte.gz",
                                                   folder + "/train-labels-idx1-ubyte.gz", 1.0 / 255);
    const auto test = tg::idx_classification<image_set>(folder + "/t10k-images-idx3-ubyte.gz",
                                                        folder + "/t10k-labels-idx1-ubyte.gz", 1.0 / 255);
    if (train_rows < train.rows()) {
      train.inputs.resize(train_rows * pixels);
      train.outputs.resize(train_rows * classes);
    }
    tg::minibatches<batch, image_set> batches(train, 2024);
    // [data]
    std::printf("fashion_mnist: %zu training and %zu test images from %s\n", train.rows(), test.rows(), folder.c_str());

    // [train]
    auto params = tg::parameters<float>(loss<batch>);
    tg::random_engine rng(2024);
    tg::initialize(params, rng, tg::init::he_uniform{});  // biases zero
    tg::adam optimiser(params, {.learning_rate = 0.001});
    // From 1e-3 down a cosine to 0 over the whole run: the last epochs settle.
    const tg::schedule::cosine rate{.rate = 0.001, .steps = epochs * batches.count()};
    auto data = tg::bind(X<batch> = tg::tensor<float, batch, pixels>{}, Y<batch> = tg::tensor<float, batch, classes>{});
    const auto ws = std::make_unique<decltype(step)::workspace_type>();  // the step's 7 MB, planned once
    const auto start = std::chrono::steady_clock::now();
    double loss_sum = 0;
    while (batches.epoch() < epochs) {
      batches.load_next(data[X<batch>], data[Y<batch>]);
      const auto& g = step(tg::join(params, data), *ws);
      optimiser.step(params, g, rate(optimiser.steps));
      loss_sum += g.value;
      if (batches.epoch_done()) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const std::size_t correct = correct_on(params, test);
        std::printf("epoch %3zu  loss %.4f  test accuracy %.4f  %.1f s\n", batches.epoch(),
                    loss_sum / double(batches.count()), double(correct) / double(test.rows()), seconds);
        std::fflush(stdout);
        loss_sum = 0;
      }
    }
    // [train]

    // [deploy]
    const fs::path out = program_folder();
#if TYPEGRAD_EXAMPLE_CHECKPOINTS
    tg::save_checkpoint((out / "fashion_mnist.safetensors").string(), params, optimiser, batches);
    std::printf("saved fashion_mnist.safetensors\n");
#endif
    const std::string header = tg::emit_c(logits<1>, params, "fashion_mnist_model");
    std::ofstream((out / "fashion_mnist_model.h").string()) << header;
    std::printf("emitted fashion_mnist_model.h (%zu bytes)\n", header.size());
    // [deploy]
    const std::size_t right = correct_on(params, test);
    std::printf("test accuracy: %.4f (%zu of %zu)\n", double(right) / double(test.rows()), right, test.rows());
    return 0;
  } catch (const tg::data_error& e) {
    std::fprintf(stderr, "fashion_mnist: %s\n", e.what());
    return 1;
  }
}
