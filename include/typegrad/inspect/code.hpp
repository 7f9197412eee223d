#pragma once
// The small toolkit every op's C++ emitter writes with: operand names (flat
// pointers into row-major arrays), numbers spelled exactly, and loops over
// static extents.
#include <array>
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace typegrad::inspect {

// A number spelled so that it reads back to the same double.
inline std::string number_text(double v) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  std::string s = buffer;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

inline std::string num(std::size_t n) { return std::to_string(n); }

// Concatenation by appending. ("literal" + temporary string inserts at the
// front, where GCC 12 at -O2 and above reports a false -Wrestrict warning.)
template <class... Parts>
std::string join(const Parts&... parts) {
  std::string out;
  (out += ... += parts);
  return out;
}

// Code being emitted, one statement per line, with indentation.
struct cpp_code {
  std::string text;
  int depth = 1;

  void line(const std::string& statement) {
    text.append(std::size_t(depth) * 2, ' ');
    text += statement;
    text += '\n';
  }
  // for (int v = 0; v < extent; ++v) { body }
  template <class Body>
  void loop(const std::string& v, std::size_t extent, Body body) {
    line("for (int " + v + " = 0; " + v + " < " + num(extent) + "; ++" + v + ") {");
    ++depth;
    body();
    --depth;
    line("}");
  }
};

// The C++ expression for element `i` of an operand of `size` elements read
// as broadcast to `out_size` elements, as detail::zip_broadcast reads it.
inline std::string broadcast_element(const std::string& name, std::size_t size, std::size_t out_size,
                                     const std::string& i) {
  if (size == out_size) return name + "[" + i + "]";
  if (size == 1) return name + "[0]";
  return name + "[" + i + " % " + num(size) + "]";
}

template <std::size_t N>
using names = std::array<std::string, N>;

// out[i] = a[i] op b[i], with broadcasting (the binary arithmetic ops).
template <class Out, class A, class B>
void emit_zip(cpp_code& c, const std::string& out, const names<2>& in, const std::string& op) {
  c.loop("i", Out::size, [&] {
    c.line(out + "[i] = " + broadcast_element(in[0], A::size, Out::size, "i") + op +
           broadcast_element(in[1], B::size, Out::size, "i") + ";");
  });
}

}  // namespace typegrad::inspect
