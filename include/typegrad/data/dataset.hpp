#pragma once
// An in-memory data set of fixed-width rows (Features inputs, Targets
// outputs), its seeded train/test split, and mini-batches of a static size.
//
//   auto data = tg::dataset<float, 64, 10>::classification(table, 64, 1.0 / 16);
//   auto [train, test] = tg::stratified_split(data, 0.8, rng);
//   tg::minibatches<32, decltype(train)> batches(train);        // partial_batch::drop
//   for each epoch: batches.shuffle(rng), or batches.shuffle(seed, epoch);
//     for (std::size_t b = 0; b < batches.count(); ++b) batches.load(b, data_env[X], data_env[Y]);
//
// The last partial batch: the batch size is in the model's type, so a batch is
// always full. partial_batch::drop (the default) leaves the rows past the last
// full batch out of this epoch; each epoch shuffles anew, so every row is
// drawn in most epochs. partial_batch::wrap fills the last batch up with the
// first rows of this epoch's order, so every row is seen every epoch and a
// few twice.
#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <typegrad/core/diagnostics.hpp>
#include <typegrad/core/random.hpp>
#include <typegrad/core/tensor.hpp>
#include <typegrad/data/csv.hpp>

namespace typegrad {

template <class T, std::size_t Features, std::size_t Targets>
struct dataset {
  using value_type = T;
  static constexpr std::size_t features = Features;
  static constexpr std::size_t targets = Targets;

  std::vector<T> inputs;   // rows x Features, row-major
  std::vector<T> outputs;  // rows x Targets, row-major

  std::size_t rows() const { return inputs.size() / Features; }

  void add(const T* x, const T* y) {
    inputs.insert(inputs.end(), x, x + Features);
    outputs.insert(outputs.end(), y, y + Targets);
  }
  const T* input_row(std::size_t r) const { return inputs.data() + r * Features; }
  const T* output_row(std::size_t r) const { return outputs.data() + r * Targets; }

  // One row as batch-1 tensors, for predicting a single example.
  tensor<T, 1, Features> input(std::size_t r) const {
    tensor<T, 1, Features> x;
    std::copy_n(input_row(r), Features, x.data());
    return x;
  }
  tensor<T, 1, Targets> output(std::size_t r) const {
    tensor<T, 1, Targets> y;
    std::copy_n(output_row(r), Targets, y.data());
    return y;
  }

  // The class of row r: the position of its largest target (its one-hot 1).
  std::size_t label(std::size_t r) const {
    const T* y = output_row(r);
    return static_cast<std::size_t>(std::max_element(y, y + Targets) - y);
  }

  // A classification table: Features columns of inputs (each times `scale`)
  // and, in column label_column, a class 0..Targets-1 that becomes a one-hot
  // row. A label that is not such a class is a data_error naming the file, the
  // line and the field.
  static dataset classification(const csv_table& table, std::size_t label_column, double scale = 1.0,
                                std::size_t first_feature_column = 0) {
    if (table.columns < first_feature_column + Features || table.columns <= label_column)
      throw data_error(table.source + ": a classification set of " + std::to_string(Features) +
                       " features and a label in column " + std::to_string(label_column + 1) + " needs more than the " +
                       std::to_string(table.columns) + " columns the table has");
    dataset out;
    out.inputs.reserve(table.rows * Features);
    out.outputs.reserve(table.rows * Targets);
    T x[Features];
    for (std::size_t r = 0; r < table.rows; ++r) {
      const double label = table.at(r, label_column);
      if (!(label >= 0 && label < double(Targets) && std::floor(label) == label))
        throw data_error(table.where(r, label_column) + ": expected a class label 0.." + std::to_string(Targets - 1) +
                         ", found " + std::to_string(label));
      for (std::size_t c = 0; c < Features; ++c) x[c] = static_cast<T>(table.at(r, first_feature_column + c) * scale);
      T y[Targets] = {};
      y[static_cast<std::size_t>(label)] = T(1);
      out.add(x, y);
    }
    return out;
  }

  // The rows listed, in that order.
  dataset subset(const std::vector<std::size_t>& rows_taken) const {
    dataset out;
    for (std::size_t r : rows_taken) out.add(input_row(r), output_row(r));
    return out;
  }
};

template <class Dataset>
struct dataset_split {
  Dataset train, test;
};

namespace detail {
// round(fraction * n), at least one row on each side when n >= 2.
inline std::size_t train_count(std::size_t n, double fraction) {
  std::size_t k = static_cast<std::size_t>(std::llround(fraction * double(n)));
  if (n >= 2) k = std::clamp<std::size_t>(k, 1, n - 1);
  return std::min(k, n);
}
inline void check_fraction(double fraction) {
  if (!(fraction > 0 && fraction < 1))
    throw data_error("split: the training fraction must be in (0, 1), found " + std::to_string(fraction));
}
template <class Dataset>
dataset_split<Dataset> split_by(const Dataset& data, std::vector<std::size_t> train_rows,
                                std::vector<std::size_t> test_rows) {
  std::sort(train_rows.begin(), train_rows.end());  // each side keeps the file's order
  std::sort(test_rows.begin(), test_rows.end());
  return {data.subset(train_rows), data.subset(test_rows)};
}
}  // namespace detail

// A seeded random split: round(fraction * rows) rows for training, the rest
// for testing, each side in the original order.
template <class Dataset>
dataset_split<Dataset> split(const Dataset& data, double train_fraction, random_engine& rng) {
  detail::check_fraction(train_fraction);
  std::vector<std::size_t> order(data.rows());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  rng.shuffle(order.begin(), order.end());
  const std::size_t k = detail::train_count(order.size(), train_fraction);
  return detail::split_by(data, {order.begin(), order.begin() + std::ptrdiff_t(k)},
                          {order.begin() + std::ptrdiff_t(k), order.end()});
}

// The same, class by class (the class of a row is its largest target), so
// both sides keep the classes' proportions.
template <class Dataset>
dataset_split<Dataset> stratified_split(const Dataset& data, double train_fraction, random_engine& rng) {
  detail::check_fraction(train_fraction);
  std::vector<std::vector<std::size_t>> by_class(Dataset::targets);
  for (std::size_t r = 0; r < data.rows(); ++r) by_class[data.label(r)].push_back(r);
  std::vector<std::size_t> train_rows, test_rows;
  for (auto& rows : by_class) {
    rng.shuffle(rows.begin(), rows.end());
    const std::size_t k = detail::train_count(rows.size(), train_fraction);
    train_rows.insert(train_rows.end(), rows.begin(), rows.begin() + std::ptrdiff_t(k));
    test_rows.insert(test_rows.end(), rows.begin() + std::ptrdiff_t(k), rows.end());
  }
  return detail::split_by(data, std::move(train_rows), std::move(test_rows));
}

enum class partial_batch { drop, wrap };

template <std::size_t Batch, class Dataset>
class minibatches {
 public:
  using T = typename Dataset::value_type;

