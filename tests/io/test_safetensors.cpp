// Safetensors checkpoints: round trips in float and double, with metadata and
// optimiser state; every malformed file is an error that names the file, the
// tensor and the field, and leaves the parameter set as it was.
#include <typegrad/io/safetensors.hpp>
#include <typegrad/train/lbfgs.hpp>

#include "../support/testing.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace tg = typegrad;

namespace {

constexpr tg::param<"W", 3, 2> W;
constexpr tg::param<"b", 2> b;
constexpr tg::param<"s"> s;
constexpr tg::input<"X", 4, 3> X;
constexpr auto model = tg::sum(X * W + b) * s;

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("typegrad_test_" + name)).string();
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
}

// A file from a header text and data bytes, with the header length given or
// taken from the text.
std::string file_bytes(const std::string& header, const std::string& data, long long length = -1) {
  std::string out;
  const std::uint64_t n = length < 0 ? header.size() : std::uint64_t(length);
  for (int i = 0; i < 8; ++i) out += char((n >> (8 * i)) & 0xFF);
  return out + header + data;
}

std::string floats(std::initializer_list<float> values) {
  std::string out;
  for (float v : values) tg::safetensors::append_value(out, v);
  return out;
}

template <class P>
P filled(double offset) {
  P params{};
  double next = offset;
  params.for_each([&](const auto&, auto& t) {
    for (auto& v : t) v = static_cast<std::remove_cvref_t<decltype(v)>>(next += 0.375);
  });
  return params;
}

}  // namespace

TEST_CASE("a parameter set survives a save and a load, bit for bit", "[io][safetensors]") {
  SECTION("float") {
    const auto saved = filled<tg::parameters_t<float, decltype(model)>>(-1.0);
    const std::string path = temp_path("float.safetensors");
    tg::save_safetensors(path, saved, {{"note", "made by the test"}});
    auto loaded = tg::parameters<float>(model);
    const auto metadata = tg::load_safetensors(path, loaded);
    REQUIRE(loaded[W] == saved[W]);
    REQUIRE(loaded[b] == saved[b]);
    REQUIRE(loaded[s] == saved[s]);
    REQUIRE(metadata.at("note") == "made by the test");
  }
  SECTION("double, with values that need every bit") {
    auto saved = tg::parameters<double>(model);
    saved[W] = {{0.1, -1e-300}, {1e300, 3.141592653589793}, {-0.0, 5e-324}};
    saved[b] = {1.0 / 3.0, -2.0 / 7.0};
    saved[s] = 2.5;
    const std::string path = temp_path("double.safetensors");
    tg::save_safetensors(path, saved);
    auto loaded = tg::parameters<double>(model);
    tg::load_safetensors(path, loaded);
    for (std::size_t i = 0; i < 6; ++i) REQUIRE(std::bit_cast<std::uint64_t>(loaded[W][i]) == std::bit_cast<std::uint64_t>(saved[W][i]));
    REQUIRE(loaded[b] == saved[b]);
  }
  SECTION("the layout is the format's: u64 length, JSON, data from 8-byte alignment") {
    const auto saved = filled<tg::parameters_t<float, decltype(model)>>(0);
    const std::string path = temp_path("layout.safetensors");
    tg::save_safetensors(path, saved);
    const std::string bytes = tg::safetensors::read_file(path);
    const auto view = tg::safetensors::parse(bytes, path);
    REQUIRE(view.data_start % 8 == 0);
    REQUIRE(view.tensors.at("W").dtype == "F32");
    REQUIRE(view.tensors.at("W").shape == std::vector<std::uint64_t>{3, 2});
    REQUIRE(view.tensors.at("s").shape.empty());
    REQUIRE(view.tensors.at("b").end - view.tensors.at("b").begin == 8);
  }
}

