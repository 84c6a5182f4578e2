# Every dependency comes from Debian's packages (see scripts/install-deps).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(CURL REQUIRED)
find_package(PostgreSQL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(RapidJSON CONFIG REQUIRED)
pkg_check_modules(PISTACHE REQUIRED IMPORTED_TARGET libpistache)
# Passwords: argon2id (libargon2) for new hashes, bcrypt (libxcrypt) for imported ones.
pkg_check_modules(ARGON2 REQUIRED IMPORTED_TARGET libargon2)
pkg_check_modules(XCRYPT REQUIRED IMPORTED_TARGET libxcrypt)

# RapidJSON is header-only and ships no target.
add_library(portico_rapidjson INTERFACE)
target_include_directories(portico_rapidjson SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIRS})
target_compile_definitions(portico_rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)

# Debian ships SOCI without CMake config or .pc files.
find_path(SOCI_INCLUDE_DIR soci/soci.h REQUIRED)
find_library(SOCI_CORE_LIBRARY soci_core REQUIRED)
find_library(SOCI_SQLITE3_LIBRARY soci_sqlite3 REQUIRED)
find_library(SOCI_POSTGRESQL_LIBRARY soci_postgresql REQUIRED)
# Debian's soci-config.h hard-defines SOCI_HAVE_BOOST and includes boost/fusion.
find_path(BOOST_FUSION_INCLUDE_DIR boost/fusion/include/size.hpp REQUIRED)
add_library(portico_soci INTERFACE)
target_include_directories(portico_soci SYSTEM INTERFACE ${SOCI_INCLUDE_DIR} ${BOOST_FUSION_INCLUDE_DIR})
target_link_libraries(portico_soci INTERFACE
  ${SOCI_CORE_LIBRARY} ${SOCI_SQLITE3_LIBRARY} ${SOCI_POSTGRESQL_LIBRARY}
  PostgreSQL::PostgreSQL SQLite::SQLite3 ${CMAKE_DL_LIBS})

if(PORTICO_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
  include(GoogleTest)
endif()
