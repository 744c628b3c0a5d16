#!/bin/sh
# Issue 4 "bad input": a guest that issues tens of thousands of random
# hypercalls (guests/hostile.S), with pointers into random bytes, holes and
# small numbers, from 64-bit mode. The monitor must stay up and still
# answer: the guest then checks xen_version and powers off.
set -u
start=$(cut -d' ' -f1 /proc/uptime)
out=$(timeout 300 kxen-monitor --kernel "$KXEN_GUESTS/hostile.elf" --memory 64 2>&1)
rc=$?
end=$(cut -d' ' -f1 /proc/uptime)
echo "$out" | tail -n 20
echo "hostile: kxen-monitor exited with status $rc after $(awk -v a="$start" -v b="$end" 'BEGIN{print b-a}') s"
fail=0
echo "$out" | grep -q 'monitor still answers xen_version 4.17' || { echo "hostile: FAIL: no answer after the storm"; fail=1; }
[ "$rc" = 0 ] || { echo "hostile: FAIL: exit status $rc, want 0 (poweroff)"; fail=1; }
echo "$out" | grep -qiE 'sanitizer|segfault|abort' && { echo "hostile: FAIL: the monitor crashed"; fail=1; }
[ $fail = 0 ] && echo "hostile: PASS"
exit $fail
