// The printed program and its picture name the nodes alike: every step that
// to_string(program) prints, "t3 = relu(t2)", is the label of one node in
// to_dot(program).
#include "../support/testing.hpp"
#include "../support/xor_model.hpp"

#include <sstream>
#include <string>
#include <vector>

namespace tg = typegrad;

namespace {

// The steps of a printed program: "name = notation", without the shape.
std::vector<std::string> printed_steps(const std::string& listing) {
  std::vector<std::string> steps;
  std::istringstream lines(listing);
  std::string line;
  bool in_steps = false;
  while (std::getline(lines, line)) {
    if (line == "forward:" || line == "backward:") {
      in_steps = true;
    } else if (line.rfind("  ", 0) != 0) {
      in_steps = false;
    } else if (in_steps) {
      const std::string step = line.substr(2, line.find("  ", 2) - 2);
      steps.push_back(step);
    }
  }
  return steps;
}

template <class Program>
void require_same_names(const Program& program, std::size_t expected_steps) {
  const std::string listing = tg::to_string(program), dot = tg::to_dot(program);
  const auto steps = printed_steps(listing);
  REQUIRE(steps.size() == expected_steps);
  for (const auto& step : steps) {
    INFO("step: " << step << "\nDOT:\n" << dot);
    REQUIRE(dot.find("[label=\"" + step + "\", ") != std::string::npos);
  }
}

}  // namespace

TEST_CASE("to_dot labels each node with the step to_string prints", "[inspect][dot]") {
  require_same_names(xor_model::program, 17);
  // A node used twice, and a gradient that is a forward node's cotangent.
  constexpr tg::param<"W", 3, 3> W;
  constexpr tg::input<"X", 2, 3> X;
  constexpr auto h = tg::tanh(X * W);
  require_same_names(tg::grad(tg::sum(tg::hadamard(h, h) + h), W), 12);
}

TEST_CASE("emit_cpp follows the scalar type and keeps a large workspace off the stack", "[inspect][emit]") {
  const std::string small = tg::emit_cpp<float>(xor_model::program, "xor_f32");
  REQUIRE(small.find("float W[2][2];") != std::string::npos);
  REQUIRE(small.find("double") == std::string::npos);  // float throughout, as typegrad's float kernels
  REQUIRE(small.find("inline void xor_f32(const xor_f32_in& in, xor_f32_out& out) {") != std::string::npos);

  // 2048 x 64 doubles per intermediate: 1 MiB each, past the stack limit.
  constexpr tg::param<"W", 64, 64> W;
  constexpr tg::input<"X", 2048, 64> X;
  const std::string large = tg::emit_cpp(tg::grad(tg::sum(tg::tanh(X * W))), "large");
  REQUIRE(large.find("struct large_workspace {") != std::string::npos);
  REQUIRE(large.find("inline void large(const large_in& in, large_out& out, large_workspace& ws) {") != std::string::npos);
  REQUIRE(large.find("inline void large(const large_in& in, large_out& out) {") == std::string::npos);
  REQUIRE(large.find("std::make_unique<large_workspace>()") != std::string::npos);
}
