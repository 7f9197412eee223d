# Every public header compiles on its own (-fsyntax-only), so each stays
# self-contained. Variables: COMPILER, INCLUDE_DIR, WORK_DIR, WITH_SAFETENSORS
# (when off, typegrad/io/safetensors.hpp, which needs nlohmann/json, is left out).
file(GLOB_RECURSE headers RELATIVE "${INCLUDE_DIR}" "${INCLUDE_DIR}/typegrad/*.hpp")
if(NOT WITH_SAFETENSORS)
  list(REMOVE_ITEM headers "typegrad/io/safetensors.hpp")
endif()
file(MAKE_DIRECTORY "${WORK_DIR}")
set(failed)
foreach(header IN LISTS headers)
  string(MAKE_C_IDENTIFIER "${header}" stem)
  set(source "${WORK_DIR}/${stem}.cpp")
  file(WRITE "${source}" "#include <${header}>\n#include <${header}>\nint main() { return 0; }\n")
  execute_process(COMMAND ${COMPILER} -std=c++20 -fsyntax-only -Wall -Wextra "-I${INCLUDE_DIR}" "${source}"
                  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT result EQUAL 0 OR NOT out STREQUAL "")
    list(APPEND failed "${header}:\n${out}")
  endif()
endforeach()
list(LENGTH headers count)
if(failed)
  message(FATAL_ERROR "headers that do not stand alone (or warn):\n${failed}")
endif()
message(STATUS "${count} headers each compile on their own")
