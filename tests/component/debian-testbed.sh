#!/bin/sh
# The book's whole path (ch. 6-7), in the test bed: a Debian guest made by
# kxen-create-image (debootstrap, its own kernel, grub.cfg), booted by xm
# create through pygrub from its xvda, with its root filesystem on xvda
# and a bridged vif: it reaches a login prompt on its console, and the
# host pings it at its static address.
#
# Opt-in (network mirror, ~2 min of debootstrap, ~1 GiB image):
#   KXEN_TEST_DEBIAN=1 tests/component/debian-testbed.sh
# The image is cached in /var/cache/kxen/debian (KXEN_DEBIAN_CACHE).
set -u
if [ -z "${KXEN_TESTBED:-}" ]; then
	if [ "${KXEN_TEST_DEBIAN:-}" != 1 ]; then
		echo "debian-testbed: skipped (set KXEN_TEST_DEBIAN=1: debootstraps a Debian guest)"
		exit 0
	fi
	set -e
	c=${KXEN_DEBIAN_CACHE:-/var/cache/kxen/debian}
	mkdir -p "$c"
	if [ ! -f "$c/deb1.img" ]; then
		build/bin/kxen-create-image --hostname deb1 --dir "$c" \
			--config-dir "$c" --size 900M --noswap --pygrub \
			--ip 10.0.0.10 --netmask 255.255.255.0 --gateway 10.0.0.1 \
			--include iputils-ping,iproute2 \
			--debootstrap-cache "$c/debs" --force
	fi
	set +e
	KXEN_TESTBED_MEM=${KXEN_TESTBED_MEM:-5120} exec testbed/run \
		--timeout "${KXEN_DEBIAN_TESTBED_TIMEOUT:-900}" "$0" testbed/dom0.sh "$c/deb1.img"
fi

TB_NAME=debian-testbed
. "$KXEN_FILES/dom0.sh"
F=$KXEN_FILES
W=/tmp/dt
dom0_start $W
/etc/xen/scripts/network-bridge start bridge=xenbr0 addr=10.0.0.1/24 ||
	bad "network-bridge start"
dom0_start_xend
# The config kxen-create-image wrote, with the image where the test bed
# put it.
cat >$W/deb1.cfg <<EOF
name = 'deb1'
memory = 256
vcpus = 1
bootloader = 'pygrub'
disk = ['file:$F/deb1.img,xvda,w']
vif = ['ip=10.0.0.10,bridge=xenbr0']
EOF
start=$(cut -d' ' -f1 /proc/uptime)
out=$(xm create $W/deb1.cfg 2>&1) && ok "create (pygrub): $out" || bad "create: $out"
if wait_log $W/clog/guest-deb1.log "login:" 600; then
	ok "Debian reached its login prompt in $(awk -v s=$start '{printf "%.0f", $1 - s}' /proc/uptime) s"
else
	bad "no login prompt"
fi
grep -q "EXT4-fs (xvda)" $W/clog/guest-deb1.log && ok "root filesystem on xvda" ||
	bad "root not mounted from xvda"
i=0; while ! ping -c 1 -W 2 10.0.0.10 >/dev/null 2>&1 && [ $i -lt 30 ]; do i=$((i+1)); done
ping -c 3 -W 3 10.0.0.10 >/dev/null 2>&1 && ok "the host pings the guest (10.0.0.10)" ||
	bad "no ping reply from 10.0.0.10"
xm shutdown -w deb1 >/dev/null 2>&1 && ok "xm shutdown -w: Debian powered off" ||
	{ bad "shutdown"; xm destroy deb1; }
dom0_stop
if [ $fail != 0 ]; then
	echo "--- guest console"; tail -n 60 $W/clog/guest-deb1.log
	echo "--- xend.log"; tail -n 20 $W/xend.log
fi
echo "debian-testbed: $fail failed"
[ $fail = 0 ]
