#!/usr/bin/env bash
# Quota options (-E -S -W -t -A -M -Q) enforced for a domain, not dom0.
. "$(dirname "$0")/xenstore_lib.sh"
xs_start -E 20 -S 200 -W 3 -t 1 -A 2 -M 40 -Q transaction-nodes=8 -Q outstanding=2
cd "$(dirname "$0")" && timeout 30 $PY xenstore_quota_test.py || { tail -n 20 "$XS_TMP/log"; exit 1; }
