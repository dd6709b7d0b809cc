#!/bin/bash
# Accept every tests/golden/*.unapproved.* output as the new approved one (review the diff first).
set -euo pipefail
cd "$(dirname "$0")/../tests/golden"
for f in *.unapproved.*; do
  [ -e "$f" ] || continue
  mv "$f" "${f/.unapproved./.approved.}"
  echo "approved ${f/.unapproved./.approved.}"
done
