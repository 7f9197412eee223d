#pragma once
// L-BFGS with an optional strong-Wolfe line search: PyTorch's
// torch.optim.LBFGS, step for step (tests/reference/make_lbfgs_reference.py
// checks it against torch). One step runs up to max_iterations iterations,
// each a two-loop recursion over the last history_size pairs (s, y) and a
// line search along the direction found. The objective is a closure that
// returns a gradient program's result for the parameters it is given:
//   tg::lbfgs opt(params, {.line_search = tg::line_search::strong_wolfe});
//   opt.step(params, [&](const auto& p) { return step(p, data); });
// The history is allocated once, when the optimiser is made.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <typegrad/autodiff/grad.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/core/shape.hpp>
#include <typegrad/core/tensor.hpp>
#include <typegrad/eval/bind.hpp>
#include <typegrad/train/parameters.hpp>

namespace typegrad {

enum class line_search { none, strong_wolfe };

// PyTorch's defaults, except that the line search is chosen here.
struct lbfgs_options {
  double learning_rate = 1;
  std::size_t max_iterations = 20;       // per step
  std::size_t max_evaluations = 0;       // per step; 0 is max_iterations * 5 / 4
  double tolerance_grad = 1e-7;          // stop when max |g| is below it
  double tolerance_change = 1e-9;        // stop when the step or the loss change is below it
  std::size_t history_size = 100;
  line_search search = line_search::none;
};

namespace detail {
// Flat-vector arithmetic over a parameter set, in double whatever the
// parameters' type, element order fixed by the set (params, then elements).
template <class A, class B>
double dot_sets(const A& a, const B& b) {
  double acc = 0;
  a.for_each([&](const auto& terminal, const auto& x) {
    const auto& y = b[terminal];
    for (std::size_t i = 0; i < x.size; ++i) acc += double(x[i]) * double(y[i]);
  });
  return acc;
}
template <class A>
double max_abs(const A& a) {
  double m = 0;
  a.for_each([&](const auto&, const auto& x) {
    for (std::size_t i = 0; i < x.size; ++i) m = std::max(m, std::abs(double(x[i])));
  });
  return m;
}
template <class A>
double sum_abs(const A& a) {
  double s = 0;
  a.for_each([&](const auto&, const auto& x) {
    for (std::size_t i = 0; i < x.size; ++i) s += std::abs(double(x[i]));
  });
  return s;
}
// a += alpha * b
template <class A, class B>
void add_scaled(A& a, double alpha, const B& b) {
  using T = typename A::scalar_type;
  a.for_each([&](const auto& terminal, auto& x) {
    const auto& y = b[terminal];
    for (std::size_t i = 0; i < x.size; ++i) x[i] += T(alpha) * T(y[i]);
  });
}
// a = alpha * b
template <class A, class B>
void assign_scaled(A& a, double alpha, const B& b) {
  using T = typename A::scalar_type;
  a.for_each([&](const auto& terminal, auto& x) {
    const auto& y = b[terminal];
    for (std::size_t i = 0; i < x.size; ++i) x[i] = T(alpha) * T(y[i]);
  });
}

// The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped
// to [lo, hi]; the midpoint when the cubic has no minimiser.
inline double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2, double lo, double hi) {
  const double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
  const double d2_square = d1 * d1 - g1 * g2;
  if (d2_square >= 0) {
    const double d2 = std::sqrt(d2_square);
    const double min_pos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                                    : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return std::min(std::max(min_pos, lo), hi);
  }
  return (lo + hi) / 2;
}
inline double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2) {
  return cubic_interpolate(x1, f1, g1, x2, f2, g2, std::min(x1, x2), std::max(x1, x2));
}
}  // namespace detail

template <class Params>
struct lbfgs {
  using scalar_type = typename Params::scalar_type;

