#pragma once
// The small toolkit every op's C++ emitter writes with: operand names (flat
// pointers into row-major arrays), numbers spelled exactly, and loops over
// static extents.
#include <array>
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

#include <typegrad/core/shape.hpp>

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

// The language code is emitted in. Op emitters write one C-like language:
// C++17 in double, with std:: math functions. For float each line is mapped
// token by token: the word double becomes float and a floating literal gets
// the suffix f, so the arithmetic stays in single precision (no silent
// promotion to double, which small microcontrollers do in software); for
// C99, std::f( also becomes ff( (expf, logf, ...), where C++ keeps the
// overloads of std::f.
enum class dialect { cpp_double, cpp_float, c_float };

inline std::string to_dialect(std::string_view line, dialect lang) {
  if (lang == dialect::cpp_double) return std::string(line);
  auto is_word = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  std::string out;
  std::size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (is_word(c) && !is_digit(c)) {  // an identifier
      std::size_t end = i;
      while (end < line.size() && is_word(line[end])) ++end;
      const std::string_view word = line.substr(i, end - i);
      if (word == "double") {
        out += "float";
      } else if (lang == dialect::c_float && word == "std" && line.substr(end, 2) == "::") {
        std::size_t name_end = end + 2;
        while (name_end < line.size() && is_word(line[name_end])) ++name_end;
        out += line.substr(end + 2, name_end - end - 2);
        out += 'f';
        end = name_end;
      } else {
        out += word;
      }
      i = end;
    } else if (is_digit(c)) {  // a number: digits [. digits] [e [+-] digits]
      std::size_t end = i;
      bool floating = false;
      while (end < line.size() && is_digit(line[end])) ++end;
      if (end < line.size() && line[end] == '.') {
        floating = true;
        ++end;
        while (end < line.size() && is_digit(line[end])) ++end;
      }
      if (end < line.size() && (line[end] == 'e' || line[end] == 'E')) {
        std::size_t exponent = end + 1;
        if (exponent < line.size() && (line[exponent] == '+' || line[exponent] == '-')) ++exponent;
        if (exponent < line.size() && is_digit(line[exponent])) {
          floating = true;
          end = exponent;
          while (end < line.size() && is_digit(line[end])) ++end;
        }
      }
      out += line.substr(i, end - i);
      if (floating) out += 'f';
      i = end;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

// Code being emitted, one statement per line, with indentation.
struct cpp_code {
  std::string text;
  int depth = 1;
  dialect lang = dialect::cpp_double;

  void line(const std::string& statement) {
    text.append(std::size_t(depth) * 2, ' ');
    text += to_dialect(statement, lang);
    text += '\n';
  }
  // for (int v = 0; v < extent; ++v) { body }. Cold, as are the emitters
  // that call it: code generation runs once per program, and the hint keeps
  // the optimiser from spending compile time on its string building (the
  // Fashion-MNIST example: 10.1 s to 8.3 s with g++ -O2).
  template <class Body>
  [[gnu::cold]] void loop(const std::string& v, std::size_t extent, Body body) {
    line("for (int " + v + " = 0; " + v + " < " + num(extent) + "; ++" + v + ") {");
    ++depth;
    body();
    --depth;
    line("}");
  }
};

// The C++ expression for element `i` of an operand of shape From read as
// broadcast to shape To, as kernels::broadcast_read reads it.
template <class From, class To>
std::string broadcast_element(const std::string& name, const std::string& i) {
  if (From::size == To::size) return name + "[" + i + "]";
  if (From::size == 1) return name + "[0]";
  if (broadcasts_contiguously<From, To>()) return name + "[" + i + " % " + num(From::size) + "]";
  std::string at;
  std::size_t below = 1, stride = 1;
  for (std::size_t k = From::rank; k-- > 0;) {
    const std::size_t extent = To::dims[To::rank - From::rank + k];
    if (From::dims[k] != 1) {
      if (!at.empty()) at += " + ";
      at += "(" + i + " / " + num(below) + " % " + num(extent) + ") * " + num(stride);
    }
    below *= extent;
    stride *= From::dims[k];
  }
  return name + "[" + at + "]";
}

template <std::size_t N>
using names = std::array<std::string, N>;

// out[i] = a[i] op b[i], with broadcasting (the binary arithmetic ops).
template <class Out, class A, class B>
void emit_zip(cpp_code& c, const std::string& out, const names<2>& in, const std::string& op) {
  c.loop("i", Out::size, [&] {
    c.line(out + "[i] = " + broadcast_element<A, Out>(in[0], "i") + op + broadcast_element<B, Out>(in[1], "i") + ";");
  });
}

}  // namespace typegrad::inspect
