// Compiled as C++17 without typegrad's include path: each emitted header
// stands alone, and gives typegrad's values (bit for bit where the order of
// operations is the same; within 1e-13 relative in double and 5e-5 in float,
// against the larger of the value and 1e-3: typegrad's vector tanh is within
// 3 ulp of the emitted std::tanh). The programs and the values are
// emit_generator's.
#include <cmath>
#include <cstdio>
#include <cstring>

#include "expected.hpp"

int main() {
  int checked = 0, identical = 0, far = 0;
  double worst = 0;
  // got: the emitted program's float or double outputs; want: typegrad's.
  auto compare = [&](const char* name, const auto* got, const double* want, int n, double tolerance) {
    for (int i = 0; i < n; ++i) {
      ++checked;
      identical += double(got[i]) == want[i];
      const double error = std::fabs(double(got[i]) - want[i]) / (std::fabs(want[i]) > 1e-3 ? std::fabs(want[i]) : 1e-3);
      worst = error > worst ? error : worst;
      if (!(error <= tolerance)) {
        ++far;
        std::printf("%s[%d]: emitted %.17g, typegrad %.17g\n", name, i, double(got[i]), want[i]);
      }
    }
  };
  check_xor_grad(compare);
  check_losses_grad(compare);
  check_losses_grad_f32(compare);
  check_vector_grad(compare);
  check_second_derivative_grad(compare);
  check_cnn_grad(compare);
  check_cnn_penalty_grad(compare);
  check_axes_grad(compare);
  std::printf("emitted C++ agrees with typegrad: %d values, %d bit-identical, worst relative difference %.3g\n", checked,
              identical, worst);
  return far == 0 ? 0 : 1;
}
