#pragma once
// Classification accuracy by argmax, and one progress line per epoch.
#include <cstddef>
#include <cstdio>

#include <typegrad/core/diagnostics.hpp>

namespace typegrad {

// The position of the largest of n values (the first, on a tie).
template <class T>
constexpr std::size_t argmax(const T* values, std::size_t n) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < n; ++i) best = values[i] > values[best] ? i : best;
  return best;
}

// How many rows of scores [rows, classes] have their largest value where the
// targets (one-hot, or any scores) have theirs.
template <class Scores, class Targets>
constexpr std::size_t correct_predictions(const Scores& scores, const Targets& targets) {
  static_assert(diagnostics::scores_and_targets_share_a_matrix_shape<typename Scores::shape_type, typename Targets::shape_type>::value,
                "typegrad: correct_predictions needs scores and targets of one [rows, classes] shape");
  constexpr std::size_t classes = Scores::shape_type::dims[1];
  std::size_t correct = 0;
  for (std::size_t r = 0; r < Scores::shape_type::dims[0]; ++r)
    correct += argmax(scores.data() + r * classes, classes) == argmax(targets.data() + r * classes, classes);
  return correct;
}

// One line per epoch: epoch, training loss, training accuracy, test
// accuracy, seconds.
struct epoch_progress {
  int epoch = 0;
  double train_loss = 0;
  double train_accuracy = 0;
  double test_accuracy = 0;
  double seconds = 0;

  void print(std::FILE* out = stdout) const {
    std::fprintf(out, "epoch %3d  loss %.4f  train accuracy %.4f  test accuracy %.4f  %.2f s\n", epoch, train_loss,
                 train_accuracy, test_accuracy, seconds);
  }
};

}  // namespace typegrad