  lbfgs_options options;
  std::vector<Params> steps_taken;     // s: the history's parameter steps
  std::vector<Params> gradient_changes;  // y: the history's gradient changes
  std::vector<double> rho;             // 1 / yᵀs per pair
  Params direction{};                  // d
  Params previous_gradient{};
  double step_length = 0;              // t
  double hessian_diagonal = 1;         // H_diag, the initial inverse Hessian's scale
  double previous_loss = 0;
  std::size_t pairs = 0, oldest = 0;   // pairs held, and the oldest one's slot
  std::size_t evaluations = 0;         // closure calls, all steps together
  std::size_t steps = 0;               // iterations, all steps together

  static constexpr std::string_view kind = "lbfgs";

  lbfgs(const Params&, lbfgs_options o)
      : options(o), steps_taken(o.history_size), gradient_changes(o.history_size), rho(o.history_size, 0.0),
        alpha_(o.history_size, 0.0) {}

  // The loss at the parameters given, before the step (as torch returns it).
  template <class P, class Closure>
  double step(P& params, Closure&& objective) {
    if constexpr (detail::is_own_parameter_set<Params, P>())
      return run(params, objective);
    else
      return 0;
  }

  // Checkpoints: the state's parameter-shaped tensors by name, and its
  // scalars (saved in the metadata, exactly).
  template <class F>
  void for_each_state(F&& f) {
    visit_state(*this, f);
  }
  template <class F>
  void for_each_state(F&& f) const {
    visit_state(*this, f);
  }
  template <class F>
  void for_each_scalar(F&& f) {
    visit_scalars(*this, f);
  }
  template <class F>
  void for_each_scalar(F&& f) const {
    visit_scalars(*this, f);
  }

 private:
  template <class Self, class F>
  static void visit_state(Self& self, F& f) {
    f("direction", self.direction);
    f("previous_gradient", self.previous_gradient);
    for (std::size_t i = 0; i < self.steps_taken.size(); ++i) {
      f("history_s." + std::to_string(i), self.steps_taken[i]);
      f("history_y." + std::to_string(i), self.gradient_changes[i]);
    }
  }

  template <class Self, class F>
  static void visit_scalars(Self& self, F& f) {
    f("step_length", self.step_length);
    f("hessian_diagonal", self.hessian_diagonal);
    f("previous_loss", self.previous_loss);
    f("pairs", self.pairs);
    f("oldest", self.oldest);
    f("evaluations", self.evaluations);
    for (std::size_t i = 0; i < self.rho.size(); ++i) f("rho." + std::to_string(i), self.rho[i]);
  }

  std::size_t slot(std::size_t k) const { return (oldest + k) % options.history_size; }

  // Loss and flat gradient at x + t d, x left unchanged.
  template <class Closure>
  double evaluate_at(Params& params, const Params& x, double t, const Params& d, Params& gradient, Closure& objective) {
    detail::assign_scaled(params, 1.0, x);
    detail::add_scaled(params, t, d);
    const auto& g = objective(std::as_const(params));
    copy_gradient(g, gradient);
    ++evaluations;
    const double loss = double(g.value);
    detail::assign_scaled(params, 1.0, x);
    return loss;
  }
  template <class G>
  static void copy_gradient(const G& g, Params& out) {
    out.for_each([&](const auto& terminal, auto& x) {
      const auto& from = g[terminal];
      for (std::size_t i = 0; i < x.size; ++i) x[i] = from[i];
    });
  }

