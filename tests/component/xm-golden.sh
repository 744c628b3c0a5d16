#!/usr/bin/env bash
# Golden tests for `xm create -n` (dry run), in the manner of Xen's
# tools/xl/check-xl-disk-parse: each tests/golden/<case>.cfg is run through
# build/bin/xm and its stdout+stderr and exit code are compared with
# <case>.expected and <case>.rc (0 when absent). <case>.args, if present,
# gives the arguments, with @CFG@ standing for the config path (default
# "-n @CFG@"). The host is pinned (KXEN_HOST_MEMORY_MB=4096) so messages do
# not depend on the machine. Run from the repo top after `make`.
#   UPDATE=1 tests/component/xm-golden.sh   rewrites the expected files
set -u
XM=${XM:-build/bin/xm}
dir=tests/golden
export KXEN_HOST_MEMORY_MB=4096 XEN_CONFIG_DIR=/nonexistent
export XEND_SOCKET=/nonexistent/xend.sock
[ -x "$XM" ] || { echo "xm-golden: $XM missing; run make first"; exit 1; }

pass=0 fail=0
for cfg in "$dir"/*.cfg; do
	case=${cfg%.cfg}
	name=$(basename "$case")
	args="-n @CFG@"
	[ -f "$case.args" ] && args=$(cat "$case.args")
	# shellcheck disable=SC2086 # word splitting of args is intended
	set -- ${args//@CFG@/$cfg}
	actual=$("$XM" create "$@" 2>&1)
	rc=$?
	want_rc=0
	[ -f "$case.rc" ] && want_rc=$(cat "$case.rc")
	if [ "${UPDATE:-0}" = 1 ]; then
		printf '%s\n' "$actual" >"$case.expected"
		if [ "$rc" != 0 ]; then echo "$rc" >"$case.rc"; else rm -f "$case.rc"; fi
		continue
	fi
	if [ ! -f "$case.expected" ]; then
		echo "FAIL $name: no $case.expected"
		fail=$((fail + 1))
		continue
	fi
	if ! diff -u "$case.expected" <(printf '%s\n' "$actual") >/tmp/xm-golden.$$ ||
		[ "$rc" != "$want_rc" ]; then
		echo "FAIL $name (exit $rc, expected $want_rc)"
		cat /tmp/xm-golden.$$
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done
rm -f /tmp/xm-golden.$$
[ "${UPDATE:-0}" = 1 ] && { echo "xm-golden: expected files rewritten"; exit 0; }
echo "xm-golden: $pass passed, $fail failed"
[ "$fail" = 0 ]
