/* Classifies the Fashion-MNIST test images with the C model that
 * examples/fashion_mnist emitted, without typegrad: plain C99 and zlib (to
 * read the gzip-compressed IDX files).
 *   cc -std=c99 -O2 -I<folder of fashion_mnist_model.h> examples/fashion_mnist_c.c -o fashion_mnist_c -lz -lm
 *   fashion_mnist_c t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz
 * The model's input is the pixels divided by 255, as in training. */
#include <stdio.h>
#include <zlib.h>

#include "fashion_mnist_model.h"

/* Reads an IDX file's header: u8 elements, the expected rank and extents
 * (0: any); returns 0 and the first extent in *count, or 1. */
static int read_header(gzFile file, const char* path, int rank, const unsigned* extents, unsigned* count) {
  unsigned char header[16];
  int axis;
  if (gzread(file, header, (unsigned)(4 + 4 * rank)) != 4 + 4 * rank || header[0] != 0 || header[1] != 0 ||
      header[2] != 0x08 || header[3] != rank) {
    fprintf(stderr, "fashion_mnist_c: %s: expected an IDX header of u8 elements and rank %d\n", path, rank);
    return 1;
  }
  for (axis = 0; axis < rank; ++axis) {
    const unsigned char* d = header + 4 + 4 * axis;
    const unsigned extent = ((unsigned)d[0] << 24) | ((unsigned)d[1] << 16) | ((unsigned)d[2] << 8) | d[3];
    if (axis == 0) *count = extent;
    if (extents[axis] != 0 && extents[axis] != extent) {
      fprintf(stderr, "fashion_mnist_c: %s: extent %d is %u, expected %u\n", path, axis, extent, extents[axis]);
      return 1;
    }
  }
  return 0;
}

static int argmax(const float* v, int n) {
  int best = 0, c;
  for (c = 1; c < n; ++c)
    if (v[c] > v[best]) best = c;
  return best;
}

int main(int argc, char** argv) {
  static const unsigned image_extents[3] = {0, 28, 28}, label_extents[1] = {0};
  unsigned images = 0, labels = 0, n, i, correct = 0;
  gzFile image_file, label_file;
  if (argc != 3) {
    fprintf(stderr, "usage: fashion_mnist_c IMAGES.idx[.gz] LABELS.idx[.gz]\n");
    return 2;
  }
  image_file = gzopen(argv[1], "rb");
  label_file = gzopen(argv[2], "rb");
  if (!image_file || !label_file) {
    fprintf(stderr, "fashion_mnist_c: cannot open %s\n", image_file ? argv[2] : argv[1]);
    return 1;
  }
  if (read_header(image_file, argv[1], 3, image_extents, &images) || read_header(label_file, argv[2], 1, label_extents, &labels))
    return 1;
  if (images != labels) {
    fprintf(stderr, "fashion_mnist_c: %u images but %u labels\n", images, labels);
    return 1;
  }
  for (n = 0; n < images; ++n) {
    unsigned char pixels[FASHION_MNIST_MODEL_INPUT_SIZE], label;
    float input[FASHION_MNIST_MODEL_INPUT_SIZE], scores[FASHION_MNIST_MODEL_OUTPUT_SIZE];
    if (gzread(image_file, pixels, sizeof pixels) != (int)sizeof pixels || gzread(label_file, &label, 1) != 1) {
      fprintf(stderr, "fashion_mnist_c: the files end at image %u of %u\n", n, images);
      return 1;
    }
    for (i = 0; i < FASHION_MNIST_MODEL_INPUT_SIZE; ++i) input[i] = (float)(pixels[i] * (1.0 / 255)); /* as typegrad scales */
    fashion_mnist_model(input, scores);
    correct += argmax(scores, FASHION_MNIST_MODEL_OUTPUT_SIZE) == label;
  }
  gzclose(image_file);
  gzclose(label_file);
  printf("test accuracy: %.4f (%u of %u)\n", (double)correct / images, correct, images);
  return 0;
}
