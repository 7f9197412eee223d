// Writes gradient programs as C++ (emit_cpp), with the inputs and the values
// typegrad computes for them, for emit_check.cpp to compare. Between them
// the programs hold every op's emitter: the XOR network; the losses (mse,
// bce_with_logits, an unfused cross_entropy and its gradient), sum and
// transpose; and a matrix-vector product, whose gradient is an outer
// product. Argument: the directory. It writes NAME.hpp for each program, and
// expected.hpp with one check_NAME(compare) per program.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <type_traits>
#include <vector>

#include "../support/xor_model.hpp"

namespace tg = typegrad;

namespace {

std::string hex_list(const double* values, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    char text[64];
    std::snprintf(text, sizeof text, "%a, ", values[i]);
    out += text;
  }
  return out;
}
template <class Tensor>
std::string hex_list(const Tensor& t) {
  const std::vector<double> values(t.data(), t.data() + Tensor::size);
  return hex_list(values.data(), values.size());
}

// The program as NAME.hpp, in env's scalar type, and check_NAME in
// expected: fill NAME_in from env, run, and compare the value and each
// gradient with typegrad's, within `tolerance` relative.
template <class Program, class Env>
void write_case(const std::string& dir, std::ofstream& expected, const std::string& name, const Program& program,
                const Env& env, double tolerance) {
  using T = typename Env::scalar_type;
  const std::string scalar = std::is_same_v<T, float> ? "float" : "double";
  std::ofstream(dir + "/" + name + ".hpp") << tg::emit_cpp<T>(program, name);
  expected << "#include \"" << name << ".hpp\"\n";
  expected << "template <class Compare>\nvoid check_" << name << "(Compare compare) {\n  " << name << "_in in{};\n";
  env.for_each([&](const auto& terminal, const auto& value) {
    const std::string field(tg::leaf_of_t<std::remove_cvref_t<decltype(terminal)>>::name.view());
    expected << "  {\n    static const double v[] = {" << hex_list(value) << "};\n"
             << "    for (std::size_t i = 0; i < " << value.size << "; ++i) reinterpret_cast<" << scalar << "*>(&in." << field
             << ")[i] = static_cast<" << scalar << ">(v[i]);\n  }\n";
  });
  const auto g = program(env);
  const double value = g.value;
  expected << "  " << name << "_out out{};\n  " << name << "(in, out);\n";
  expected << "  {\n    static const double v[] = {" << hex_list(&value, 1) << "};\n"
           << "    compare(\"" << name << ".value\", &out.value, v, 1, " << tolerance << ");\n  }\n";
  [&]<class... W>(tg::type_list<W...>) {
    ((expected << "  {\n    static const double v[] = {" << hex_list(g[W{}]) << "};\n"
               << "    compare(\"" << name << ".d" << tg::leaf_of_t<W>::name.view() << "\", "
               << "reinterpret_cast<const " << scalar << "*>(&out." << tg::leaf_of_t<W>::name.view() << "), v, "
               << std::remove_cvref_t<decltype(g[W{}])>::size << ", " << tolerance << ");\n  }\n"),
     ...);
  }(typename Program::wrt{});
  expected << "}\n";
}

namespace losses {
constexpr tg::param<"W", 3, 4> W;
constexpr tg::param<"b", 4> b;
constexpr tg::input<"X", 5, 3> X;
constexpr tg::input<"Y", 5, 4> Y;
constexpr auto h = tg::tanh(X * W + b);
constexpr auto p = tg::sigmoid(h);
constexpr auto q = tg::divide(p, tg::repeat_cols<4>(tg::row_sums(p)));  // rows of positive values summing to one
constexpr auto loss = tg::mse(h, Y) + tg::mean(tg::bce_with_logits(h, Y)) + tg::mean(tg::cross_entropy(q, Y)) +
                      0.125 * tg::sum(tg::hadamard(tg::transpose(h), tg::transpose(p)));
}  // namespace losses

