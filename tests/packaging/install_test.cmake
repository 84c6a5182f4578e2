# ctest packaging.install: `cmake --install` into a fresh prefix puts the
# binary, the systemd unit and the example environment file where a package
# would, the unit runs that binary with its hardening intact, and (when this
# machine has systemd-analyze) systemd accepts the unit.
# Inputs: BUILD_DIR, BIN_DIR, UNIT_DIR, DOC_DIR.

function(fail)
  file(REMOVE_RECURSE "${prefix}")
  message(FATAL_ERROR ${ARGN})
endfunction()

string(RANDOM LENGTH 10 suffix)
set(prefix "/tmp/portico-install-${suffix}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  fail("cmake --install failed (${rc}):\n${out}\n${err}")
endif()

set(binary "${prefix}/${BIN_DIR}/portico")
set(unit "${prefix}/${UNIT_DIR}/portico.service")
set(example "${prefix}/${DOC_DIR}/portico.env.example")
foreach(path IN ITEMS "${binary}" "${unit}" "${example}")
  if(NOT EXISTS "${path}")
    fail("not installed: ${path}\n${out}")
  endif()
endforeach()

execute_process(COMMAND "${binary}" version RESULT_VARIABLE rc OUTPUT_VARIABLE version)
if(NOT rc EQUAL 0 OR NOT version MATCHES "^portico ")
  fail("${binary} version: ${rc} ${version}")
endif()

file(READ "${unit}" unit_text)
if(NOT unit_text MATCHES "\nExecStart=${binary} serve\n")
  fail("the unit does not run the installed binary (${binary} serve):\n${unit_text}")
endif()
foreach(directive IN ITEMS
    "DynamicUser=yes" "NoNewPrivileges=yes" "ProtectSystem=strict" "ProtectHome=yes"
    "PrivateTmp=yes" "PrivateDevices=yes" "ProtectKernelTunables=yes"
    "ProtectKernelModules=yes" "ProtectKernelLogs=yes"
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" "LockPersonality=yes"
    "MemoryDenyWriteExecute=yes" "SystemCallFilter=@system-service"
    "StateDirectory=portico" "EnvironmentFile=-/etc/portico/portico.env"
    "Restart=on-failure")
  string(FIND "${unit_text}" "\n${directive}\n" at)
  if(at EQUAL -1)
    fail("the unit lacks ${directive}")
  endif()
endforeach()

# Every assignment in the example is commented out, and the secrets are blank.
file(STRINGS "${example}" lines)
foreach(line IN LISTS lines)
  if(line MATCHES "^[A-Z_]+=")
    fail("the example sets a value: ${line}")
  endif()
endforeach()
foreach(secret IN ITEMS OTP_PEPPER KEY_HASH_SECRET RESEND_API_KEY)
  if(NOT ";${lines};" MATCHES ";#${secret}=;")
    fail("the example should list ${secret} blank")
  endif()
endforeach()

find_program(SYSTEMD_ANALYZE systemd-analyze)
if(SYSTEMD_ANALYZE)
  execute_process(COMMAND "${SYSTEMD_ANALYZE}" verify "${unit}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT "${out}${err}" STREQUAL "")
    fail("systemd-analyze verify ${unit} (${rc}):\n${out}${err}")
  endif()
else()
  message(STATUS "systemd-analyze not found: unit not verified")
endif()
file(REMOVE_RECURSE "${prefix}")