TEST_CASE("an optimiser's state is saved under optimizer. and restored with its step count", "[io][checkpoint]") {
  auto params = filled<tg::parameters_t<double, decltype(model)>>(0.5);
  tg::adam opt(params, {.learning_rate = 0.01});
  auto data = tg::bind(X = tg::tensor<double, 4, 3>{{1, 2, 3}, {0, 1, 0}, {-1, 0, 2}, {3, 1, 1}});
  constexpr auto step = tg::grad(model);
  for (int i = 0; i < 3; ++i) opt.step(params, step(params, data));
  const std::string path = temp_path("adam.safetensors");
  tg::save_checkpoint(path, params, opt, {{"epoch", "3"}});
  const auto view = tg::safetensors::parse(tg::safetensors::read_file(path), path);
  REQUIRE(view.tensors.count("optimizer.first_moment.W") == 1);
  REQUIRE(view.tensors.count("optimizer.second_moment.s") == 1);
  REQUIRE(view.metadata.at("typegrad.optimizer") == "adam");

  auto params2 = tg::parameters<double>(model);
  tg::adam opt2(params2, {.learning_rate = 0.01});
  const auto metadata = tg::load_checkpoint(path, params2, opt2);
  REQUIRE(metadata.at("epoch") == "3");
  REQUIRE(opt2.steps == 3);
  REQUIRE(opt2.second_moment[W] == opt.second_moment[W]);
  // One more step each: the same numbers.
  opt.step(params, step(params, data));
  opt2.step(params2, step(params2, data));
  REQUIRE(params2[W] == params[W]);
  REQUIRE(params2[s] == params[s]);

  tg::sgd wrong(params2, {});
  REQUIRE_THROWS_WITH(tg::load_checkpoint(path, params2, wrong),
                      path + ": field '__metadata__': 'typegrad.optimizer' is 'adam', but the optimiser is sgd");
}

TEST_CASE("an L-BFGS checkpoint holds its history and exact scalars, and resumes bit for bit", "[io][checkpoint][lbfgs]") {
  constexpr auto bowl = tg::sum(tg::square(tg::tanh(X * W + b) - 0.25)) + tg::square(s - 2.0);
  constexpr auto step = tg::grad(bowl);
  auto params = filled<tg::parameters_t<double, decltype(bowl)>>(0.5);
  const auto data = tg::bind(X = tg::tensor<double, 4, 3>{{1, 2, 3}, {0, 1, 0}, {-1, 0, 2}, {3, 1, 1}});
  const auto objective = [&](const auto& p) { return step(p, data); };
  const tg::lbfgs_options options{.max_iterations = 3, .history_size = 4, .search = tg::line_search::strong_wolfe};
  tg::lbfgs opt(params, options);
  opt.step(params, objective);
  opt.step(params, objective);
  const std::string path = temp_path("lbfgs.safetensors");
  tg::save_checkpoint(path, params, opt);
  const auto view = tg::safetensors::parse(tg::safetensors::read_file(path), path);
  REQUIRE(view.tensors.count("optimizer.history_s.3.W") == 1);
  REQUIRE(view.metadata.at("typegrad.optimizer") == "lbfgs");
  REQUIRE(view.metadata.count("typegrad.optimizer.rho.0") == 1);

  auto params2 = tg::parameters<double>(bowl);
  tg::lbfgs opt2(params2, options);
  tg::load_checkpoint(path, params2, opt2);
  REQUIRE(opt2.pairs == opt.pairs);
  REQUIRE(opt2.rho == opt.rho);
  REQUIRE(opt2.step_length == opt.step_length);
  opt.step(params, objective);
  opt2.step(params2, objective);
  REQUIRE(params2[W] == params[W]);
  REQUIRE(params2[s] == params[s]);
  REQUIRE(opt2.evaluations == opt.evaluations);
}

