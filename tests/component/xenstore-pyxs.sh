#!/usr/bin/env bash
# xenstored driven by python3-pyxs, and raw-socket bad input.
. "$(dirname "$0")/xenstore_lib.sh"
xs_start
export XS_PIDFILE=$XS_TMP/pid
echo "$XS_PID" > "$XS_PIDFILE"
export XS_LOG=$XS_TMP/log
cd "$(dirname "$0")" && timeout 50 $PY xenstore_pyxs_test.py || { tail -n 20 "$XS_TMP/log"; exit 1; }
