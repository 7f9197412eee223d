# Runs digits (which trains, then emits digits_model.h, digits_model_int8.h
# and digits_test.csv next to itself), compiles digits_c.c against the
# headers with each C compiler as C99 with -Werror, and requires the C
# program's float and int8 test accuracies to equal typegrad's. Variables: DIGITS, C_COMPILERS, SOURCE, WORK_DIR.
file(MAKE_DIRECTORY "${WORK_DIR}")
get_filename_component(folder "${DIGITS}" DIRECTORY)
execute_process(COMMAND "${DIGITS}" RESULT_VARIABLE result OUTPUT_VARIABLE typegrad_out ERROR_VARIABLE typegrad_out)
string(REGEX MATCH "int8 test accuracy: [0-9.]+ \\([0-9]+ of [0-9]+\\)" typegrad_int8 "${typegrad_out}")
string(REGEX MATCH "\ntest accuracy: [0-9.]+ \\([0-9]+ of [0-9]+\\)" typegrad_accuracy "${typegrad_out}")
set(typegrad_accuracy "${typegrad_int8}${typegrad_accuracy}")
if(NOT result EQUAL 0 OR typegrad_accuracy STREQUAL "")
  message(FATAL_ERROR "digits failed:\n${typegrad_out}")
endif()
file(SIZE "${folder}/digits_model.h" header_bytes)
message(STATUS "typegrad: ${typegrad_accuracy}; digits_model.h: ${header_bytes} bytes")
foreach(compiler IN LISTS C_COMPILERS)
  get_filename_component(name "${compiler}" NAME)
  execute_process(COMMAND ${compiler} -std=c99 -Wall -Wextra -Wpedantic -Werror -O2 "-I${folder}" "${SOURCE}"
                          -o "${WORK_DIR}/digits_c_${name}" -lm
                  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${name} -std=c99 -Werror rejects digits_model.h or digits_c.c:\n${out}")
  endif()
  execute_process(COMMAND "${WORK_DIR}/digits_c_${name}" "${folder}/digits_test.csv" RESULT_VARIABLE result
                  OUTPUT_VARIABLE out ERROR_VARIABLE out)
  string(STRIP "${out}" out)
  message(STATUS "C (${name}): ${out}")
  if(NOT result EQUAL 0 OR NOT out STREQUAL typegrad_accuracy OR typegrad_int8 STREQUAL "")
    message(FATAL_ERROR "the C model's '${out}' differs from typegrad's '${typegrad_accuracy}'")
  endif()
endforeach()