TEST_CASE("a checkpoint with mini-batches carries the data order; another order is refused, nothing loaded",
          "[io][checkpoint][batches]") {
  using data_set = tg::dataset<double, 3, 2>;
  auto make = [](std::size_t rows) {
    data_set d;
    for (std::size_t r = 0; r < rows; ++r) {
      const double x[] = {double(r), 1, -1}, y[] = {double(r % 2), double(1 - r % 2)};
      d.add(x, y);
    }
    return d;
  };
  const data_set twelve = make(12), thirteen = make(13);
  auto params = filled<tg::parameters_t<double, decltype(model)>>(0.5);
  tg::sgd opt(params, {.learning_rate = 0.1});
  tg::minibatches<4, data_set> batches(twelve, 5);
  tg::tensor<double, 4, 3> x;
  tg::tensor<double, 4, 2> y;
  for (int i = 0; i < 5; ++i) batches.load_next(x, y);  // epoch 1, batch 2
  const std::string path = temp_path("batches.safetensors");
  tg::save_checkpoint(path, params, opt, batches, {{"note", "kept"}});

  tg::minibatches<4, data_set> resumed(twelve, 5);
  auto params2 = tg::parameters<double>(model);
  tg::sgd opt2(params2, {.learning_rate = 0.1});
  REQUIRE(tg::load_checkpoint(path, params2, opt2, resumed).at("note") == "kept");
  REQUIRE(resumed.position() == 5);
  // The next batch is the one the unbroken run draws next.
  tg::tensor<double, 4, 3> x2;
  tg::tensor<double, 4, 2> y2;
  batches.load_next(x, y);
  resumed.load_next(x2, y2);
  REQUIRE(x2 == x);
  REQUIRE(y2 == y);

  auto untouched = tg::parameters<double>(model);
  tg::sgd opt3(untouched, {});
  tg::minibatches<4, data_set> other_seed(twelve, 6), other_rows(thirteen, 5), unseeded(twelve);
  REQUIRE_THROWS_WITH(tg::load_checkpoint(path, untouched, opt3, other_seed),
                      path + ": field '__metadata__': 'typegrad.batches.seed' is '5', but these mini-batches have 6");
  REQUIRE_THROWS_WITH(tg::load_checkpoint(path, untouched, opt3, other_rows),
                      path + ": field '__metadata__': 'typegrad.batches.rows' is '12', but these mini-batches have 13");
  REQUIRE_THROWS_WITH(tg::load_checkpoint(path, untouched, opt3, unseeded),
                      path + ": field '__metadata__': 'typegrad.batches.seed' is '5', but these mini-batches have none");
  const std::string plain = temp_path("no_batches.safetensors");
  tg::save_checkpoint(plain, params, opt);
  REQUIRE_THROWS_WITH(tg::load_checkpoint(plain, untouched, opt3, other_seed),
                      plain + ": field '__metadata__': missing 'typegrad.batches.seed', which this checkpoint needs");
  REQUIRE(untouched[W] == tg::tensor<double, 3, 2>{});
  REQUIRE(other_seed.position() == 0);
}

TEST_CASE("the random engine's state travels as text", "[train][random]") {
  tg::random_engine a(99);
  for (int i = 0; i < 5; ++i) a.next();
  tg::random_engine b(1);
  b.restore(a.state());
  REQUIRE(a.next() == b.next());
  REQUIRE_THROWS_AS(b.restore("not a state"), std::invalid_argument);
}