namespace vector_product {
constexpr tg::param<"A", 3, 4> A;
constexpr tg::param<"c", 3> c;
constexpr tg::input<"v", 4> v;
constexpr auto loss = tg::sum(tg::square(tg::tanh(A * v + c))) + tg::sum(tg::relu6(4.0 * (A * v + c)));
}  // namespace vector_product

// A second derivative in the loss, as a physics-informed network has: the
// emitted program holds u'' and its gradient, a third derivative.
namespace second_derivative {
constexpr tg::param<"W1", 1, 3> W1;
constexpr tg::param<"b1", 3> b1;
constexpr tg::param<"W2", 3, 1> W2;
constexpr tg::input<"x", 4, 1> x;
constexpr tg::input<"f", 4, 1> f;
constexpr auto u = tg::tanh(x * W1 + b1) * W2;
constexpr auto d2u = tg::derivative(tg::sum(tg::derivative(tg::sum(u), x)), x);
constexpr auto loss = tg::mean(tg::square(d2u + f));
}  // namespace second_derivative

// A small CNN: strided, dilated and padded convs, a depthwise (grouped) one,
// a bias per channel, max and average pooling, flatten; and an input-gradient penalty on it, whose gradient
// holds every op of a conv's derivatives (its transposes and their VJPs).
namespace cnn {
constexpr tg::input<"X", 2, 6, 5, 2> X;
constexpr tg::input<"Y", 2, 3> Y;
constexpr tg::param<"K1", 3, 2, 2, 3> K1;
constexpr tg::param<"c1", 3> c1;
constexpr tg::param<"K2", 2, 2, 3, 2> K2;
constexpr tg::param<"W", 16, 3> W;
constexpr tg::param<"V", 3, 3> V;
constexpr tg::param<"D", 2, 2, 3, 2> D;
constexpr tg::param<"U", 6, 3> U;
constexpr auto features = tg::max_pool2d<tg::pool_options{.window = {2, 2}, .stride = {1, 1}}>(
    tg::tanh(tg::conv2d<tg::conv_options{.stride = {1, 2}, .pad = tg::same}>(X, K1) + c1));
constexpr auto logits = tg::flatten(tg::conv2d<tg::conv_options{.pad = tg::pad(1, 0, 0, 1), .dilation = {2, 1}}>(features, K2)) * W +
                        tg::global_avg_pool(tg::avg_pool2d<tg::pool_options{.window = {2, 2}, .stride = {2, 1}, .pad = tg::same}>(features)) * V +
                        tg::global_avg_pool(tg::depthwise_conv2d<tg::conv_options{.pad = tg::same}>(features, D)) * U;
constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax(logits), Y));
constexpr auto penalised = loss + tg::mean(tg::square(tg::derivative(loss, X)));
}  // namespace cnn

// Ops along axes: reductions over axis lists, slice and concat; the gradient
// holds their transposes (expand_axes, max_scatter, slice_transpose).
namespace axes_model {
constexpr tg::input<"X", 2, 3, 4, 2> X;
constexpr tg::param<"A", 2, 3, 4, 2> A;
constexpr auto joined = tg::concat<2>(tg::tanh(X + A), tg::slice<2, 1, 3>(A));  // [2,3,6,2]
constexpr auto loss = tg::sum(tg::square(tg::max<1, 3>(joined))) + tg::sum(tg::hadamard(tg::mean<0, 2>(joined), tg::sum<0, 2>(A)));
}  // namespace axes_model

