#!/bin/sh
# Issue 4 scenario: the stock Debian kernel boots on kxen-monitor as a Xen
# PVH domU, in direct-run mode, on 1, 2 and 4 vCPUs; console input reaches
# its shell; it keeps time; poweroff, reboot and a panic end the domain
# with the matching shutdown reason and exit status.
#   testbed/run tests/scenarios/linux-boot.sh
# Each boot's console is kept in $KXEN_FILES/boot-*.log (printed on failure).
set -u
# A monitor that dies early closes its input fifo: report it, do not die
# of SIGPIPE while typing into it.
trap '' PIPE
CMDLINE="console=hvc0 earlyprintk=xen loglevel=7 xen.fifo_events=0 rdinit=/init"
fail=0
pass=0

say() { echo "linux-boot: $*"; }
bad() { say "FAIL: $*"; fail=$((fail + 1)); }
good() { say "ok: $*"; pass=$((pass + 1)); }

# Stamp each console line with the host's epoch seconds and uptime (10 ms),
# so guest-side events can be timed by the host's clock.
stamp() {
  while IFS= read -r line; do
    read -r up _ </proc/uptime
    echo "$(date +%s) $up $line"
  done
}

# boot NAME VCPUS MEMORY_MIB COMMANDS [MONITOR_OPTION]: boot, wait for the
# guest's init, type COMMANDS on its console, wait for the domain to end.
# Sets $status and leaves the stamped console in $log.
boot() {
  name=$1 vcpus=$2 mem=$3 cmds=$4 opt=${5:-}
  log=$KXEN_FILES/boot-$name.log
  rm -f in.fifo
  mkfifo in.fifo
  ( timeout 150 kxen-monitor --kernel "$KXEN_GUEST_KERNEL" \
      --ramdisk "$KXEN_GUEST_INITRD" --memory "$mem" --vcpus "$vcpus" \
      --cmdline "$CMDLINE" $opt <in.fifo 2>&1
    echo "MONITOR-EXIT=$?" ) | stamp >"$log" &
  pipe=$!
  exec 3>in.fifo
  i=0
  while ! grep -q KXEN-GUEST-INIT "$log" && [ $i -lt 1200 ]; do
    sleep 0.1; i=$((i + 1))
  done
  sleep 1
  printf '%s\n' "$cmds" >&3
  wait $pipe
  exec 3>&-
  status=$(sed -n 's/.*MONITOR-EXIT=\([0-9]*\).*/\1/p' "$log")
  say "$name: exit status ${status:-none}"
}

# no_kernel_complaints NAME: no WARNING, BUG, oops, RCU stall or unstable
# clocksource in the console log.
no_kernel_complaints() {
  if grep -E 'WARNING:|BUG:|Oops|Call Trace|rcu_.*stall|clocksource.*unstable|hung_task' "$log" >/dev/null; then
    bad "$1: kernel complained:"
    grep -E 'WARNING:|BUG:|Oops|Call Trace|stall|unstable|hung_task' "$log" | head -5
  else
    good "$1: no kernel warnings"
  fi
}

dump() { say "--- console of $1"; tail -n 60 "$log"; }

# 1, 2 and 4 vCPUs: nproc matches, memory, time, input, poweroff. 2g: two
# vCPUs with Xen 4.16's global callback vector instead of per-vCPU upcall
# vectors.
for n in 1 2 4 2g; do
  cmds='echo MARK-$((6*7))
