# tests/component/xend_lib.sh: sourced by the xend-*.sh tests.
#
# Starts xenstored on a temporary socket and xend (foreground) with the
# fake monitor, all under one temporary folder; on exit stops xend, every
# monitor it started (their DIR/pid files) and xenstored, by pid.
set -u
XT_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
XM=$XT_TOP/build/bin/xm
XEND=${XEND:-$XT_TOP/build/bin/xend}
FAKE=$XT_TOP/tests/component/fake-monitor.py
T=$(mktemp -d /tmp/kxen-xend.XXXXXX)
export XENSTORED_PATH=$T/xs.sock XEND_SOCKET=$T/xend.sock
export KXEN_HOST_MEMORY_MB=4096 XEN_CONFIG_DIR=$T
XS_PID=
XEND_PID=
FAILS=0
RUN=$T/run

xs_start() {
	"$XT_TOP/build/bin/xenstored" --socket "$XENSTORED_PATH" \
		--state-dir "$T/xs" --log-file "$T/xenstored.log" &
	XS_PID=$!
	for _ in $(seq 100); do
		[ -S "$XENSTORED_PATH" ] && xenstore-exists / 2>/dev/null && return 0
		sleep 0.05
	done
	echo "FAIL: xenstored did not start"; exit 1
}

# xend_start [extra options]: foreground xend, waits for its socket.
xend_start() {
	"$XEND" -f --socket "$XEND_SOCKET" --run-dir "$RUN" \
		--state-dir "$T/state" --xenstore "$XENSTORED_PATH" \
		--monitor "$FAKE" --log-file "$T/xend.log" \
		--auto-dir "$T/auto" "$@" &
	XEND_PID=$!
	for _ in $(seq 100); do
		"$XM" list >/dev/null 2>&1 && return 0
		kill -0 "$XEND_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "FAIL: xend did not start"; tail -n 20 "$T/xend.log"; exit 1
}

xend_stop() {
	if [ -n "$XEND_PID" ]; then
		kill "$XEND_PID" 2>/dev/null
		wait "$XEND_PID" 2>/dev/null
	fi
	XEND_PID=
}

xend_kill9() {
	kill -9 "$XEND_PID"
	wait "$XEND_PID" 2>/dev/null
	XEND_PID=
}

# Is pid $1 running (not a zombie: monitors whose xend was killed are
# reparented to an init that may not reap them)?
alive() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}

# Pids of live monitors xend started under $RUN.
monitor_pids() {
	local f p
	for f in "$RUN"/domains/*/pid; do
		[ -f "$f" ] || continue
		p=$(cat "$f")
		alive "$p" && echo "$p"
	done
}

xt_cleanup() {
	local p
	xend_stop
	for p in $(monitor_pids); do kill -9 "$p" 2>/dev/null; done
	if [ -n "$XS_PID" ]; then
		kill "$XS_PID" 2>/dev/null
		wait "$XS_PID" 2>/dev/null
	fi
	if [ "$FAILS" -ne 0 ] || [ -n "${XT_KEEP:-}" ]; then
		echo "--- xend.log (kept in $T)"; tail -n 40 "$T/xend.log" 2>/dev/null
	else
		rm -rf "$T"
	fi
}
trap xt_cleanup EXIT

check() {
	if [ "$2" == "$3" ]; then
		echo "ok   $1"
	else
		echo "FAIL $1"; echo "  expected: $(printf %q "$2")"
		echo "  actual:   $(printf %q "$3")"
		FAILS=$((FAILS + 1))
	fi
}

# check_rc NAME WANT_RC CMD...: runs CMD, output in $OUT.
check_rc() {
	local name=$1 want=$2 rc
	shift 2
	OUT=$("$@" 2>&1); rc=$?
	check "$name (exit $want)" "$want" "$rc"
	[ "$rc" = "$want" ] || echo "  output: $OUT"
}

# make_cfg NAME [key=value lines...]: $T/NAME.cfg with a fake kernel.
# The kernel file's content steers the fake monitor (KERNEL=... picks
# another file).
make_cfg() {
	local name=$1 kernel=$T/kernel
	shift
	[ -f "$kernel" ] || : >"$kernel"
	{
		echo "name = \"$name\""
		echo "memory = 64"
		for kv in "$@"; do
			case $kv in
			KERNEL=*) kernel=${kv#KERNEL=} ;;
			*) echo "$kv" ;;
			esac
		done
		echo "kernel = \"$kernel\""
	} >"$T/$name.cfg"
}

# Fields of `xm list NAME` (one domain): id, mem, vcpus, state.
dom_field() {
	"$XM" list "$1" 2>/dev/null | awk -v n="$1" -v f="$2" \
		'$1 == n { print $f }'
}

# wait_until SECONDS 'SHELL CODE': until it succeeds (evaluated each
# time); 1 on timeout.
wait_until() {
	local t=$1 i
	shift
	for ((i = 0; i < t * 20; i++)); do
		eval "$*" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}

gone() { ! "$XM" list "$1" >/dev/null 2>&1; }

# wait_running NAME ID [SECONDS]: NAME listed under ID and started (a
# restart lists the new id while its monitor is still starting).
wait_running() {
	wait_until "${3:-5}" "[ \"\$(dom_field $1 2) \$(dom_field $1 5)\" = '$2 r-----' ]"
}

# No node of domain $1 in XenStore, no dir, no monitor process.
check_nothing_left() {
	local id=$1 what=$2
	check "$what: no /local/domain/$id" "" \
		"$(xenstore-exists /local/domain/"$id" 2>/dev/null && echo present)"
	check "$what: no /libxl/$id" "" \
		"$(xenstore-exists /libxl/"$id" 2>/dev/null && echo present)"
	check "$what: no console backend" "" \
		"$(xenstore-exists /local/domain/0/backend/console/"$id" 2>/dev/null && echo present)"
	check "$what: no directory" "" "$(ls -d "$RUN/domains/$id" 2>/dev/null)"
}

xt_done() {
	if [ "$FAILS" -ne 0 ]; then
		echo "$FAILS check(s) failed"
		exit 1
	fi
	echo "all checks passed"
}
