/* Runs an emitted int8 model on its test vectors and compares with the
 * simulator's outputs (quantize_int8's int8_model::run), bit for bit.
 * Compiled with -DMODEL=name -DMODEL_UPPER=NAME, once per model and C
 * compiler, and on emulated Cortex-M (tests/deploy/run_on_cortex_m.cmake). */
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
  int8_t output[OUT];
  int failures = 0;
  int v, i;
  for (v = 0; v < COUNT; ++v) {
    MODEL(GLUE(MODEL, _vector_inputs)[v], output);
    for (i = 0; i < OUT; ++i) {
      if (output[i] != GLUE(MODEL, _vector_outputs)[v][i]) {
        if (failures < 10) printf("vector %d, output %d: C gives %d, the simulator %d\n", v, i, output[i],
                                  GLUE(MODEL, _vector_outputs)[v][i]);
        ++failures;
      }
    }
  }
  printf("%s: %d vectors, %d outputs differ from the simulator\n", STRINGIFY(MODEL), COUNT, failures);
  return failures == 0 ? 0 : 1;
}