echo NPROC=$(nproc)
echo GDATE=$(date +%s)
grep MemTotal /proc/meminfo
echo S$((1))START; sleep 1; echo S$((1))END
poweroff -f'
  if [ $n = 2g ]; then
    boot "vcpus$n" 2 256 "$cmds" --global-upcall
  else
    boot "vcpus$n" "$n" 256 "$cmds"
  fi
  f0=$fail
  # The monitor says which event delivery the guest set up.
  if [ $n = 2g ]; then
    grep -q 'events: global callback vector 0xf3' "$log" && ! grep -q 'upcall vector' "$log" &&
      good "vcpus$n: global callback vector" || bad "vcpus$n: no global callback vector"
  else
    grep -q "events: vcpu$((${n%g} - 1)) upcall vector" "$log" && ! grep -q 'events: global' "$log" &&
      good "vcpus$n: per-vCPU upcall vectors" || bad "vcpus$n: no per-vCPU upcall vector on the last vCPU"
  fi
  [ "$status" = 0 ] && good "vcpus$n: poweroff gives exit 0" || bad "vcpus$n: exit status $status, want 0"
  grep -q 'shutdown reason: poweroff' "$log" && good "vcpus$n: reason poweroff" || bad "vcpus$n: no 'shutdown reason: poweroff'"
  grep -q 'MARK-42' "$log" && good "vcpus$n: console input reached the shell" || bad "vcpus$n: no MARK-42: console input lost"
  got=$(grep 'NPROC=[0-9]' "$log" | head -n 1 | sed 's/.*NPROC=\([0-9]*\).*/\1/')
  [ "$got" = "${n%g}" ] && good "vcpus$n: nproc=$got" || bad "vcpus$n: nproc=$got, want ${n%g}"
  # Memory: the kernel's "Memory: avail/total" line counts what we gave.
  total=$(sed -n 's/.*Memory: [0-9]*K\/\([0-9]*\)K available.*/\1/p' "$log")
  if [ -n "$total" ] && [ "$total" -le 262144 ] && [ "$total" -ge 258000 ]; then
    good "vcpus$n: guest sees ${total}K of 262144K"
  else
    bad "vcpus$n: guest sees '${total}'K, want about 262144K"
  fi
  line=$(grep 'GDATE=' "$log" | grep -v 'date +' | head -n 1)
  host=${line%% *}
  guest=$(echo "$line" | sed -n 's/.*GDATE=\([0-9]*\).*/\1/p')
  d=$((host - ${guest:-0})); [ $d -lt 0 ] && d=$((-d))
  [ -n "$guest" ] && [ $d -le 2 ] && good "vcpus$n: guest date within ${d}s of the host" || bad "vcpus$n: guest date '$guest' vs host $host"
  t0=$(grep 'S1START' "$log" | grep -v 'echo' | head -n 1 | cut -d' ' -f2)
  t1=$(grep 'S1END' "$log" | grep -v 'echo' | head -n 1 | cut -d' ' -f2)
  ms=$(awk -v a="${t0:-0}" -v b="${t1:-0}" 'BEGIN { printf "%d", (b - a) * 1000 }')
  if [ -n "$t0" ] && [ -n "$t1" ] && [ "$ms" -ge 900 ] && [ "$ms" -le 1500 ]; then
    good "vcpus$n: 'sleep 1' took ${ms} ms"
  else
    bad "vcpus$n: 'sleep 1' took ${ms} ms (want 900-1500)"
  fi
  no_kernel_complaints "vcpus$n"
  [ $fail = $f0 ] || dump "vcpus$n"
done

boot reboot 2 256 'reboot -f'
[ "$status" = 3 ] && good "reboot gives exit 3" || { bad "reboot: exit $status, want 3"; dump reboot; }
grep -q 'shutdown reason: reboot' "$log" && good "reason reboot" || bad "no 'shutdown reason: reboot'"

boot crash 1 256 'echo c > /proc/sysrq-trigger'
[ "$status" = 4 ] && good "panic gives exit 4" || { bad "panic: exit $status, want 4"; dump crash; }
grep -q 'shutdown reason: crash' "$log" && good "reason crash" || bad "no 'shutdown reason: crash'"

# --on-reboot restart: a reboot boots the domain again in the same process.
log=$KXEN_FILES/boot-restart.log
rm -f in.fifo; mkfifo in.fifo
( timeout 200 kxen-monitor --kernel "$KXEN_GUEST_KERNEL" --ramdisk "$KXEN_GUEST_INITRD" \
    --memory 256 --vcpus 2 --on-reboot restart --cmdline "$CMDLINE" <in.fifo 2>&1
  echo "MONITOR-EXIT=$?" ) | stamp >"$log" &
pipe=$!
exec 3>in.fifo
wait_count() { # $1 = how many init markers
  i=0
  while [ "$(grep -c KXEN-GUEST-INIT "$log")" -lt "$1" ] && [ $i -lt 1500 ]; do
    sleep 0.1; i=$((i + 1))
  done
  sleep 1
}
wait_count 1; echo 'reboot -f' >&3
wait_count 2; echo 'poweroff -f' >&3
wait $pipe; exec 3>&-
status=$(sed -n 's/.*MONITOR-EXIT=\([0-9]*\).*/\1/p' "$log")
[ "$(grep -c KXEN-GUEST-INIT "$log")" = 2 ] && good "reboot restarted the domain in place" || { bad "no second boot after reboot"; dump restart; }
grep -q 'rebooting the domain in place' "$log" && good "monitor says it rebooted in place" || bad "no in-place reboot message"
[ "$status" = 0 ] && good "restarted domain powers off with exit 0" || bad "restart: exit $status"

# A hung guest is destroyed from outside by a signal, everything freed.
log=$KXEN_FILES/boot-destroy.log
kxen-monitor --kernel "$KXEN_GUEST_KERNEL" --ramdisk "$KXEN_GUEST_INITRD" \
  --memory 256 --vcpus 2 --cmdline "$CMDLINE" </dev/null >"$log" 2>&1 &
mon=$!
i=0; while ! grep -q KXEN-GUEST-INIT "$log" && [ $i -lt 1500 ]; do sleep 0.1; i=$((i + 1)); done
threads=$(ls /proc/$mon/task | wc -l)
kill -TERM $mon
wait $mon; status=$?
[ "$status" = 9 ] && good "SIGTERM destroys: exit 9 (had $threads threads)" || { bad "SIGTERM: exit $status, want 9"; tail -n 5 "$log"; }
grep -q 'shutdown reason: destroyed' "$log" && good "reason destroyed" || bad "no 'shutdown reason: destroyed'"
[ ! -d /proc/$mon ] && good "monitor process gone" || bad "monitor still there"

say "$pass passed, $fail failed"
[ $fail = 0 ]
