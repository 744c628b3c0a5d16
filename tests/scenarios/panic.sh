#!/bin/sh
# Test bed self-test: crash the nested host's kernel; testbed/run must fail
# with a clear message instead of waiting or reporting success.
echo "panic: triggering a kernel crash"
echo 1 >/proc/sys/kernel/sysrq
echo c >/proc/sysrq-trigger
sleep 30
exit 0
