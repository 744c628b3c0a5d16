# bench/scenario-lib.sh: sourced by bench/blk-scenario.sh and
# bench/net-scenario.sh inside the test bed (busybox ash). Needs W (a work
# folder) and KXEN_FILES with testbed/dom0.sh in it.

# The dom0 (xenstored, xend) and wait_log are testbed/dom0.sh's.
. $KXEN_FILES/dom0.sh

# bench_xend_start: xenstored and xend, as the test scenarios run them;
# xm talks to them through the variables dom0_start exports.
bench_xend_start() {
	dom0_start $W
	dom0_start_xend
}

# bench_xend_stop NAME: destroy the domain if it is still there, stop both.
bench_xend_stop() {
	_i=0
	while xm list "$1" >/dev/null 2>&1 && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	xm list "$1" >/dev/null 2>&1 && xm destroy "$1"
	dom0_stop
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

BENCH_PERF=
# bench_kvm_stats NAME PID: snapshot the KVM counters of process PID's VM
# into $W/kvm-NAME; bench_kvm_diff A B prints what changed between two
# snapshots (exits, interrupts, halts; halt polling, which the vCPU
# thread's CPU time includes, in ms).
bench_kvm_stats() {
	[ -d /sys/kernel/debug/kvm ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
	_d=$(ls -d /sys/kernel/debug/kvm/$2-* 2>/dev/null | tail -n 1)
	for _s in exits halt_exits irq_exits io_exits mmio_exits hypercalls \
		irq_injections halt_wakeup signal_exits request_irq_exits \
		irq_window_exits insn_emulation pf_taken pf_fixed \
		invlpg tlb_flush halt_successful_poll halt_attempted_poll \
		halt_poll_success_ns halt_poll_fail_ns halt_wait_ns; do
		[ -n "$_d" ] && [ -f $_d/$_s ] && echo "$_s $(cat $_d/$_s)"
	done >$W/kvm-$1
	# CPU time per thread (utime+stime in ticks): which side is busy.
	for _t in /proc/$2/task/*; do
		[ -n "$2" ] && [ -r $_t/stat ] || continue
		awk -v t=${_t##*/} '{ i = index($0, "("); c = substr($0, i + 1); k = match(c, /\) [A-Z] /)
			n = substr(c, 1, k - 1); gsub(/[ :]/, "_", n)
			split(substr(c, k + 2), f, " ")
			print "cpu:" t ":" n, f[12] + f[13] }' $_t/stat 2>/dev/null
	done >>$W/kvm-$1
}
bench_kvm_diff() {
	awk 'NR == FNR { a[$1] = $2; next }
	     /^cpu:/ { split($1, p, ":"); c = c sprintf("%s %.2fs, ", p[3], ($2 - a[$1]) / 100); next }
	     $1 ~ /_ns$/ { printf "%s %.0f ms, ", substr($1, 1, length($1) - 3), ($2 - a[$1]) / 1e6; next }
	     { printf "%s %d, ", $1, $2 - a[$1] }
	     END { if (c != "") printf "\n  CPU per thread: %s", c }' \
		$W/kvm-$1 $W/kvm-$2 2>/dev/null
	echo
}
# bench_monitor_pid: the kxen monitor's pid (xend's state dir has it).
bench_monitor_pid() {
	cat $W/run/domains/*/pid 2>/dev/null | head -n 1
}
# bench_perf_start NAME / bench_perf_stop: with PERF=1 (and perf in the
# test bed: KXEN_TESTBED_TOOLS=perf), a system-wide profile of the nested
# host while a guest runs, printed by bench_perf_stop.
# PERF=kvm instead records the guest's exits by reason (perf kvm stat),
# PERF=msr the MSRs it reads and writes and the vectors injected,
# PERF=emul the MMIO and port accesses and the emulated instructions.
bench_perf_start() {
	BENCH_PERF=
	[ "${PERF:-0}" != 0 ] && command -v perf >/dev/null || return 0
	BENCH_PERF_DATA=$W/perf-$1.data
	if [ "$PERF" = kvm ] || [ "$PERF" = msr ] || [ "$PERF" = emul ]; then
		mount -t tracefs none /sys/kernel/tracing 2>/dev/null
		[ -d /sys/kernel/debug/tracing ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
	fi
	if [ "$PERF" = kvm ]; then
		perf kvm stat record -a -o $BENCH_PERF_DATA >/dev/null 2>&1 &
	elif [ "$PERF" = msr ]; then
		perf record -e kvm:kvm_msr -e kvm:kvm_inj_virq -a -o $BENCH_PERF_DATA >/dev/null 2>&1 &
	elif [ "$PERF" = emul ]; then
		perf record -e kvm:kvm_mmio -e kvm:kvm_pio -e kvm:kvm_emulate_insn \
			-e kvm:kvm_exit -a -o $BENCH_PERF_DATA >/dev/null 2>&1 &
	else
		perf record -a -g -F 250 -o $BENCH_PERF_DATA >/dev/null 2>&1 &
	fi
	BENCH_PERF=$!
}
bench_perf_stop() {
	[ -n "$BENCH_PERF" ] || return 0
	kill -INT $BENCH_PERF; wait $BENCH_PERF 2>/dev/null
	if [ "$PERF" = msr ]; then
		echo "--- MSR accesses and injected vectors: $BENCH_PERF_DATA"
		perf script -i $BENCH_PERF_DATA 2>/dev/null |
			grep -o 'msr_[a-z]* [0-9a-fx]*\|kvm_inj_virq: IRQ 0x[0-9a-f]*' |
			sort | uniq -c | sort -rn | head -n 12
		return 0
	fi
	if [ "$PERF" = emul ]; then
		echo "--- MMIO, port I/O and emulated instructions: $BENCH_PERF_DATA"
		perf script -i $BENCH_PERF_DATA 2>/dev/null |
			sed -n 's/.*kvm_mmio: *\(mmio [a-z]*\) len [0-9]* gpa \(0x[0-9a-f]*\).*/\1 \2/p
				s/.*kvm_pio: *\(pio_[a-z]*\) at \(0x[0-9a-f]*\).*/\1 \2/p
				s/.*kvm_emulate_insn: *[0-9a-f]*:\([0-9a-f]*\):\([^(]*\)(.*/emul \1 \2/p
				s/.*kvm_exit:.*reason \([A-Za-z_0-9]*\).*/exit \1/p' |
			sort | uniq -c | sort -rn | head -n 30
		return 0
	fi
	if [ "$PERF" = kvm ]; then
		echo "--- perf kvm stat: $BENCH_PERF_DATA"
		perf kvm -i $BENCH_PERF_DATA stat report 2>&1 | grep -v '^$' | head -n 30
		return 0
	fi
	echo "--- perf: $BENCH_PERF_DATA (comm, dso, symbol; self time)"
	perf report -i $BENCH_PERF_DATA --stdio --no-children -g none \
		--sort comm,dso,sym --percent-limit 0.7 2>/dev/null |
		grep -v '^#' | grep -v '^$' | head -n 60
	echo "--- perf: by thread"
	perf report -i $BENCH_PERF_DATA --stdio --no-children -g none \
		--sort comm --percent-limit 0.5 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 20
}

# bench_insmod DIR: the modules listed in DIR/order (bench_modules), in order.
bench_insmod() {
	for _m in $(cat $1/order); do
		insmod $1/$_m 2>/dev/null || grep -q "^${_m%.ko} " /proc/modules ||
			echo "bench: insmod $_m failed"
	done
}
