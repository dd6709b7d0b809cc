#!/bin/bash
# README command 1: set up, build, and explain the bundled TPROXY story, broken then fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
PKT="tcp 10.200.0.1:40000 -> 1.2.3.4:80 iif veth-server syn"
for v in broken fixed; do
  echo "================ examples/tproxy-local-route/$v.sh ================"
  build/kpath explain "examples/tproxy-local-route/$v.sh" --packet "$PKT"
  echo
done
