#!/bin/sh
# Runs inside the test bed for bench/lifecycle (see there).
set -u
trap '' PIPE
RUNS=${RUNS:-3}
W=/tmp/bl
now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
# Polls every 50 ms (not dom0.sh's 100 ms): it times boots.
wait_fast() { i=0; while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt 3000 ]; do sleep 0.05; i=$((i+1)); done; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
CMD="console=hvc0 xen.fifo_events=0 rdinit=/init quiet"

KXEN_HOST_MEMORY_MB=2800
. "$KXEN_FILES/dom0.sh"
dom0_start $W
dom0_start_xend
mkcfg() { # name memory
  cat >$W/$1.cfg <<CFG
name = "$1"
kernel = "$KXEN_GUEST_KERNEL"
ramdisk = "$KXEN_GUEST_INITRD"
extra = "$CMD"
memory = $2
vcpus = 1
CFG
}
mkcfg bench 256

dc="" dd="" xc="" xd=""
for r in $(seq 1 "$RUNS"); do
  rm -f d.log in.fifo; mkfifo in.fifo
  t0=$(now)
  kxen-monitor --kernel "$KXEN_GUEST_KERNEL" --ramdisk "$KXEN_GUEST_INITRD" --memory 256 \
    --cmdline "$CMD" <in.fifo >d.log 2>&1 &
  m=$!
  exec 3>in.fifo
  wait_fast d.log KXEN-GUEST-INIT; dc="$dc $(since "$t0")"
  sleep 0.5; t0=$(now); echo poweroff >&3; wait $m; dd="$dd $(since "$t0")"; exec 3>&-

  : >$W/clog/guest-bench.log
  t0=$(now); xm create $W/bench.cfg >/dev/null
  wait_fast $W/clog/guest-bench.log KXEN-GUEST-INIT; xc="$xc $(since "$t0")"
  sleep 0.5; t0=$(now); xm shutdown -w bench >/dev/null; xd="$xd $(since "$t0")"
  echo "bench/lifecycle: run $r: direct create $(echo $dc | awk '{print $NF}') s, xm create $(echo $xc | awk '{print $NF}') s"
done
a=$(echo "$dc" | median) b=$(echo "$xc" | median) c=$(echo "$dd" | median) e=$(echo "$xd" | median)
echo "bench/lifecycle: create-to-init: direct-run ${a} s, xm create ${b} s (median of $RUNS)"
awk -v a="$a" -v b="$b" 'BEGIN { printf "bench/lifecycle: toolstack overhead on create: %+.1f%% (goal < 10%%)\n", (b - a) * 100 / a }'
echo "bench/lifecycle: shutdown-to-gone: direct-run ${c} s, xm shutdown -w ${e} s"
awk -v a="$c" -v b="$e" 'BEGIN { printf "bench/lifecycle: toolstack overhead on shutdown: %+.1f%%\n", (b - a) * 100 / a }'

# Ten small domains at once.
avail() { awk '/MemAvailable/ { print $2 }' /proc/meminfo; }
m0=$(avail)
t0=$(now)
pids=""
for n in 0 1 2 3 4 5 6 7 8 9; do mkcfg d$n 160; xm create $W/d$n.cfg >/dev/null & pids="$pids $!"; done
# Only the xm processes: a bare `wait` also waits for xenstored and xend.
wait $pids
echo "bench/lifecycle: 10 xm create returned after $(since "$t0") s"
# Report each domain as it reaches init; give up after 15 minutes in all.
left="0 1 2 3 4 5 6 7 8 9"
while [ -n "$left" ] && [ "$(since "$t0" | cut -d. -f1)" -lt 900 ]; do
  still=""
  for n in $left; do
    if grep -q KXEN-GUEST-INIT $W/clog/guest-d$n.log 2>/dev/null; then
      echo "bench/lifecycle: d$n at init after $(since "$t0") s"
    else
      still="$still $n"
    fi
  done
  left=$still
  sleep 1
done
t=$(since "$t0")
m1=$(avail)
up=$(for n in 0 1 2 3 4 5 6 7 8 9; do grep -l KXEN-GUEST-INIT $W/clog/guest-d$n.log; done 2>/dev/null | wc -l)
echo "bench/lifecycle: 10 domains of 160 MiB created at once: $up at init after ${t} s; host memory used $(( (m0 - m1) / 1024 )) MiB ($(( (m0 - m1) / 10240 )) MiB per domain)"
for n in 0 1 2 3 4 5 6 7 8 9; do xm destroy d$n >/dev/null 2>&1; done
