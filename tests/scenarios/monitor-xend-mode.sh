#!/bin/sh
# The monitor as xend drives it (issue 4/5/6 seam): --paused, --state-dir
# with the control and console sockets, --console-log, --xenstore (the
# guest's xenbus talks to kxen's xenstored through its shared ring), and the
# exit file. Uses the monitor's own clients (--ctl, --attach).
set -u
fail=0
ok() { echo "xend-mode: ok: $*"; }
bad() { echo "xend-mode: FAIL: $*"; fail=$((fail + 1)); }
mkdir -p /run/xenstored /tmp/st
xenstored --socket /run/xenstored/socket --state-dir /tmp/st 2>/tmp/xenstored.log &
xs=$!
sleep 0.5
kxen-monitor --kernel "$KXEN_GUEST_KERNEL" --ramdisk "$KXEN_GUEST_INITRD" \
  --memory 256 --vcpus 2 --name demo --xenstore /run/xenstored/socket \
  --state-dir /tmp/d1 --console-log /tmp/d1.log --paused --domid 7 \
  --cmdline "console=hvc0 xen.fifo_events=0 rdinit=/init" 2>/tmp/mon.err &
mon=$!
i=0; while [ ! -S /tmp/d1/ctl ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
info=$(kxen-monitor --ctl /tmp/d1 '{"op":"info"}')
echo "$info"
echo "$info" | grep -q '"state":"paused"' && ok "starts paused" || bad "not paused: $info"
echo "$info" | grep -q '"domid":7' && ok "domid 7" || bad "domid: $info"
echo "$info" | grep -q '"store_port":[1-9]' && ok "store port set" || bad "no store port"
grep -q 'd7 introduced with ring' /tmp/xenstored.log && ok "introduced to xenstored" || bad "not introduced"
[ -s /tmp/d1.log ] && bad "paused guest printed something" || ok "paused guest runs nothing"
kxen-monitor --ctl /tmp/d1 '{"op":"unpause"}' >/dev/null || bad "unpause"
i=0; while ! grep -q KXEN-GUEST-INIT /tmp/d1.log && [ $i -lt 900 ]; do sleep 0.1; i=$((i+1)); done
grep -q KXEN-GUEST-INIT /tmp/d1.log && ok "guest reached init after unpause" || bad "no init"
# xenbus made requests over the ring and got answers: without a layout
# from xend the writes are refused (EACCES = -13), which only xenstored says.
grep -q 'xen:manage: setup_shutdown_watcher: Error -13' /tmp/d1.log \
  && ok "guest xenbus got xenstored's answer over the ring" || bad "no xenbus round trip"
grep -qE 'WARNING:|BUG:|Call Trace' /tmp/d1.log && bad "kernel warnings" || ok "no kernel warnings"
kxen-monitor --ctl /tmp/d1 '{"op":"pause"}' >/dev/null
kxen-monitor --ctl /tmp/d1 '{"op":"info"}' | grep -q '"state":"paused"' && ok "pause" || bad "pause"
kxen-monitor --ctl /tmp/d1 '{"op":"unpause"}' >/dev/null
kxen-monitor --ctl /tmp/d1 '{"op":"bogus"}' | grep -q '"ok":false' && ok "bad op refused" || bad "bad op"
(sleep 1; echo 'echo CONSOLE-$((2+3))'; sleep 2) | kxen-monitor --attach /tmp/d1 >/tmp/attach.out &
sleep 4
grep -aq "CONSOLE-5" /tmp/attach.out && ok "console socket both ways" || bad "console socket"
grep -aq "KXEN-GUEST-INIT" /tmp/attach.out && ok "console replays recent output" || bad "no replay"
kxen-monitor --ctl /tmp/d1 '{"op":"destroy"}' >/dev/null
wait $mon; rc=$?
[ $rc = 9 ] && ok "destroy: exit 9" || bad "destroy: exit $rc"
grep -q '^destroyed 9$' /tmp/d1/exit && ok "exit file says 'destroyed 9'" || bad "exit file: $(cat /tmp/d1/exit)"
kill $xs
echo "xend-mode: $fail failed"
[ $fail = 0 ]
