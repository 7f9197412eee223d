/* Runs an emitted model on its test vectors and compares with typegrad's
 * outputs. Compiled with -DMODEL=name -DMODEL_UPPER=NAME, once per model and C
 * compiler.
 * Float models: |c - typegrad| <= 2e-6 * (1 + |typegrad|) elementwise, a few
 * float32 roundings: the C code sums in float and in another order than
 * typegrad's kernels, and a model trained in double is compared against its
 * double outputs.
 * int8 models (-DINT8): every output equal to the simulator's
 * (quantize_int8's int8_model::run), bit for bit. */
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
#if defined(INT8)
  int8_t output[OUT];
#else
  float output[OUT];
#endif
  double worst = 0;
  int failures = 0;
  for (int v = 0; v < COUNT; ++v) {
    MODEL(GLUE(MODEL, _vector_inputs)[v], output);
    for (int i = 0; i < OUT; ++i) {
      const double want = GLUE(MODEL, _vector_outputs)[v][i];
#if defined(INT8)
      const double error = fabs((double)output[i] - want);
      const int bad = output[i] != GLUE(MODEL, _vector_outputs)[v][i];
#else
      const double error = fabs((double)output[i] - want) / (1.0 + fabs(want));
      const int bad = !(error <= 2e-6);
#endif
      if (bad) {
        if (failures < 10) printf("vector %d, output %d: C gives %.9g, typegrad %.9g\n", v, i, (double)output[i], want);
        ++failures;
      }
      if (error > worst) worst = error;
    }
  }
#if defined(INT8)
  {
    /* The float helper: saturation at both ends, and a NaN counted and set to the zero point. */
    float x[GLUE(MODEL_UPPER, _INPUT_SIZE)] = {0};
    int8_t q[GLUE(MODEL_UPPER, _INPUT_SIZE)];
    x[0] = 1e30f;
    x[1] = -1e30f;
    x[2] = NAN;
    if (GLUE(MODEL, _quantize_input)(x, q) != 1 || q[0] != 127 || q[1] != -128 ||
        q[2] != GLUE(MODEL_UPPER, _INPUT_ZERO_POINT)) {
      printf("%s_quantize_input: saturation or NaN handling is wrong\n", STRINGIFY(MODEL));
      ++failures;
    }
  }
#endif
  printf("%s: %d vectors, worst %s %.3g, %d outside the tolerance\n", STRINGIFY(MODEL), COUNT,
#if defined(INT8)
         "difference from the simulator",
#else
         "relative error",
#endif
         worst, failures);
  return failures == 0 ? 0 : 1;
}
