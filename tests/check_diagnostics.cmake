# Every static_assert in include/ tests a trait of core/diagnostics.hpp,
# whose template arguments carry the shapes and names the compiler prints
# with the error; only "typegrad: internal:" checks are exempt. Variable:
# INCLUDE_DIR.
include(${CMAKE_CURRENT_LIST_DIR}/header_text.cmake)
file(GLOB_RECURSE headers "${INCLUDE_DIR}/typegrad/*.hpp")
set(bypassing)
set(checked 0)
foreach(header IN LISTS headers)
  read_header_text("${header}" text)
  # From "static_assert(" to the opening quote of its message.
  string(REGEX MATCHALL "static_assert\\([^\"]*\"typegrad: [^\"]*\"" asserts "${text}")
  foreach(assert IN LISTS asserts)
    math(EXPR checked "${checked} + 1")
    # detail::scalar_agreement picks one diagnostics:: trait for the first
    # two bindings that differ.
    if(NOT assert MATCHES "diagnostics::|detail::scalar_agreement<" AND NOT assert MATCHES "\"typegrad: internal:")
      file(RELATIVE_PATH name "${INCLUDE_DIR}" "${header}")
      string(REGEX REPLACE "[ \n]+" " " assert "${assert}")
      list(APPEND bypassing "${name}: ${assert}")
    endif()
  endforeach()
endforeach()
if(bypassing)
  list(JOIN bypassing "\n  " lines)
  message(FATAL_ERROR "static_asserts that bypass core/diagnostics.hpp:\n  ${lines}")
endif()
if(checked LESS 20)
  message(FATAL_ERROR "found only ${checked} static_asserts; the pattern no longer matches the headers")
endif()
message(STATUS "${checked} static_asserts, each through core/diagnostics.hpp")
