// The IDX reader: every element type, plain and gzip-compressed, and an error
// naming the file, the byte and what was expected for each kind of bad input.
// Fashion-MNIST itself is read when Debian's dataset-fashion-mnist is installed.
#include <typegrad/io/idx.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <zlib.h>

namespace tg = typegrad;

namespace {

using bytes = std::vector<std::uint8_t>;

bytes header(std::uint8_t type, std::vector<std::uint32_t> dims) {
  bytes out{0, 0, type, std::uint8_t(dims.size())};
  for (std::uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(std::uint8_t(d >> shift));
  return out;
}
bytes cat(bytes a, const bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
bytes gzip(const bytes& plain) {
  z_stream s{};
  REQUIRE(deflateInit2(&s, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  bytes out(deflateBound(&s, uLong(plain.size())) + 32);
  s.next_in = const_cast<Bytef*>(plain.data());
  s.avail_in = uInt(plain.size());
  s.next_out = out.data();
  s.avail_out = uInt(out.size());
  REQUIRE(deflate(&s, Z_FINISH) == Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}
std::string error_of(const bytes& b) {
  try {
    (void)tg::parse_idx(b, "t.idx");
  } catch (const tg::data_error& e) {
    return e.what();
  }
  return "no error";
}

const bytes images = cat(header(0x08, {3, 2, 2}), {0, 255, 10, 20, 1, 2, 3, 4, 9, 8, 7, 6});
const bytes labels = cat(header(0x08, {3}), {2, 0, 1});
using tiny_set = tg::dataset<float, 4, 3>;

}  // namespace

TEST_CASE("IDX arrays read alike plain and gzip-compressed", "[idx]") {
  for (const bytes& b : {images, gzip(images)}) {
    const auto a = tg::parse_idx(b, "images");
    REQUIRE(a.dims == std::vector<std::size_t>{3, 2, 2});
    REQUIRE(a.elements() == 12);
    REQUIRE(a.value(1) == 255.0);
    REQUIRE(a.value(11) == 6.0);
  }
}

TEST_CASE("every IDX element type converts exactly, big-endian", "[idx]") {
  REQUIRE(tg::parse_idx(cat(header(0x09, {2}), {0xff, 0x7f}), "i8").value(0) == -1.0);
  REQUIRE(tg::parse_idx(cat(header(0x0B, {1}), {0xff, 0xfe}), "i16").value(0) == -2.0);
  REQUIRE(tg::parse_idx(cat(header(0x0C, {1}), {0x00, 0x01, 0x00, 0x00}), "i32").value(0) == 65536.0);
  REQUIRE(tg::parse_idx(cat(header(0x0D, {1}), {0x3f, 0xc0, 0x00, 0x00}), "f32").value(0) == 1.5);
  REQUIRE(tg::parse_idx(cat(header(0x0E, {1}), {0xc0, 0x04, 0, 0, 0, 0, 0, 0}), "f64").value(0) == -2.5);
}

TEST_CASE("IDX images and labels become a classification set", "[idx]") {
  const auto set = tg::idx_classification<tiny_set>(tg::parse_idx(images, "images"), tg::parse_idx(labels, "labels"), 1.0 / 255);
  REQUIRE(set.rows() == 3);
  REQUIRE(set.label(0) == 2);
  REQUIRE(set.label(2) == 1);
  REQUIRE(set.input_row(0)[1] == 1.0f);
}

TEST_CASE("bad IDX input is an error naming the file, the byte and what was expected", "[idx]") {
  CHECK(error_of({0, 0}) == "t.idx: byte 2: the file ends inside the 4-byte magic number");
  CHECK(error_of(cat({1, 0}, {8, 1, 0, 0, 0, 0})) ==
        "t.idx: byte 0: expected the magic number's two zero bytes, found 1 0 (not an IDX file)");
  CHECK(error_of(header(0x07, {1})) ==
        "t.idx: byte 2: expected an element type 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E, found 7");
  CHECK(error_of({0, 0, 8, 2, 0, 0}) == "t.idx: byte 6: the file ends inside the 2 extents of the header");
  bytes truncated = images;
  truncated.resize(truncated.size() - 5);
  CHECK(error_of(truncated) == "t.idx: byte 23: the file ends early: expected 12 bytes of elements from byte 16, found 7");
  CHECK(error_of(cat(images, {1})) == "t.idx: byte 28: expected the end of the file after 12 elements, found 1 more bytes");
  bytes cut = gzip(images);
  cut.resize(cut.size() / 2);
  CHECK(error_of(cut).find("t.idx: compressed byte ") == 0);
  CHECK(error_of(cut).find("the gzip stream ends early (a truncated file)") != std::string::npos);
  bytes corrupt = gzip(images);
  corrupt[12] ^= 0xff;
  CHECK(error_of(corrupt).find("t.idx: ") == 0);
}

TEST_CASE("IDX sets that disagree with the model are refused whole", "[idx]") {
  const auto img = tg::parse_idx(images, "images");
  auto message = [&](const bytes& label_bytes, auto set_type) {
    try {
      (void)tg::idx_classification<decltype(set_type)>(img, tg::parse_idx(label_bytes, "labels"));
    } catch (const tg::data_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message(labels, tg::dataset<float, 5, 3>{}) == "images: byte 4: expected items of 5 elements for the model, found 4 per item");
  CHECK(message(cat(header(0x08, {2}), {1, 1}), tiny_set{}) ==
        "labels: byte 4: expected 3 labels, one per item of images, found 2");
  CHECK(message(cat(header(0x08, {3}), {1, 3, 0}), tiny_set{}) ==
        "labels: byte 9: label 1 is 3, expected a class 0..2");
  CHECK(message(cat(header(0x08, {3, 1}), {1, 1, 0}), tiny_set{}) == "labels: byte 3: expected labels of rank 1, found rank 2");
}

TEST_CASE("a file on disk: a missing one is named; Fashion-MNIST reads where installed", "[idx]") {
  REQUIRE_THROWS_WITH(tg::read_idx("/nonexistent/x.idx"), "/nonexistent/x.idx: cannot open");
  const std::string folder = "/usr/share/datasets/fashion-mnist/";
  if (!std::filesystem::exists(folder + "t10k-images-idx3-ubyte.gz")) return;  // dataset-fashion-mnist not installed
  const auto test = tg::idx_classification<tg::dataset<float, 784, 10>>(folder + "t10k-images-idx3-ubyte.gz",
                                                                         folder + "t10k-labels-idx1-ubyte.gz", 1.0 / 255);
  REQUIRE(test.rows() == 10000);
  std::size_t per_class[10]{};
  for (std::size_t r = 0; r < test.rows(); ++r) ++per_class[test.label(r)];
  for (std::size_t count : per_class) REQUIRE(count == 1000);
}
