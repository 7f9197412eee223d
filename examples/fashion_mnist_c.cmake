# Runs fashion_mnist with ARGS (which trains, then emits fashion_mnist_model.h
# next to itself), compiles fashion_mnist_c.c against the header with each C
# compiler as C99 with -Werror, and requires the C program's test accuracy
# to equal typegrad's. Variables: PROGRAM, ARGS, DATA, C_COMPILERS, SOURCE, WORK_DIR.
file(MAKE_DIRECTORY "${WORK_DIR}")
get_filename_component(folder "${PROGRAM}" DIRECTORY)
execute_process(COMMAND "${PROGRAM}" ${ARGS} RESULT_VARIABLE result OUTPUT_VARIABLE typegrad_out ERROR_VARIABLE typegrad_out)
string(REGEX MATCH "\ntest accuracy: [0-9.]+ \\([0-9]+ of [0-9]+\\)" typegrad_accuracy "${typegrad_out}")
string(STRIP "${typegrad_accuracy}" typegrad_accuracy)
if(NOT result EQUAL 0 OR typegrad_accuracy STREQUAL "")
  message(FATAL_ERROR "fashion_mnist failed:\n${typegrad_out}")
endif()
message(STATUS "typegrad: ${typegrad_accuracy}")
foreach(compiler IN LISTS C_COMPILERS)
  get_filename_component(name "${compiler}" NAME)
  execute_process(COMMAND ${compiler} -std=c99 -Wall -Wextra -Wpedantic -Werror -O2 "-I${folder}" "${SOURCE}"
                          -o "${WORK_DIR}/fashion_mnist_c_${name}" -lz -lm
                  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${name} -std=c99 -Werror rejects fashion_mnist_model.h or fashion_mnist_c.c:\n${out}")
  endif()
  execute_process(COMMAND "${WORK_DIR}/fashion_mnist_c_${name}" "${DATA}/t10k-images-idx3-ubyte.gz"
                          "${DATA}/t10k-labels-idx1-ubyte.gz" RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
  string(STRIP "${out}" out)
  message(STATUS "C (${name}): ${out}")
  if(NOT result EQUAL 0 OR NOT out STREQUAL typegrad_accuracy)
    message(FATAL_ERROR "the C model's '${out}' differs from typegrad's '${typegrad_accuracy}'")
  endif()
endforeach()
