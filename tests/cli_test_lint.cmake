# CLI contracts of `kpath test` and `kpath lint` (exit codes, summary lines, JUnit, the story).
set(STORY ${PROJECT_SOURCE_DIR}/examples/tproxy-local-route)
set(STORY_PKT "tcp 10.200.0.1:40000 -> 1.2.3.4:80 iif veth-server syn")
set(KPATH_BIN $<TARGET_FILE:kpath>)

# kpath test: fixed.sh passes every case (exit 0), broken.sh fails one (exit 1)
kpath_cli_test(test_fixed_summary ARGS test ${STORY}/fixed.sh --expect ${STORY}/expect.json REGEX "(^|\n)2 passed, 0 failed\n")
add_test(NAME cli.test_fixed_exit0 COMMAND sh -c "\"$0\" test \"$1/fixed.sh\" --expect \"$1/expect.json\" >/dev/null; test $? -eq 0" ${KPATH_BIN} ${STORY})
kpath_cli_test(test_broken_summary ARGS test ${STORY}/broken.sh --expect ${STORY}/expect.json REGEX "(^|\n)1 passed, 1 failed\n")
kpath_cli_test(test_broken_fail_line ARGS test ${STORY}/broken.sh --expect ${STORY}/expect.json
               REGEX "FAIL  a diverted SYN reaches the transparent proxy\n.*disposition +deliver +drop")
add_test(NAME cli.test_broken_exit1 COMMAND sh -c "\"$0\" test \"$1/broken.sh\" --expect \"$1/expect.json\" >/dev/null; test $? -eq 1" ${KPATH_BIN} ${STORY})
kpath_cli_test(test_json ARGS test ${STORY}/broken.sh --expect ${STORY}/expect.json --format json REGEX "\"summary\": \"1 passed, 1 failed\"")

# JUnit: written, well-formed (xmllint when present, else a structural grep), failures counted
add_test(NAME cli.test_junit_wellformed COMMAND sh -c "
  out=\"$2/junit-broken.xml\"; rm -f \"$out\"
  \"$0\" test \"$1/broken.sh\" --expect \"$1/expect.json\" --junit \"$out\" >/dev/null; test $? -eq 1 || exit 1
  if command -v xmllint >/dev/null; then xmllint --noout \"$out\" || exit 1; fi
  grep -q '<testsuites name=\"kpath test\" tests=\"2\" failures=\"1\"' \"$out\" || exit 1
  grep -q '<failure message=\"disposition: expected deliver, actual drop' \"$out\" || exit 1
  tail -n 1 \"$out\" | grep -q '^</testsuites>$'" ${KPATH_BIN} ${STORY} ${PROJECT_BINARY_DIR})

# bad input is exit 2 with file:line:col
file(WRITE ${PROJECT_BINARY_DIR}/cli-bad-expect.json "{\"cases\": [\n  {\"name\": \"x\", \"packet\": \"tcp 1.1.1.1:1 -> 2.2.2.2:2\",\n   \"expect\": {\"sockt\": null}}\n]}\n")
kpath_cli_test(test_bad_expect_message ARGS test ${STORY}/fixed.sh --expect ${PROJECT_BINARY_DIR}/cli-bad-expect.json
               REGEX "cli-bad-expect.json:3:15: error: unknown key \"sockt\" in \"expect\"")
add_test(NAME cli.test_bad_expect_exit2 COMMAND sh -c "\"$0\" test \"$1/fixed.sh\" --expect \"$2/cli-bad-expect.json\" 2>/dev/null; test $? -eq 2"
         ${KPATH_BIN} ${STORY} ${PROJECT_BINARY_DIR})
kpath_cli_test(test_nothing_to_test ARGS test ${STORY}/fixed.sh REGEX "nothing to test")

# kpath lint: the story diagnostic with the story packet as witness (exit 1); fixed.sh is clean (exit 0)
kpath_cli_test(lint_broken_story ARGS lint ${STORY}/broken.sh
               REGEX "broken.sh:25:1: error: \\[tproxy-route-not-local\\].*witness: tcp 10.200.0.1:40000 -> 1.2.3.4:80 iif veth-server syn\n.*1 error, 0 warnings")
add_test(NAME cli.lint_broken_exit1 COMMAND sh -c "\"$0\" lint \"$1/broken.sh\" >/dev/null; test $? -eq 1" ${KPATH_BIN} ${STORY})
kpath_cli_test(lint_fixed_clean ARGS lint ${STORY}/fixed.sh REGEX "^0 errors, 0 warnings\n$")
add_test(NAME cli.lint_fixed_exit0 COMMAND sh -c "\"$0\" lint \"$1/fixed.sh\" >/dev/null; test $? -eq 0" ${KPATH_BIN} ${STORY})
kpath_cli_test(lint_json ARGS lint ${STORY}/broken.sh --format json REGEX "\"id\": \"tproxy-route-not-local\".*\"packet\": \"tcp 10.200.0.1:40000 -> 1.2.3.4:80 iif veth-server syn\"")
# the witness replays: explain on it shows the drop the lint claims
kpath_cli_test(lint_witness_replays ARGS explain ${STORY}/broken.sh --packet ${STORY_PKT} REGEX "DROP at ip_error: drop reason IP_INADDRERRORS")