TEST_CASE("every malformed file is an error naming the file, the tensor and the field; nothing is loaded",
          "[io][safetensors][errors]") {
  using params_type = tg::parameters_t<float, decltype(model)>;
  const auto original = filled<params_type>(7);
  const std::string path = temp_path("bad.safetensors");
  // A good file's pieces, to break one at a time.
  const std::string W_entry = R"("W":{"dtype":"F32","shape":[3,2],"data_offsets":[0,24]})";
  const std::string b_entry = R"("b":{"dtype":"F32","shape":[2],"data_offsets":[24,32]})";
  const std::string s_entry = R"("s":{"dtype":"F32","shape":[],"data_offsets":[32,36]})";
  const std::string data = floats({1, 2, 3, 4, 5, 6, 7, 8, 9});
  auto expect_error = [&](const std::string& bytes, const std::string& message) {
    write_bytes(path, bytes);
    auto params = original;
    INFO(message);
    REQUIRE_THROWS_WITH(tg::load_safetensors(path, params), path + ": " + message);
    REQUIRE(params[W] == original[W]);  // unchanged
    REQUIRE(params[b] == original[b]);
    REQUIRE(params[s] == original[s]);
  };

  // The good file loads, as a control.
  write_bytes(path, file_bytes("{" + W_entry + "," + b_entry + "," + s_entry + "}", data));
  auto good = original;
  tg::load_safetensors(path, good);
  REQUIRE(good[W](2, 1) == 6.0f);

  expect_error(file_bytes("{" + W_entry + "," + b_entry + "}", data.substr(0, 32)), "missing tensor 's', which the model needs");
  expect_error(file_bytes("{" + W_entry + "," + b_entry + "," + s_entry +
                              R"(,"extra":{"dtype":"F32","shape":[1],"data_offsets":[36,40]}})",
                          data + floats({1})),
               "unexpected tensor 'extra', which the model does not have");
  expect_error(file_bytes("{" + W_entry + "," + b_entry + R"(,"s":{"dtype":"F64","shape":[],"data_offsets":[32,40]}})",
                          data.substr(0, 32) + std::string(8, '\0')),
               "tensor 's': field 'dtype': expected F32, found F64");
  expect_error(file_bytes(R"({"W":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)" + b_entry + "," + s_entry + "}", data),
               "tensor 'W': field 'shape': expected [3,2], found [2,3]");
  expect_error(file_bytes("{" + W_entry + "," + b_entry + "," + s_entry + "}", data.substr(0, 34)),
               "tensor 's': field 'data_offsets': end 36 is past the data section's 34 bytes (the file is truncated or the offsets are wrong)");
  expect_error(std::string("\x10\x00\x00", 3), "truncated: 3 bytes, fewer than the 8 of the header length");
  expect_error(file_bytes("{}", "", 5000), "the header length 5000 runs past the end of the file (10 bytes)");
  expect_error(file_bytes(R"({"W":{"dtype":"F32","shape":[3,2],"data_offsets":[0,24]},"b":{"dtype":"F32","shape":[2],"data_offsets":[20,28]},)" +
                              std::string(R"("s":{"dtype":"F32","shape":[],"data_offsets":[28,32]}})"),
                          data.substr(0, 32)),
               "tensor 'b': field 'data_offsets': overlaps another tensor's bytes");
  expect_error(file_bytes(R"({"W":{"dtype":"F32","shape":[3,2],"data_offsets":[0,20]},)" + b_entry + "," + s_entry + "}", data),
               "tensor 'W': field 'data_offsets': holds 20 bytes, but F32 of this shape needs 24");
  expect_error(file_bytes(R"({"W":{"dtype":"F32","shape":[3,2],"data_offsets":[24,0]},)" + b_entry + "," + s_entry + "}", data),
               "tensor 'W': field 'data_offsets': begin 24 is after end 0");
  expect_error(file_bytes("{" + W_entry + "," + s_entry + R"(,"b":{"dtype":"F32","shape":[2],"data_offsets":[28,36]}})",
                          data + floats({0})),
               "tensor 'b': field 'data_offsets': leaves the bytes 24..28 of the data unused");
  expect_error(file_bytes(R"({"W":{"dtype":"F32","shape":[3,2],"data_offsets":[0,24]},)", data),
               "malformed JSON header: [json.exception.parse_error.101] parse error at line 1, column 58: syntax error "
               "while parsing object key - unexpected end of input; expected string literal");
  expect_error(file_bytes("[1,2]", ""), "malformed JSON header: it must be an object starting with '{'");
  expect_error(file_bytes("{" + W_entry + "," + W_entry + "}", data.substr(0, 24)),
               "malformed JSON header: the key 'W' appears twice");
  expect_error(file_bytes(R"({"W":{"dtype":"Q7","shape":[3,2],"data_offsets":[0,24]}})", data.substr(0, 24)),
               "tensor 'W': field 'dtype': unknown dtype 'Q7'");
  expect_error(file_bytes(R"({"W":{"dtype":"F32","shape":[3,-2],"data_offsets":[0,24]}})", data.substr(0, 24)),
               "tensor 'W': field 'shape': every extent must be a non-negative integer");
  expect_error(file_bytes(R"({"W":{"dtype":"F32","shape":[3,2]}})", ""),
               "tensor 'W': field 'data_offsets': must be two non-negative integers [begin, end]");
  expect_error(file_bytes(R"({"__metadata__":{"k":1},)" + W_entry + "," + b_entry + "," + s_entry + "}", data),
               "field '__metadata__': the value of 'k' must be a string");
  expect_error(file_bytes(R"({"W":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,24]}})", data.substr(0, 24)),
               "tensor 'W': field 'shape': the element count overflows");

  // An extra tensor can be let through on request.
  write_bytes(path, file_bytes("{" + W_entry + "," + b_entry + "," + s_entry +
                                   R"(,"extra":{"dtype":"F64","shape":[1],"data_offsets":[36,44]}})",
                               data + std::string(8, '\0')));
  auto lenient = original;
  tg::load_safetensors(path, lenient, tg::extra_tensors::ignore);
  REQUIRE(lenient[b](1) == 8.0f);
  REQUIRE_THROWS_WITH(tg::load_safetensors(temp_path("no_such_file"), lenient),
                      temp_path("no_such_file") + ": cannot open the file");
}

TEST_CASE("a failed save leaves the old file whole", "[io][safetensors]") {
  const auto saved = filled<tg::parameters_t<float, decltype(model)>>(0);
  REQUIRE_THROWS_AS(tg::save_safetensors("/no/such/folder/x.safetensors", saved), tg::checkpoint_error);
}
