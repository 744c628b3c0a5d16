#!/bin/sh
# The README's demo, the book's way: xenstored and xend start, an
# /etc/xen-style config names Debian's own kernel, and `xm create -c` boots
# it as a Xen PVH domU (2 vCPUs, 256 MiB) with its console attached. A few
# commands are typed on the guest's console (hvc0), `xm list` shows it from
# the host, and `poweroff` in the guest ends the domain and the console.
set -u
trap '' PIPE
W=/tmp/demo
mkdir -p $W/st $W/etc /run/xenstored
xenstored --socket /run/xenstored/socket --state-dir $W/st 2>$W/xenstored.log &
xs=$!
export XEND_SOCKET=$W/xend.sock XENSTORED_PATH=/run/xenstored/socket XEN_CONFIG_DIR=$W/etc
export KXEN_HOST_MEMORY_MB=2048
xend -f --socket $XEND_SOCKET --run-dir $W/run --state-dir $W/state --log-file $W/xend.log \
  --auto-dir $W/auto 2>>$W/xend.log &
xend=$!
i=0; while ! xm list >/dev/null 2>&1 && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
cat >$W/etc/debian.cfg <<CFG
# /etc/xen/debian.cfg
name    = "debian"
kernel  = "$KXEN_GUEST_KERNEL"
ramdisk = "$KXEN_GUEST_INITRD"
memory  = 256
vcpus   = 2
extra   = "console=hvc0 earlyprintk=xen xen.fifo_events=0 rdinit=/init"
CFG
echo "demo: xm create -c debian.cfg"
rm -f in.fifo
mkfifo in.fifo
xm create -c debian.cfg <in.fifo | tee console.log &
xmc=$!
exec 3>in.fifo
i=0
while ! grep -q KXEN-GUEST-INIT console.log 2>/dev/null && [ $i -lt 1500 ]; do
  sleep 0.1; i=$((i + 1))
done
sleep 1
echo "demo: (host) xm list" >&2
xm list >&2
printf '%s\n' 'uname -a' 'cat /sys/hypervisor/type; ls /sys/bus/xen/devices 2>/dev/null' \
  'nproc; free -m' 'poweroff' >&3
wait $xmc
rc=$?
exec 3>&-
i=0; while xm list debian >/dev/null 2>&1 && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
echo "demo: (host) xm list after poweroff:"
xm list
kill $xend $xs 2>/dev/null
grep -q 'reboot: Power down' console.log && ! xm list debian >/dev/null 2>&1
ok=$?
echo "demo: xm create -c exited with status $rc; the guest $( [ $ok = 0 ] && echo powered off and is gone || echo did NOT end cleanly)"
exit $ok
