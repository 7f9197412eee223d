# Optional components are optional in fact. Configures typegrad four times
# with nlohmann_json, zlib and Catch2 hidden (CMAKE_DISABLE_FIND_PACKAGE_*):
#  - by default, configuring succeeds and says what it skips;
#  - with TYPEGRAD_WITH_SAFETENSORS=ON, a missing nlohmann_json is an error;
#  - with TYPEGRAD_WITH_IDX=ON, a missing zlib is an error;
#  - with BUILD_TESTING=ON, a missing Catch2 is an error.
# Variables: SOURCE_DIR, WORK_DIR, CXX.
function(configure_typegrad name expect_success expect_output)
  set(build_dir "${WORK_DIR}/${name}")
  file(REMOVE_RECURSE "${build_dir}")
  execute_process(COMMAND ${CMAKE_COMMAND} -S "${SOURCE_DIR}" -B "${build_dir}" -DCMAKE_CXX_COMPILER=${CXX}
                          -DCMAKE_DISABLE_FIND_PACKAGE_nlohmann_json=ON -DCMAKE_DISABLE_FIND_PACKAGE_Catch2=ON
                          -DCMAKE_DISABLE_FIND_PACKAGE_ZLIB=ON
                          -DTYPEGRAD_BUILD_EXAMPLES=OFF ${ARGN}
                  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(expect_success AND NOT result EQUAL 0)
    message(FATAL_ERROR "${name}: configuring failed:\n${out}")
  elseif(NOT expect_success AND result EQUAL 0)
    message(FATAL_ERROR "${name}: configuring succeeded, but should have failed:\n${out}")
  endif()
  foreach(line IN LISTS expect_output)
    string(FIND "${out}" "${line}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "${name}: the output lacks \"${line}\":\n${out}")
    endif()
  endforeach()
endfunction()

configure_typegrad(by_default TRUE
  "typegrad: nlohmann_json 3.11 not found, so typegrad::safetensors is not built;typegrad: zlib not found, so typegrad::idx is not built;typegrad: Catch2 2.13 not found, so the tests are not built")
configure_typegrad(safetensors_required FALSE "nlohmann_json" -DTYPEGRAD_WITH_SAFETENSORS=ON -DBUILD_TESTING=OFF)
configure_typegrad(idx_required FALSE "ZLIB" -DTYPEGRAD_WITH_IDX=ON -DBUILD_TESTING=OFF)
configure_typegrad(tests_required FALSE "Catch2" -DBUILD_TESTING=ON)
message(STATUS "optional components: skipped with a status line by default, an error when asked for")
