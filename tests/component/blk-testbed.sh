#!/bin/sh
# Virtual disks end to end: the stock kernel's xen-blkfront against kxen's
# blkback, through xm create, in the test bed.
#
# On the host: skipped unless KXEN_XEND_TESTBED=1; then builds the disk
# images (mke2fs -d, no loop mount) and a guest initramfs whose kxen.run
# script exercises the disks, and runs itself with testbed/run. Inside:
#   - xvda (ext4, rw): a file written in the first boot is there after the
#     reboot (on_reboot=restart gives a new domain on the same image);
#   - xvdc (raw, rw): a checksummed write/read of BLK_MB MiB, and the
#     host's checksum of the image file agrees;
#   - xvdb (ext4, r): writes are refused, reads work;
#   - a second domain asking for xvda's image read-write is refused;
#   - xm block-list / block-detach / block-attach on the running guest.
set -u
BLK_MB=${BLK_MB:-256}
if [ -z "${KXEN_TESTBED:-}" ]; then
	if [ "${KXEN_XEND_TESTBED:-}" != 1 ]; then
		echo "blk-testbed: skipped (set KXEN_XEND_TESTBED=1 to boot the test bed)"
		exit 0
	fi
	set -e
	art=$(scripts/guest-artifacts | tail -n 1)
	t=$(mktemp -d)
	trap 'rm -rf "$t"' EXIT
	mkdir -p "$t/root" "$t/ro" "$t/ov"
	echo "written on the host" >"$t/root/hello"
	echo "read-only data" >"$t/ro/data"
	mke2fs -q -t ext4 -d "$t/root" -F "$t/root.img" 32M
	mke2fs -q -t ext4 -d "$t/ro" -F "$t/ro.img" 8M
	truncate -s "$((BLK_MB + 8))M" "$t/raw.img"
	printf 'hot-plugged' >"$t/hot.img"
	truncate -s 4M "$t/hot.img"
	cat >"$t/ov/blktest" <<EOF
#!/bin/sh
# Runs in the guest (kxen.run): one line per check, BLK-<name>=<result>.
BLK_MB=$BLK_MB
EOF
	cat >>"$t/ov/blktest" <<'EOF'
for i in $(seq 100); do [ -b /dev/xvdc ] && break; sleep 0.1; done
ls /sys/block | tr '\n' ' '; echo
mkdir -p /mnt/a /mnt/b
mount -t ext4 /dev/xvda /mnt/a && echo BLK-MOUNT=ok || echo BLK-MOUNT=fail
cat /mnt/a/hello
if [ -f /mnt/a/marker ]; then
	echo "BLK-PERSIST=$(cat /mnt/a/marker)"
	umount /mnt/a
	exec sh </dev/hvc0 >/dev/hvc0 2>&1
fi
echo boot-one >/mnt/a/marker
sync
mount -t ext4 -o ro /dev/xvdb /mnt/b && echo "BLK-RO-READ=$(cat /mnt/b/data)"
umount /mnt/b
dd if=/dev/zero of=/dev/xvdb bs=4k count=1 conv=fsync 2>/dev/null &&
	echo BLK-RO-WRITE=allowed || echo BLK-RO-WRITE=refused
# BLK_MB MiB that never has to fit in the guest's memory: one random MiB
# (urandom is slow in the nested guest), each copy stamped with its number
# so a misplaced block changes the sum, written in whole MiBs (unaligned
# writes to a block device's page cache read first, and crawl here).
dd if=/dev/urandom of=/tmp/chunk bs=1M count=1 2>/dev/null
stamp() { printf '%08d' "$1" | dd of=/tmp/chunk conv=notrunc 2>/dev/null; }
i=0
while [ $i -lt $BLK_MB ]; do
	stamp $i
	dd if=/tmp/chunk of=/dev/xvdc bs=1M seek=$i count=1 conv=notrunc 2>/dev/null
	i=$((i + 1))
