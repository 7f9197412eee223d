// The typegrad side of the safetensors interop test (run_interop.cmake):
//   interop write FOLDER   writes from_typegrad_f32/_f64.safetensors
//   interop check FOLDER   loads from_python_f32/_f64.safetensors and checks
//                          every value bit for bit against expected() below,
//                          the formula safetensors_interop.py also computes.
#include <typegrad/io/safetensors.hpp>
#include <typegrad/typegrad.hpp>

#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

namespace tg = typegrad;

namespace {
constexpr tg::param<"W", 3, 4> W;
constexpr tg::param<"b", 4> b;
constexpr tg::param<"s"> s;
constexpr auto model = tg::sum(b) * s + tg::sum(W);

template <class T, class Tensor>
void fill_expected(std::string_view name, Tensor& t) {
  for (std::size_t k = 0; k < Tensor::size; ++k)
    t[k] = static_cast<T>(double(int((37 * k + 11 * name.size()) % 101) - 50) / 7.0);
  if (name == "W") {
    t[0] = T(-0.0);
    t[1] = std::numeric_limits<T>::denorm_min();
    t[2] = std::numeric_limits<T>::max() / 3;
  }
}

template <class T>
tg::parameters_t<T, decltype(model)> expected() {
  auto params = tg::parameters<T>(model);
  params.for_each([](const auto& terminal, auto& t) {
    fill_expected<T>(tg::leaf_of_t<std::remove_cvref_t<decltype(terminal)>>::name.view(), t);
  });
  return params;
}

template <class T>
int check(const std::string& path) {
  auto loaded = tg::parameters<T>(model);
  const auto metadata = tg::load_safetensors(path, loaded);
  const auto want = expected<T>();
  int mismatches = 0;
  loaded.for_each([&](const auto& terminal, const auto& t) {
    const auto& w = want[terminal];
    if (std::memcmp(t.data(), w.data(), sizeof(T) * t.size) != 0) {
      std::printf("%s: %s differs\n", path.c_str(), std::string(tg::leaf_of_t<std::remove_cvref_t<decltype(terminal)>>::name.view()).c_str());
      ++mismatches;
    }
  });
  if (metadata.at("written_by") != "numpy") ++mismatches;
  return mismatches;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: interop write|check FOLDER\n");
    return 2;
  }
  const std::string mode = argv[1], folder = argv[2];
  try {
    if (mode == "write") {
      tg::save_safetensors(folder + "/from_typegrad_f32.safetensors", expected<float>(), {{"written_by", "typegrad"}});
      tg::save_safetensors(folder + "/from_typegrad_f64.safetensors", expected<double>(), {{"written_by", "typegrad"}});
      return 0;
    }
    const int mismatches = check<float>(folder + "/from_python_f32.safetensors") +
                           check<double>(folder + "/from_python_f64.safetensors");
    std::printf("typegrad read python's files: %d mismatches\n", mismatches);
    return mismatches == 0 ? 0 : 1;
  } catch (const tg::checkpoint_error& e) {
    std::fprintf(stderr, "interop: %s\n", e.what());
    return 1;
  }
}
