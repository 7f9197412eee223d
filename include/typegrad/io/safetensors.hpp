#pragma once
// Checkpoints in the safetensors format, which Python (numpy, PyTorch,
// safetensors itself) reads:
//   u64 little-endian N | N bytes of UTF-8 JSON | data, little-endian, row-major
// The JSON maps each tensor name to {"dtype", "shape", "data_offsets": [begin,
// end]} (offsets into the data section), plus an optional "__metadata__" map
// of strings to strings.
//
//   tg::save_safetensors(path, params [, metadata]);
//   tg::load_safetensors(path, params [, extra_tensors::ignore]);  returns the metadata
//   tg::save_checkpoint(path, params, optimiser [, batches] [, metadata]);  with the optimiser's state
//   tg::load_checkpoint(path, params, optimiser [, batches]);       returns the metadata
// (with the mini-batches, the data order's position too: resume is a load)
//   load_safetensors_bytes, load_checkpoint_bytes: the same from bytes in memory
//
// Tensor names are the terminal names. An optimiser's state is stored under
// "optimizer.<state>.<terminal>" (optimizer.first_moment.W1, ...), its kind and
// step count in the metadata as "typegrad.optimizer" and
// "typegrad.optimizer.steps". F32 for float tensors, F64 for double.
//
// Loading reads the whole file and checks everything against the model's
// terminals before it writes anything: after any error the parameter set and
// the optimiser are unchanged. Every error is a tg::checkpoint_error naming
// the file, the tensor and the field. Saving writes a temporary file beside
// the target and renames it over the target, so a failed save leaves the old
// file whole.
//
// This header needs nlohmann/json (Debian: nlohmann-json3-dev); the CMake
// target typegrad::safetensors brings it. The rest of typegrad does not.
#include <algorithm>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <utility>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include <typegrad/core/meta.hpp>
#include <typegrad/data/csv.hpp>
#include <typegrad/data/dataset.hpp>
#include <typegrad/eval/bind.hpp>

namespace typegrad {

struct checkpoint_error : data_error {
  using data_error::data_error;
};

using checkpoint_metadata = std::map<std::string, std::string>;

// What to do with a tensor in the file that the model does not have.
enum class extra_tensors { error, ignore };

namespace safetensors {

// The largest header read, as in the format's reference implementation.
inline constexpr std::uint64_t max_header_bytes = 100u << 20;

template <class T>
constexpr std::string_view dtype_of() {
  return same_type<T, float> ? "F32" : "F64";
}

struct entry {
  std::string dtype;
  std::vector<std::uint64_t> shape;
  std::uint64_t begin = 0, end = 0;
};

// A file read whole and checked for its own consistency: every entry well
// formed, every range inside the data and of the size its dtype and shape
// need, the ranges neither overlapping nor leaving gaps.
struct file_view {
  std::string path;
  checkpoint_metadata metadata;
  std::map<std::string, entry> tensors;
  std::string bytes;               // the whole file
  std::uint64_t data_start = 0;    // where the data section begins in bytes

