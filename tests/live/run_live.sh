#!/bin/sh
# Runs one live test command. Live tests need root; they must not pass by doing nothing:
# without root this fails with a clear message, unless KPATH_SKIP_LIVE=1 asks to skip (exit 77).
if [ "${KPATH_SKIP_LIVE:-0}" = 1 ]; then
  echo "live test skipped: KPATH_SKIP_LIVE=1"
  exit 77
fi
if [ "$(id -u)" != 0 ]; then
  echo "live tests need root (kpath live creates network namespaces and a trace instance): run ctest as root, or set KPATH_SKIP_LIVE=1 to skip them" >&2
  exit 1
fi
exec "$@"
