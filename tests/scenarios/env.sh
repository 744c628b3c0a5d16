#!/bin/sh
# Test bed self-test: the environment testbed/run promises to a scenario
# (testbed/README.md). Run as: testbed/run tests/scenarios/env.sh FILE
# with any one FILE; exits 0 when everything is in place.
fail=0
check() {  # check DESCRIPTION TEST-ARGS...
  what=$1; shift
  if [ "$@" ]; then echo "env: ok: $what"; else echo "env: FAIL: $what"; fail=1; fi
}
echo "env: KXEN_TESTBED=$KXEN_TESTBED"
check "KXEN_TESTBED is nested or direct" "$KXEN_TESTBED" = nested -o "$KXEN_TESTBED" = direct
check "running as root" "$(id -u)" = 0
check "KXEN_GUEST_KERNEL is a file" -s "$KXEN_GUEST_KERNEL"
check "KXEN_GUEST_INITRD is a file" -s "$KXEN_GUEST_INITRD"
check "KXEN_GUEST_INITRD_MODULES is a file" -s "$KXEN_GUEST_INITRD_MODULES"
check "KXEN_GUESTS is a folder" -d "$KXEN_GUESTS"
check "KXEN_FILES is the working folder" "$(pwd)" = "$KXEN_FILES"
set -- "$KXEN_FILES"/*
check "a FILE argument is in KXEN_FILES" -e "$1"
check "kxen binaries on PATH" -n "$(command -v kxen-monitor)"
[ "$KXEN_TESTBED" = nested ] && check "/dev/kvm exists" -c /dev/kvm
exit "$fail"
