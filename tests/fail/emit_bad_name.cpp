// expect-error: typegrad: emit_cpp needs terminal names that are C\+\+ identifiers
// expect-context: name<'w', '-', '1'>
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
#ifdef TYPEGRAD_TWIN
constexpr tg::param<"w_1", 2> w;
#else
constexpr tg::param<"w-1", 2> w;
#endif
int main() {
  auto text = tg::emit_cpp(tg::grad(tg::sum(tg::square(w)), w), "f");  // <- error
  return text.empty() ? 1 : 0;
}
