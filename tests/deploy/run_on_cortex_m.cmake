# Builds examples/digits' emitted headers for emulated Cortex-M cores and runs
# them under QEMU. Variables: DIGITS (the example, which writes the headers
# next to itself), HOST_CC, ARM_CC, ARM_SIZE, QEMU, SOURCE (check_on_device.c),
# WORK_DIR, MODE (check or count).
#   check: for each core (M3, M4, M7, M55), the whole test split; int8 bit for bit against the
#          simulator, float within 1e-6 relative of the host's build of the
#          same C. Then flash and RAM of each model alone, from arm-none-eabi-size.
#   count: instructions per inference of each model on each core, and the
#          targets of docs/deploy.md.
# QEMU models no cycles; it counts instructions: with -singlestep each
# translated block is one instruction, and -d exec,nochain logs every block
# it executes. A program running the model on the first 4 test images, less
# the same program running it on none, over 4.
cmake_minimum_required(VERSION 3.25)
file(MAKE_DIRECTORY "${WORK_DIR}")
get_filename_component(headers "${DIGITS}" DIRECTORY)
execute_process(COMMAND "${DIGITS}" RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "digits failed:\n${out}")
endif()

# Cores: compiler flags, QEMU machine, memory (bytes of code memory at 0 and
# of RAM at 0x20000000). The M3 has no FPU and no DSP extension; the M4 has a
# single-precision FPU and the DSP extension (SMLAD), the M7 a double-precision
# FPU and DSP, the M55 DSP and Helium (MVE). The M3 and M4 carry the targets.
set(cores m3 m4 m7 m55)
set(flags_m3 "-mcpu=cortex-m3 -mthumb -mfloat-abi=soft")
set(machine_m3 mps2-an385)
set(flags_m4 "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
set(machine_m4 mps2-an386)
set(flags_m7 "-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16")
set(machine_m7 mps2-an500)
set(flags_m55 "-mcpu=cortex-m55 -mthumb -mfloat-abi=hard")
set(machine_m55 mps3-an547)
foreach(core m3 m4 m7)
  set(memory_${core} 0x400000)  # MPS2: 4 MiB of SSRAM at 0 and at 0x20000000
endforeach()
set(memory_m55 0x80000)  # MPS3 AN547: 512 KiB of ITCM at 0 and of DTCM at 0x20000000
# picolibc with semihosting: main's return value leaves QEMU, printf goes to
# its stderr.
set(link --specs=picolibc.specs --oslib=semihost --crt0=hosted -Wl,--defsym=__flash=0x00000000
         -Wl,--defsym=__ram=0x20000000)
set(warnings -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror)

function(arm_build core output)
  separate_arguments(flags UNIX_COMMAND "${flags_${core}}")
  execute_process(COMMAND "${ARM_CC}" ${flags} ${warnings} "-I${headers}" "-I${WORK_DIR}" ${ARGN} "${SOURCE}" ${link}
                          -Wl,--defsym=__flash_size=${memory_${core}} -Wl,--defsym=__ram_size=${memory_${core}}
                          -o "${output}" -lm
                  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "arm-none-eabi-gcc ${flags_${core}} rejects the headers or ${SOURCE}:\n${out}")
  endif()
endfunction()

function(qemu_run machine elf)
  execute_process(COMMAND "${QEMU}" -M ${machine} -nographic -semihosting-config enable=on,target=native -kernel "${elf}"
                  TIMEOUT 300 RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
  string(STRIP "${out}" out)
  set(run_result "${result}" PARENT_SCOPE)
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

function(qemu_count machine elf)
  execute_process(COMMAND "${QEMU}" -M ${machine} -nographic -semihosting-config enable=on,target=native -singlestep
                          -d exec,nochain -D /dev/stdout -kernel "${elf}"
                  COMMAND grep -c "^Trace"
                  TIMEOUT 600 RESULTS_VARIABLE results OUTPUT_VARIABLE count ERROR_VARIABLE err)
  list(GET results 0 result)
  string(STRIP "${count}" count)
  if(NOT result EQUAL 0 OR NOT count MATCHES "^[0-9]+$")
    message(FATAL_ERROR "counting ${elf} under ${machine} failed: ${results} ${err}")
  endif()
  set(instructions "${count}" PARENT_SCOPE)
endfunction()

if(MODE STREQUAL "check")
  execute_process(COMMAND "${HOST_CC}" ${warnings} -DRECORD "-I${headers}" "${SOURCE}" -o "${WORK_DIR}/record" -lm
                  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "the host compiler rejects ${SOURCE}:\n${out}")
  endif()
  execute_process(COMMAND "${WORK_DIR}/record" OUTPUT_FILE "${WORK_DIR}/host_outputs.h" RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "recording the host's float outputs failed")
  endif()
  file(WRITE "${WORK_DIR}/float_only.c" "#include \"digits_model.h\"\n"
             "void run(const float* in, float* out) { digits_model(in, out); }\n")
  file(WRITE "${WORK_DIR}/int8_only.c" "#include \"digits_model_int8.h\"\n"
             "void run(const int8_t* in, int8_t* out) { digits_model_int8(in, out); }\n")
  set(failed FALSE)
  foreach(core IN LISTS cores)
    arm_build(${core} "${WORK_DIR}/check_${core}.elf")
    qemu_run(${machine_${core}} "${WORK_DIR}/check_${core}.elf")
    message(STATUS "Cortex-${core} (${machine_${core}}):\n${run_output}")
    if(NOT run_result EQUAL 0)
      set(failed TRUE)
    endif()
    # Each model alone: its code and constant data (flash: text, which holds
    # .rodata) from an object file that calls it; its RAM is the scratch the
    # header states, on the stack of the call.
    separate_arguments(flags UNIX_COMMAND "${flags_${core}}")
    foreach(kind float int8)
      execute_process(COMMAND "${ARM_CC}" ${flags} ${warnings} "-I${headers}" -c "${WORK_DIR}/${kind}_only.c"
                              -o "${WORK_DIR}/${kind}_only_${core}.o" RESULT_VARIABLE result ERROR_VARIABLE out)
      if(NOT result EQUAL 0)
        message(FATAL_ERROR "arm-none-eabi-gcc rejects the ${kind} header:\n${out}")
      endif()
      execute_process(COMMAND "${ARM_SIZE}" "${WORK_DIR}/${kind}_only_${core}.o" OUTPUT_VARIABLE sizes)
      string(REGEX MATCH "\n *([0-9]+)[ \t]+([0-9]+)[ \t]+([0-9]+)" row "${sizes}")
      message(STATUS "Cortex-${core} ${kind} model alone: ${CMAKE_MATCH_1} bytes of flash (text and constants), "
                     "${CMAKE_MATCH_2} of data, ${CMAKE_MATCH_3} of bss")
    endforeach()
  endforeach()
  if(failed)
    message(FATAL_ERROR "a model on emulated Cortex-M disagrees with the host")
  endif()
elseif(MODE STREQUAL "count")
  foreach(core IN LISTS cores)
    foreach(kind float int8)
      set(define "")
      if(kind STREQUAL "int8")
        set(define -DCOUNT_INT8)
      endif()
      foreach(runs 0 4)
        arm_build(${core} "${WORK_DIR}/count_${core}_${kind}_${runs}.elf" -DINFERENCES=${runs} ${define})
        qemu_count(${machine_${core}} "${WORK_DIR}/count_${core}_${kind}_${runs}.elf")
        set(total_${runs} ${instructions})
      endforeach()
      math(EXPR per_${core}_${kind} "(${total_4} - ${total_0}) / 4")
      message(STATUS "Cortex-${core} ${kind}: ${per_${core}_${kind}} instructions per inference")
    endforeach()
  endforeach()
  math(EXPR permille "1000 * ${per_m3_int8} / ${per_m3_float}")
  message(STATUS "Cortex-m3: int8 takes ${permille}/1000 of float's instructions (target: at most 100/1000)")
  message(STATUS "Cortex-m4: int8 takes ${per_m4_int8} instructions (target: at most 12100)")
  if(permille GREATER 100 OR per_m4_int8 GREATER 12100)
    message(FATAL_ERROR "a target of docs/deploy.md is missed")
  endif()
else()
  message(FATAL_ERROR "MODE must be check or count")
endif()
