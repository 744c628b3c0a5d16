#!/bin/sh
# Copy-on-write disks end to end (Running Xen ch. 8), in the test bed:
#   - tap:qcow2: a qcow2 clone whose backing file is a base image: the
#     guest reads the base's data through the clone and its writes land in
#     the clone, the base stays as it was (block-qemu: qemu-nbd + nbd);
#   - phy: an LVM logical volume, and an LVM snapshot of it taken before
#     the origin changed: the guest reads the old data from the snapshot
#     and writes the origin volume.
# On the host: skipped unless KXEN_XEND_TESTBED=1; builds the base qcow2
# and the guest initramfs, then runs itself with testbed/run.
set -u
if [ -z "${KXEN_TESTBED:-}" ]; then
	if [ "${KXEN_XEND_TESTBED:-}" != 1 ]; then
		echo "blk-clones-testbed: skipped (set KXEN_XEND_TESTBED=1 to boot the test bed)"
		exit 0
	fi
	set -e
	art=$(scripts/guest-artifacts | tail -n 1)
	t=$(mktemp -d)
	trap 'rm -rf "$t"' EXIT
	mkdir -p "$t/ov"
	printf 'base-image-data!' >"$t/base.raw"
	truncate -s 16M "$t/base.raw"
	qemu-img convert -q -f raw -O qcow2 "$t/base.raw" "$t/base.qcow2"
	cat >"$t/ov/clonetest" <<'EOF'
#!/bin/sh
# Runs in the guest (kxen.run): what each disk holds, then writes.
for i in $(seq 200); do [ -b /dev/xvdc ] && break; sleep 0.1; done
for d in xvda xvdb xvdc; do echo "CL-READ-$d=$(head -c 16 /dev/$d)"; done
printf 'guest-wrote-qcow' | dd of=/dev/xvda conv=notrunc,fsync 2>/dev/null
printf 'guest-wrote-lvm!' | dd of=/dev/xvdc conv=notrunc,fsync 2>/dev/null
dd if=/dev/zero of=/dev/xvdb bs=4k count=1 conv=fsync 2>/dev/null &&
	echo CL-RO-WRITE=allowed || echo CL-RO-WRITE=refused
echo CL-DONE
exec sh </dev/hvc0 >/dev/hvc0 2>&1
EOF
	chmod 755 "$t/ov/clonetest"
	sh tests/component/guest-initrd.sh "$art/initramfs-modules.cpio.gz" "$t/ov" "$t/initrd"
	set +e
	exec testbed/run --timeout "${KXEN_BLK_TESTBED_TIMEOUT:-600}" "$0" testbed/dom0.sh \
		"$t/base.qcow2" "$t/initrd"
fi

TB_NAME=blk-clones-testbed
. "$KXEN_FILES/dom0.sh"
F=$KXEN_FILES
W=/tmp/ct
mkdir -p $W /etc/lvm /run/lock/lvm
# No udev in the nested host: LVM makes its own /dev nodes.
cat >/etc/lvm/lvm.conf <<'EOF'
activation { udev_sync = 0 udev_rules = 0 monitoring = 0 }
devices { obtain_device_list_from_udev = 0 }
global { use_lvmetad = 0 locking_type = 1 }
EOF

# The copy-on-write qcow2 clone of the base image.
qemu-img create -q -f qcow2 -b $F/base.qcow2 -F qcow2 $W/clone.qcow2 &&
	ok "qcow2 clone with a backing file" || bad "qemu-img create"
# A volume group on a loop device, a volume, a snapshot of it, then the
# origin changes.
truncate -s 128M $W/pv.img
loop=$(losetup -f)
losetup "$loop" $W/pv.img || bad "losetup"
lvm pvcreate -q "$loop" >/dev/null && lvm vgcreate -q kxenvg "$loop" >/dev/null &&
	lvm lvcreate -q -L 32M -n web kxenvg >/dev/null && ok "LVM volume kxenvg/web" ||
	bad "LVM setup failed"
