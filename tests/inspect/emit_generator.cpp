// Writes the XOR gradient program as C++ (emit_cpp) and the values typegrad
// computes for it, for emit_check.cpp to compare. Argument: the directory.
#include <cstdio>
#include <fstream>
#include <string>

#include "../support/xor_model.hpp"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const std::string dir = argv[1];
  using namespace xor_model;
  std::ofstream(dir + "/xor_grad.hpp") << tg::emit_cpp(program, "xor_grad");
  const auto g = program(env);
  std::ofstream expected(dir + "/xor_expected.hpp");
  auto write = [&](const char* name, const auto& t) {
    expected << "inline const double expected_" << name << "[] = {";
    for (double v : t) {
      char text[64];
      std::snprintf(text, sizeof text, "%a, ", v);
      expected << text;
    }
    expected << "};\n";
  };
  char value[64];
  std::snprintf(value, sizeof value, "%a", g.value);
  expected << "inline const double expected_value = " << value << ";\n";
  write("W", g[W]);
  write("b1", g[b1]);
  write("V", g[V]);
  write("b2", g[b2]);
  auto input = [&](const char* name, const auto& t) {
    expected << "inline const double input_" << name << "[] = {";
    for (double v : t) expected << v << ", ";
    expected << "};\n";
  };
  input("W", env[W]);
  input("b1", env[b1]);
  input("V", env[V]);
  input("b2", env[b2]);
  input("X", env[X]);
  input("Y", env[Y]);
  return 0;
}
