#pragma once
// IDX files, the format of MNIST and Fashion-MNIST, plain or gzip-compressed:
//   0 0 | type | rank | rank big-endian u32 extents | the elements, big-endian, row-major
// with type 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64.
//
//   auto images = tg::read_idx("train-images-idx3-ubyte.gz");   // any IDX file
//   auto train = tg::idx_classification<tg::dataset<float, 784, 10>>(
//       "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 1.0 / 255);
//
// Every error is a tg::data_error naming the file, the byte offset (in the
// decompressed bytes, for a gzip file) and what was expected there: a bad
// magic number, an unknown type, a truncated file, extents that disagree with
// the model, a label out of range. Nothing is returned on an error.
//
// This header needs zlib (Debian: zlib1g-dev); the CMake target typegrad::idx
// brings it. The rest of typegrad does not.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <algorithm>
#include <utility>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <zlib.h>

#include <typegrad/data/csv.hpp>
#include <typegrad/data/dataset.hpp>

namespace typegrad {

// One IDX array: its extents and its elements' bytes as stored (Fashion-MNIST's
// training images are 47 MB as bytes, 376 MB as doubles); value(i) converts
// one, exactly.
struct idx_array {
  std::string source;
  std::uint8_t type = 0;
  std::vector<std::size_t> dims;
  std::vector<std::uint8_t> data;  // the elements, big-endian
  std::size_t data_offset = 0;     // the byte of the file where they begin

  std::size_t elements() const { return data.size() / element_bytes(); }
  double value(std::size_t i) const;

  std::size_t count() const { return dims.empty() ? 0 : dims[0]; }  // along the first axis
  std::size_t item_size() const {  // elements per item of the first axis
    std::size_t n = 1;
    for (std::size_t axis = 1; axis < dims.size(); ++axis) n *= dims[axis];
    return n;
  }
  std::size_t element_bytes() const { return type == 0x0B ? 2 : type == 0x0C || type == 0x0D ? 4 : type == 0x0E ? 8 : 1; }
};

namespace detail {

inline std::string idx_at(std::string_view source, std::size_t offset) {
  return std::string(source) + ": byte " + std::to_string(offset) + ": ";
}

// A gzip (or zlib) stream inflated whole; plain bytes are returned as they are.
// Output beyond `limit` bytes is an error, not an allocation.
inline std::vector<std::uint8_t> inflate_if_compressed(std::vector<std::uint8_t> bytes, std::string_view source,
                                                       std::size_t limit = std::size_t{1} << 32) {
  if (bytes.size() < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b) return bytes;
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) throw data_error(std::string(source) + ": zlib cannot start inflating");
  std::vector<std::uint8_t> out;
  std::uint8_t chunk[1 << 16];
  stream.next_in = bytes.data();
  stream.avail_in = static_cast<uInt>(std::min<std::size_t>(bytes.size(), std::numeric_limits<uInt>::max()));
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    stream.next_out = chunk;
    stream.avail_out = sizeof chunk;
    status = inflate(&stream, Z_NO_FLUSH);
    const std::size_t produced = sizeof chunk - stream.avail_out;
    if (status != Z_OK && status != Z_STREAM_END) {
      const std::string why = status == Z_BUF_ERROR ? "the gzip stream ends early (a truncated file)"
                                                    : std::string("the gzip stream is corrupt (") +
                                                          (stream.msg ? stream.msg : "zlib error") + ")";
      const std::size_t at = stream.total_in;
      inflateEnd(&stream);
      throw data_error(std::string(source) + ": compressed byte " + std::to_string(at) + ": " + why);
    }
    if (out.size() + produced > limit) {
      inflateEnd(&stream);
      throw data_error(std::string(source) + ": inflates to more than " + std::to_string(limit) + " bytes");
    }
    out.insert(out.end(), chunk, chunk + produced);
  }
  inflateEnd(&stream);
  return out;
}

inline std::uint64_t idx_big_endian(const std::uint8_t* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

inline double idx_element(const std::uint8_t* p, std::uint8_t type) {
  switch (type) {
    case 0x08: return double(p[0]);
    case 0x09: return double(static_cast<std::int8_t>(p[0]));
    case 0x0B: return double(static_cast<std::int16_t>(static_cast<std::uint16_t>(idx_big_endian(p, 2))));
    case 0x0C: return double(static_cast<std::int32_t>(static_cast<std::uint32_t>(idx_big_endian(p, 4))));
    case 0x0D: {
      const auto bits = static_cast<std::uint32_t>(idx_big_endian(p, 4));
      float f;
      std::memcpy(&f, &bits, 4);
      return double(f);
    }
    default: {
      const std::uint64_t bits = idx_big_endian(p, 8);
      double d;
      std::memcpy(&d, &bits, 8);
      return d;
    }
  }
}

}  // namespace detail

inline double idx_array::value(std::size_t i) const { return detail::idx_element(data.data() + i * element_bytes(), type); }

