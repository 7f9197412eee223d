// What the compiler derived for the XOR network, four ways: the model, the
// gradient program step by step, the program as standalone C++, and its
// graph as Graphviz source.
//   inspect_xor            prints all four
//   inspect_xor dot        prints only the DOT (for `| dot -Tsvg`)
#include <typegrad/typegrad.hpp>

#include <cstdio>
#include <cstring>

namespace tg = typegrad;

constexpr tg::param<"W", 2, 2> W;
constexpr tg::param<"b1", 2> b1;
constexpr tg::param<"V", 2, 2> V;
constexpr tg::param<"b2", 2> b2;
constexpr tg::input<"X", 4, 2> X;
constexpr tg::input<"Y", 4, 2> Y;
constexpr auto loss = tg::mean(tg::cross_entropy(tg::softmax(tg::relu(X * W + b1) * V + b2), Y));
constexpr auto program = tg::grad(loss, W, b1, V, b2);

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "dot") == 0) {
    std::fputs(tg::to_dot(program).c_str(), stdout);
    return 0;
  }
  std::printf("== the model\n%s\n\n", tg::to_string(loss).c_str());
  std::printf("== with shapes\n%s\n\n", tg::to_string(loss, true).c_str());
  std::printf("== the gradient program\n%s\n", tg::to_string(program).c_str());
  std::printf("== emitted C++ (tg::emit_cpp(program, \"xor_grad\"))\n%s\n", tg::emit_cpp(program, "xor_grad").c_str());
  std::printf("== Graphviz (tg::to_dot(program))\n%s", tg::to_dot(program).c_str());
  return 0;
}
