#pragma once
// gradcheck(loss, env, t1, ...): compares the derived gradient with central
// differences of the loss, element by element, and reports the worst
// disagreement and where it is.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string_view>

#include <typegrad/autodiff/grad.hpp>
#include <typegrad/eval/evaluate.hpp>

namespace typegrad {

struct gradcheck_report {
  // |analytic - numeric| / max(1, |analytic|, |numeric|): relative for large
  // values, absolute for small ones.
  double worst_error = 0;
  std::string_view terminal;  // where the worst error is: the terminal's name
  std::size_t index = 0;      // and the flat, row-major index of the element
  double analytic = 0;
  double numeric = 0;
  std::size_t elements_checked = 0;
  // Elements where the derived gradient or the difference is NaN or
  // infinite: such an element counts as an infinite error, so it is never
  // hidden behind a finite worst error.
  std::size_t non_finite = 0;

  constexpr bool passed(double tolerance) const { return non_finite == 0 && worst_error <= tolerance; }
};

// Differences use the step cbrt(epsilon) * max(1, |x|) of the bound scalar
// type, the step that balances truncation against rounding.
template <expression E, class Env, expression... Wrt>
gradcheck_report gradcheck(const E& loss, const Env& env, const Wrt&... wrt) {
  using T = typename Env::scalar_type;
  const auto derived = grad(loss, wrt...)(env);
  Env probe = env;
  gradcheck_report report{};
  auto check_one = [&](const auto& terminal) {
    using leaf = leaf_of_t<std::remove_cvref_t<decltype(terminal)>>;
    auto& x = probe.template lookup_mutable<leaf>();
    const auto& g = derived[terminal];
    for (std::size_t i = 0; i < x.size; ++i) {
      const T keep = x[i];
      const T h = std::cbrt(std::numeric_limits<T>::epsilon()) * std::max<T>(T(1), std::abs(keep));
      x[i] = keep + h;
      const double up = static_cast<T>(eval(loss, probe));
      x[i] = keep - h;
      const double down = static_cast<T>(eval(loss, probe));
      x[i] = keep;
      const double numeric = (up - down) / (2 * static_cast<double>(h));
      const double analytic = g[i];
      const double error = std::abs(analytic - numeric) / std::max({1.0, std::abs(analytic), std::abs(numeric)});
      ++report.elements_checked;
      if (!std::isfinite(analytic) || !std::isfinite(numeric)) ++report.non_finite;
      if (!(error <= report.worst_error)) {  // NaN is the worst
        report.worst_error = std::isfinite(error) ? error : std::numeric_limits<double>::infinity();
        report.terminal = leaf::name.view();
        report.index = i;
        report.analytic = analytic;
        report.numeric = numeric;
      }
    }
  };
  (check_one(wrt), ...);
  return report;
}

}  // namespace typegrad
