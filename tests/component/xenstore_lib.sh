# tests/component/xenstore_lib.sh: sourced by the xenstore-*.sh tests.
# Starts xenstored on a temporary socket and state dir, stops it on exit.
set -u
XS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
XS_BIN=$(realpath "${XENSTORED_BIN:-$XS_TOP/build/bin/xenstored}")
# ASan's quarantine holds freed memory: memory bounds are looser there
case "$XS_BIN" in *build-san*) export XS_SAN=1 ;; esac
XS_TMP=$(mktemp -d /tmp/kxen-xs.XXXXXX)
export XENSTORED_PATH=$XS_TMP/socket
XS_PID=
XS_FAILS=0
PY=/usr/bin/python3

xs_start() {
	"$XS_BIN" --socket "$XENSTORED_PATH" --state-dir "$XS_TMP/state" \
		--log-file "$XS_TMP/log" "$@" &
	XS_PID=$!
	for _ in $(seq 100); do
		[ -S "$XENSTORED_PATH" ] && xenstore-exists / 2>/dev/null && return 0
		sleep 0.05
	done
	echo "FAIL: xenstored did not start"; cat "$XS_TMP/log"; exit 1
}

xs_stop() {
	if [ -n "$XS_PID" ]; then
		kill "$XS_PID" 2>/dev/null
		wait "$XS_PID" 2>/dev/null
	fi
	XS_PID=
}

xs_cleanup() {
	xs_stop
	# the ring fd keeper quits with a clean daemon exit; a test that
	# killed its daemon for good leaves it behind: stop it
	local kp
	kp=$(cat "$XS_TMP/state/fdkeep.sock.pid" 2>/dev/null)
	[ -n "$kp" ] && kill "$kp" 2>/dev/null
	[ -n "${XS_KEEP:-}" ] || rm -rf "$XS_TMP"
}
trap xs_cleanup EXIT

# check NAME EXPECTED ACTUAL
check() {
	if [ "$2" == "$3" ]; then
		echo "ok   $1"
	else
		echo "FAIL $1"; echo "  expected: $(printf %q "$2")"; echo "  actual:   $(printf %q "$3")"
		XS_FAILS=$((XS_FAILS + 1))
	fi
}

xs_done() {
	if [ "$XS_FAILS" -ne 0 ]; then
		echo "$XS_FAILS check(s) failed; daemon log:"; tail -n 30 "$XS_TMP/log"
		exit 1
	fi
	echo "all checks passed"
}
