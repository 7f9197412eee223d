#include <typegrad/io/safetensors.hpp>
#include <typegrad/typegrad.hpp>

#include <cstdio>

namespace tg = typegrad;
constexpr tg::param<"w", 2> w;

int main() {
  auto params = tg::parameters<float>(tg::sum(w));
  params[w] = {0.5f, -1.0f};
  tg::save_safetensors("consumer.safetensors", params);
  auto loaded = tg::parameters<float>(tg::sum(w));
  tg::load_safetensors("consumer.safetensors", loaded);
  const bool ok = loaded[w] == params[w];
  std::printf("consumer safetensors: %s\n", ok ? "ok" : "wrong");
  return ok ? 0 : 1;
}