printf 'lvm-origin-data!' | dd of=/dev/kxenvg/web conv=notrunc,fsync 2>/dev/null
lvm lvcreate -q -s -L 16M -n websnap kxenvg/web >/dev/null && ok "LVM snapshot kxenvg/websnap" ||
	bad "lvcreate -s"
printf 'origin-changed!!' | dd of=/dev/kxenvg/web conv=notrunc,fsync 2>/dev/null

dom0_start $W
dom0_start_xend
val() { sed -n "s/^$1=\\([^\\r]*\\).*/\\1/p" $W/clog/guest-cl.log | tail -n 1 | tr -d '\r'; }
cat >$W/cl.cfg <<EOF
name = "cl"
kernel = "$KXEN_GUEST_KERNEL"
ramdisk = "$F/initrd"
extra = "console=hvc0 xen.fifo_events=0 rdinit=/init kxen.run=/clonetest"
memory = 192
vcpus = 1
disk = [ 'tap:qcow2:$W/clone.qcow2,xvda,w', 'phy:/dev/kxenvg/websnap,xvdb,r',
         'phy:/dev/kxenvg/web,xvdc,w' ]
EOF
out=$(xm create $W/cl.cfg 2>&1) && ok "create: $out" || bad "create: $out"
xm list cl >/dev/null 2>&1 && { wait_log $W/clog/guest-cl.log CL-DONE 300 ||
	bad "guest did not finish: $(tail -n 20 $W/clog/guest-cl.log)"; }
[ "$(val CL-READ-xvda)" = base-image-data! ] && ok "the qcow2 clone reads its backing file's data" ||
	bad "clone read '$(val CL-READ-xvda)'"
[ "$(val CL-READ-xvdb)" = lvm-origin-data! ] && ok "the LVM snapshot holds the data from before the change" ||
	bad "snapshot read '$(val CL-READ-xvdb)'"
[ "$(val CL-READ-xvdc)" = origin-changed!! ] && ok "the origin volume reads its current data" ||
	bad "origin read '$(val CL-READ-xvdc)'"
[ "$(val CL-RO-WRITE)" = refused ] && ok "the read-only snapshot refuses writes" || bad "ro: $(val CL-RO-WRITE)"
xenstore-read /local/domain/0/backend/vbd/1/51712/physical-device-path >$W/pdp 2>&1
grep -q '^/dev/nbd' $W/pdp && ok "block-qemu served the qcow2 as $(cat $W/pdp)" || bad "pdp: $(cat $W/pdp)"
xm destroy cl
sleep 1
[ "$(cat /sys/block/nbd0/size 2>/dev/null)" = 0 ] && ok "nbd0 released with the domain" ||
	bad "nbd0 still attached (size $(cat /sys/block/nbd0/size))"
qemu-img convert -f qcow2 -O raw $W/clone.qcow2 $W/clone.raw
qemu-img convert -f qcow2 -O raw $F/base.qcow2 $W/base.raw
[ "$(head -c 16 $W/clone.raw)" = guest-wrote-qcow ] && ok "the guest's write is in the clone" ||
	bad "clone holds '$(head -c 16 $W/clone.raw)'"
[ "$(head -c 16 $W/base.raw)" = base-image-data! ] && ok "the base image is unchanged" ||
	bad "base holds '$(head -c 16 $W/base.raw)'"
[ "$(head -c 16 /dev/kxenvg/web)" = guest-wrote-lvm! ] && ok "the guest's write is on the LVM volume" ||
	bad "origin holds '$(head -c 16 /dev/kxenvg/web)'"
[ "$(head -c 16 /dev/kxenvg/websnap)" = lvm-origin-data! ] && ok "the snapshot still holds the old data" ||
	bad "snapshot holds '$(head -c 16 /dev/kxenvg/websnap)'"
dom0_stop
if [ $fail != 0 ]; then
	echo "--- guest console"; tail -n 40 $W/clog/guest-cl.log
	echo "--- xend.log"; tail -n 20 $W/xend.log
fi
echo "blk-clones-testbed: $fail failed"
[ $fail = 0 ]
