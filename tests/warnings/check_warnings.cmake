# Compiles SOURCE with COMPILER under each set of flags in FLAG_SETS
# ("-O2", "-O3 -march=native", ...), with -Wall -Wextra -Wpedantic -Werror;
# any warning fails the test and is shown. Variables: COMPILER, SOURCE,
# INCLUDE_DIR, FLAG_SETS, WORK_DIR.
file(MAKE_DIRECTORY "${WORK_DIR}")
foreach(flags IN LISTS FLAG_SETS)
  separate_arguments(flag_list UNIX_COMMAND "${flags}")
  execute_process(COMMAND ${COMPILER} -std=c++20 ${flag_list} -Wall -Wextra -Wpedantic -Werror "-I${INCLUDE_DIR}"
                          -c "${SOURCE}" -o "${WORK_DIR}/out.o"
                  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT result EQUAL 0)
    string(SUBSTRING "${out}" 0 4000 shown)
    message(FATAL_ERROR "warnings or errors at ${flags}:\n${shown}")
  endif()
  message(STATUS "no warning at ${flags}")
endforeach()