done
sync; blockdev --flushbufs /dev/xvdc
echo "BLK-SUM-WRITE=$(i=0; while [ $i -lt $BLK_MB ]; do stamp $i; cat /tmp/chunk; i=$((i + 1)); done | md5sum | cut -d' ' -f1)"
echo 3 >/proc/sys/vm/drop_caches
echo "BLK-SUM-READ=$(dd if=/dev/xvdc bs=1M count=$BLK_MB iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)"
umount /mnt/a
echo BLK-DONE
# Hotplug: written but not synced, then the host detaches xvdc (the data
# must reach the image), then attaches xvdd.
echo "hotplug-data" | dd of=/dev/xvdc bs=512 seek=$((BLK_MB * 2048)) conv=sync 2>/dev/null
echo BLK-UNSYNCED-WRITE
for i in $(seq 600); do [ -b /dev/xvdc ] || break; sleep 0.1; done
[ -b /dev/xvdc ] && echo BLK-DETACHED=no || echo BLK-DETACHED=yes
for i in $(seq 600); do [ -b /dev/xvdd ] && break; sleep 0.1; done
echo "BLK-ATTACHED=$(head -c 11 /dev/xvdd)"
exec sh </dev/hvc0 >/dev/hvc0 2>&1
EOF
	chmod 755 "$t/ov/blktest"
	sh tests/component/guest-initrd.sh "$art/initramfs-modules.cpio.gz" "$t/ov" "$t/initrd"
	set +e
	exec testbed/run --timeout "${KXEN_BLK_TESTBED_TIMEOUT:-700}" "$0" testbed/dom0.sh \
		"$t/root.img" "$t/ro.img" "$t/raw.img" "$t/hot.img" "$t/initrd"
fi

TB_NAME=blk-testbed
. "$KXEN_FILES/dom0.sh"
F=$KXEN_FILES
W=/tmp/bt
dom0_start $W
dom0_start_xend
val() { sed -n "s/^$1=\\([^\\r]*\\).*/\\1/p" $W/clog/guest-blk.log | tail -n 1 | tr -d '\r'; }
cat >$W/blk.cfg <<EOF
name = "blk"
kernel = "$KXEN_GUEST_KERNEL"
ramdisk = "$F/initrd"
extra = "console=hvc0 xen.fifo_events=0 rdinit=/init kxen.run=/blktest"
memory = 256
vcpus = 2
on_reboot = "restart"
disk = [ 'file:$F/root.img,xvda,w', 'file:$F/ro.img,xvdb,r',
         'file:$F/raw.img,xvdc,w' ]
EOF
out=$(xm create $W/blk.cfg 2>&1) && ok "create: $out" || bad "create: $out"
if wait_log $W/clog/guest-blk.log BLK-DONE 400; then
	ok "guest ran its disk checks"
