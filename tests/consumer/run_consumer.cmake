# Builds and runs tests/consumer against typegrad in one of two ways.
# Variables: MODE (find_package | add_subdirectory), SOURCE_DIR, BUILD_DIR
# (typegrad's build tree, for the install), WORK_DIR, CXX.
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(configure_args -S "${SOURCE_DIR}/tests/consumer" -B "${WORK_DIR}/build" -DCMAKE_CXX_COMPILER=${CXX}
                   -DTYPEGRAD_CONSUME=${MODE})
if(MODE STREQUAL "find_package")
  execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${WORK_DIR}/prefix"
                  RESULT_VARIABLE result OUTPUT_QUIET)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "cmake --install failed")
  endif()
  list(APPEND configure_args -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
else()
  list(APPEND configure_args -DTYPEGRAD_SOURCE_DIR=${SOURCE_DIR})
endif()
foreach(step IN ITEMS configure build run run_safetensors)
  if(step STREQUAL "configure")
    set(command ${CMAKE_COMMAND} ${configure_args})
  elseif(step STREQUAL "build")
    set(command ${CMAKE_COMMAND} --build "${WORK_DIR}/build")
  elseif(step STREQUAL "run")
    set(command "${WORK_DIR}/build/consumer")
  else()
    set(command "${WORK_DIR}/build/consumer_safetensors")
  endif()
  execute_process(COMMAND ${command} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out
                  WORKING_DIRECTORY "${WORK_DIR}")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "consumer ${step} (${MODE}) failed:\n${out}")
  endif()
endforeach()
message(STATUS "consumer via ${MODE}: ${out}")
