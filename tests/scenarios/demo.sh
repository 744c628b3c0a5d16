#!/bin/sh
# The README's demo: boot Debian's own kernel on kxen as a Xen PVH domU with
# 2 vCPUs and 256 MiB, type a few commands on its Xen console (hvc0), and
# power it off. The console goes to our stdout as the guest writes it.
set -u
rm -f in.fifo
mkfifo in.fifo
kxen-monitor --kernel "$KXEN_GUEST_KERNEL" --ramdisk "$KXEN_GUEST_INITRD" \
  --memory 256 --vcpus 2 \
  --cmdline "console=hvc0 earlyprintk=xen xen.fifo_events=0 rdinit=/init" \
  <in.fifo | tee console.log &
mon=$!
exec 3>in.fifo
i=0
while ! grep -q KXEN-GUEST-INIT console.log 2>/dev/null && [ $i -lt 1200 ]; do
  sleep 0.1; i=$((i + 1))
done
sleep 1
printf '%s\n' 'uname -a' 'cat /sys/hypervisor/type 2>/dev/null; dmesg | grep -m3 -i xen' \
  'nproc; free -m' 'poweroff -f' >&3
wait $mon
rc=$?
exec 3>&-
echo "demo: kxen-monitor exited with status $rc (0 = the guest powered off)"
exit $rc
