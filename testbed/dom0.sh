# testbed/dom0.sh: a dom0 as the book sets one up, inside the test bed
# (busybox ash): xenstored, then xend with console logs, all under one
# work folder. Scenarios pass this file to testbed/run and source it:
#   testbed/run SCRIPT testbed/dom0.sh ...;  . "$KXEN_FILES/dom0.sh"
#
#   dom0_start DIR [XENSTORED_OPTION...]
#                  xenstored under DIR (sets W=DIR and exports
#                  XEND_SOCKET, XENSTORED_PATH, XEN_CONFIG_DIR,
#                  KXEN_HOST_MEMORY_MB for xend and xm); its pid: dom0_xs
#   dom0_start_xend
#                  xend (again, after a kill); waits until `xm list`
#                  answers; its pid: dom0_xend
#   dom0_stop      stop both
#   wait_log FILE PATTERN SECONDS [ALIVE]
#                  0 once PATTERN is in FILE; gives up early when the
#                  command ALIVE (checked every 2 s) fails
#   ok MSG / bad MSG
#                  "$TB_NAME: ok: ..." / "...: FAIL: ..." (bad counts $fail)
fail=0
ok() { echo "$TB_NAME: ok: $*"; }
bad() { echo "$TB_NAME: FAIL: $*"; fail=$((fail + 1)); }

dom0_start() {
	W=$1; shift
	mkdir -p $W/st $W/clog /run/xenstored
	xenstored --socket /run/xenstored/socket --state-dir $W/st \
		--log-file $W/xenstored.log "$@" &
	dom0_xs=$!
	sleep 0.5
	export XEND_SOCKET=$W/xend.sock XENSTORED_PATH=/run/xenstored/socket
	export XEN_CONFIG_DIR=$W KXEN_HOST_MEMORY_MB=${KXEN_HOST_MEMORY_MB:-2048}
}

dom0_start_xend() {
	xend -f --socket $XEND_SOCKET --run-dir $W/run --state-dir $W/state \
		--log-file $W/xend.log --console-log-dir $W/clog \
		--auto-dir $W/auto --min-restart-interval 0 &
	dom0_xend=$!
	_d=0
	while ! xm list >/dev/null 2>&1 && [ $_d -lt 100 ]; do
		sleep 0.1; _d=$((_d + 1))
	done
}

dom0_stop() {
	kill $dom0_xend $dom0_xs 2>/dev/null
	wait $dom0_xend $dom0_xs 2>/dev/null
}

wait_log() {
	_w=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $_w -lt $(($3 * 10)) ]; do
		if [ -n "${4:-}" ] && [ $((_w % 20)) = 19 ] &&
			! eval "$4" >/dev/null 2>&1; then
			sleep 0.5; break
		fi
		sleep 0.1; _w=$((_w + 1))
	done
	grep -q "$2" "$1" 2>/dev/null
}
