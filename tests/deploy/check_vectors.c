/* Runs an emitted model on its test vectors and compares with typegrad's
 * outputs. Compiled with -DMODEL=name -DMODEL_UPPER=NAME, once per model and C
 * compiler. Tolerance: |c - typegrad| <= 2e-6 * (1 + |typegrad|) elementwise,
 * a few float32 roundings: the C code sums in float and in another order
 * than typegrad's kernels, and a model trained in double is compared
 * against its double outputs. */
#include <math.h>
#include <stdio.h>

#define STRINGIFY2(x) #x
#define STRINGIFY(x) STRINGIFY2(x)
#define GLUE2(a, b) a##b
#define GLUE(a, b) GLUE2(a, b)

#include STRINGIFY(MODEL.h)
#include STRINGIFY(GLUE(MODEL, _vectors.h))

#define OUT GLUE(MODEL_UPPER, _OUTPUT_SIZE)
#define COUNT GLUE(MODEL_UPPER, _VECTOR_COUNT)

int main(void) {
  float output[OUT];
  double worst = 0;
  int failures = 0;
  for (int v = 0; v < COUNT; ++v) {
    MODEL(GLUE(MODEL, _vector_inputs)[v], output);
    for (int i = 0; i < OUT; ++i) {
      const double want = GLUE(MODEL, _vector_outputs)[v][i];
      const double error = fabs((double)output[i] - want) / (1.0 + fabs(want));
      if (!(error <= 2e-6)) {
        printf("vector %d, output %d: C gives %.9g, typegrad %.9g\n", v, i, (double)output[i], want);
        ++failures;
      }
      if (error > worst) worst = error;
    }
  }
  printf("%s: %d vectors, worst relative error %.3g, %d outside the tolerance\n", STRINGIFY(MODEL), COUNT, worst,
         failures);
  return failures == 0 ? 0 : 1;
}
