# The body of bench/net's guest script (bench/net prepends #!/bin/sh and
# GUEST_PERF).
# Busybox ash in the guest: eth0 gets kxen.ip=ADDR/LEN from the command
# line, then an iperf3 server runs until the guest is destroyed; the nested
# host runs the clients (both directions).
for m in $(cat /lib/bench-modules/order); do
	insmod /lib/bench-modules/$m 2>/dev/null
done
for i in $(seq 300); do [ -e /sys/class/net/eth0 ] && break; sleep 0.1; done
a=$(sed -n 's/.*kxen\.ip=\([^ ]*\).*/\1/p' /proc/cmdline)
ip link set lo up
ip link set eth0 up
ip addr add "$a" dev eth0
echo "BENCH-NET-UP eth0 $a $(cat /sys/class/net/eth0/address 2>/dev/null) $(nproc) vCPU"
if [ "$GUEST_PERF" = 1 ] && [ -x /usr/bin/perf ]; then
	# One server per direction (-1: one client), each under perf; the
	# reports come after both, so the host's second client finds a server.
	for d in h2g g2h; do
		/usr/bin/perf record -a -g -F 500 -o /tmp/perf-$d.data -- \
			/usr/bin/iperf3 -s -1 >>/tmp/iperf3.log 2>&1
	done
	for d in h2g g2h; do
		/usr/bin/perf report -i /tmp/perf-$d.data --stdio --no-children \
			-g none --sort sym --percent-limit 1 2>/dev/null |
			grep '%' | head -n 30 | sed "s/^/BENCH-PERF $d /"
	done
	echo BENCH-PERF-DONE
	sleep 3600
fi
/usr/bin/iperf3 -s >/tmp/iperf3.log 2>&1
echo "BENCH-IPERF3-EXIT=$?"
tail -n 5 /tmp/iperf3.log