  [[noreturn]] void fail(const std::string& what) const { throw checkpoint_error(path + ": " + what); }
  [[noreturn]] void fail(const std::string& tensor, const std::string& field, const std::string& what) const {
    fail("tensor '" + tensor + "': field '" + field + "': " + what);
  }
};

inline std::uint64_t element_bytes(std::string_view dtype) {
  if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
  if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
  if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" || dtype == "F8_E5M2") return 1;
  return 0;
}

inline file_view parse(std::string bytes, const std::string& path) {
  using nlohmann::json;
  file_view f;
  f.path = path;
  f.bytes = std::move(bytes);
  const std::uint64_t size = f.bytes.size();
  if (size < 8) f.fail("truncated: " + std::to_string(size) + " bytes, fewer than the 8 of the header length");
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(f.bytes[std::size_t(i)]);
  if (n > size - 8)
    f.fail("the header length " + std::to_string(n) + " runs past the end of the file (" + std::to_string(size) + " bytes)");
  if (n > max_header_bytes) f.fail("the header length " + std::to_string(n) + " exceeds the limit of 100 MiB");
  f.data_start = 8 + n;
  const std::string_view text(f.bytes.data() + 8, std::size_t(n));
  if (text.empty() || text.front() != '{') f.fail("malformed JSON header: it must be an object starting with '{'");

  json header;
  try {
    std::set<std::string> top_keys;
    header = json::parse(text, [&](int depth, json::parse_event_t event, json& parsed) {
      if (depth == 1 && event == json::parse_event_t::key && !top_keys.insert(parsed.get<std::string>()).second)
        f.fail("malformed JSON header: the key '" + parsed.get<std::string>() + "' appears twice");
      return true;
    });
  } catch (const json::exception& e) {
    f.fail(std::string("malformed JSON header: ") + e.what());
  }
  if (!header.is_object()) f.fail("malformed JSON header: it must be an object");

  const std::uint64_t data_size = size - f.data_start;
  std::vector<std::pair<std::uint64_t, std::string>> ranges;  // begin, name: for overlaps and gaps
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      if (!value.is_object()) f.fail("field '__metadata__': must be an object of strings");
      for (const auto& [key, text_value] : value.items()) {
        if (!text_value.is_string()) f.fail("field '__metadata__': the value of '" + key + "' must be a string");
        f.metadata[key] = text_value.get<std::string>();
      }
      continue;
    }
    if (!value.is_object()) f.fail(name, "(entry)", "must be an object with dtype, shape and data_offsets");
    entry e;
    if (!value.contains("dtype") || !value["dtype"].is_string()) f.fail(name, "dtype", "missing, or not a string");
    e.dtype = value["dtype"].get<std::string>();
    if (element_bytes(e.dtype) == 0) f.fail(name, "dtype", "unknown dtype '" + e.dtype + "'");
    if (!value.contains("shape") || !value["shape"].is_array()) f.fail(name, "shape", "missing, or not an array");
    std::uint64_t elements = 1;
    for (const auto& d : value["shape"]) {
      if (!d.is_number_unsigned()) f.fail(name, "shape", "every extent must be a non-negative integer");
      const std::uint64_t extent = d.get<std::uint64_t>();
      if (extent != 0 && elements > UINT64_MAX / extent) f.fail(name, "shape", "the element count overflows");
      elements *= extent;
      e.shape.push_back(extent);
    }
    const auto& offsets = value.contains("data_offsets") ? value["data_offsets"] : json();
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned())
      f.fail(name, "data_offsets", "must be two non-negative integers [begin, end]");
    e.begin = offsets[0].get<std::uint64_t>();
    e.end = offsets[1].get<std::uint64_t>();
    if (e.begin > e.end) f.fail(name, "data_offsets", "begin " + std::to_string(e.begin) + " is after end " + std::to_string(e.end));
    if (e.end > data_size)
      f.fail(name, "data_offsets", "end " + std::to_string(e.end) + " is past the data section's " + std::to_string(data_size) +
                                       " bytes (the file is truncated or the offsets are wrong)");
    const std::uint64_t width = element_bytes(e.dtype);
    if (elements > UINT64_MAX / width || e.end - e.begin != elements * width)
      f.fail(name, "data_offsets", "holds " + std::to_string(e.end - e.begin) + " bytes, but " + e.dtype + " of this shape needs " +
                                       std::to_string(elements * width));
    ranges.emplace_back(e.begin, name);
    f.tensors.emplace(name, std::move(e));
  }
  std::sort(ranges.begin(), ranges.end());
  std::uint64_t covered = 0;
  for (const auto& [begin, name] : ranges) {
    const entry& e = f.tensors.at(name);
    if (begin < covered) f.fail(name, "data_offsets", "overlaps another tensor's bytes");
    if (begin > covered && e.end > e.begin)
      f.fail(name, "data_offsets", "leaves the bytes " + std::to_string(covered) + ".." + std::to_string(begin) + " of the data unused");
    covered = std::max(covered, e.end);
  }
  if (covered != data_size)
    f.fail("the data section has " + std::to_string(data_size) + " bytes, but the tensors cover " + std::to_string(covered));
  return f;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw checkpoint_error(path + ": cannot open the file");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw checkpoint_error(path + ": reading failed");
  return bytes;
}