  // The batches read the data set in place, so it must outlive them: one made
  // from a temporary is a compile error, not a read of freed memory.
  // (Either constructor's arguments after the data set.)
  template <class D, class... Rest>
    requires std::same_as<D, Dataset>
  explicit minibatches(const D&&, Rest&&...) : data_(nullptr), last_() {
    static_assert(diagnostics::view_source_is_named<minibatches, D, false>::value,
                  "typegrad: minibatches reads its data set in place; make it from a named data set, not a temporary");
  }
  explicit minibatches(const Dataset& data, partial_batch last = partial_batch::drop) : data_(&data), last_(last) {
    if (data.rows() < Batch)
      throw data_error("minibatches: a data set of " + std::to_string(data.rows()) +
                       " rows cannot fill one batch of " + std::to_string(Batch));
    order_.resize(data.rows());
    for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = i;
  }
  // Seeded: load_next draws each epoch's order from (seed, epoch) alone, so
  // the position (batches drawn so far) is all a resumed run needs, and a
  // checkpoint carries it (save_checkpoint(path, params, optimiser, batches)).
  minibatches(const Dataset& data, std::uint64_t seed, partial_batch last = partial_batch::drop)
      : minibatches(data, last) {
    seed_ = seed;
  }

  // The next batch in this run's order: at the start of each epoch the order
  // is drawn again from (seed, epoch), or is the file's order when unseeded.
  void load_next(tensor<T, Batch, Dataset::features>& x, tensor<T, Batch, Dataset::targets>& y) {
    if (ordered_epoch_ != epoch()) {
      if (seed_)
        shuffle(*seed_, epoch());
      else
        for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = i;
      ordered_epoch_ = epoch();
    }
    load(position_ % count(), x, y);
    ++position_;
  }
  // Batches drawn by load_next so far, over all epochs.
  std::size_t position() const { return position_; }
  // Epochs completed: after the last batch of epoch 1, 1.
  std::size_t epoch() const { return position_ / count(); }
  // Whether the batch load_next drew last ended an epoch.
  bool epoch_done() const { return position_ > 0 && position_ % count() == 0; }
  std::optional<std::uint64_t> seed() const { return seed_; }
  std::size_t rows() const { return order_.size(); }
  // Continues at `position` (what a checkpoint restores).
  void seek(std::size_t position) { position_ = position; }

  // A new order for the next epoch: a shuffle of the rows in file order, so
  // that the order depends on the engine's state alone. A run resumed from a
  // checkpoint that kept the state from before the shuffle draws the epoch's
  // order again.
  void shuffle(random_engine& rng) {
    for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = i;
    rng.shuffle(order_.begin(), order_.end());
  }
  // The order of epoch `epoch` of a run seeded with `seed`, from that pair
  // alone: a run resumed at any batch needs only the epoch to draw it again.
  void shuffle(std::uint64_t seed, std::uint64_t epoch) {
    random_engine rng = random_engine::for_stream(seed, epoch);
    shuffle(rng);
  }

  std::size_t count() const {
    return last_ == partial_batch::drop ? order_.size() / Batch : (order_.size() + Batch - 1) / Batch;
  }

  // Batch b of this epoch into x [Batch, Features] and y [Batch, Targets].
  void load(std::size_t b, tensor<T, Batch, Dataset::features>& x, tensor<T, Batch, Dataset::targets>& y) const {
    for (std::size_t i = 0; i < Batch; ++i) {
      const std::size_t row = order_[(b * Batch + i) % order_.size()];
      std::copy_n(data_->input_row(row), Dataset::features, x.data() + i * Dataset::features);
      std::copy_n(data_->output_row(row), Dataset::targets, y.data() + i * Dataset::targets);
    }
  }

 private:
  const Dataset* data_;
  partial_batch last_;
  std::vector<std::size_t> order_;
  std::optional<std::uint64_t> seed_;
  std::size_t position_ = 0;
  std::optional<std::size_t> ordered_epoch_;  // the epoch order_ was drawn for by load_next
};

}  // namespace typegrad