// An IDX array from bytes in memory (gzip-compressed or not); `source` names
// them in errors.
inline idx_array parse_idx(std::vector<std::uint8_t> raw, std::string_view source) {
  const std::vector<std::uint8_t> bytes = detail::inflate_if_compressed(std::move(raw), source);
  idx_array out;
  out.source = std::string(source);
  if (bytes.size() < 4)
    throw data_error(detail::idx_at(source, bytes.size()) + "the file ends inside the 4-byte magic number");
  if (bytes[0] != 0 || bytes[1] != 0)
    throw data_error(detail::idx_at(source, 0) + "expected the magic number's two zero bytes, found " +
                     std::to_string(bytes[0]) + " " + std::to_string(bytes[1]) + " (not an IDX file)");
  out.type = bytes[2];
  if (out.type != 0x08 && out.type != 0x09 && out.type != 0x0B && out.type != 0x0C && out.type != 0x0D && out.type != 0x0E)
    throw data_error(detail::idx_at(source, 2) + "expected an element type 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E, found " +
                     std::to_string(out.type));
  const std::size_t rank = bytes[3];
  if (rank == 0) throw data_error(detail::idx_at(source, 3) + "expected a rank of 1 or more, found 0");
  if (bytes.size() < 4 + 4 * rank)
    throw data_error(detail::idx_at(source, bytes.size()) + "the file ends inside the " + std::to_string(rank) +
                     " extents of the header");
  std::size_t count = 1;
  for (std::size_t axis = 0; axis < rank; ++axis) {
    const std::size_t d = detail::idx_big_endian(bytes.data() + 4 + 4 * axis, 4);
    out.dims.push_back(d);
    if (d != 0 && count > (std::size_t{1} << 40) / d)
      throw data_error(detail::idx_at(source, 4 + 4 * axis) + "the extents hold more than 2^40 elements");
    count *= d;
  }
  out.data_offset = 4 + 4 * rank;
  const std::size_t need = count * out.element_bytes();
  if (bytes.size() - out.data_offset < need)
    throw data_error(detail::idx_at(source, bytes.size()) + "the file ends early: expected " + std::to_string(need) +
                     " bytes of elements from byte " + std::to_string(out.data_offset) + ", found " +
                     std::to_string(bytes.size() - out.data_offset));
  if (bytes.size() - out.data_offset > need)
    throw data_error(detail::idx_at(source, out.data_offset + need) + "expected the end of the file after " +
                     std::to_string(count) + " elements, found " + std::to_string(bytes.size() - out.data_offset - need) +
                     " more bytes");
  out.data.assign(bytes.begin() + std::ptrdiff_t(out.data_offset), bytes.end());
  return out;
}

// An IDX file, gzip-compressed or not.
inline idx_array read_idx(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw data_error(path + ": cannot open");
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw data_error(path + ": cannot read");
  return parse_idx(std::move(bytes), path);
}

// A classification set from an images array ([N, ...] with Features
// elements per item, each times `scale`) and a labels array ([N], classes
// 0..Targets-1 becoming one-hot rows).
template <class Dataset>
Dataset idx_classification(const idx_array& images, const idx_array& labels, double scale = 1.0) {
  using T = typename Dataset::value_type;
  if (images.dims.size() < 2 || images.item_size() != Dataset::features)
    throw data_error(detail::idx_at(images.source, 4) + "expected items of " + std::to_string(Dataset::features) +
                     " elements for the model, found " + std::to_string(images.item_size()) + " per item");
  if (labels.dims.size() != 1)
    throw data_error(detail::idx_at(labels.source, 3) + "expected labels of rank 1, found rank " +
                     std::to_string(labels.dims.size()));
  if (labels.count() != images.count())
    throw data_error(detail::idx_at(labels.source, 4) + "expected " + std::to_string(images.count()) + " labels, one per item of " +
                     images.source + ", found " + std::to_string(labels.count()));
  for (std::size_t r = 0; r < labels.count(); ++r) {
    const double label = labels.value(r);
    if (!(label >= 0 && label < double(Dataset::targets) && label == double(std::size_t(label))))
      throw data_error(detail::idx_at(labels.source, labels.data_offset + r * labels.element_bytes()) + "label " +
                       std::to_string(r) + " is " +
                       (label == double(static_cast<long long>(label)) ? std::to_string(static_cast<long long>(label))
                                                                       : std::to_string(label)) +
                       ", expected a class 0.." +
                       std::to_string(Dataset::targets - 1));
  }
  Dataset out;
  out.inputs.resize(images.elements());
  for (std::size_t i = 0; i < out.inputs.size(); ++i) out.inputs[i] = static_cast<T>(images.value(i) * scale);
  out.outputs.assign(labels.count() * Dataset::targets, T(0));
  for (std::size_t r = 0; r < labels.count(); ++r) out.outputs[r * Dataset::targets + std::size_t(labels.value(r))] = T(1);
  return out;
}
template <class Dataset>
Dataset idx_classification(const std::string& images_path, const std::string& labels_path, double scale = 1.0) {
  return idx_classification<Dataset>(read_idx(images_path), read_idx(labels_path), scale);
}

}  // namespace typegrad
