#!/bin/sh
# bootloader = "pygrub": xend runs kxen-pygrub on the guest's disk, which
# boots the kernel, initrd and command line named by the disk's own
# /boot/grub/grub.cfg.
#
# On the host (KXEN_TESTBED unset) it makes the disk with
# kxen-create-image --rootfs-from: a busybox tree whose /boot holds the
# guest kernel ($KXEN_GUEST_KERNEL, from scripts/guest-artifacts), the
# busybox initramfs, and a grub.cfg with a marker argument; then it runs
# itself in the test bed with that disk:
#   tests/scenarios/pygrub-boot.sh          (tests/component/pygrub-testbed.sh)
# In the test bed: xenstored, xend, `xm create` of a config that has
# bootloader="pygrub" and the disk as xvda; the guest reaches its /init
# (from the initrd: no working disk is needed), its console shows the
# command line from grub.cfg plus the config's extra=, and xm destroy
# removes the extracted files. Without a disk (run by testbed/run alone)
# it says so and passes.
set -u
MARK=kxen.pygrub=grub-cfg-7
if [ -z "${KXEN_TESTBED:-}" ]; then
	set -e
	top=$(cd "$(dirname "$0")/../.." && pwd)
	cd "$top"
	art=$(scripts/guest-artifacts | tail -n 1)
	w=$(mktemp -d /tmp/kxen-pygrub-boot.XXXXXX)
	trap 'rm -rf "$w"' EXIT
	t=$w/tree
	mkdir -p "$t/bin" "$t/sbin" "$t/etc" "$t/proc" "$t/sys" "$t/dev" \
		"$t/boot/grub" "$t/root"
	cp /bin/busybox "$t/bin/"
	ln -s busybox "$t/bin/sh"
	cp "$art/vmlinux" "$t/boot/vmlinux-kxen"
	cp "$art/initramfs-busybox.cpio.gz" "$t/boot/initrd.img-kxen"
	ln -s boot/vmlinux-kxen "$t/vmlinuz"
	cat >"$t/boot/grub/grub.cfg" <<EOF
set default="\${saved_entry}"
set default=1
menuentry 'not this one' {
	linux /boot/missing
}
menuentry 'kxen test guest' --id kxen {
	linux /vmlinuz console=hvc0 earlyprintk=xen xen.fifo_events=0 rdinit=/init $MARK
	initrd /boot/initrd.img-kxen
}
EOF
	tools/kxen-create-image --hostname pygrub --output "$w/pygrub.img" \
		--config-dir "$w" --rootfs-from "$t" --pygrub --noswap --size 96M
	set +e
	testbed/run --timeout "${KXEN_PYGRUB_TESTBED_TIMEOUT:-600}" "$0" \
		testbed/dom0.sh "$w/pygrub.img"
	exit $?
fi

img=$KXEN_FILES/pygrub.img
if [ ! -f "$img" ]; then
	echo "pygrub-boot: skipped: no disk (run tests/scenarios/pygrub-boot.sh on the host: it makes one)"
	exit 0
fi
TB_NAME=pygrub-boot
. "$KXEN_FILES/dom0.sh"
dom0_start /tmp/pg
dom0_start_xend
cat >$W/pg.cfg <<EOF
name = "pg"
bootloader = "pygrub"
extra = "kxen.from.config=1"
memory = 256
disk = ['file:$img,xvda,w']
EOF
t0=$(date +%s)
out=$(xm create $W/pg.cfg 2>&1) && ok "create: $out" || bad "create: $out"
grep 'bootloader pygrub' $W/xend.log
ls -l $W/run/boot 2>&1
if wait_log $W/clog/guest-pg.log KXEN-GUEST-INIT 150; then
	ok "guest reached its /init in $(($(date +%s) - t0)) s"
else
	bad "guest did not reach /init"
fi
# Ask the guest's shell, on its console, what it was booted with.
rm -f $W/in.fifo
mkfifo $W/in.fifo
xm console pg <$W/in.fifo >$W/console.out 2>&1 &
xmc=$!
exec 3>$W/in.fifo
sleep 1
echo 'echo CMDLINE=$(cat /proc/cmdline)' >&3
if wait_log $W/clog/guest-pg.log "^CMDLINE=.*$MARK kxen.from.config=1" 60; then
	ok "console shows grub.cfg's command line, then the config's extra"
else
	bad "no 'CMDLINE=... $MARK kxen.from.config=1' on the console"
fi
grep -a '^CMDLINE=' $W/clog/guest-pg.log
exec 3>&-
kill $xmc 2>/dev/null
out=$(xm destroy pg 2>&1) && ok "destroy" || bad "destroy: $out"
left=$(ls $W/run/boot 2>/dev/null)
[ -z "$left" ] && ok "extracted files removed" || bad "left in run/boot: $left"
if [ $fail -ne 0 ]; then
	echo "--- xend.log"; tail -n 20 $W/xend.log
	echo "--- console"; tail -n 30 $W/clog/guest-pg.log 2>/dev/null
	for f in $W/run/domains/*/monitor.log; do [ -f "$f" ] && tail -n 20 "$f"; done
fi
dom0_stop
echo "pygrub-boot: $fail failed"
[ $fail -eq 0 ]
