#pragma once
// typegrad: neural networks as typed C++ expressions, with gradients derived
// by the compiler. The one header to include.
#include <typegrad/core/diagnostics.hpp>
#include <typegrad/core/expr.hpp>
#include <typegrad/core/fixed_string.hpp>
#include <typegrad/core/shape.hpp>
#include <typegrad/core/tensor.hpp>
#include <typegrad/ops/arithmetic.hpp>
#include <typegrad/ops/cross_entropy.hpp>
#include <typegrad/ops/elementwise.hpp>
#include <typegrad/ops/linear.hpp>
#include <typegrad/ops/losses.hpp>
#include <typegrad/ops/reduce.hpp>
#include <typegrad/ops/softmax.hpp>
#include <typegrad/graph/canon.hpp>
#include <typegrad/graph/topo.hpp>
#include <typegrad/eval/bind.hpp>
#include <typegrad/eval/evaluate.hpp>
#include <typegrad/autodiff/grad.hpp>
#include <typegrad/autodiff/gradcheck.hpp>
#include <typegrad/train/sgd.hpp>
#include <typegrad/data/csv.hpp>
#include <typegrad/inspect/dot.hpp>
#include <typegrad/inspect/emit.hpp>
#include <typegrad/inspect/print.hpp>
