#!/usr/bin/env bash
# Every example config under examples/ passes `xm create -n`. Their kernel
# paths name files this machine may not have, so the kernel and ramdisk
# are overridden on the command line (as `xm create cfg kernel=...` does).
set -u
XM=${XM:-build/bin/xm}
boot=tests/golden/boot
export KXEN_HOST_MEMORY_MB=4096 XEN_CONFIG_DIR=/nonexistent
fails=0 n=0
for cfg in examples/*.cfg; do
	n=$((n + 1))
	out=$("$XM" create -n "$cfg" kernel=$boot/vmlinuz-2.6.18-xen \
		ramdisk=$boot/initrd.img-2.6.18-xen 2>&1) ||
		{ echo "FAIL $cfg:"; echo "$out"; fails=$((fails + 1)); }
	grep -q '^(vm' <<<"$out" || { echo "FAIL $cfg: no SXP"; fails=$((fails + 1)); }
done
[ $fails = 0 ] && echo "xm-examples: ok ($n configs)"
[ $fails = 0 ]
