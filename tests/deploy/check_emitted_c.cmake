# Compiles check_vectors.c against each emitted model with each C compiler,
# as C99 with every warning an error, and runs it. Variables: C_COMPILERS (a
# list), SOURCE, HEADER_DIR, MODELS (a list), WORK_DIR; DEFINES (optional, a
# list of -D flags).
file(MAKE_DIRECTORY "${WORK_DIR}")
foreach(compiler IN LISTS C_COMPILERS)
  get_filename_component(compiler_name "${compiler}" NAME)
  foreach(model IN LISTS MODELS)
    string(TOUPPER "${model}" upper)
    set(program "${WORK_DIR}/${model}_${compiler_name}")
    execute_process(COMMAND ${compiler} -std=c99 -Wall -Wextra -Wpedantic -Werror -O2 "-I${HEADER_DIR}"
                            -DMODEL=${model} -DMODEL_UPPER=${upper} ${DEFINES} "${SOURCE}" -o "${program}" -lm
                    RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT result EQUAL 0)
      message(FATAL_ERROR "${compiler_name} -std=c99 -Werror rejects ${model}.h:\n${out}")
    endif()
    execute_process(COMMAND "${program}" RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
    message(STATUS "${compiler_name}: ${out}")
    if(NOT result EQUAL 0)
      message(FATAL_ERROR "${model} compiled by ${compiler_name} disagrees with typegrad")
    endif()
  endforeach()
endforeach()
