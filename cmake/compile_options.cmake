add_library(portico_options INTERFACE)
# Designated initializers leave defaulted members out on purpose.
target_compile_options(portico_options INTERFACE -Wall -Wextra -Wno-missing-field-initializers)
if(PORTICO_WERROR)
  target_compile_options(portico_options INTERFACE -Werror)
endif()
if(PORTICO_TEST_HOOKS)
  target_compile_definitions(portico_options INTERFACE PORTICO_TEST_HOOKS=1)
endif()
if(PORTICO_SANITIZE)
  # -fno-sanitize=vptr: SOCI's backends trip UBSan's vptr check (TOOLCHAIN.md).
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# portico_module(NAME SOURCES… [LINKS …]) — a module library with the
# project's include root and options.
function(portico_module name)
  cmake_parse_arguments(M "" "" "SOURCES;LINKS" ${ARGN})
  if(NOT M_SOURCES)  # a module still being written: keep the graph linkable
    set(M_SOURCES ${CMAKE_CURRENT_BINARY_DIR}/${name}_empty.cc)
    file(WRITE ${M_SOURCES} "")
  endif()
  add_library(${name} STATIC ${M_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${M_LINKS} PRIVATE portico_options)
endfunction()

# The .cc files of a folder (not recursive).
function(portico_sources out dir)
  file(GLOB found CONFIGURE_DEPENDS ${dir}/*.cc)
  set(${out} ${found} PARENT_SCOPE)
endfunction()

# portico_test(NAME SOURCES… LINKS …) — one GoogleTest executable per module.
function(portico_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LINKS;PROPERTIES" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LINKS} GTest::gmock GTest::gtest_main portico_options)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES ${T_PROPERTIES})
endfunction()
