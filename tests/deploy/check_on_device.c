/* Runs the models examples/digits emitted (digits_model.h, float32, and
 * digits_model_int8.h) on the whole test split, from their test vectors, on
 * the host or on emulated Cortex-M (tests/deploy/run_on_cortex_m.cmake).
 *   -DRECORD          print the float outputs as a C header, host_outputs.h:
 *                     run on the host, it is the device's reference
 *   (default)         int8 outputs must equal the simulator's bit for bit;
 *                     float outputs must be within 1e-6 relative of the host's
 *   -DINFERENCES=N -DCOUNT_INT8 (or not)
 *                     run one model on the first N vectors and nothing else,
 *                     for counting instructions (N = 0 gives the baseline) */
#include <math.h>
#include <stdio.h>

#include "digits_model.h"
#include "digits_model_int8.h"
#include "digits_model_int8_vectors.h"
#include "digits_model_vectors.h"

#define COUNT DIGITS_MODEL_VECTOR_COUNT
#define OUT DIGITS_MODEL_OUTPUT_SIZE

#if defined(INFERENCES)
/* The loop bound is read at run time, and each output is marked as read by
 * an empty asm, so that the compiler neither drops the calls nor warns of
 * reading vectors at a constant bound of 0; they add a few instructions per
 * iteration, and nothing else. */
volatile int inferences = INFERENCES;
int main(void) {
  int v;
  const int runs = inferences;
  for (v = 0; v < runs; ++v) {
#if defined(COUNT_INT8)
    int8_t output[OUT];
    digits_model_int8(digits_model_int8_vector_inputs[v], output);
#else
    float output[OUT];
    digits_model(digits_model_vector_inputs[v], output);
#endif
    __asm__ volatile("" : : "r"(output) : "memory");
  }
  return 0;
}
#elif defined(RECORD)
int main(void) {
  float output[OUT];
  int v, i;
  printf("static const float host_outputs[%d][%d] = {\n", COUNT, OUT);
  for (v = 0; v < COUNT; ++v) {
    digits_model(digits_model_vector_inputs[v], output);
    printf("  {");
    for (i = 0; i < OUT; ++i) printf("%a%s", (double)output[i], i + 1 < OUT ? ", " : "");
    printf("},\n");
  }
  printf("};\n");
  return 0;
}
#else
#include "host_outputs.h"
int main(void) {
  float output[OUT];
  int8_t int8_output[OUT];
  int v, i, float_failures = 0, identical = 0, int8_failures = 0;
  double worst = 0;
  for (v = 0; v < COUNT; ++v) {
    digits_model(digits_model_vector_inputs[v], output);
    for (i = 0; i < OUT; ++i) {
      const double want = host_outputs[v][i], error = fabs((double)output[i] - want);
      const double relative = want != 0 ? error / fabs(want) : error;
      identical += output[i] == host_outputs[v][i];
      if (relative > worst) worst = relative;
      if (!(error <= 1e-6 * fabs(want))) ++float_failures;
    }
    digits_model_int8(digits_model_int8_vector_inputs[v], int8_output);
    for (i = 0; i < OUT; ++i) int8_failures += int8_output[i] != digits_model_int8_vector_outputs[v][i];
  }
  printf("float: %d images, %d of %d outputs identical to the host's, worst relative difference %.3g, %d beyond 1e-6\n",
         COUNT, identical, COUNT * OUT, worst, float_failures);
  printf("int8: %d images, %d outputs differ from the simulator\n", COUNT, int8_failures);
  return float_failures == 0 && int8_failures == 0 ? 0 : 1;
}
#endif
