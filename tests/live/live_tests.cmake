# Live-kernel tests: `kpath live` against the real kernel, in namespaces it creates (needs root,
# netns and tracefs; CI runs as root). They never skip silently: without root they fail with a
# clear message; KPATH_SKIP_LIVE=1 in the environment skips them (exit 77, reported as skipped).
if(NOT KPATH_LIVE_TESTS)
  return()
endif()

# What needs no root (commands built from a HostConfig, frame bytes, trace following, the
# comparison): an ordinary Catch2 binary, run like the other unit tests.
file(GLOB KPATH_LIVE_UNIT_SRC CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.test.cpp)
add_executable(kpath-live-unit-tests ${PROJECT_SOURCE_DIR}/tests/test_main.cpp ${KPATH_LIVE_UNIT_SRC})
target_link_libraries(kpath-live-unit-tests PRIVATE kpath::sim Catch2::Catch2)
target_include_directories(kpath-live-unit-tests PRIVATE ${PROJECT_SOURCE_DIR})
target_compile_definitions(kpath-live-unit-tests PRIVATE KPATH_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
catch_discover_tests(kpath-live-unit-tests TEST_PREFIX "live.unit." WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})

set(KPATH_LIVE_STORY ${PROJECT_SOURCE_DIR}/examples/tproxy-local-route)
set(KPATH_LIVE_PKT "tcp 10.200.0.1:40000 -> 1.2.3.4:80 iif veth-server syn")
set(KPATH_LIVE_RUN ${CMAKE_CURRENT_LIST_DIR}/run_live.sh)

add_test(NAME live.story_broken
         COMMAND ${KPATH_LIVE_RUN} $<TARGET_FILE:kpath> live ${KPATH_LIVE_STORY}/broken.sh --packet ${KPATH_LIVE_PKT})
add_test(NAME live.story_fixed
         COMMAND ${KPATH_LIVE_RUN} $<TARGET_FILE:kpath> live ${KPATH_LIVE_STORY}/fixed.sh --packet ${KPATH_LIVE_PKT})
add_test(NAME live.story_expect
         COMMAND ${KPATH_LIVE_RUN} $<TARGET_FILE:kpath> live ${KPATH_LIVE_STORY}/fixed.sh --expect ${KPATH_LIVE_STORY}/expect.json)
# Kills `kpath live` with SIGINT, SIGTERM and SIGKILL at random moments; checks that nothing is
# left (after SIGKILL: once the next run has reaped it) and that the host's own rules, routes
# and rulesets are unchanged.
add_test(NAME live.safety
         COMMAND ${KPATH_LIVE_RUN} ${CMAKE_CURRENT_LIST_DIR}/safety.sh $<TARGET_FILE:kpath> ${KPATH_LIVE_STORY})

set_tests_properties(live.story_broken live.story_fixed live.story_expect live.safety PROPERTIES
                     WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                     SKIP_RETURN_CODE 77
                     RESOURCE_LOCK kpath_live
                     TIMEOUT 300
                     LABELS live)

# Receive-path fidelity cases (tests/live/fidelity/NAME.sh + NAME.expect.json): each runs offline in
# `kpath test` and against the kernel in `kpath live`, so the model and the kernel are pinned to the
# same expectations.
file(GLOB KPATH_LIVE_FIDELITY CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/fidelity/*.sh)
foreach(cfg ${KPATH_LIVE_FIDELITY})
  get_filename_component(name ${cfg} NAME_WE)
  get_filename_component(dir ${cfg} DIRECTORY)
  add_test(NAME live.fidelity.${name}
           COMMAND ${KPATH_LIVE_RUN} $<TARGET_FILE:kpath> live ${cfg} --expect ${dir}/${name}.expect.json)
  set_tests_properties(live.fidelity.${name} PROPERTIES WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} SKIP_RETURN_CODE 77
                       RESOURCE_LOCK kpath_live TIMEOUT 120 LABELS live)
  add_test(NAME fidelity.offline.${name} COMMAND $<TARGET_FILE:kpath> test ${cfg} --expect ${dir}/${name}.expect.json)
endforeach()
