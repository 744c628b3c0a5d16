#!/usr/bin/env bash
# Randomized run against a model, concurrent transactions, ring churn.
# With XENSTORED_BIN=build-san/bin/xenstored, LeakSanitizer checks the
# daemon's clean exit. Usage: xenstore-stress.sh [SEED] [SECONDS]
. "$(dirname "$0")/xenstore_lib.sh"
xs_start 2>"$XS_TMP/stderr"
(cd "$(dirname "$0")" && timeout 50 $PY xenstore_stress_test.py "${1:-$RANDOM}" "${2:-6}") || XS_FAILS=1
xs_stop
if grep -q "Sanitizer" "$XS_TMP/stderr"; then
	echo "FAIL sanitizer report:"; head -n 40 "$XS_TMP/stderr"; XS_FAILS=1
fi
xs_done