// Little-endian bytes of T, whatever the machine's order.
template <class T>
void append_value(std::string& out, T v) {
  using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  const U bits = std::bit_cast<U>(v);
  for (std::size_t i = 0; i < sizeof(T); ++i) out += static_cast<char>((bits >> (8 * i)) & 0xFF);
}
template <class T>
T read_value(const char* p) {
  using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  U bits = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) bits |= U(static_cast<unsigned char>(p[i])) << (8 * i);
  return std::bit_cast<T>(bits);
}

// A writer gathers named tensors, then writes the file at once.
struct writer {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  std::string data;

  template <class Tensor>
  void add(const std::string& name, const Tensor& t) {
    using T = typename Tensor::value_type;
    const std::uint64_t begin = data.size();
    for (std::size_t i = 0; i < Tensor::size; ++i) append_value<T>(data, t[i]);
    std::vector<std::uint64_t> shape(Tensor::shape_type::dims.begin(), Tensor::shape_type::dims.end());
    header[name] = {{"dtype", dtype_of<T>()}, {"shape", shape}, {"data_offsets", {begin, std::uint64_t(data.size())}}};
  }
  void write(const std::string& path, const checkpoint_metadata& metadata) {
    if (!metadata.empty()) {
      nlohmann::ordered_json meta = nlohmann::ordered_json::object();
      for (const auto& [k, v] : metadata) meta[k] = v;
      header["__metadata__"] = meta;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');  // data starts 8-byte aligned, as the format's writers do
    std::string bytes;
    append_value<std::uint64_t>(bytes, text.size());
    bytes += text;
    bytes += data;
    const std::string temporary = path + ".tmp";
    {
      std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
      if (!out) throw checkpoint_error(path + ": cannot write " + temporary);
      out.write(bytes.data(), std::streamsize(bytes.size()));
      out.flush();
      if (!out) throw checkpoint_error(path + ": writing " + temporary + " failed");
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error) throw checkpoint_error(path + ": cannot replace it with " + temporary + ": " + error.message());
  }
};

// Every tensor of an environment, under prefix + terminal name.
template <class Env, class F>
void for_each_named(Env& env, const std::string& prefix, F&& f) {
  env.for_each([&](const auto& terminal, auto& tensor) {
    f(prefix + std::string(leaf_of_t<std::remove_cvref_t<decltype(terminal)>>::name.view()), tensor);
  });
}

// Fills a tensor from the file's entry of that name, checking dtype and shape.
template <class Tensor>
void decode(const file_view& f, const std::string& name, Tensor& out) {
  using T = typename Tensor::value_type;
  const auto found = f.tensors.find(name);
  if (found == f.tensors.end()) f.fail("missing tensor '" + name + "', which the model needs");
  const entry& e = found->second;
  if (e.dtype != dtype_of<T>()) f.fail(name, "dtype", "expected " + std::string(dtype_of<T>()) + ", found " + e.dtype);
  const std::vector<std::uint64_t> want(Tensor::shape_type::dims.begin(), Tensor::shape_type::dims.end());
  if (e.shape != want) {
    auto text = [](const std::vector<std::uint64_t>& s) {
      std::string t = "[";
      for (std::size_t i = 0; i < s.size(); ++i) {
        if (i) t += ',';
        t += std::to_string(s[i]);  // appended, not "lit" + temporary (a false -Wrestrict on GCC 12)
      }
      return t + "]";
    };
    f.fail(name, "shape", "expected " + text(want) + ", found " + text(e.shape));
  }
  const char* p = f.bytes.data() + f.data_start + e.begin;
  for (std::size_t i = 0; i < Tensor::size; ++i) out[i] = read_value<T>(p + i * sizeof(T));
}

inline void check_extras(const file_view& f, const std::set<std::string>& expected, extra_tensors policy) {
  if (policy == extra_tensors::ignore) return;
  for (const auto& [name, e] : f.tensors)
    if (!expected.count(name)) f.fail("unexpected tensor '" + name + "', which the model does not have");
}

}  // namespace safetensors

// Writes every tensor of a parameter set (or any environment).
template <environment_type Params>
void save_safetensors(const std::string& path, const Params& params, const checkpoint_metadata& metadata = {}) {
  safetensors::writer w;
  safetensors::for_each_named(params, "", [&](const std::string& name, const auto& t) { w.add(name, t); });
  w.write(path, metadata);
}

