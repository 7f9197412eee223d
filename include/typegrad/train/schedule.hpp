#pragma once
// Learning-rate schedules: functions of the number of steps already taken
// (0 before the first), to pass per step: opt.step(params, g, sched(opt.steps)).
#include <cmath>
#include <cstddef>

namespace typegrad::schedule {

struct constant {
  double rate = 0.01;
  double operator()(std::size_t) const { return rate; }
};

// rate * gamma^floor(step / every).
struct step_decay {
  double rate = 0.01;
  std::size_t every = 100;
  double gamma = 0.1;
  double operator()(std::size_t step) const { return rate * std::pow(gamma, double(step / every)); }
};

// From rate down to final_rate along half a cosine over `steps` steps, then
// final_rate.
struct cosine {
  double rate = 0.01;
  std::size_t steps = 1000;
  double final_rate = 0;
  double operator()(std::size_t step) const {
    if (step >= steps) return final_rate;
    constexpr double pi = 3.141592653589793238462643383279;
    return final_rate + (rate - final_rate) * 0.5 * (1 + std::cos(pi * double(step) / double(steps)));
  }
};

// Linear warm-up over `steps` steps to the rate `then` starts at, then
// `then`, counted from the end of the warm-up:
//   step < steps:  then(0) * (step + 1) / steps
//   otherwise:     then(step - steps)
template <class Then>
struct warmup {
  std::size_t steps = 100;
  Then then{};
  double operator()(std::size_t step) const {
    if (step < steps) return then(0) * double(step + 1) / double(steps);
    return then(step - steps);
  }
};
template <class Then>
warmup(std::size_t, Then) -> warmup<Then>;

}  // namespace typegrad::schedule
