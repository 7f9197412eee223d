// libFuzzer target: any bytes through the CSV reader and the data-set
// builder. A malformed input must be a tg::data_error; anything else (a
// crash, a sanitizer report, another exception) is a finding.
#include <typegrad/data/csv.hpp>
#include <typegrad/data/dataset.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tg = typegrad;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto table = tg::parse_csv(text, "fuzz.csv");
    (void)table.where(table.rows - 1, table.columns - 1);
    const auto set = tg::dataset<float, 2, 3>::classification(table, 2);
    if (set.rows() > 0) (void)set.label(set.rows() - 1);
  } catch (const tg::data_error&) {
    // the expected answer to malformed input
  }
  try {
    (void)tg::parse_csv(text, "fuzz.csv", 3);
  } catch (const tg::data_error&) {
  }
  return 0;
}