// Reads every tensor of a parameter set from the file; returns the file's
// metadata. An extra tensor in the file is an error unless `extras` says
// ignore. On any error the parameter set is unchanged.
template <environment_type Params>
checkpoint_metadata load_safetensors(const std::string& path, Params& params, extra_tensors extras = extra_tensors::error);

// The same from the bytes of a file already in memory; `source` names it in
// errors. (The file versions read the file, then call these.)
template <environment_type Params>
checkpoint_metadata load_safetensors_bytes(std::string bytes, const std::string& source, Params& params,
                                           extra_tensors extras = extra_tensors::error) {
  const auto f = safetensors::parse(std::move(bytes), source);
  Params staged = params;
  std::set<std::string> expected;
  safetensors::for_each_named(staged, "", [&](const std::string& name, auto& t) {
    safetensors::decode(f, name, t);
    expected.insert(name);
  });
  safetensors::check_extras(f, expected, extras);
  params = staged;
  return f.metadata;
}

template <environment_type Params>
checkpoint_metadata load_safetensors(const std::string& path, Params& params, extra_tensors extras) {
  return load_safetensors_bytes(safetensors::read_file(path), path, params, extras);
}

namespace safetensors {
// A number as text that reads back to the same value: counts in decimal,
// doubles in their shortest round-trip form.
template <class T>
std::string exact_text(T value) {
  char text[64];
  const auto end = std::to_chars(text, text + sizeof text, value).ptr;
  return std::string(text, end);
}
}  // namespace safetensors

// Parameters and an optimiser's state (tg::sgd, tg::adam, tg::adamw, tg::lbfgs), so
// that training resumes exactly where it stopped.
template <environment_type Params, class Optimiser>
void save_checkpoint(const std::string& path, const Params& params, const Optimiser& optimiser,
                     checkpoint_metadata metadata = {}) {
  safetensors::writer w;
  safetensors::for_each_named(params, "", [&](const std::string& name, const auto& t) { w.add(name, t); });
  optimiser.for_each_state([&](std::string_view state, const auto& env) {
    safetensors::for_each_named(env, "optimizer." + std::string(state) + ".",
                                [&](const std::string& name, const auto& t) { w.add(name, t); });
  });
  metadata["typegrad.optimizer"] = std::string(Optimiser::kind);
  metadata["typegrad.optimizer.steps"] = std::to_string(optimiser.steps);
  if constexpr (requires { optimiser.for_each_scalar([](const std::string&, const auto&) {}); })
    optimiser.for_each_scalar([&](const std::string& name, const auto& value) {
      metadata["typegrad.optimizer." + name] = safetensors::exact_text(value);
    });
  w.write(path, metadata);
}

namespace safetensors {
// A metadata field a checkpoint must have.
inline std::string required_field(const file_view& f, const std::string& key) {
  const auto found = f.metadata.find(key);
  if (found == f.metadata.end()) f.fail("field '__metadata__': missing '" + key + "', which this checkpoint needs");
  return found->second;
}
// A metadata field that holds a number of type T, written by exact_text.
template <class T>
T number_field(const file_view& f, const std::string& key) {
  const std::string text = required_field(f, key);
  T value{};
  const auto [stop, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || stop != text.data() + text.size())
    f.fail("field '__metadata__': '" + key + "' is '" + text + "', not " + (std::is_integral_v<T> ? "a count" : "a number"));
  return value;
}
// A metadata field that holds a count.
inline std::size_t count_field(const file_view& f, const std::string& key) { return number_field<std::size_t>(f, key); }

// Stages parameters and optimiser state from f; `check(f)` may refuse the
// file (f.fail) before anything is written; then commits.
template <environment_type Params, class Optimiser, class Check>
checkpoint_metadata load_checkpoint_staged(const file_view& f, Params& params, Optimiser& optimiser, extra_tensors extras,
                                           Check&& check) {
  if (required_field(f, "typegrad.optimizer") != Optimiser::kind)
    f.fail("field '__metadata__': 'typegrad.optimizer' is '" + required_field(f, "typegrad.optimizer") +
           "', but the optimiser is " + std::string(Optimiser::kind));
  const std::size_t steps = count_field(f, "typegrad.optimizer.steps");
  Params staged_params = params;
  Optimiser staged = optimiser;
  std::set<std::string> expected;
  auto take = [&](const std::string& name, auto& t) {
    decode(f, name, t);
    expected.insert(name);
  };
  for_each_named(staged_params, "", take);
  staged.for_each_state([&](std::string_view state, auto& env) { for_each_named(env, "optimizer." + std::string(state) + ".", take); });
  if constexpr (requires { staged.for_each_scalar([](const std::string&, auto&) {}); })
    staged.for_each_scalar([&](const std::string& name, auto& value) { value = number_field<std::remove_cvref_t<decltype(value)>>(f, "typegrad.optimizer." + name); });
  check_extras(f, expected, extras);
  check(f);
  staged.steps = steps;
  params = staged_params;
  optimiser = staged;
  return f.metadata;
}
}  // namespace safetensors

