#!/bin/sh
# Runs inside the test bed for bench/net (see there).
set -u
F=$KXEN_FILES
W=/tmp/bn
mkdir -p $W
. $F/scenario-lib.sh
. $F/bench.env
: >$W/res

# dom0's networking: modules, the hotplug scripts' programs, the bridge.
bench_insmod $F/kxen-net-modules
# Files the nested host lacks, never over one it has (a running libc).
(cd $F/kxen-net-root && find . -type f) | while read -r f; do
	f=${f#.}
	[ -e "$f" ] && continue
	mkdir -p "$(dirname "$f")"
	cp "$F/kxen-net-root$f" "$f"
done
[ -e /bin/bash ] || ln -s "$(command -v bash)" /bin/bash
ip link set lo up
ip link add name xenbr0 type bridge forward_delay 0 stp_state 0
ip addr add 10.0.0.1/24 dev xenbr0
ip link set xenbr0 up

# iperf NAME IP PID LOG: both directions against the guest's server at
# IP, after it answers a ping; lines "NAME h2g MBIT ROUND" and "NAME g2h
# MBIT ROUND" in $W/res, the KVM counters and CPU time of the VMM process
# PID, and with GUEST_PERF=1 the guest's profiles from its console LOG.
iperf() {
	_i=0
	while ! ping -c 1 -W 1 $2 >/dev/null 2>&1 && [ $_i -lt 60 ]; do _i=$((_i + 1)); done
	if [ $_i -ge 60 ]; then
		echo "bench/net: $1: no answer to ping from $2"
		return 1
	fi
	for dir in h2g g2h; do
		r=; [ $dir = g2h ] && r=-R
		bench_perf_start $1-$dir
		bench_kvm_stats $1-$dir-0 "$3"
		# A guest that dies mid-run must not hang the bench.
		# The server may still be starting (under perf with GUEST_PERF).
		_t=0
		while timeout $((RT + 60)) iperf3 -c $2 -t $RT -f m $r >$W/$1-$dir.out 2>&1
			[ $? != 0 ] && grep -q 'Connection refused' $W/$1-$dir.out && [ $_t -lt 60 ]; do
			sleep 1; _t=$((_t + 1))
		done
		bench_kvm_stats $1-$dir-1 "$3"
		bench_perf_stop
		echo "bench/net: $1 $dir KVM counters: $(bench_kvm_diff $1-$dir-0 $1-$dir-1)"
		mb=$(awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") print $(i - 1) }' $W/$1-$dir.out)
		# A guest that hangs mid-run leaves iperf3 reporting 0: a failure.
		if [ -n "$mb" ] && awk -v m="$mb" 'BEGIN { exit !(m > 0) }'; then
			echo "$1 $dir $mb $ROUND" >>$W/res
			echo "bench/net: $1 $dir $mb Mbit/s"
		else
			echo "bench/net: $1 $dir: iperf3 failed:"; tail -n 5 $W/$1-$dir.out
		fi
	done
	if [ "${GUEST_PERF:-0}" = 1 ]; then
		wait_log $4 BENCH-PERF-DONE 300 "kill -0 $3" ||
			echo "bench/net: $1: no guest profile"
		tr -d '\r' <$4 | grep '^BENCH-PERF [hg]' | sed "s/^BENCH-PERF/bench\/net: $1 guest profile/"
	fi
}

# One round: the kxen guest, then QEMU with vhost-net off and on, each
# booted, measured both ways and stopped; ROUNDS rounds in a row pair each
# kxen run with the QEMU runs next to it.
round() {
	# kxen: netfront against netback, vif-bridge on xenbr0.
	bench_xend_start
	cat >$W/bench.cfg <<-EOF
	name = "bench"
	kernel = "$KXEN_GUEST_KERNEL"
	ramdisk = "$F/initrd"
	extra = "console=hvc0 xen.fifo_events=0 rdinit=/init kxen.run=/bench kxen.ip=10.0.0.2/24 quiet panic=-1"
	memory = 512
	vcpus = $VCPUS
	vif = [ 'bridge=xenbr0,ip=10.0.0.2' ]
	EOF
	rm -f $W/clog/guest-bench.log
	out=$(xm create $W/bench.cfg 2>&1) || echo "bench/net: xm create: $out"
	if wait_log $W/clog/guest-bench.log BENCH-NET-UP 300 "xm list bench"; then
		tr -d '\r' <$W/clog/guest-bench.log | grep '^BENCH'
		echo "bench/net: bridge members: $(ls /sys/class/net/xenbr0/brif | tr '\n' ' ')"
		iperf kxen 10.0.0.2 "$(bench_monitor_pid)" $W/clog/guest-bench.log ||
			bench_kxen_failed bench
		grep -q '^kxen ' $W/res || bench_kxen_failed bench
	else
		echo "bench/net: the kxen guest's network did not come up"
		bench_kxen_failed bench
		echo "--- xenstore backend/vif"; xenstore-ls /local/domain/0/backend/vif 2>&1 | head -n 30
	fi
	xm destroy bench >/dev/null 2>&1
	bench_xend_stop bench
	grep -h 'queue [0-9]*:\|exits to the monitor' $W/monitor-bench.log 2>/dev/null | sed 's/^/bench\/net: kxen backend: /'

	# QEMU: virtio-net-pci on a tap on xenbr0; vhost-net off, then on.
	n=3
	for vhost in off on; do
		if [ $vhost = on ] && [ ! -e /dev/vhost-net ]; then
			echo "bench/net: no /dev/vhost-net: QEMU with vhost=on skipped"
			continue
		fi
		bench_qemu $W/q-$vhost.log -m 512 -smp $VCPUS -initrd $F/initrd \
			-append "console=ttyS0 rdinit=/init kxen.run=/bench kxen.ip=10.0.0.$n/24 quiet panic=-1" \
			-netdev tap,id=n0,ifname=qtap$n,script=no,downscript=no,vhost=$vhost \
			-device virtio-net-pci,netdev=n0,romfile=,mac=52:54:00:00:00:0$n
		_i=0
		while ! ip link show qtap$n >/dev/null 2>&1 && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
		ip link set qtap$n master xenbr0
		ip link set qtap$n up
		if wait_log $W/q-$vhost.log BENCH-NET-UP 300 "kill -0 $BENCH_QEMU"; then
			tr -d '\r' <$W/q-$vhost.log | grep '^BENCH'
			iperf qemu-vhost-$vhost 10.0.0.$n $BENCH_QEMU $W/q-$vhost.log
		else
			echo "bench/net: the QEMU (vhost=$vhost) guest's network did not come up; its output:"
			tail -n 30 $W/q-$vhost.log
		fi
		kill $BENCH_QEMU 2>/dev/null
		bench_qemu_stop
		n=$((n + 1))
	done
}

ROUND=1
while [ $ROUND -le ${ROUNDS:-1} ]; do
	[ ${ROUNDS:-1} -gt 1 ] && echo "bench/net: round $ROUND of $ROUNDS"
	round
	ROUND=$((ROUND + 1))
done

echo
echo "bench/net: iperf3 TCP, ${RT} s per direction, Mbit/s (receiver side)"
printf '%-16s %10s %16s %15s %16s %15s\n' direction kxen qemu-vhost-off kxen/qemu-off qemu-vhost-on kxen/qemu-on
for dir in h2g g2h; do
	awk -v d=$dir -v rounds=${ROUNDS:-1} '
		$2 == d { v[$1, $4] = $3 }
		function r(a, b) { return a != "" && b > 0 ? sprintf("%.2f", a / b) : "-" }
		function s(a) { return a != "" ? a : "-" }
		# The median of the n values in a[1..n] (sorted here).
		function median(a, n,   i, j, t) {
			if (!n) return "-"
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
					t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
				}
			return sprintf("%.2f", n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
		}
		END {
			name = d == "h2g" ? "host->guest" : "guest->host"
			for (i = 1; i <= rounds; i++) {
				k = v["kxen", i]; off = v["qemu-vhost-off", i]; on = v["qemu-vhost-on", i]
				printf "%-16s %10s %16s %15s %16s %15s\n",
					name (rounds > 1 ? " #" i : ""), s(k), s(off),
					r(k, off), s(on), r(k, on)
				if (k != "" && off > 0) ro[++nro] = k / off
				if (k != "" && on > 0) rn[++nrn] = k / on
			}
			if (rounds > 1)
				printf "%-16s %10s %16s %15s %16s %15s\n", name " median",
					"", "", median(ro, nro), "", median(rn, nrn)
		}' $W/res
done
echo "bench/net: goal kxen/qemu >= 1"
