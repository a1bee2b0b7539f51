# Shared build helpers: warnings for our own code, one library per module, one test per file.

set(BULWARK_WARNINGS -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor -Wno-missing-field-initializers)
# GCC 12 reports false -Wrestrict / -Wmaybe-uninitialized inside std::string at -O2/-O3
# (GCC bugs 105329 and 105651); they stay warnings, not errors, for GCC only.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND BULWARK_WARNINGS -Wno-error=restrict -Wno-restrict -Wno-error=maybe-uninitialized)
endif()
# banned.h makes unsafe C string functions fail to compile in our code.
set(BULWARK_BANNED_HEADER ${CMAKE_SOURCE_DIR}/src/core/banned.hpp)

# bulwark_add_module(NAME SOURCES... DEPS ...): one module = one folder = one static library.
function(bulwark_add_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS" ${ARGN})
  add_library(bulwark_${name} STATIC ${M_SOURCES})
  target_include_directories(bulwark_${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  target_compile_options(bulwark_${name} PRIVATE ${BULWARK_WARNINGS} -include ${BULWARK_BANNED_HEADER})
  target_link_libraries(bulwark_${name} PUBLIC ${M_DEPS})
endfunction()

# bulwark_add_test(NAME SOURCES... DEPS ...): one GoogleTest executable registered with CTest.
function(bulwark_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_compile_options(${name} PRIVATE ${BULWARK_WARNINGS})
  target_link_libraries(${name} PRIVATE ${T_DEPS} bulwark_test_support GTest::gtest GTest::gtest_main GTest::gmock)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77 ENVIRONMENT "BULWARK_SHARED=${CMAKE_SOURCE_DIR}/../shared")
  if(T_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}")
  endif()
endfunction()
