// Writes bench_emitted's model as C99 (emit_c): emit_bench_model OUTPUT.h
#include <cstdio>
#include <fstream>

#include "emitted_model.hpp"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  std::ofstream(argv[1]) << typegrad::emit_c(emitted_bench::logits, emitted_bench::make_params(), "fashion_mlp");
  return 0;
}
