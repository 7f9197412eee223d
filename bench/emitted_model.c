/* The emitted model behind two call sites, compiled as C99 with the
 * benchmark's flags. Two callers, as in a program that classifies from two
 * places: the emitted loops must not rely on being inlined into one. */
#include "fashion_mlp.h"

void emitted_predict(const float* input, float* output) { fashion_mlp(input, output); }
void emitted_predict_elsewhere(const float* input, float* output) { fashion_mlp(input, output); }
