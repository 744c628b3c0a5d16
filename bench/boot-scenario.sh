#!/bin/sh
# Runs inside the test bed for bench/boot (see there).
set -u
B=$KXEN_FILES/$(ls "$KXEN_FILES" | grep kxen-qemu-bundle | head -n 1)
RUNS=${RUNS:-3}
CMD="rdinit=/init kxen.run=/bin/true quiet"

# time_to_marker LOG: seconds from the first stamped line to the marker.
now() { cut -d' ' -f1 /proc/uptime; }
wait_marker() { # $1 log, $2 start; prints elapsed
  i=0
  while ! grep -q KXEN-GUEST-INIT "$1" 2>/dev/null && [ $i -lt 3000 ]; do
    sleep 0.01; i=$((i + 1))
  done
  awk -v a="$2" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

kx="" qm="" mem=""
for r in $(seq 1 "$RUNS"); do
  rm -f k.log; t0=$(now)
  kxen-monitor --kernel "$KXEN_GUEST_KERNEL" --ramdisk "$KXEN_GUEST_INITRD" \
    --memory 256 --vcpus 1 --cmdline "console=hvc0 $CMD" </dev/null >k.log 2>&1 &
  pid=$!
  t=$(wait_marker k.log "$t0")
  if [ "$r" = 1 ]; then
    # Monitor memory at init: total RSS minus the guest RAM mapping's RSS.
    total=$(awk '/^Rss:/ { s += $2 } END { print s }' /proc/$pid/smaps)
    guest=$(awk '/memfd:kxen-guest-ram/ { g = 1; next } /^[0-9a-f]+-/ { g = 0 } g && /^Rss:/ { s += $2 } END { print s + 0 }' /proc/$pid/smaps)
    mem="$total $guest"
  fi
  wait $pid
  if ! grep -q KXEN-GUEST-INIT k.log; then
    echo "bench/boot: kxen run $r did not reach init; its output:"; tail -n 25 k.log
  fi
  kx="$kx $t"
  echo "bench/boot: kxen run $r: ${t} s"

  rm -f q.log; t0=$(now)
  LD_LIBRARY_PATH=$B/lib "$B/qemu-system-x86_64" -L "$B/share" -accel kvm -cpu host \
    -M microvm,isa-serial=on,rtc=off -m 256 -smp 1 -nodefaults -no-user-config \
    -display none -serial stdio -no-reboot \
    -kernel "$KXEN_GUEST_KERNEL" -initrd "$KXEN_GUEST_INITRD" \
    -append "console=ttyS0 $CMD" </dev/null >q.log 2>&1 &
  pid=$!
  t=$(wait_marker q.log "$t0")
  kill $pid 2>/dev/null; wait $pid 2>/dev/null
  if ! grep -q KXEN-GUEST-INIT q.log; then
    echo "bench/boot: QEMU did not reach init; its output:"; tail -n 15 q.log
  fi
  qm="$qm $t"
  echo "bench/boot: qemu run $r: ${t} s"
done
km=$(echo "$kx" | median)
qmm=$(echo "$qm" | median)
set -- ${mem:-0 0}
echo "bench/boot: kxen-monitor to init: median ${km} s over $RUNS runs"
echo "bench/boot: qemu -M microvm to init: median ${qmm} s over $RUNS runs"
awk -v k="$km" -v q="$qmm" 'BEGIN { printf "bench/boot: ratio kxen/qemu = %.2f (below 1: kxen faster)\n", k / q }'
echo "bench/boot: monitor RSS at init ${1} KiB, of which guest RAM touched ${2} KiB: monitor overhead $(( $1 - $2 )) KiB (goal < 4096 KiB)"
