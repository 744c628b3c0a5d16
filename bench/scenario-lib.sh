# bench/scenario-lib.sh: sourced by bench/blk-scenario.sh and
# bench/net-scenario.sh inside the test bed (busybox ash). Needs W (a work
# folder) and KXEN_FILES.

# bench_wait_log FILE PATTERN SECONDS [ALIVE]: 0 once PATTERN shows up in
# FILE; gives up early once the command ALIVE (if given) fails.
bench_wait_log() {
	_i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $_i -lt $(($3 * 10)) ]; do
		if [ -n "${4:-}" ] && [ $((_i % 20)) = 19 ] && ! eval "$4" >/dev/null 2>&1; then
			sleep 0.5; break
		fi
		sleep 0.1; _i=$((_i + 1))
	done
	grep -q "$2" "$1" 2>/dev/null
}

# bench_xend_start: xenstored and xend as tests/component/blk-testbed.sh
# runs them; xm talks to them through the exported variables.
bench_xend_start() {
	mkdir -p $W/st $W/clog /run/xenstored
	xenstored --socket /run/xenstored/socket --state-dir $W/st \
		--log-file $W/xenstored.log &
	BENCH_XS=$!
	sleep 0.5
	export XEND_SOCKET=$W/xend.sock XENSTORED_PATH=/run/xenstored/socket
	export XEN_CONFIG_DIR=$W KXEN_HOST_MEMORY_MB=2048
	xend -f --socket $XEND_SOCKET --run-dir $W/run --state-dir $W/state \
		--log-file $W/xend.log --console-log-dir $W/clog \
		--auto-dir $W/auto --min-restart-interval 0 &
	BENCH_XEND=$!
	_i=0
	while ! xm list >/dev/null 2>&1 && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
}

# bench_xend_stop NAME: destroy the domain if it is still there, stop both.
bench_xend_stop() {
	_i=0
	while xm list "$1" >/dev/null 2>&1 && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	xm list "$1" >/dev/null 2>&1 && xm destroy "$1"
	kill $BENCH_XEND $BENCH_XS 2>/dev/null
	wait $BENCH_XEND $BENCH_XS 2>/dev/null
}

# bench_kxen_failed NAME: what the guest, the monitor and xend said.
bench_kxen_failed() {
	echo "--- guest console (last 40 lines)"; tail -n 40 $W/clog/guest-$1.log 2>/dev/null | tr -d '\r'
	echo "--- monitor log"; tail -n 40 $W/run/domains/*/monitor.log 2>/dev/null
	echo "--- xend.log"; tail -n 30 $W/xend.log
}

# bench_qemu LOG ARGS...: QEMU from the bundle in the background, as a
# plain KVM guest of the nested host (-M pc, the stock vmlinux by its PVH
# entry); its pid in BENCH_QEMU.
bench_qemu() {
	_log=$1; shift
	_b=$KXEN_FILES/kxen-qemu-bundle
	LD_LIBRARY_PATH=$_b/lib "$_b/qemu-system-x86_64" -L "$_b/share" \
		-accel kvm -cpu host -M pc -nodefaults -no-user-config \
		-display none -serial stdio -monitor none -no-reboot \
		-kernel "$KXEN_GUEST_KERNEL" "$@" </dev/null >"$_log" 2>&1 &
	BENCH_QEMU=$!
}

# bench_qemu_stop: wait a little for the guest to power off, then kill.
bench_qemu_stop() {
	_i=0
	while kill -0 $BENCH_QEMU 2>/dev/null && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	kill $BENCH_QEMU 2>/dev/null
	wait $BENCH_QEMU 2>/dev/null
}

# bench_insmod DIR: the modules listed in DIR/order (bench_modules), in order.
bench_insmod() {
	for _m in $(cat $1/order); do
		insmod $1/$_m 2>/dev/null || grep -q "^${_m%.ko} " /proc/modules ||
			echo "bench: insmod $_m failed"
	done
}
