// A 64-32-10 relu network trained with Adam on real data: the UCI handwritten
// digits (8x8 images, 1797 of them; data/README.md has the source and
// licence). A seeded, stratified 80/20 split; one progress line per epoch;
// the test set is classified one image at a time, at batch 1, with the
// parameters trained at batch 32. Then it deploys, next to this program:
//   digits.safetensors  the trained parameters (when built with the
//                       safetensors component)
//   digits_model.h      the model as standalone C99, float32 weights inside
//   digits_model_int8.h the model quantised to int8 (TensorFlow Lite's
//                       scheme) as integer-only C99, for microcontrollers
//   digits_test.csv     the test split, for examples/digits_c.c
//   digits_model_vectors.h, digits_model_int8_vectors.h
//                       the test split's inputs with typegrad's outputs
//                       (float) and the int8 simulator's (int8), to check a
//                       port of the headers (tests/deploy runs them on
//                       emulated Cortex-M)
//   digits [path/to/digits.csv]
// Without a path it reads the digits.csv that the build unpacks next to this
// program, so it runs from the repository root or from the build folder.
#include <typegrad/quantize/int8.hpp>
#include <typegrad/typegrad.hpp>
#if TYPEGRAD_EXAMPLE_CHECKPOINTS
#include <typegrad/io/safetensors.hpp>
#endif

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace tg = typegrad;

constexpr std::size_t pixels = 64, hidden = 32, classes = 10, batch = 32;
constexpr std::size_t epochs = 40;

// [model]
constexpr tg::param<"W1", pixels, hidden> W1;
constexpr tg::param<"b1", hidden> b1;
constexpr tg::param<"W2", hidden, classes> W2;
constexpr tg::param<"b2", classes> b2;
template <std::size_t B>
constexpr tg::input<"X", B, pixels> X{};
template <std::size_t B>
constexpr tg::input<"Y", B, classes> Y{};

// One model for every batch size B.
template <std::size_t B>
constexpr auto logits = tg::relu(X<B> * W1 + b1) * W2 + b2;
template <std::size_t B>
constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax(logits<B>), Y<B>));

constexpr auto step = tg::grad(loss<batch>);  // every param: W1, b1, W2, b2
// [model]

using digit_set = tg::dataset<float, pixels, classes>;

namespace fs = std::filesystem;

fs::path program_folder() {
  std::error_code ignored;
  return fs::read_symlink("/proc/self/exe", ignored).parent_path();
}

std::string find_data(int argc, char** argv) {
  if (argc > 1) return argv[1];
  std::error_code ignored;
  const fs::path beside = program_folder() / "digits.csv";
  if (fs::exists(beside, ignored)) return beside.string();
#ifdef TYPEGRAD_DIGITS_CSV
  return TYPEGRAD_DIGITS_CSV;  // where the build unpacked it
#else
  return "digits.csv";
#endif
}

// [predict]
// The class of one image, at batch 1.
template <class Params>
std::size_t predict(const Params& params, const tg::tensor<float, 1, pixels>& image) {
  const auto scores = tg::eval(logits<1>, params, tg::bind(X<1> = image));
  return tg::argmax(scores.data(), classes);
}
// [predict]

template <class Params>
std::size_t correct_on(const Params& params, const digit_set& test) {
  std::size_t correct = 0;
  for (std::size_t r = 0; r < test.rows(); ++r) correct += predict(params, test.input(r)) == test.label(r);
  return correct;
}

// Written whole or not at all: a temporary file, then a rename.
void write_file(const fs::path& path, const std::string& text) {
  const fs::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw tg::data_error(temporary.string() + ": cannot write");
  }
  fs::rename(temporary, path);
}

// The test split as CSV, 64 pixels (0..16) and the label, for the C program.
std::string test_csv(const digit_set& test) {
  std::string out;
  for (std::size_t r = 0; r < test.rows(); ++r) {
    for (std::size_t c = 0; c < pixels; ++c) out += std::to_string(int(test.input_row(r)[c] * 16 + 0.5f)) + ",";
    out += std::to_string(test.label(r)) + "\n";
  }
  return out;
}

