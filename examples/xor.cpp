// The seed's XOR network, 2-2-2: linear, relu, linear, softmax, cross-entropy,
// at its fixed starting weights. Prints the forward table for the four inputs,
// the mean loss, and the gradients the compiler derived.
#include <typegrad/typegrad.hpp>

#include <cstdio>

namespace tg = typegrad;

constexpr tg::param<"W", 2, 2> W;
constexpr tg::param<"b1", 2> b1;
constexpr tg::param<"V", 2, 2> V;
constexpr tg::param<"b2", 2> b2;
constexpr tg::input<"X", 4, 2> X;
constexpr tg::input<"Y", 4, 2> Y;

constexpr auto z = X * W + b1;
constexpr auto h = tg::relu(z);
constexpr auto a = h * V + b2;
constexpr auto p = tg::softmax(a);
constexpr auto per_example = tg::cross_entropy(p, Y);
constexpr auto loss = tg::mean(per_example);

template <class M>
void print_matrix(const char* name, const M& m) {
  std::printf("%-4s", name);
  for (std::size_t i = 0; i < M::shape_type::dims[0]; ++i) {
    std::printf(" [");
    for (std::size_t j = 0; j < M::shape_type::dims[1]; ++j) std::printf(j ? " %.17g" : "%.17g", m(i, j));
    std::printf("]");
  }
  std::printf("\n");
}

int main() {
  const auto env = tg::bind(W = tg::tensor<double, 2, 2>{{1, 1}, {1, 1}},
                            b1 = tg::tensor<double, 2>{-1, 0.5},
                            V = tg::tensor<double, 2, 2>{{1, -1}, {-1, 1}},
                            b2 = tg::tensor<double, 2>{1, -1},
                            X = tg::tensor<double, 4, 2>{{0, 0}, {0, 1}, {1, 0}, {1, 1}},
                            Y = tg::tensor<double, 4, 2>{{1, 0}, {0, 1}, {0, 1}, {1, 0}});

  const auto xv = tg::eval(X, env);
  const auto zv = tg::eval(z, env);
  const auto hv = tg::eval(h, env);
  const auto av = tg::eval(a, env);
  const auto pv = tg::eval(p, env);
  const auto lv = tg::eval(per_example, env);

  std::printf("forward, one row per example\n");
  std::printf("%-8s %-16s %-16s %-16s %-40s %s\n", "x", "z = xW + b1", "h = relu(z)", "a = hV + b2", "p = softmax(a)",
              "loss");
  for (std::size_t i = 0; i < 4; ++i) {
    std::printf("[%g %g]    [%-5g %-5g]    [%-5g %-5g]    [%-5g %-5g]    [%.17f %.17f]  %.17f\n", xv(i, 0), xv(i, 1),
                zv(i, 0), zv(i, 1), hv(i, 0), hv(i, 1), av(i, 0), av(i, 1), pv(i, 0), pv(i, 1), lv(i));
  }
  std::printf("mean loss %.15f\n\n", static_cast<double>(tg::eval(loss, env)));

  constexpr auto dloss = tg::grad(loss, W, b1, V, b2);
  const auto g = dloss(env);
  std::printf("gradients at the seed point (loss %.15f)\n", g.value);
  print_matrix("dW", g[W]);
  std::printf("db1  [%.17g %.17g]\n", g[b1](0), g[b1](1));
  print_matrix("dV", g[V]);
  std::printf("db2  [%.17g %.17g]\n", g[b2](0), g[b2](1));
  return 0;
}
