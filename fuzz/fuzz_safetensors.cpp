// libFuzzer target: any bytes through the safetensors loader, into a float
// and a double parameter set and into a checkpoint with Adam's state. A
// malformed file must be a tg::checkpoint_error that leaves the parameters
// (and the optimiser) exactly as they were; anything else (a crash, a
// sanitizer report, another exception, a partial load) is a finding.
#include <typegrad/io/safetensors.hpp>
#include <typegrad/typegrad.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

namespace tg = typegrad;

namespace {
constexpr tg::param<"W", 3, 2> W;
constexpr tg::param<"b", 2> b;
constexpr tg::param<"s"> s;
constexpr auto model = tg::sum(b) * s + tg::sum(W);

template <class Params>
Params marked() {
  Params p{};
  float next = 0.5f;
  p.for_each([&](const auto&, auto& t) {
    for (auto& v : t) v = static_cast<std::remove_cvref_t<decltype(v)>>(next += 1);
  });
  return p;
}

template <class Params>
bool same(const Params& a, const Params& b) {
  bool equal = true;
  a.for_each([&](const auto& terminal, const auto& t) {
    equal = equal && std::memcmp(t.data(), b[terminal].data(), sizeof(t[0]) * t.size) == 0;
  });
  return equal;
}

template <class T>
void load_params(const std::string& bytes) {
  using params_type = tg::parameters_t<T, decltype(model)>;
  const params_type before = marked<params_type>();
  params_type params = before;
  try {
    tg::load_safetensors_bytes(bytes, "fuzz.safetensors", params);
  } catch (const tg::checkpoint_error&) {
    if (!same(params, before)) std::abort();  // a partial load
  }
}

void load_checkpoint(const std::string& bytes) {
  using params_type = tg::parameters_t<float, decltype(model)>;
  const params_type before = marked<params_type>();
  params_type params = before;
  tg::adam optimiser(params, {});
  optimiser.first_moment = before;
  try {
    tg::load_checkpoint_bytes(bytes, "fuzz.safetensors", params, optimiser);
  } catch (const tg::checkpoint_error&) {
    if (!same(params, before) || !same(optimiser.first_moment, before) || optimiser.steps != 0) std::abort();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  load_params<float>(bytes);
  load_params<double>(bytes);
  load_checkpoint(bytes);
  return 0;
}