template <environment_type Params, class Optimiser>
checkpoint_metadata load_checkpoint_bytes(std::string bytes, const std::string& source, Params& params,
                                          Optimiser& optimiser, extra_tensors extras = extra_tensors::error) {
  const auto f = safetensors::parse(std::move(bytes), source);
  return safetensors::load_checkpoint_staged(f, params, optimiser, extras, [](const auto&) {});
}

template <environment_type Params, class Optimiser>
checkpoint_metadata load_checkpoint(const std::string& path, Params& params, Optimiser& optimiser,
                                    extra_tensors extras = extra_tensors::error) {
  return load_checkpoint_bytes(safetensors::read_file(path), path, params, optimiser, extras);
}

// With the data order too: the mini-batches' position, seed, rows and batch
// size go into the metadata ("typegrad.batches.*"), so that a resumed run
// continues at the same batch of the same order:
//   tg::save_checkpoint(path, params, optimiser, batches);
//   tg::load_checkpoint(path, params, optimiser, batches);   // then keep calling batches.load_next
// Loading refuses a checkpoint of another seed, row count or batch size.
template <environment_type Params, class Optimiser, std::size_t Batch, class Dataset>
void save_checkpoint(const std::string& path, const Params& params, const Optimiser& optimiser,
                     const minibatches<Batch, Dataset>& batches, checkpoint_metadata metadata = {}) {
  metadata["typegrad.batches.position"] = std::to_string(batches.position());
  metadata["typegrad.batches.seed"] = batches.seed() ? std::to_string(*batches.seed()) : "none";
  metadata["typegrad.batches.rows"] = std::to_string(batches.rows());
  metadata["typegrad.batches.batch"] = std::to_string(Batch);
  save_checkpoint(path, params, optimiser, std::move(metadata));
}

template <environment_type Params, class Optimiser, std::size_t Batch, class Dataset>
checkpoint_metadata load_checkpoint_bytes(std::string bytes, const std::string& source, Params& params,
                                          Optimiser& optimiser, minibatches<Batch, Dataset>& batches,
                                          extra_tensors extras = extra_tensors::error) {
  const auto f = safetensors::parse(std::move(bytes), source);
  std::size_t position = 0;
  auto check = [&](const safetensors::file_view& file) {
    const std::string seed = batches.seed() ? std::to_string(*batches.seed()) : "none";
    auto require = [&](const std::string& key, const std::string& want) {
      const std::string found = safetensors::required_field(file, key);
      if (found != want)
        file.fail("field '__metadata__': '" + key + "' is '" + found + "', but these mini-batches have " + want);
    };
    require("typegrad.batches.seed", seed);
    require("typegrad.batches.rows", std::to_string(batches.rows()));
    require("typegrad.batches.batch", std::to_string(Batch));
    position = safetensors::count_field(file, "typegrad.batches.position");
  };
  auto metadata = safetensors::load_checkpoint_staged(f, params, optimiser, extras, check);
  batches.seek(position);
  return metadata;
}

template <environment_type Params, class Optimiser, std::size_t Batch, class Dataset>
checkpoint_metadata load_checkpoint(const std::string& path, Params& params, Optimiser& optimiser,
                                    minibatches<Batch, Dataset>& batches, extra_tensors extras = extra_tensors::error) {
  return load_checkpoint_bytes(safetensors::read_file(path), path, params, optimiser, batches, extras);
}

}  // namespace typegrad
