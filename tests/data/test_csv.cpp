// The CSV reader: numbers in, and every malformed input an error that names
// the file, the line and the field.
#include <catch2/catch.hpp>

#include <typegrad/data/csv.hpp>

namespace tg = typegrad;

TEST_CASE("csv reads rows of numbers, skipping blank lines and CRLF", "[data][csv]") {
  const auto t = tg::parse_csv("1,2,3\r\n\n4, 5.5 ,-6e1\n", "mem.csv");
  CHECK(t.rows == 2);
  CHECK(t.columns == 3);
  CHECK(t.at(1, 1) == 5.5);
  CHECK(t.at(1, 2) == -60.0);
  const auto b = t.block<float, 2, 2>(0, 1, 0.5);
  CHECK(b(1, 0) == 2.75f);   // 5.5 * 0.5
  CHECK(b(1, 1) == -30.0f);  // -60 * 0.5
}

TEST_CASE("a malformed field is reported with its file, line and field", "[data][csv]") {
  CHECK_THROWS_WITH(tg::parse_csv("1,2,3\n4,x5,6\n", "digits.csv"), "digits.csv:2: field 2: expected a number, found 'x5'");
  CHECK_THROWS_WITH(tg::parse_csv("1,2,3\n4,,6\n", "d.csv"), "d.csv:2: field 2: expected a number, found ''");
}

TEST_CASE("a row with the wrong number of fields is reported", "[data][csv]") {
  CHECK_THROWS_WITH(tg::parse_csv("1,2,3\n4,5\n", "d.csv"), "d.csv:2: 2 fields, but rows of this table have 3");
  CHECK_THROWS_WITH(tg::parse_csv("1,2\n", "d.csv", 65), "d.csv:1: 2 fields, but rows of this table have 65");
}

TEST_CASE("a missing file, an empty file and a block out of range are reported", "[data][csv]") {
  CHECK_THROWS_WITH(tg::read_csv("/nonexistent/digits.csv"), "/nonexistent/digits.csv: cannot open the file");
  CHECK_THROWS_WITH(tg::parse_csv("\n\n", "e.csv"), "e.csv: no rows");
  const auto t = tg::parse_csv("1,2\n3,4\n", "s.csv");
  CHECK_THROWS_AS((t.block<double, 3, 2>(0, 0)), tg::data_error);
}

TEST_CASE("a value can be located by its file, line and field", "[data][csv]") {
  const auto t = tg::parse_csv("\n1,2\n\n3,4\n", "s.csv");
  CHECK(t.where(1, 1) == "s.csv:4: field 2");
}

TEST_CASE("nan and inf are not numbers a data file may hold", "[data][csv]") {
  REQUIRE_THROWS_WITH(tg::parse_csv("1,2\n3,nan\n", "d.csv"), "d.csv:2: field 2: expected a finite number, found 'nan'");
  REQUIRE_THROWS_WITH(tg::parse_csv("-inf,2\n", "d.csv"), "d.csv:1: field 1: expected a finite number, found '-inf'");
  REQUIRE_THROWS_WITH(tg::parse_csv("1e999,2\n", "d.csv"), "d.csv:1: field 1: expected a number, found '1e999'");
}
