# Runs one must-not-compile case (cmake -P). The source names what it expects
# in comments:
#   // expect-error: REGEX        the first error line must match (and start "typegrad:")
#   // expect-context: REGEX      optional; each must match the first error or the 3 lines after it (repeatable)
#   // the line marked "// <- error" is the user's line the compiler must point at
# The whole output must stay under 40 lines.
# A source that uses TYPEGRAD_TWIN has a twin: with -DTYPEGRAD_TWIN it must
# compile, so the marked line alone is the cause. No further error may follow
# the first (no cascade).
# Variables: COMPILER, SOURCE, INCLUDE_DIRS (;-list), STD_FLAG; optionally
# EXPECT_ERROR, EXPECT_CONTEXT (;-list), EXPECT_LINE.
# A file that cannot carry these comments (the shared contract, kept
# unchanged) passes them as EXPECT_ERROR, EXPECT_CONTEXT and EXPECT_LINE.
file(READ "${SOURCE}" text)
file(STRINGS "${SOURCE}" lines)
if(DEFINED EXPECT_ERROR)
  set(expect_error "${EXPECT_ERROR}")
  set(context_lines)
  foreach(context IN LISTS EXPECT_CONTEXT)
    list(APPEND context_lines "// expect-context: ${context}")
  endforeach()
else()
  string(REGEX MATCH "// expect-error: ([^\n]*)" _ "${text}")
  set(expect_error "${CMAKE_MATCH_1}")
  string(REGEX MATCHALL "// expect-context: [^\n]*" context_lines "${text}")
endif()
if(expect_error STREQUAL "")
  message(FATAL_ERROR "${SOURCE}: no '// expect-error:' line")
endif()

set(marked_line 0)
if(DEFINED EXPECT_LINE)
  set(marked_line ${EXPECT_LINE})
endif()
set(n 0)
foreach(line IN LISTS lines)
  math(EXPR n "${n} + 1")
  if(line MATCHES "// <- error")
    set(marked_line ${n})
  endif()
endforeach()

set(include_flags)
foreach(dir IN LISTS INCLUDE_DIRS)
  list(APPEND include_flags "-I${dir}")
endforeach()

if(text MATCHES "TYPEGRAD_TWIN")
  execute_process(COMMAND ${COMPILER} ${STD_FLAG} -fsyntax-only ${include_flags} -DTYPEGRAD_TWIN "${SOURCE}"
                  RESULT_VARIABLE twin_result OUTPUT_VARIABLE twin_out ERROR_VARIABLE twin_out)
  if(NOT twin_result EQUAL 0)
    message(FATAL_ERROR "the twin (-DTYPEGRAD_TWIN) must compile but does not:\n${twin_out}")
  endif()
endif()

execute_process(COMMAND ${COMPILER} ${STD_FLAG} -fsyntax-only -fno-diagnostics-color ${include_flags} "${SOURCE}"
                RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(result EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but it must not")
endif()

# Compiler output holds ';' and brackets, so it is searched as one string,
# never split into a CMake list.
string(FIND "${out}" "error:" at)
if(at EQUAL -1)
  message(FATAL_ERROR "no error line in the output:\n${out}")
endif()
string(SUBSTRING "${out}" 0 ${at} before)
string(FIND "${before}" "\n" line_start REVERSE)
math(EXPR line_start "${line_start} + 1")
string(SUBSTRING "${out}" ${line_start} -1 from_error)
string(FIND "${from_error}" "\n" line_end)
string(SUBSTRING "${from_error}" 0 ${line_end} first_error)
# The note that carries the condition follows within a few lines.
string(SUBSTRING "${from_error}" 0 1200 after)
string(REGEX MATCHALL "error:" errors "${out}")
list(LENGTH errors error_count)

if(NOT first_error MATCHES "typegrad:")
  message(FATAL_ERROR "the first error is not typegrad's own:\n${first_error}\n\nfull output:\n${out}")
endif()
if(NOT first_error MATCHES "${expect_error}")
  message(FATAL_ERROR "the first error does not match '${expect_error}':\n${first_error}")
endif()
foreach(context IN LISTS context_lines)
  string(REGEX REPLACE "^// expect-context: " "" context "${context}")
  if(NOT "${after}" MATCHES "${context}")
    message(FATAL_ERROR "'${context}' is in neither the first error nor the note after it:\n${first_error}\n${after}")
  endif()
endforeach()
if(NOT error_count EQUAL 1)
  message(FATAL_ERROR "${error_count} errors: the first must be the only one (no cascade):\n${out}")
endif()
get_filename_component(name "${SOURCE}" NAME)
if(marked_line EQUAL 0)
  message(FATAL_ERROR "${SOURCE}: no line is marked '// <- error'")
endif()
if(NOT out MATCHES "${name}:${marked_line}:")
  message(FATAL_ERROR "the diagnostic does not point at the user's line ${name}:${marked_line}:\n${out}")
endif()
# Short enough to read: under 40 lines in all.
string(REGEX MATCHALL "\n" newlines "${out}")
list(LENGTH newlines line_count)
if(line_count GREATER_EQUAL 40)
  message(FATAL_ERROR "the diagnostic runs to ${line_count} lines; it must stay under 40:\n${out}")
endif()
message(STATUS "rejected as expected: ${first_error}")