else
	bad "guest did not finish: $(tail -n 60 $W/clog/guest-blk.log)"
	grep -h "vbd\|error\|warn" $W/run/domains/*/monitor.log | tail -n 20
	top -b -n 1 | head -n 15
	# Where each monitor thread waits (a hang's first clue).
	for p in $(cat $W/run/domains/*/pid 2>/dev/null); do
		for t in /proc/$p/task/*; do
			echo "pid $p thread $(cat $t/comm): state $(cut -d' ' -f3 $t/stat)," \
				"wchan $(cat $t/wchan 2>/dev/null), syscall $(cut -d' ' -f1 $t/syscall 2>/dev/null)"
		done
	done
fi
[ "$(val BLK-MOUNT)" = ok ] && ok "ext4 root image mounted from xvda" || bad "mount xvda: $(val BLK-MOUNT)"
[ "$(val BLK-RO-READ)" = "read-only data" ] && ok "read-only disk reads" || bad "ro read: '$(val BLK-RO-READ)'"
[ "$(val BLK-RO-WRITE)" = refused ] && ok "read-only disk refuses writes" || bad "ro write: $(val BLK-RO-WRITE)"
w=$(val BLK-SUM-WRITE); r=$(val BLK-SUM-READ)
h=$(dd if=$F/raw.img bs=1M count=$BLK_MB 2>/dev/null | md5sum | cut -d' ' -f1)
[ -n "$w" ] && [ "$w" = "$r" ] && ok "$BLK_MB MiB checksummed write/read through xvdc" ||
	bad "checksums: wrote $w, read $r"
[ -n "$w" ] && [ "$w" = "$h" ] && ok "the image file on the host holds what the guest wrote" ||
	bad "host checksum $h, guest wrote $w"
xenstore-ls /local/domain/0/backend/vbd >$W/vbd.ls 2>&1
grep -q 'state = "4"' $W/vbd.ls && ok "backends connected (state 4)" || bad "backend states: $(cat $W/vbd.ls)"

# Hotplug on the running guest.
xm block-list blk >$W/bl 2>&1
[ "$(grep -c '^5' $W/bl)" = 3 ] && ok "block-list shows 3 disks" || bad "block-list: $(cat $W/bl)"
wait_log $W/clog/guest-blk.log BLK-UNSYNCED-WRITE 60 || bad "guest did not write before the detach"
out=$(xm block-detach blk xvdc 2>&1) && ok "block-detach xvdc" || bad "block-detach: $out"
hot() { dd if=$F/raw.img bs=1M skip=$BLK_MB count=1 2>/dev/null | head -c 12; }
[ "$(hot)" = hotplug-data ] &&
	ok "data written just before the detach is in the image" ||
	bad "image after detach holds '$(hot)'"
if xenstore-exists /local/domain/0/backend/vbd/1/51744 2>/dev/null; then
	bad "backend dir of xvdc left behind: $(xenstore-ls /local/domain/0/backend/vbd/1/51744 2>&1 | tr '\n' ' ')"
else
	ok "xvdc's XenStore nodes removed"
fi
out=$(xm block-attach blk file:$F/hot.img xvdd w 2>&1) && ok "block-attach xvdd" || bad "block-attach: $out"
out=$(xm block-attach blk file:$F/hot.img xvde w 2>&1) && bad "the same image attached twice: $out" ||
	ok "attaching the same image twice refused: $out"
wait_log $W/clog/guest-blk.log BLK-ATTACHED 60
[ "$(val BLK-DETACHED)" = yes ] && ok "guest saw xvdc go" || bad "guest still has xvdc"
[ "$(val BLK-ATTACHED)" = hot-plugged ] && ok "guest reads the hot-plugged xvdd" ||
	bad "hot-plugged disk: '$(val BLK-ATTACHED)'"

# The same image read-write in a second domain: refused before creation.
sed -e 's/name = "blk"/name = "blk2"/' $W/blk.cfg >$W/blk2.cfg
out=$(xm create $W/blk2.cfg 2>&1) && bad "second writer accepted: $out" ||
	ok "second writer refused: $out"

# Reboot: a new domain on the same image finds the file.
xm reboot blk || bad "xm reboot"
if wait_log $W/clog/guest-blk.log BLK-PERSIST 300; then
	[ "$(val BLK-PERSIST)" = boot-one ] && ok "file written before the reboot is there" ||
		bad "persist: $(val BLK-PERSIST)"
else
	bad "no second boot: $(tail -n 20 $W/clog/guest-blk.log)"
fi
grep -h "queue(s)" $W/run/domains/*/monitor.log | head -n 3
grep -q "connected, 2 queue(s)" $W/run/domains/*/monitor.log &&
	ok "blkfront took two queues (2 vCPUs)" || bad "no multi-queue connection"
xm destroy blk
dom0_stop
grep -E 'WARNING:|BUG:|Call Trace' $W/clog/guest-blk.log && bad "kernel warnings"
if [ $fail != 0 ]; then
	echo "--- guest console"; tail -n 60 $W/clog/guest-blk.log
	echo "--- monitor logs"; tail -n 30 $W/run/domains/*/monitor.log 2>/dev/null
	echo "--- xend.log"; tail -n 30 $W/xend.log
fi
echo "blk-testbed: $fail failed"
[ $fail = 0 ]
