#!/usr/bin/env bash
# Run every test layer kxen has, from a fresh clone on a fresh Debian 12
# machine (as root: it installs packages). Layers, in order:
#   1. build: every binary, normal and ASan+UBSan (-Werror)
#   2. unit: cmocka tests under ASan+UBSan (make SAN=1 check)
#   3. fuzz: each libFuzzer harness for a few seconds (make fuzz-smoke)
#   4. component: daemons and CLIs on the host against real clients
#      (tests/component/*.sh)
#   5. integration: scenarios with real guests in the test bed
#      (tests/scenarios/*.sh through testbed/run, plus testbed/selftest)
# Ends with one line "N passed, N failed" counting the steps; exits non-zero
# if any step failed. KXEN_TEST_SKIP_TESTBED=1 skips layer 5.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
failures=()
t_start=$SECONDS

# step NAME CMD...: run one step, with its output, and count it.
step() {
  local name=$1 t0=$SECONDS rc
  shift
  echo "=== $name"
  "$@"
  rc=$?
  if [ $rc -eq 0 ]; then
    passed=$((passed + 1))
    echo "=== $name: ok ($((SECONDS - t0)) s)"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "=== $name: FAILED with status $rc ($((SECONDS - t0)) s)"
  fi
}

step install-deps scripts/install-deps || true
jobs=$(nproc)
step build make -j"$jobs"
step werror scripts/check-werror
step includes scripts/check-includes
step build-san make -j"$jobs" SAN=1
step unit make -j"$jobs" SAN=1 check
step fuzz-smoke make -j"$jobs" fuzz-smoke FUZZ_SECONDS="${KXEN_FUZZ_SECONDS:-5}"

# xend-testbed.sh boots the real guest under xend in the test bed.
[ "${KXEN_TEST_SKIP_TESTBED:-0}" = 1 ] || export KXEN_XEND_TESTBED=1
for t in tests/component/*.sh; do
  [ -x "$t" ] || continue
  step "component ${t##*/}" timeout 600 "$t"
done

if [ "${KXEN_TEST_SKIP_TESTBED:-0}" != 1 ]; then
  # exit3, hang, panic and env are fixtures of testbed/selftest;
  # pygrub-boot makes its disk on this host first (component pygrub-testbed.sh).
  for s in tests/scenarios/*.sh; do
    case ${s##*/} in exit3.sh|hang.sh|panic.sh|env.sh|pygrub-boot.sh) continue ;; esac
    step "scenario ${s##*/}" testbed/run --timeout 900 "$s"
  done
  step testbed-selftest testbed/selftest
fi

echo
echo "kxen tests: $((SECONDS - t_start)) s in all"
for f in "${failures[@]}"; do echo "  failed: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
