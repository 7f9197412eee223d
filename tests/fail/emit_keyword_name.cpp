// expect-error: typegrad: emit_cpp needs terminal names that are C\+\+ identifiers, neither keywords nor 'value'
// expect-context: name<'n', 'e', 'w'>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
#ifdef TYPEGRAD_TWIN
constexpr tg::param<"fresh", 2> w;
#else
constexpr tg::param<"new", 2> w;
#endif
int main() {
  const auto text = tg::emit_cpp(tg::grad(tg::sum(tg::square(w)), w), "f");  // <- error
  return text.empty() ? 1 : 0;
}
