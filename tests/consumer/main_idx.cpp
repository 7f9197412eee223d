#include <typegrad/io/idx.hpp>

#include <cstdio>

namespace tg = typegrad;

int main() {
  // A one-item IDX array of two u8 elements, from memory.
  const auto array = tg::parse_idx({0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 2, 7, 9}, "consumer.idx");
  const bool ok = array.elements() == 2 && array.value(1) == 9.0;
  std::printf("consumer idx: %s\n", ok ? "ok" : "wrong");
  return ok ? 0 : 1;
}
