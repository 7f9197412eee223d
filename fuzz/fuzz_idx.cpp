// libFuzzer target: any bytes through the IDX reader (gzip or plain), then,
// as images and as labels, into a classification set. A malformed input must
// be a tg::data_error; anything else (a crash, a sanitizer report, another
// exception) is a finding.
#include <typegrad/io/idx.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tg = typegrad;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto array = tg::parse_idx(std::vector<std::uint8_t>(data, data + size), "fuzz.idx");
    if (array.elements() > 0) (void)array.value(array.elements() - 1);
    const auto labels = tg::parse_idx({0, 0, 8, 1, 0, 0, 0, 2, 0, 1}, "labels");
    (void)tg::idx_classification<tg::dataset<float, 4, 2>>(array, labels);
    (void)tg::idx_classification<tg::dataset<float, 1, 3>>(labels, array);
  } catch (const tg::data_error&) {
    // the expected answer to malformed input
  }
  return 0;
}
