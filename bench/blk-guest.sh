# The body of bench/blk's guest script (bench/blk prepends #!/bin/sh and
# SIZE, RT, JOBS, GUEST_PERF). Busybox ash in the guest: fio on the benchmark disk, one
# BENCH-FIO line per job: name, KiB/s, IOPS.
for m in $(cat /lib/bench-modules/order); do
	insmod /lib/bench-modules/$m 2>/dev/null
done
dev=
for i in $(seq 300); do
	for d in xvdb vda; do [ -b /dev/$d ] && dev=/dev/$d; done
	[ -n "$dev" ] && break
	sleep 0.1
done
echo "BENCH-DEV=$dev $(cat /sys/block/${dev#/dev/}/size 2>/dev/null) sectors, $(nproc) vCPU"
for job in $JOBS; do
	set -- $(echo $job | tr : ' ')
	perf=
	[ "$GUEST_PERF" = 1 ] && [ -x /usr/bin/perf ] &&
		perf="/usr/bin/perf record -a -g -F 500 -o /tmp/perf-$1.data --"
	$perf /usr/bin/fio --name=$1 --filename=$dev --rw=$2 --bs=$3 --ioengine=libaio \
		--iodepth=32 --direct=1 --size=${SIZE}M --runtime=$RT --time_based \
		--minimal >/tmp/fio.out 2>&1
	awk -F';' -v n=$1 'NF > 50 { printf "BENCH-FIO %s %d %d\n", n, $7 + $48, $8 + $49; ok = 1 }
		END { if (!ok) print "BENCH-FIO-FAILED " n }' /tmp/fio.out
	grep -v '^3;' /tmp/fio.out | grep -v '^\[ perf' | head -n 5
	[ -z "$perf" ] || /usr/bin/perf report -i /tmp/perf-$1.data --stdio \
		--no-children -g none --sort sym --percent-limit 1 2>/dev/null |
		grep '%' | head -n 30 | sed "s/^/BENCH-PERF $1 /"
done
echo BENCH-DONE
# The host snapshots the VMM's counters on BENCH-DONE: stay up for that.
sleep 2
