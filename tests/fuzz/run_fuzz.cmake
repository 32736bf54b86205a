# SPDX-License-Identifier: Apache-2.0
# run_fuzz.cmake - one ctest fuzz run: lay a fresh corpus in the build dir from the seeds, run
# the fuzzer on it for a bounded time, fail on any crash, leak, timeout or OOM.
#   cmake -DFUZZER=exe -DCORPUS=dir -DSEEDS="glob|glob..." [-DFILTER=regex] -DDICT=file
#         -DTIME=secs [-DARTIFACTS=dir] -P run_fuzz.cmake
# SEEDS are recursive globs separated by '|' (ctest would split a ';' list), expanded when the
# test runs, so new seed files need no reconfigure; FILTER keeps the paths matching it. Seed
# files get a number and their folder's name as a prefix: upstream has several falco_rules.yaml.
foreach(v FUZZER CORPUS SEEDS DICT TIME)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "run_fuzz.cmake: -D${v}= is required")
  endif()
endforeach()
if(NOT DEFINED ARTIFACTS)
  set(ARTIFACTS "${CORPUS}-artifacts")
endif()

file(REMOVE_RECURSE "${CORPUS}")
file(MAKE_DIRECTORY "${CORPUS}" "${ARTIFACTS}")
string(REPLACE "|" ";" globs "${SEEDS}")
set(n 0)
foreach(g IN LISTS globs)
  file(GLOB_RECURSE files LIST_DIRECTORIES false "${g}")
  list(SORT files)
  if(DEFINED FILTER)
    list(FILTER files INCLUDE REGEX "${FILTER}")
  endif()
  foreach(f IN LISTS files)
    get_filename_component(dir "${f}" DIRECTORY)
    get_filename_component(dir "${dir}" NAME)
    get_filename_component(name "${f}" NAME)
    file(COPY_FILE "${f}" "${CORPUS}/${n}-${dir}-${name}")
    math(EXPR n "${n} + 1")
  endforeach()
endforeach()
message(STATUS "${FUZZER}: ${n} seed files in ${CORPUS}")
if(n EQUAL 0)
  message(FATAL_ERROR "no seeds found in ${SEEDS}")
endif()

execute_process(
  COMMAND "${FUZZER}" -max_total_time=${TIME} -timeout=10 -rss_limit_mb=2048
          -print_final_stats=1 -dict=${DICT} -artifact_prefix=${ARTIFACTS}/ "${CORPUS}"
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${FUZZER} failed (${rc}); the reproducer is in ${ARTIFACTS}/ "
                      "(run: ${FUZZER} ${ARTIFACTS}/<file>)")
endif()
