#!/bin/bash
# Captures the golden outputs of `ip route get` from the live kernel for the route-get cases.
#
# For each tests/route_get/cases/NAME.expected (or the files given as arguments) this creates a
# private network namespace, applies NAME.sh in it with bash, runs every "$ ip ..." query line of
# NAME.expected inside the namespace and rewrites NAME.expected with what ip printed:
#   $ ip route get ...      the query (kept)
#   # ...                   a comment (kept)
#   anything else           stdout, verbatim (trailing spaces matter)
#   2> ...                  one line of stderr
#   [exit N]                the exit status, when it is not 0
# A new case starts as NAME.sh plus a NAME.expected holding only "$ " and "#" lines.
#
# Needs root. Touches nothing outside the namespaces it creates, and deletes them.
set -u
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then set -- "$here"/cases/*.expected; fi
if [ "$(id -u)" != 0 ]; then echo "capture.sh: needs root (network namespaces)" >&2; exit 3; fi

ns=""
cleanup() { if [ -n "$ns" ]; then ip netns del "$ns" 2>/dev/null; fi; }
trap cleanup EXIT

status=0
n=0
for exp in "$@"; do
  case_sh=${exp%.expected}.sh
  if [ ! -f "$case_sh" ]; then echo "capture.sh: $case_sh missing" >&2; status=1; continue; fi
  n=$((n + 1))
  ns=krg-$$-$n
  ip netns add "$ns" || exit 3
  if ! setup_err=$(ip netns exec "$ns" bash "$case_sh" 2>&1 >/dev/null); then
    echo "capture.sh: $case_sh failed in the namespace:" >&2
    echo "$setup_err" >&2
    status=1
  elif [ -n "$setup_err" ]; then
    echo "capture.sh: $case_sh wrote to stderr:" >&2
    echo "$setup_err" >&2
  fi
  tmp=$(mktemp)
  out=$(mktemp)
  err=$(mktemp)
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      '$ '*)
        printf '%s\n' "$line" >>"$tmp"
        read -r -a words <<<"${line#\$ }"
        ip netns exec "$ns" "${words[@]}" >"$out" 2>"$err"
        rc=$?
        cat "$out" >>"$tmp"
        if [ -s "$out" ] && [ "$(tail -c1 "$out" | od -An -c | tr -d ' ')" != '\n' ]; then
          printf '\n[no eol]\n' >>"$tmp"
        fi
        sed 's/^/2> /' "$err" >>"$tmp"
        if [ "$rc" != 0 ]; then printf '[exit %s]\n' "$rc" >>"$tmp"; fi
        ;;
      '#'*) printf '%s\n' "$line" >>"$tmp" ;;
      *) ;;  # old output: regenerated
    esac
  done <"$exp"
  mv "$tmp" "$exp"
  chmod 644 "$exp"
  rm -f "$out" "$err"
  ip netns del "$ns"
  ns=""
  echo "captured $(basename "$exp")"
done
exit $status