int main(int argc, char** argv) {
  const std::string path = find_data(argc, argv);
  try {
    // [data]
    const auto table = tg::read_csv(path, pixels + 1);
    const auto all = digit_set::classification(table, pixels, 1.0 / 16);  // pixels 0..16 -> 0..1
    tg::random_engine rng(2024);
    const auto [train, test] = tg::stratified_split(all, 0.8, rng);
    tg::minibatches<batch, digit_set> batches(train, 2024);  // each epoch's order from (2024, epoch); the partial last batch is dropped
    // [data]
    std::printf("digits: %zu training and %zu test images from %s\n", train.rows(), test.rows(), path.c_str());

    // [train]
    auto params = tg::parameters<float>(loss<batch>);
    tg::initialize(params, rng, tg::init::he_uniform{});  // biases zero
    tg::adam optimiser(params, {.learning_rate = 0.003});
    auto data = tg::bind(X<batch> = tg::tensor<float, batch, pixels>{}, Y<batch> = tg::tensor<float, batch, classes>{});

    const auto start = std::chrono::steady_clock::now();
    double loss_sum = 0;
    std::size_t correct = 0;
    while (batches.epoch() < epochs) {
      batches.load_next(data[X<batch>], data[Y<batch>]);
      correct += tg::correct_predictions(tg::eval(logits<batch>, params, data), data[Y<batch>]);
      const auto g = step(params, data);
      optimiser.step(params, g);
      loss_sum += g.value;
      if (batches.epoch_done()) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        tg::epoch_progress{int(batches.epoch()), loss_sum / double(batches.count()),
                           double(correct) / double(batches.count() * batch),
                           double(correct_on(params, test)) / double(test.rows()), seconds}
            .print();
        loss_sum = 0;
        correct = 0;
      }
    }
    // [train]
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("trained %zu epochs in %.2f s\n", epochs, seconds);

    // [deploy]
    const fs::path folder = program_folder();
#if TYPEGRAD_EXAMPLE_CHECKPOINTS
    tg::save_safetensors((folder / "digits.safetensors").string(), params, {{"model", "64-32-10 relu, softmax"}});
    auto reloaded = tg::parameters<float>(loss<batch>);
    tg::load_safetensors((folder / "digits.safetensors").string(), reloaded);
    if (!(reloaded[W1] == params[W1] && reloaded[b1] == params[b1] && reloaded[W2] == params[W2] && reloaded[b2] == params[b2]))
      throw tg::data_error("digits.safetensors: the reloaded parameters differ from the saved ones");
    std::printf("saved digits.safetensors and read it back: the same parameters, bit for bit\n");
    // A checkpoint to resume from: load_checkpoint(path, params, optimiser,
    // batches) before the loop, and it continues at the saved batch.
    tg::save_checkpoint((folder / "digits_checkpoint.safetensors").string(), params, optimiser, batches);
#endif
    const std::string header = tg::emit_c(logits<1>, params, "digits_model");
    write_file(folder / "digits_model.h", header);
    write_file(folder / "digits_test.csv", test_csv(test));
    std::printf("emitted digits_model.h (%zu bytes) and digits_test.csv next to %s\n", header.size(),
                (folder / "digits").c_str());
    // [deploy]

    // [quantize]
    // int8 for microcontrollers: activation ranges from the training images.
    // The class is the argmax of the int8 logits (softmax would not change it).
    const auto int8_model = tg::quantize_int8(logits<1>, params, train);
    std::size_t int8_right = 0;
    for (std::size_t r = 0; r < test.rows(); ++r) int8_right += int8_model.predict(test.input_row(r)) == test.label(r);
    const std::string int8_header = tg::emit_c(int8_model, "digits_model_int8");
    write_file(folder / "digits_model_int8.h", int8_header);
    // [quantize]
    std::vector<tg::tensor<float, 1, pixels>> test_inputs;
    for (std::size_t r = 0; r < test.rows(); ++r) test_inputs.push_back(test.input(r));
    write_file(folder / "digits_model_vectors.h", tg::emit_c_test_vectors(logits<1>, params, "digits_model", test_inputs));
    write_file(folder / "digits_model_int8_vectors.h", tg::emit_c_test_vectors(int8_model, "digits_model_int8", test_inputs));
    std::size_t float_weight_bytes = 0;
    params.for_each([&](const auto&, const auto& value) { float_weight_bytes += sizeof(float) * value.size; });
    std::printf("emitted digits_model_int8.h (%zu bytes; %zu bytes of int8 weights and int32 constants, "
                "against %zu bytes of float32 weights)\n",
                int8_header.size(), int8_model.constant_bytes(), float_weight_bytes);
    std::printf("int8 test accuracy: %.4f (%zu of %zu)\n", double(int8_right) / double(test.rows()), int8_right,
                test.rows());
    const std::size_t right = correct_on(params, test);
    std::printf("test accuracy: %.4f (%zu of %zu)\n", double(right) / double(test.rows()), right, test.rows());
    return 0;
  } catch (const tg::data_error& e) {
    std::fprintf(stderr, "digits: %s\n", e.what());
    return 1;
  }
}
