// expect-error: typegrad: minibatches reads its data set in place; make it from a named data set, not a temporary
// expect-context: view_source_is_named
#include <typegrad/typegrad.hpp>
namespace tg = typegrad;
using data_set = tg::dataset<double, 2, 2>;
data_set make_dataset() {
  data_set d;
  for (int i = 0; i < 8; ++i) {
    const double x[] = {double(i), 1.0}, y[] = {1.0, 0.0};
    d.add(x, y);
  }
  return d;
}
int main() {
#ifdef TYPEGRAD_TWIN
  const data_set data = make_dataset();
  tg::minibatches<4, data_set> batches(data);
#else
  tg::minibatches<4, data_set> batches(make_dataset());  // <- error
#endif
  return batches.count() == 2 ? 0 : 1;
}
