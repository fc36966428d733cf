# Post-build step of x07-os-runner: builds the C runtime library for the default C
# toolchain once, so a new user's first run costs a program compile, not a library build.
# The runner itself builds it (into a scratch cache) and the result is copied to OUT
# (<build>/lib/x07/rt, installed as <prefix>/lib/x07/rt), where the runner looks first.
# Inputs: RUNNER (the runner executable), WORK (scratch dir), OUT.
file(MAKE_DIRECTORY "${WORK}")
file(WRITE "${WORK}/hello.x07.json"
  "{\"schema_version\":\"x07.x07ast@0.8.0\",\"kind\":\"entry\",\"module_id\":\"main\",\"imports\":[],\"decls\":[],\"solve\":[\"bytes.lit\",\"hi\"]}")
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env --unset=X07_CC --unset=X07_CC_ARGS "X07_NATIVE_CACHE_DIR=${WORK}/cache"
          "${RUNNER}" --program "${WORK}/hello.x07.json" --compile-only
  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(WARNING "x07: prebuilding the runtime library failed (runs will build it on first use): ${err}")
  return()
endif()
file(GLOB built LIST_DIRECTORIES true "${WORK}/cache/rt/*")
foreach(dir ${built})
  get_filename_component(name "${dir}" NAME)
  if(IS_DIRECTORY "${dir}" AND NOT name MATCHES "^\\." AND EXISTS "${dir}/libx07rt.a")
    file(REMOVE_RECURSE "${OUT}.tmp")
    file(COPY "${dir}/" DESTINATION "${OUT}.tmp/${name}")
    # Only the current library: older ones were for older runtime sources.
    file(REMOVE_RECURSE "${OUT}")
    file(RENAME "${OUT}.tmp" "${OUT}")
  endif()
endforeach()
file(REMOVE_RECURSE "${WORK}/cache")
