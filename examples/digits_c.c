/* Classifies the digits test split with the C model that examples/digits
 * emitted, without typegrad: plain C99 and <math.h>.
 *   cc -std=c99 -O2 -I<folder of digits_model.h> examples/digits_c.c -o digits_c -lm
 *   digits_c digits_test.csv
 * Each line of the CSV is 64 pixel values (0..16) and the label; the model's
 * input is the pixels divided by 16, as in training. */
#include <stdio.h>

#include "digits_model.h"

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
  int images = 0, correct = 0;
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
    int best = 0;
    for (int c = 1; c < DIGITS_MODEL_OUTPUT_SIZE; ++c)
      if (scores[c] > scores[best]) best = c;
    correct += best == label;
    ++images;
  }
  fclose(file);
  printf("test accuracy: %.4f (%d of %d)\n", images ? (double)correct / images : 0.0, correct, images);
  return 0;
}