  struct search_result {
    double loss, t;
    std::size_t evaluations;
  };
  // torch.optim.lbfgs._strong_wolfe: bracketing, then zoom by cubic
  // interpolation; leaves the gradient at the chosen point in `gradient`.
  template <class Closure>
  search_result strong_wolfe(Params& params, const Params& x, double t, const Params& d, double f, Params& gradient,
                             double gtd, Closure& objective) {
    // torch's constants: its search takes its own tolerance, not the step's.
    constexpr double c1 = 1e-4, c2 = 0.9, tolerance_change = 1e-9;
    constexpr std::size_t max_ls = 25;
    const double d_norm = detail::max_abs(d);
    Params g_new{};
    double f_new = evaluate_at(params, x, t, d, g_new, objective);
    std::size_t ls_evals = 1;
    double gtd_new = detail::dot_sets(g_new, d);
    double t_prev = 0, f_prev = f, gtd_prev = gtd;
    Params g_prev = gradient;
    bool done = false;
    std::size_t ls_iter = 0;
    double bracket[2]{}, bracket_f[2]{}, bracket_gtd[2]{};
    Params bracket_g[2]{};
    std::size_t bracket_size = 0;
    while (ls_iter < max_ls) {
      const auto bracket_here = [&] {
        bracket[0] = t_prev, bracket[1] = t;
        bracket_f[0] = f_prev, bracket_f[1] = f_new;
        bracket_g[0] = g_prev, bracket_g[1] = g_new;
        bracket_gtd[0] = gtd_prev, bracket_gtd[1] = gtd_new;
        bracket_size = 2;
      };
      if (f_new > f + c1 * t * gtd || (ls_iter > 1 && f_new >= f_prev)) {
        bracket_here();
        break;
      }
      if (std::abs(gtd_new) <= -c2 * gtd) {
        bracket[0] = t, bracket_f[0] = f_new, bracket_g[0] = g_new;
        bracket_size = 1;
        done = true;
        break;
      }
      if (gtd_new >= 0) {
        bracket_here();
        break;
      }
      const double min_step = t + 0.01 * (t - t_prev), max_step = t * 10, tmp = t;
      t = detail::cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, min_step, max_step);
      t_prev = tmp, f_prev = f_new, g_prev = g_new, gtd_prev = gtd_new;
      f_new = evaluate_at(params, x, t, d, g_new, objective);
      ++ls_evals;
      gtd_new = detail::dot_sets(g_new, d);
      ++ls_iter;
    }
    if (ls_iter == max_ls) {
      bracket[0] = 0, bracket[1] = t;
      bracket_f[0] = f, bracket_f[1] = f_new;
      bracket_g[0] = gradient, bracket_g[1] = g_new;
      bracket_size = 2;
    }
    bool insufficient_progress = false;
    std::size_t low = bracket_f[0] <= bracket_f[bracket_size - 1] ? 0 : 1, high = 1 - low;
    while (!done && ls_iter < max_ls) {
      if (std::abs(bracket[1] - bracket[0]) * d_norm < tolerance_change) break;
      t = detail::cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]);
      const double hi = std::max(bracket[0], bracket[1]), lo = std::min(bracket[0], bracket[1]);
      const double eps = 0.1 * (hi - lo);
      if (std::min(hi - t, t - lo) < eps) {
        if (insufficient_progress || t >= hi || t <= lo) {
          t = std::abs(t - hi) < std::abs(t - lo) ? hi - eps : lo + eps;
          insufficient_progress = false;
        } else {
          insufficient_progress = true;
        }
      } else {
        insufficient_progress = false;
      }
      f_new = evaluate_at(params, x, t, d, g_new, objective);
      ++ls_evals;
      gtd_new = detail::dot_sets(g_new, d);
      ++ls_iter;
      if (f_new > f + c1 * t * gtd || f_new >= bracket_f[low]) {
        bracket[high] = t, bracket_f[high] = f_new, bracket_g[high] = g_new, bracket_gtd[high] = gtd_new;
        low = bracket_f[0] <= bracket_f[1] ? 0 : 1, high = 1 - low;
      } else {
        if (std::abs(gtd_new) <= -c2 * gtd)
          done = true;
        else if (gtd_new * (bracket[high] - bracket[low]) >= 0)
          bracket[high] = bracket[low], bracket_f[high] = bracket_f[low], bracket_g[high] = bracket_g[low],
          bracket_gtd[high] = bracket_gtd[low];
        bracket[low] = t, bracket_f[low] = f_new, bracket_g[low] = g_new, bracket_gtd[low] = gtd_new;
      }
    }
    gradient = bracket_g[low];
    return {bracket_f[low], bracket[low], ls_evals};
  }

  template <class Closure>
  double run(Params& params, Closure& objective) {
    const std::size_t max_evals = options.max_evaluations ? options.max_evaluations : options.max_iterations * 5 / 4;
    Params gradient{};
    const auto& g = objective(std::as_const(params));
    copy_gradient(g, gradient);
    ++evaluations;
    const double first = double(g.value);
    if (detail::max_abs(gradient) <= options.tolerance_grad) return first;
    return iterate(params, objective, gradient, first, max_evals);
  }

  template <class Closure>
  double iterate(Params& params, Closure& objective, Params& gradient, const double first_loss, std::size_t max_evals) {
    double loss = first_loss;
    std::size_t current_evals = 1, n_iter = 0;
    while (n_iter < options.max_iterations) {
      ++n_iter;
      ++steps;
      if (steps == 1) {
        detail::assign_scaled(direction, -1.0, gradient);
        pairs = 0, oldest = 0;
        hessian_diagonal = 1;
      } else {
        update_history(gradient);
        two_loop(gradient);
      }
      previous_gradient = gradient;
      previous_loss = loss;
      step_length = steps == 1 ? std::min(1.0, 1.0 / detail::sum_abs(gradient)) * options.learning_rate : options.learning_rate;
      const double gtd = detail::dot_sets(gradient, direction);
      if (gtd > -options.tolerance_change) break;
      std::size_t ls_evals = 0;
      if (options.search == line_search::strong_wolfe) {
        const Params x = params;
        const auto found = strong_wolfe(params, x, step_length, direction, loss, gradient, gtd, objective);
        loss = found.loss, step_length = found.t, ls_evals = found.evaluations;
        detail::assign_scaled(params, 1.0, x);
        detail::add_scaled(params, step_length, direction);
      } else {
        detail::add_scaled(params, step_length, direction);
        if (n_iter != options.max_iterations) {
          const auto& g = objective(std::as_const(params));
          copy_gradient(g, gradient);
          ++evaluations;
          loss = double(g.value);
          ls_evals = 1;
        }
      }
      current_evals += ls_evals;
      const bool optimal = detail::max_abs(gradient) <= options.tolerance_grad;
      if (n_iter == options.max_iterations || current_evals >= max_evals || optimal) break;
      if (detail::max_abs(direction) * std::abs(step_length) <= options.tolerance_change) break;
      if (std::abs(loss - previous_loss) < options.tolerance_change) break;
    }
    return first_loss;
  }

  // y = g - g_prev, s = t d; kept when yᵀs > 1e-10, the oldest pair dropped
  // when the history is full.
  void update_history(const Params& gradient) {
    Params y = gradient;
    detail::add_scaled(y, -1.0, previous_gradient);
    Params s{};
    detail::assign_scaled(s, step_length, direction);
    const double ys = detail::dot_sets(y, s);
    if (ys > 1e-10) {
      std::size_t at;
      if (pairs == options.history_size) {
        at = oldest;
        oldest = (oldest + 1) % options.history_size;
      } else {
        at = slot(pairs++);
      }
      gradient_changes[at] = y;
      steps_taken[at] = s;
      rho[at] = 1.0 / ys;
      hessian_diagonal = ys / detail::dot_sets(y, y);
    }
  }

  // d = -H g by the two-loop recursion, newest pair first, then oldest first.
  void two_loop(const Params& gradient) {
    Params q{};
    detail::assign_scaled(q, -1.0, gradient);
    for (std::size_t k = pairs; k-- > 0;) {
      const std::size_t i = slot(k);
      alpha_[k] = detail::dot_sets(steps_taken[i], q) * rho[i];
      detail::add_scaled(q, -alpha_[k], gradient_changes[i]);
    }
    detail::assign_scaled(direction, hessian_diagonal, q);
    for (std::size_t k = 0; k < pairs; ++k) {
      const std::size_t i = slot(k);
      const double beta = detail::dot_sets(gradient_changes[i], direction) * rho[i];
      detail::add_scaled(direction, alpha_[k] - beta, steps_taken[i]);
    }
  }
  std::vector<double> alpha_;  // the first loop's coefficients, read by the second
};

template <class Params>
lbfgs(const Params&, lbfgs_options) -> lbfgs<Params>;

}  // namespace typegrad
