#!/bin/sh
# Smoke scenario: kxen-monitor boots our tiny PVH guest (guests/smoke.S) on
# a Xen-capable KVM. The guest prints a line on port 0xE9 and shuts down with
# SCHEDOP_shutdown(SHUTDOWN_poweroff); the monitor must relay the line and
# report the poweroff. Run with: testbed/run tests/scenarios/smoke.sh
echo "smoke: kxen-monitor --check-host"
kxen-monitor --check-host

echo "smoke: kxen-monitor --kernel $KXEN_GUESTS/smoke.elf"
out=$(timeout 60 kxen-monitor --kernel "$KXEN_GUESTS/smoke.elf" 2>&1)
rc=$?
echo "$out"
echo "smoke: kxen-monitor exited with status $rc"

fail=0
# The guest's 0xE9 line (its text is in guests/smoke.S).
if ! echo "$out" | grep -q 'kxen smoke guest: .*hello'; then
  echo "smoke: FAIL: no 0xE9 line from the guest"
  fail=1
fi
if ! echo "$out" | grep -q 'shutdown reason: poweroff'; then
  echo "smoke: FAIL: no 'shutdown reason: poweroff'"
  fail=1
fi
[ "$rc" = 0 ] || { echo "smoke: FAIL: exit status $rc, expected 0 (poweroff)"; fail=1; }
[ "$fail" = 0 ] && echo "smoke: PASS"
exit "$fail"
