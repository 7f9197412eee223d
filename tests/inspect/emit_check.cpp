// Compiled as C++17 without typegrad's include path: the emitted header
// stands alone, and gives typegrad's values (bit for bit where the order of
// operations is the same, within 1e-13 relative in any case).
#include <cmath>
#include <cstdio>
#include <cstring>

#include "xor_expected.hpp"
#include "xor_grad.hpp"

int main() {
  xor_grad_in in{};
  std::memcpy(&in.W[0][0], input_W, sizeof in.W);
  std::memcpy(&in.b1[0], input_b1, sizeof in.b1);
  std::memcpy(&in.V[0][0], input_V, sizeof in.V);
  std::memcpy(&in.b2[0], input_b2, sizeof in.b2);
  std::memcpy(&in.X[0][0], input_X, sizeof in.X);
  std::memcpy(&in.Y[0][0], input_Y, sizeof in.Y);
  xor_grad_out out{};
  xor_grad(in, out);
  int checked = 0, identical = 0, far = 0;
  double worst = 0;
  auto compare = [&](const char* name, const double* got, const double* want, int n) {
    for (int i = 0; i < n; ++i) {
      ++checked;
      identical += got[i] == want[i];
      const double error = std::fabs(got[i] - want[i]) / (std::fabs(want[i]) > 1e-300 ? std::fabs(want[i]) : 1.0);
      worst = error > worst ? error : worst;
      if (error > 1e-13) {
        ++far;
        std::printf("%s[%d]: emitted %.17g, typegrad %.17g\n", name, i, got[i], want[i]);
      }
    }
  };
  compare("value", &out.value, &expected_value, 1);
  compare("W", &out.W[0][0], expected_W, 4);
  compare("b1", out.b1, expected_b1, 2);
  compare("V", &out.V[0][0], expected_V, 4);
  compare("b2", out.b2, expected_b2, 2);
  std::printf("emitted C++ agrees with typegrad: %d values, %d bit-identical, worst relative difference %.3g\n", checked,
              identical, worst);
  return far == 0 ? 0 : 1;
}
