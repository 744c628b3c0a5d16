# tests/component/testbed_lib.sh: sourced inside the test bed by the
# *-testbed.sh scenarios (passed to testbed/run as a FILE). A dom0 as the
# book sets one up: xenstored, xend with console logs, all under $W.
#   tb_start DIR     xenstored + xend under DIR (sets W, XEND_SOCKET, ...)
#   tb_stop          stop them
#   wait_log FILE PATTERN SECONDS
#   ok MSG / bad MSG (counts $fail), with $TB_NAME as the prefix
fail=0
ok() { echo "$TB_NAME: ok: $*"; }
bad() { echo "$TB_NAME: FAIL: $*"; fail=$((fail + 1)); }

tb_start() {
	W=$1
	mkdir -p $W/st $W/clog /run/xenstored
	xenstored --socket /run/xenstored/socket --state-dir $W/st \
		--log-file $W/xenstored.log &
	tb_xs=$!
	sleep 0.5
	export XEND_SOCKET=$W/xend.sock XENSTORED_PATH=/run/xenstored/socket
	export XEN_CONFIG_DIR=$W KXEN_HOST_MEMORY_MB=${KXEN_HOST_MEMORY_MB:-2048}
}

tb_start_xend() {
	xend -f --socket $XEND_SOCKET --run-dir $W/run --state-dir $W/state \
		--log-file $W/xend.log --console-log-dir $W/clog \
		--auto-dir $W/auto --min-restart-interval 0 &
	tb_xend=$!
	i=0; while ! xm list >/dev/null 2>&1 && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
}

tb_stop() {
	kill $tb_xend $tb_xs 2>/dev/null
}

wait_log() {
	i=0; while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt $(($3 * 10)) ]; do
		sleep 0.1; i=$((i+1)); done
	grep -q "$2" "$1" 2>/dev/null
}
