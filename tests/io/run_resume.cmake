# N steps, a checkpoint, a new process, M more steps: the parameters equal,
# byte for byte, those of N + M steps in one process. Variables: RESUME (the
# executable), N, M, WORK_DIR.
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
math(EXPR total "${N} + ${M}")
foreach(command IN ITEMS "straight;${total};${WORK_DIR}/straight.safetensors"
                         "first;${N};${WORK_DIR}/checkpoint.safetensors"
                         "continue;${WORK_DIR}/checkpoint.safetensors;${M};${WORK_DIR}/resumed.safetensors")
  execute_process(COMMAND ${RESUME} ${command} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "resume ${command} failed: ${out}")
  endif()
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK_DIR}/straight.safetensors ${WORK_DIR}/resumed.safetensors
                RESULT_VARIABLE differ)
if(NOT differ EQUAL 0)
  message(FATAL_ERROR "the resumed parameters differ from the unbroken run's (${N} + ${M} steps)")
endif()
message(STATUS "resumed after ${N} of ${total} steps: the parameters are bit for bit the unbroken run's")
