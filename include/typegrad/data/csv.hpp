#pragma once
// Reading numeric CSV files, the one place where data enters typegrad from
// outside at run time. Every malformed input is a tg::data_error whose
// message names the file, the line and the field; nothing is skipped or
// guessed, and a value that is not a finite number (nan, inf) is an error.
#include <charconv>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <typegrad/core/tensor.hpp>

namespace typegrad {

struct data_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A table of numbers, row-major.
struct csv_table {
  std::string source;
  std::size_t rows = 0;
  std::size_t columns = 0;
  std::vector<double> values;
  std::vector<std::size_t> line_of_row;  // for messages about a row's values

  // "file:line: field f" of a value, for the caller's own checks.
  std::string where(std::size_t row, std::size_t column) const {
    return source + ":" + std::to_string(line_of_row[row]) + ": field " + std::to_string(column + 1);
  }

  double at(std::size_t row, std::size_t column) const { return values[row * columns + column]; }

  // Rows first..first+R, columns c0..c0+C, as a tensor<T, R, C>, each value
  // scaled by `scale`.
  template <class T, std::size_t R, std::size_t C>
  tensor<T, R, C> block(std::size_t first_row, std::size_t first_column, double scale = 1.0) const {
    if (first_row + R > rows || first_column + C > columns)
      throw data_error(source + ": a block of " + std::to_string(R) + "x" + std::to_string(C) + " at row " +
                       std::to_string(first_row) + ", column " + std::to_string(first_column) +
                       " does not fit in the table's " + std::to_string(rows) + "x" + std::to_string(columns));
    tensor<T, R, C> out{};
    for (std::size_t r = 0; r < R; ++r)
      for (std::size_t c = 0; c < C; ++c) out(r, c) = static_cast<T>(at(first_row + r, first_column + c) * scale);
    return out;
  }
};

// Parses CSV text: one row per line, comma-separated numbers, no header;
// every row needs `columns` fields (0: as many as the first row has).
inline csv_table parse_csv(std::string_view text, const std::string& source, std::size_t columns = 0) {
  csv_table table{source, 0, columns, {}, {}};
  std::size_t line_number = 0, at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    const std::string where = source + ":" + std::to_string(line_number);
    std::size_t field = 0, start = 0;
    while (true) {
      std::size_t comma = line.find(',', start);
      std::string_view token = line.substr(start, comma == std::string_view::npos ? line.size() - start : comma - start);
      while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
      while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
      ++field;
      double value = 0;
      const auto [stop, error] = std::from_chars(token.data(), token.data() + token.size(), value);
      if (token.empty() || error != std::errc() || stop != token.data() + token.size())
        throw data_error(where + ": field " + std::to_string(field) + ": expected a number, found '" +
                         std::string(token) + "'");
      // from_chars reads "nan" and "inf"; a data file's NaN would otherwise
      // flow into training unnoticed.
      if (!std::isfinite(value))
        throw data_error(where + ": field " + std::to_string(field) + ": expected a finite number, found '" +
                         std::string(token) + "'");
      table.values.push_back(value);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (table.columns == 0) table.columns = field;
    if (field != table.columns)
      throw data_error(where + ": " + std::to_string(field) + " fields, but rows of this table have " +
                       std::to_string(table.columns));
    table.line_of_row.push_back(line_number);
    ++table.rows;
  }
  if (table.rows == 0) throw data_error(source + ": no rows");
  return table;
}

inline csv_table read_csv(const std::string& path, std::size_t columns = 0) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw data_error(path + ": cannot open the file");
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  return parse_csv(text, path, columns);
}

}  // namespace typegrad
