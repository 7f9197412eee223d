# read_header_text(PATH OUT): a header's text, with the characters that have
# a meaning in a CMake list (semicolons and brackets) replaced by "," and
# "(" ")", so that the text can be matched and split into lines safely.
# Included by the checks that read include/ as text.
function(read_header_text path out)
  file(READ "${path}" text)
  string(REPLACE ";" "," text "${text}")
  string(REPLACE "[" "(" text "${text}")
  string(REPLACE "]" ")" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()
