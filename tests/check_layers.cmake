# The include graph only looks down (docs/design.md, "Layers"). A header may
# include headers of its own folder and of folders on lower layers; anything
# else, including a folder this script does not know, fails. Variable:
# INCLUDE_DIR.
#
#   8  quantize           int8 models from trained ones, their simulator and C
#   7  train  io          training loops, checkpoints
#   6  data   inspect     data sets; printing and emitting programs
#   5  autodiff           grad, gradcheck
#   4  eval               bindings, the evaluator and its memory plan
#   3  graph              normal form, order, params
#   2  ops                each op's shape rule, VJP, printed and emitted form
#   1  kernels            loops over raw storage with static extents: the
#                         tiled product, reductions, SIMD
#   0  core   detail      shapes, tensors, expressions, diagnostics, the code
#                         writer, random numbers; configuration, scalar math
set(layer_core 0)
set(layer_detail 0)
set(layer_kernels 1)
set(layer_ops 2)
set(layer_graph 3)
set(layer_eval 4)
set(layer_autodiff 5)
set(layer_data 6)
set(layer_inspect 6)
set(layer_train 7)
set(layer_io 7)
set(layer_quantize 8)

file(GLOB headers RELATIVE "${INCLUDE_DIR}/typegrad" "${INCLUDE_DIR}/typegrad/*/*.hpp")
set(violations)
set(edges 0)
foreach(header IN LISTS headers)
  string(REGEX REPLACE "/.*" "" from "${header}")
  if(NOT DEFINED layer_${from})
    list(APPEND violations "typegrad/${header}: folder '${from}' has no layer in tests/check_layers.cmake")
    continue()
  endif()
  file(STRINGS "${INCLUDE_DIR}/typegrad/${header}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*<typegrad/")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE ".*<typegrad/([^>]*)>.*" "\\1" target "${line}")
    math(EXPR edges "${edges} + 1")
    if(NOT target MATCHES "/")
      list(APPEND violations "typegrad/${header} includes the umbrella header typegrad/${target}")
      continue()
    endif()
    string(REGEX REPLACE "/.*" "" to "${target}")
    if(to STREQUAL from)
      continue()
    endif()
    if(NOT DEFINED layer_${to} OR NOT layer_${to} LESS layer_${from})
      list(APPEND violations
           "typegrad/${header} (${from}, layer ${layer_${from}}) includes typegrad/${target} (${to}, layer ${layer_${to}})")
    endif()
  endforeach()
endforeach()
if(violations)
  list(JOIN violations "\n  " text)
  message(FATAL_ERROR "includes that reach up or sideways:\n  ${text}")
endif()
list(LENGTH headers count)
message(STATUS "${count} headers, ${edges} includes, each to its own folder or a lower layer")
