#!/bin/sh
# guest-initrd.sh BASE.cpio.gz OVERLAY_DIR OUT: the guest initramfs BASE
# with OVERLAY_DIR's files added (a test script for kxen.run=, tools).
# The kernel reads concatenated archives, but an uncompressed one must
# start 4-byte aligned after the compressed one, so pad with zeros (which
# it skips) first.
set -eu
base=$1 ov=$2 out=$3
size=$(stat -c %s "$base")
{
	cat "$base"
	head -c $(((4 - size % 4) % 4)) /dev/zero
	(cd "$ov" && find . | cpio -o -H newc -R 0:0 --quiet)
} >"$out"
