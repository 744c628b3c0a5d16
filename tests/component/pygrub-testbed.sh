#!/bin/sh
# bootloader = "pygrub" end to end: tests/scenarios/pygrub-boot.sh makes a
# disk with kxen-create-image and boots it under xend in the test bed
# (about 25 s). Skipped unless KXEN_XEND_TESTBED=1 (scripts/test.sh sets
# it), like xend-testbed.sh.
set -u
cd "$(dirname "$0")/../.."
if [ "${KXEN_XEND_TESTBED:-}" != 1 ]; then
	echo "pygrub-testbed: skipped (set KXEN_XEND_TESTBED=1 to boot the test bed)"
	exit 0
fi
exec tests/scenarios/pygrub-boot.sh
