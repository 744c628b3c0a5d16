#!/bin/sh
# xend with the real kxen-monitor and Debian's kernel, in the test bed.
#
# On the host: skipped unless KXEN_XEND_TESTBED=1, then runs itself with
# testbed/run (nested host, a few minutes). Inside the test bed (busybox
# ash, KXEN_TESTBED set): xenstored, xend, then xm create -> list ->
# the guest reaches init -> its xenbus acts on xm shutdown -w -> gone;
# xm reboot with on_reboot=restart -> a new id boots; xend kill -9 and
# restart re-adopt the running guest; destroy.
set -u
if [ -z "${KXEN_TESTBED:-}" ]; then
	if [ "${KXEN_XEND_TESTBED:-}" != 1 ]; then
		echo "xend-testbed: skipped (set KXEN_XEND_TESTBED=1 to boot the test bed)"
		exit 0
	fi
	exec testbed/run --timeout "${KXEN_XEND_TESTBED_TIMEOUT:-600}" "$0" \
		testbed/dom0.sh
fi

TB_NAME=xend-testbed
. "$KXEN_FILES/dom0.sh"
# Linux 6.1 answers control/shutdown with orderly_reboot/orderly_poweroff,
# which run /sbin/reboot and /sbin/poweroff; busybox's signal PID 1, and the
# test guest's /init (scripts/guest-artifacts) acts on those signals.
xfail() { bad "$*"; }
xpass() { ok "$*"; }
dom0_start /tmp/xt --log-level debug
dom0_start_xend
cat >$W/deb.cfg <<EOF
name = "deb"
kernel = "$KXEN_GUEST_KERNEL"
ramdisk = "$KXEN_GUEST_INITRD"
extra = "console=hvc0 xen.fifo_events=0 rdinit=/init"
memory = 256
vcpus = 2
on_reboot = "restart"
EOF
out=$(xm create $W/deb.cfg 2>&1) && ok "create: $out" || bad "create: $out"
xm list
wait_log $W/clog/guest-deb.log KXEN-GUEST-INIT 120 && ok "guest reached init" ||
	bad "no init ($(tail -n 5 $W/clog/guest-deb.log))"
grep -q 'setup_shutdown_watcher: Error' $W/clog/guest-deb.log &&
	bad "guest could not set up its shutdown watch" || ok "guest's xenbus found control/"
grep -qE 'WARNING:|BUG:|Call Trace' $W/clog/guest-deb.log && bad "kernel warnings" || ok "no kernel warnings"

# sysrq: the guest's xenbus acts on a control/ node xend writes
xm sysrq deb h
wait_log $W/clog/guest-deb.log "sysrq: HELP" 30 && ok "guest handled xm sysrq (control/sysrq)" ||
	bad "guest did not handle xm sysrq"

# xend kill -9 and restart: the guest is re-adopted
kill -9 $dom0_xend; wait $dom0_xend 2>/dev/null
dom0_start_xend
xm list | grep -q '^deb  *1 ' && ok "re-adopted after kill -9" || bad "not re-adopted: $(xm list)"

# destroy a running guest
xm destroy deb && ok "destroy" || bad "destroy"
[ -z "$(ls $W/run/domains)" ] && ok "nothing left in run/domains" || bad "left: $(ls $W/run/domains)"

# wait_id NAME ID SECONDS: until NAME is listed with ID ("" = gone)
wait_id() {
	i=0; while [ $i -lt $(($3 * 10)) ]; do
		id=$(xm list "$1" 2>/dev/null | awk 'NR == 2 {print $2}')
		[ "$id" = "$2" ] && return 0
		sleep 0.1; i=$((i+1))
	done
	return 1
}
# reboot: the guest's xenbus acts, on_reboot=restart boots id 3
: >$W/clog/guest-deb.log
out=$(xm create $W/deb.cfg 2>&1) || bad "create again: $out"
wait_log $W/clog/guest-deb.log KXEN-GUEST-INIT 120 || bad "no init for id 2"
xm reboot deb || bad "xm reboot"
if wait_id deb 3 60; then
	xpass "rebooted as id 3"
	inits() { grep -c KXEN-GUEST-INIT $W/clog/guest-deb.log; }
	i=0; while [ "$(inits)" -lt 2 ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done
	[ "$(inits)" -ge 2 ] && ok "second boot reached init" || bad "no second init"
else
	xfail "no reboot within 60 s: $(xm list | tail -n +2)"
	echo "--- guest console (tail)"; tail -n 15 $W/clog/guest-deb.log
	echo "--- xenstored: domain 2's requests"
	grep -E ' d2[ :]' $W/xenstored.log | grep -v ' d0 ' | tail -n 40
fi

# shutdown: the guest powers itself off through control/shutdown
xm shutdown deb || bad "xm shutdown"
if wait_id deb "" 60; then xpass "gone after shutdown"; else
	xfail "still listed 60 s after shutdown"
	echo "--- guest console (tail)"; tail -n 15 $W/clog/guest-deb.log
	xm destroy deb
fi
dom0_stop
echo "--- xend.log"; cat $W/xend.log
echo "xend-testbed: $fail failed"
[ $fail = 0 ]
