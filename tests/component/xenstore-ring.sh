#!/usr/bin/env bash
# A fake domain on a memfd ring page, introduced over SCM_RIGHTS.
. "$(dirname "$0")/xenstore_lib.sh"
xs_start
cd "$(dirname "$0")" && timeout 40 $PY xenstore_ring_test.py || { tail -n 20 "$XS_TMP/log"; exit 1; }
