/* Classifies the digits test split with the C models that examples/digits
 * emitted, without typegrad: plain C99, float32 and int8.
 *   cc -std=c99 -O2 -I<folder of digits_model.h> examples/digits_c.c -o digits_c -lm
 *   digits_c digits_test.csv
 * Each line of the CSV is 64 pixel values (0..16) and the label; the model's
 * input is the pixels divided by 16, as in training. The int8 model takes
 * them quantised by its helper, and its class is the argmax of its int8
 * logits. */
#include <stdio.h>

#include "digits_model.h"
#include "digits_model_int8.h"

static int argmax_float(const float* v, int n) {
  int best = 0, c;
  for (c = 1; c < n; ++c)
    if (v[c] > v[best]) best = c;
  return best;
}
static int argmax_int8(const int8_t* v, int n) {
  int best = 0, c;
  for (c = 1; c < n; ++c)
    if (v[c] > v[best]) best = c;
  return best;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: digits_c digits_test.csv\n");
    return 2;
  }
  FILE* file = fopen(argv[1], "r");
  if (!file) {
    fprintf(stderr, "digits_c: %s: cannot open the file\n", argv[1]);
    return 1;
  }
  float input[DIGITS_MODEL_INPUT_SIZE], scores[DIGITS_MODEL_OUTPUT_SIZE];
  int8_t quantized[DIGITS_MODEL_INT8_INPUT_SIZE], int8_scores[DIGITS_MODEL_INT8_OUTPUT_SIZE];
  int images = 0, correct = 0, int8_correct = 0;
  for (;;) {
    int pixel = 0, label = 0, i = 0;
    for (; i < DIGITS_MODEL_INPUT_SIZE; ++i) {
      if (fscanf(file, "%d,", &pixel) != 1) break;
      input[i] = (float)pixel / 16.0f;
    }
    if (i == 0 && feof(file)) break;
    if (i != DIGITS_MODEL_INPUT_SIZE || fscanf(file, "%d", &label) != 1) {
      fprintf(stderr, "digits_c: %s: line %d: expected 64 pixels and a label\n", argv[1], images + 1);
      fclose(file);
      return 1;
    }
    digits_model(input, scores);
    correct += argmax_float(scores, DIGITS_MODEL_OUTPUT_SIZE) == label;
    if (digits_model_int8_quantize_input(input, quantized) != 0) { /* the count of NaN inputs */
      fprintf(stderr, "digits_c: %s: line %d: a pixel is not a number\n", argv[1], images + 1);
      fclose(file);
      return 1;
    }
    digits_model_int8(quantized, int8_scores);
    int8_correct += argmax_int8(int8_scores, DIGITS_MODEL_INT8_OUTPUT_SIZE) == label;
    ++images;
  }
  fclose(file);
  printf("int8 test accuracy: %.4f (%d of %d)\n", images ? (double)int8_correct / images : 0.0, int8_correct, images);
  printf("test accuracy: %.4f (%d of %d)\n", images ? (double)correct / images : 0.0, correct, images);
  return 0;
}
