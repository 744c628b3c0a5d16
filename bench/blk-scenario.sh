#!/bin/sh
# Runs inside the test bed for bench/blk (see there).
set -u
F=$KXEN_FILES
W=/tmp/bb
mkdir -p $W
: >$W/kxen.res; : >$W/qemu.res; : >$W/host.res
. $F/scenario-lib.sh
. $F/bench.env

img=$W/disk.img
dd if=/dev/zero of=$img bs=1M count=$SIZE 2>/dev/null
[ -z "$KXEN_EXTRA" ] || echo "bench/blk: kxen guest tuned with: $KXEN_EXTRA"
echo "bench/blk: ${SIZE} MiB image on the nested host's $(stat -f -c %T $W), fio libaio iodepth 32, ${RT} s per job"

# The host: fio on the file itself.
direct=1
fio --name=probe --filename=$img --rw=read --bs=4k --size=4k --direct=1 \
	--ioengine=libaio --minimal >/dev/null 2>&1 || direct=0
for j in $JOBS; do
	set -- $(echo $j | tr : ' ')
	fio --name=$1 --filename=$img --rw=$2 --bs=$3 --ioengine=libaio \
		--iodepth=32 --direct=$direct --size=${SIZE}M --runtime=$RT \
		--time_based --minimal 2>&1 |
		awk -F';' -v n=$1 'NF > 50 { printf "BENCH-FIO %s %d %d\n", n, $7 + $48, $8 + $49 }' >>$W/host.res
done
echo "bench/blk: host done (direct=$direct)"; cat $W/host.res

# kxen: xm create with the image as xvdb (file:).
bench_xend_start
cat >$W/bench.cfg <<EOF
name = "bench"
kernel = "$KXEN_GUEST_KERNEL"
ramdisk = "$F/initrd"
extra = "console=hvc0 xen.fifo_events=0 rdinit=/init kxen.run=/bench quiet panic=-1 $KXEN_EXTRA"
memory = 512
vcpus = $VCPUS
disk = [ 'file:$img,xvdb,w' ]
EOF
limit=$((RT * 4 + 400))
out=$(xm create $W/bench.cfg 2>&1) || echo "bench/blk: xm create: $out"
wait_log $W/clog/guest-bench.log BENCH-DEV $limit "xm list bench" && bench_perf_start kxen
bench_kvm_stats kxen-0 "$(bench_monitor_pid)"
ok=0; wait_log $W/clog/guest-bench.log BENCH-DONE $limit "xm list bench" || ok=1
bench_kvm_stats kxen-1 "$(bench_monitor_pid)"
bench_perf_stop
echo "bench/blk: kxen KVM counters during fio: $(bench_kvm_diff kxen-0 kxen-1)"
if [ $ok = 0 ]; then
	tr -d '\r' <$W/clog/guest-bench.log | grep -E '^BENCH|fio' >$W/kxen.res
	echo "bench/blk: kxen done"; cat $W/kxen.res
else
	echo "bench/blk: the kxen guest did not finish in $limit s"
	bench_kxen_failed bench
fi
bench_xend_stop bench
grep -h 'queue [0-9]*:\|exits to the monitor\|connected' $W/monitor-bench.log 2>/dev/null | sed 's/^/bench\/blk: kxen backend: /'

# QEMU: virtio-blk-pci on the same file. A guest that dies (the nested
# test bed's KVM-in-TCG occasionally double-faults a guest) is booted once
# more, and the output says so.
for try in 1 2; do
	bench_qemu $W/q.log -m 512 -smp $VCPUS -initrd $F/initrd \
		-append "console=ttyS0 rdinit=/init kxen.run=/bench quiet panic=-1" \
		-drive file=$img,if=none,id=d0,format=raw,cache=writeback,aio=io_uring \
		-device virtio-blk-pci,drive=d0
	wait_log $W/q.log BENCH-DEV $limit "kill -0 $BENCH_QEMU" && bench_perf_start qemu
	bench_kvm_stats qemu-0 $BENCH_QEMU
	ok=0; wait_log $W/q.log BENCH-DONE $limit "kill -0 $BENCH_QEMU" || ok=1
	bench_kvm_stats qemu-1 $BENCH_QEMU
	bench_perf_stop
	echo "bench/blk: QEMU KVM counters during fio: $(bench_kvm_diff qemu-0 qemu-1)"
	if [ $ok = 0 ]; then
		tr -d '\r' <$W/q.log | grep -E '^BENCH|fio' >$W/qemu.res
		echo "bench/blk: qemu done (boot $try)"; cat $W/qemu.res
		bench_qemu_stop
		break
	fi
	echo "bench/blk: the QEMU guest (boot $try) did not finish; its output:"
	grep -E '^BENCH|panic|fault|RIP' $W/q.log | head -n 12
	kill $BENCH_QEMU 2>/dev/null
	bench_qemu_stop
done

# The table.
echo
echo "bench/blk: MiB/s and IOPS (fio, iodepth 32; guests direct=1, host direct=$direct)"
printf '%-10s %10s %8s %10s %8s %10s %8s %10s %10s\n' job kxen-MiB/s IOPS qemu-MiB/s IOPS host-MiB/s IOPS kxen/qemu kxen/host
for j in $JOBS; do
	n=${j%%:*}
	awk -v n=$n '
		FILENAME ~ /kxen/ && $1 == "BENCH-FIO" && $2 == n { kb = $3; ki = $4 }
		FILENAME ~ /qemu/ && $1 == "BENCH-FIO" && $2 == n { qb = $3; qi = $4 }
		FILENAME ~ /host/ && $1 == "BENCH-FIO" && $2 == n { hb = $3; hi = $4 }
		function r(a, b) { return b > 0 && a != "" ? sprintf("%.2f", a / b) : "-" }
		function m(a) { return a != "" ? sprintf("%.1f", a / 1024) : "-" }
		END { printf "%-10s %10s %8s %10s %8s %10s %8s %10s %10s\n", n,
			m(kb), ki == "" ? "-" : ki, m(qb), qi == "" ? "-" : qi,
			m(hb), hi == "" ? "-" : hi, r(kb, qb), r(kb, hb) }' \
		$W/kxen.res $W/qemu.res $W/host.res 2>/dev/null
done
echo "bench/blk: goals kxen/qemu >= 1, kxen/host >= 0.9"
