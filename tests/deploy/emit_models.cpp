// Emits C99 headers and test vectors for a few models into a folder, for
// check_vectors.c to compile (gcc and clang, -std=c99 -Werror) and run:
//   xor_model     the seed's XOR network at batch 1, float parameters;
//   every_op      every elementwise function, softmax, log_softmax, row sums,
//                 a user constant, trained in double (the header is float32);
//   vector_model  a rank-1 input and a matrix-vector product;
//   loss_ops      mse, bce_with_logits, an unfused cross_entropy, sum,
//                 transpose and an outer product (targets held as params);
// and int8 models (quantize_int8) with the simulator's outputs, for
// check_vectors.c to match bit for bit:
//   int8_mlp      37-19-10 relu, sizes that are not multiples of 4 (the
//                 SMLAD path's remainders);
//   int8_softmax  a relu of its own, relu6 fused, weights used transposed,
//                 softmax.
#include <typegrad/quantize/int8.hpp>
#include <typegrad/typegrad.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace tg = typegrad;

namespace {

void write(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary);
  file << text;
  if (!file) throw std::runtime_error("cannot write " + path);
}

template <class Model, class Params, class Input>
void emit(const std::string& dir, const std::string& name, const Model& model, const Params& params,
          const std::vector<Input>& inputs) {
  write(dir + "/" + name + ".h", tg::emit_c(model, params, name));
  write(dir + "/" + name + "_vectors.h", tg::emit_c_test_vectors(model, params, name, inputs));
}

template <class Tensor>
std::vector<Tensor> random_inputs(std::size_t count, std::uint64_t seed, double lo, double hi) {
  tg::random_engine rng(seed);
  std::vector<Tensor> out(count);
  for (auto& t : out) tg::init::uniform{lo, hi}(t, rng);
  return out;
}

namespace xor_net {
constexpr tg::param<"W", 2, 2> W;
constexpr tg::param<"b1", 2> b1;
constexpr tg::param<"V", 2, 2> V;
constexpr tg::param<"b2", 2> b2;
constexpr tg::input<"x", 1, 2> x;
constexpr auto model = tg::softmax(tg::relu(x * W + b1) * V + b2);
}  // namespace xor_net

namespace every_op {
constexpr tg::param<"W", 6, 5> W;
constexpr tg::param<"b", 5> b;
constexpr tg::input<"x", 1, 6> x;
constexpr auto h = x * W + b;
constexpr auto mixed = tg::softplus(h) + tg::log_sigmoid(h) + tg::hadamard(tg::tanh(h), tg::sigmoid(h)) +
                       tg::exp(-tg::square(h)) + tg::sqrt(tg::square(h) + 1.0) - tg::log(tg::square(h) + 0.5) +
                       0.25 * tg::relu(h) / (tg::step(h) + 2.0) + 0.5 * tg::relu6(4.0 * h);
constexpr auto model = tg::softmax(mixed) + tg::log_softmax(mixed) * 0.125 +
                       tg::repeat_cols<5>(tg::row_sums(tg::transpose(tg::transpose(mixed))));
}  // namespace every_op

namespace vector_net {
constexpr tg::param<"A", 3, 4> A;
constexpr tg::param<"c", 3> c;
constexpr tg::input<"v", 4> v;
constexpr auto model = tg::sigmoid(A * v + c);
}  // namespace vector_net

namespace loss_ops {
constexpr tg::param<"W", 6, 5> W;
constexpr tg::param<"b", 5> b;
constexpr tg::param<"T", 1, 5> T;
constexpr tg::param<"c", 3> c;
constexpr tg::input<"x", 1, 6> x;
constexpr auto h = x * W + b;
constexpr auto p = tg::sigmoid(h);
constexpr auto q = tg::divide(p, tg::repeat_cols<5>(tg::row_sums(p)));
constexpr auto losses = tg::mse(h, T) + tg::sum(tg::bce_with_logits(h, T)) + tg::sum(tg::cross_entropy(q, T)) + tg::sum(h);
constexpr auto model = tg::outer(tg::row_sums(tg::transpose(h)), c) + losses;
}  // namespace loss_ops

namespace int8_nets {
constexpr tg::param<"W1", 37, 19> W1;
constexpr tg::param<"b1", 19> b1;
constexpr tg::param<"W2", 19, 10> W2;
constexpr tg::param<"b2", 10> b2;
constexpr tg::param<"V", 10, 19> V;
constexpr tg::input<"x", 1, 37> x;
constexpr auto mlp = tg::relu(x * W1 + b1) * W2 + b2;
constexpr auto with_softmax = tg::softmax(tg::relu6(tg::relu(x) * W1) * tg::transpose(V) + b2);

template <class Model>
void emit_int8(const std::string& dir, const std::string& name, const Model& model, std::uint64_t seed) {
  auto params = tg::parameters<float>(model);
  tg::random_engine rng(seed);
  tg::initialize(params, rng, tg::init::he_uniform{}, tg::init::uniform{-0.5, 0.5});
  const auto calibration = random_inputs<tg::tensor<float, 1, 37>>(200, seed + 1, -1, 1);
  const auto q = tg::quantize_int8(model, params, calibration);
  // Beyond the calibration range too, so that the clamps saturate.
  const auto inputs = random_inputs<tg::tensor<float, 1, 37>>(64, seed + 2, -1.5, 1.5);
  write(dir + "/" + name + ".h", tg::emit_c(q, name));
  write(dir + "/" + name + "_vectors.h", tg::emit_c_test_vectors(q, name, inputs));
}
}  // namespace int8_nets

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: emit_models OUTPUT_FOLDER\n");
    return 2;
  }
  const std::string dir = argv[1];
  {
    using namespace xor_net;
    auto params = tg::parameters<float>(model);
    params[W] = {{1, 1}, {1, 1}};
    params[b1] = {-1, 0.5};
    params[V] = {{1, -1}, {-1, 1}};
    params[b2] = {1, -1};
    const std::vector<tg::tensor<float, 1, 2>> inputs = {{{0, 0}}, {{0, 1}}, {{1, 0}}, {{1, 1}}};
    emit(dir, "xor_model", model, params, inputs);
  }
  {
    using namespace every_op;
    auto params = tg::parameters<double>(model);
    tg::random_engine rng(17);
    tg::initialize(params, rng, tg::init::xavier_normal{}, tg::init::normal{0, 0.3});
    emit(dir, "every_op", model, params, random_inputs<tg::tensor<double, 1, 6>>(16, 5, -2, 2));
  }
  {
    using namespace vector_net;
    auto params = tg::parameters<float>(model);
    tg::random_engine rng(3);
    tg::initialize(params, rng, tg::init::he_normal{}, tg::init::uniform{-1, 1});
    emit(dir, "vector_model", model, params, random_inputs<tg::tensor<float, 4>>(8, 9, -3, 3));
  }
  {
    using namespace loss_ops;
    auto params = tg::parameters<float>(model);
    tg::random_engine rng(11);
    tg::initialize(params, rng, tg::init::xavier_uniform{}, tg::init::uniform{-0.5, 0.5});
    params[T] = {{0.1f, 0.3f, 0.2f, 0.25f, 0.15f}};
    emit(dir, "loss_ops", model, params, random_inputs<tg::tensor<float, 1, 6>>(8, 13, -1, 1));
  }
  int8_nets::emit_int8(dir, "int8_mlp", int8_nets::mlp, 21);
  int8_nets::emit_int8(dir, "int8_softmax", int8_nets::with_softmax, 23);
  return 0;
}