template <class Tensor>
Tensor filled(double scale, double shift) {
  Tensor t{};
  for (std::size_t i = 0; i < Tensor::size; ++i) t[i] = typename Tensor::value_type(std::sin(scale * double(i + 1) + shift));
  return t;
}
template <class Tensor>
Tensor probabilities(double shift) {
  Tensor t{};
  for (std::size_t i = 0; i < Tensor::size; ++i) t[i] = typename Tensor::value_type(0.5 + 0.45 * std::sin(1.7 * double(i) + shift));
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const std::string dir = argv[1];
  std::ofstream expected(dir + "/expected.hpp");
  expected << "// Generated by tests/inspect/emit_generator.cpp.\n#pragma once\n#include <cstring>\n";
  write_case(dir, expected, "xor_grad", xor_model::program, xor_model::env, 1e-13);
  {
    using namespace losses;
    const auto env = tg::bind(W = filled<tg::tensor<double, 3, 4>>(0.9, 0.1), b = filled<tg::tensor<double, 4>>(1.3, 0.4),
                              X = filled<tg::tensor<double, 5, 3>>(0.7, 0.2), Y = probabilities<tg::tensor<double, 5, 4>>(0.3));
    write_case(dir, expected, "losses_grad", tg::grad(loss), env, 1e-13);
    // The same in float: emit_cpp<float> computes in float, as typegrad's
    // float kernels do. The emitted code calls std::tanh, typegrad its vector
    // tanh (within 3 ulp of it), which this loss's gradient amplifies to
    // about 2e-5 of the 1e-3 floor.
    const auto env_f32 = tg::bind(W = filled<tg::tensor<float, 3, 4>>(0.9, 0.1), b = filled<tg::tensor<float, 4>>(1.3, 0.4),
                                  X = filled<tg::tensor<float, 5, 3>>(0.7, 0.2), Y = probabilities<tg::tensor<float, 5, 4>>(0.3));
    write_case(dir, expected, "losses_grad_f32", tg::grad(loss), env_f32, 5e-5);
  }
  {
    using namespace vector_product;
    const auto env = tg::bind(A = filled<tg::tensor<double, 3, 4>>(1.1, 0.5), c = filled<tg::tensor<double, 3>>(0.6, 0.9),
                              v = filled<tg::tensor<double, 4>>(0.8, 0.3));
    write_case(dir, expected, "vector_grad", tg::grad(loss, A, c, v), env, 1e-13);
  }
  {
    using namespace second_derivative;
    const auto env = tg::bind(W1 = filled<tg::tensor<double, 1, 3>>(1.2, 0.3), b1 = filled<tg::tensor<double, 3>>(0.7, 0.1),
                              W2 = filled<tg::tensor<double, 3, 1>>(0.9, 0.6), x = filled<tg::tensor<double, 4, 1>>(0.5, 0.2),
                              f = filled<tg::tensor<double, 4, 1>>(1.3, 0.8));
    // typegrad's vector tanh is within 3 ulp of the emitted std::tanh.
    write_case(dir, expected, "second_derivative_grad", tg::grad(loss), env, 1e-12);
  }
  {
    using namespace cnn;
    const auto env = tg::bind(X = filled<tg::tensor<double, 2, 6, 5, 2>>(0.9, 0.2), Y = probabilities<tg::tensor<double, 2, 3>>(0.4),
                              K1 = filled<tg::tensor<double, 3, 2, 2, 3>>(1.1, 0.3), c1 = filled<tg::tensor<double, 3>>(0.7, 0.5),
                              K2 = filled<tg::tensor<double, 2, 2, 3, 2>>(0.8, 0.1), W = filled<tg::tensor<double, 16, 3>>(1.3, 0.6),
                              V = filled<tg::tensor<double, 3, 3>>(0.5, 0.7), D = filled<tg::tensor<double, 2, 2, 3, 2>>(1.7, 0.9),
                              U = filled<tg::tensor<double, 6, 3>>(0.6, 0.4));
    write_case(dir, expected, "cnn_grad", tg::grad(loss), env, 1e-12);
    write_case(dir, expected, "cnn_penalty_grad", tg::grad(penalised), env, 1e-12);
  }
  {
    using namespace axes_model;
    const auto env = tg::bind(X = filled<tg::tensor<double, 2, 3, 4, 2>>(0.9, 0.2), A = filled<tg::tensor<double, 2, 3, 4, 2>>(1.3, 0.5));
    write_case(dir, expected, "axes_grad", tg::grad(loss), env, 1e-12);
  }
  return expected ? 0 : 1;
}
