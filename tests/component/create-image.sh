#!/usr/bin/env bash
# Guest images and pygrub, without a guest:
#  - kxen-create-image --rootfs-from (a busybox tree): the image is an ext4
#    filesystem with the hostname, fstab, interfaces and console getty,
#    the swap image has a swap signature, the config passes `xm create -n`;
#    bad options exit 2, an existing image is kept without --force, and a
#    failed run leaves nothing behind;
#  - kxen-pygrub on those images: grub.cfg, extlinux.conf, the /vmlinuz
#    links, an MBR-partitioned disk, --entry/--args/--kernel, -n, -l, and
#    the refusals (no menu, a file too large, a missing kernel);
#  - xend with bootloader="pygrub" (fake monitor): the monitor gets the
#    extracted kernel, ramdisk and grub.cfg's arguments; the files go with
#    the domain; a failing bootloader leaves no domain and no file.
# With KXEN_TEST_DEBOOTSTRAP=1 also a real debootstrap --pygrub image
# (network, ~2 min), whose Debian kernel kxen-pygrub turns into an ELF.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
MKIMG=$TOP/tools/kxen-create-image
PYGRUB=${PYGRUB:-$TOP/build/bin/kxen-pygrub}
source "$TOP/tests/component/xend_lib.sh"   # $T, check, check_rc, xend
export TMPDIR=$T

# A busybox tree with a fake kernel (an "ELF": the fake monitor reads it).
tree=$T/tree
mkdir -p "$tree"/{bin,sbin,etc,proc,sys,dev,boot,root}
cp /bin/busybox "$tree/bin/"
ln -s busybox "$tree/bin/sh"
echo "::sysinit:/bin/true" >"$tree/etc/inittab"
echo "root:x:0:0:root:/root:/bin/sh" >"$tree/etc/passwd"
echo "root:*:19000:0:99999:7:::" >"$tree/etc/shadow"
printf '\177ELF\nfake kernel\n' >"$tree/boot/vmlinuz-6.1.0-99-amd64"
echo "initrd-one" >"$tree/boot/initrd.img-6.1.0-99-amd64"

img=$T/img
cfgd=$T/cfg
mk() { "$MKIMG" --dir "$img" --config-dir "$cfgd" --kernel /bin/true "$@"; }
mkp() { "$MKIMG" --dir "$img" --config-dir "$cfgd" --pygrub "$@"; }
dump() { debugfs -R "cat $2" "$1" 2>/dev/null; }

# --- kxen-create-image: options ---------------------------------------------
check_rc "no --hostname" 2 mk --rootfs-from "$tree"
check_rc "bad hostname" 2 mk --hostname 'a b' --rootfs-from "$tree"
check_rc "bad size" 2 mk --hostname x --size 4Q --rootfs-from "$tree"
check_rc "bad vcpus" 2 mk --hostname x --vcpus 0 --rootfs-from "$tree"
check_rc "bad ip" 2 mk --hostname x --ip 10.0.0.300 --netmask 255.0.0.0 --rootfs-from "$tree"
check_rc "ip without netmask" 2 mk --hostname x --ip 10.0.0.3 --rootfs-from "$tree"
check_rc "dhcp and ip" 2 mk --hostname x --dhcp --ip 10.0.0.3 --netmask 255.0.0.0 --rootfs-from "$tree"
check_rc "multicast mac" 2 mk --hostname x --mac 01:16:3e:00:00:01 --rootfs-from "$tree"
check_rc "arch" 2 mk --hostname x --arch arm64 --rootfs-from "$tree"
check_rc "unknown option" 2 mk --hostname x --frobnicate
check "usage names the option" 1 "$(grep -c "unknown option '--frobnicate'" <<<"$OUT")"
check_rc "missing kernel" 2 "$MKIMG" --hostname x --dir "$img" --config-dir "$cfgd" --kernel /nonexistent --rootfs-from "$tree"
check_rc "pygrub and a host kernel" 2 mk --hostname x --pygrub --rootfs-from "$tree"

# --- a default image from the tree ------------------------------------------
t0=$(date +%s%N)
check_rc "create web1" 0 mk --hostname web1 --rootfs-from "$tree" --size 96M \
	--swap 8M --memory 128M --vcpus 2 --ip 10.1.2.3 --netmask 255.255.255.0 \
	--gateway 10.1.2.1 --mac 00:16:3E:12:34:56 --bridge br7
echo "     (create-image from a busybox tree: $(( ($(date +%s%N) - t0) / 1000000 )) ms)"
check "web1.img is ext4" ext4 "$(blkid -o value -s TYPE "$img/web1.img")"
check "web1.img size" $((96 << 20)) "$(stat -c %s "$img/web1.img")"
check "web1.img mode" 600 "$(stat -c %a "$img/web1.img")"
check "swap signature" swap "$(blkid -o value -s TYPE "$img/web1-swap.img")"
check "hostname" web1 "$(dump "$img/web1.img" /etc/hostname)"
check "fstab root" 1 "$(dump "$img/web1.img" /etc/fstab | grep -c '^/dev/xvda[[:space:]]*/[[:space:]]*ext4')"
check "fstab swap" 1 "$(dump "$img/web1.img" /etc/fstab | grep -c '^/dev/xvdb[[:space:]]*none[[:space:]]*swap')"
check "static address" 1 "$(dump "$img/web1.img" /etc/network/interfaces | grep -c 'address 10.1.2.3')"
check "getty on hvc0" 1 "$(dump "$img/web1.img" /etc/inittab | grep -c '^hvc0::respawn:/sbin/getty')"
check "root password empty" "root::19000" "$(dump "$img/web1.img" /etc/shadow | cut -d: -f1-3)"
check "busybox kept" 1 "$(debugfs -R 'stat /bin/busybox' "$img/web1.img" 2>/dev/null | grep -c 'Type: regular')"
cfg=$(cat "$cfgd/web1.cfg")
check "config memory" 1 "$(grep -c '^memory  = 128$' <<<"$cfg")"
check "config vcpus" 1 "$(grep -c '^vcpus   = 2$' <<<"$cfg")"
check "config kernel" 1 "$(grep -c "^kernel  = '/usr/bin/true'" <<<"$cfg")"
check "config disks" 1 "$(grep -c "^disk    = \['file:$img/web1.img,xvda,w', 'file:$img/web1-swap.img,xvdb,w'\]" <<<"$cfg")"
check "config vif" 1 "$(grep -c "^vif     = \['ip=10.1.2.3,mac=00:16:3e:12:34:56,bridge=br7'\]" <<<"$cfg")"
check_rc "xm create -n accepts it" 0 "$XM" create -n "$cfgd/web1.cfg"
check "xm sees both disks" 2 "$(grep -c '(device (vbd' <<<"$OUT")"

# Overwriting needs --force; a failed run removes what it made.
check_rc "exists without --force" 1 mk --hostname web1 --rootfs-from "$tree" --size 96M
check "names the file" 1 "$(grep -c "web1.img exists: use --force" <<<"$OUT")"
check_rc "--force" 0 mk --hostname web1 --rootfs-from "$tree" --size 96M --noswap --force --dhcp
check "dhcp now" 1 "$(dump "$img/web1.img" /etc/network/interfaces | grep -c 'iface eth0 inet dhcp')"
check "noswap config" 0 "$(grep -c xvdb "$cfgd/web1.cfg")"
dd if=/dev/zero of="$tree/big" bs=1M count=80 status=none
check_rc "too small" 1 mk --hostname small --rootfs-from "$tree" --size 64M
rm -f "$tree/big"
check "nothing left" "" "$(ls "$img" | grep small; ls "$cfgd" | grep small; ls "$T" | grep kxen-create-image)"

# --- kxen-pygrub ------------------------------------------------------------
out=$T/boot
check_rc "pygrub image" 0 mkp --hostname pg --rootfs-from "$tree" --size 96M --noswap
check "pygrub config" 1 "$(grep -c "^bootloader = 'pygrub'" "$cfgd/pg.cfg")"
check "no host kernel in it" 0 "$(grep -c '^kernel' "$cfgd/pg.cfg")"
check "grub.cfg written" 1 "$(dump "$img/pg.img" /boot/grub/grub.cfg | grep -c 'linux /boot/vmlinuz-6.1.0-99-amd64 root=/dev/xvda ro console=hvc0')"
t0=$(date +%s%N)
check_rc "pygrub" 0 "$PYGRUB" -q --output-directory="$out" "$img/pg.img"
echo "     (kxen-pygrub, fake kernel: $(( ($(date +%s%N) - t0) / 1000000 )) ms)"
re="^linux \(kernel $out/boot_kernel\.[A-Za-z0-9]{6}\)\(ramdisk $out/boot_ramdisk\.[A-Za-z0-9]{6}\)\(args \"root=/dev/xvda ro console=hvc0 net.ifnames=0\"\)$"
check "pygrub's SXP" 1 "$([[ $OUT =~ $re ]] && echo 1 || echo "$OUT")"
k=$(sed -n 's/.*(kernel \([^)]*\)).*/\1/p' <<<"$OUT")
r=$(sed -n 's/.*(ramdisk \([^)]*\)).*/\1/p' <<<"$OUT")
check "kernel copied" "$(cat "$tree/boot/vmlinuz-6.1.0-99-amd64")" "$(cat "$k")"
check "ramdisk copied" initrd-one "$(cat "$r")"
rm -f "$out"/*
check_rc "--args appended" 0 "$PYGRUB" -q --output-directory="$out" --args="quiet x=1" "$img/pg.img"
check "args" 1 "$(grep -c '(args "root=/dev/xvda ro console=hvc0 net.ifnames=0 quiet x=1")' <<<"$OUT")"
check_rc "--output-format=simple" 0 "$PYGRUB" -q --output-directory="$out" --output-format=simple "$img/pg.img"
check "simple" "kernel ramdisk args" "$(awk 'NF {printf "%s%s", s, $1; s=" "}' <<<"$OUT")"
check_rc "-n" 0 "$PYGRUB" -n "$img/pg.img"
check "-n copies nothing" "linux (kernel <kernel:/boot/vmlinuz-6.1.0-99-amd64>)(ramdisk <ramdisk:/boot/initrd.img-6.1.0-99-amd64>)(args \"root=/dev/xvda ro console=hvc0 net.ifnames=0\")" "$OUT"
check_rc "--output=FILE" 0 "$PYGRUB" -q --output-directory="$out" --output="$T/sxp" "$img/pg.img"
check "output file" 1 "$(grep -c '^linux (kernel' "$T/sxp")"
check_rc "--entry=3 (none)" 1 "$PYGRUB" -q --output-directory="$out" --entry=3 "$img/pg.img"
check "says so" 1 "$(grep -c 'pg.img: /boot/grub/grub.cfg: --entry names no entry' <<<"$OUT")"
check_rc "--kernel missing in guest" 1 "$PYGRUB" -q --output-directory="$out" --kernel=/boot/nope "$img/pg.img"
check "names disk and path" 1 "$(grep -c "pg.img: /boot/nope: no such file" <<<"$OUT")"
check_rc "not a disk" 1 "$PYGRUB" -q --output-directory="$out" /etc/hostname
check_rc "no disk" 2 "$PYGRUB" -q
check_rc "--runas=nobody" 0 "$PYGRUB" -q --runas=nobody --output-directory="$out" "$img/pg.img"
check "as nobody, the same" 1 "$([[ $OUT =~ $re ]] && echo 1 || echo "$OUT")"
check_rc "--runas=no such user" 2 "$PYGRUB" -q --runas=nosuchuser-kxen "$img/pg.img"
if command -v strace >/dev/null; then
	check_rc "the disk reader drops root" 0 env ASAN_OPTIONS=detect_leaks=0 strace -f -e trace=setresuid -o "$T/strace" "$PYGRUB" -q --runas=65534 --output-directory="$out" "$img/pg.img"
	check "setresuid(65534)" 1 "$(grep -cE 'setresuid\(65534, 65534, 65534\) += 0' "$T/strace")"
fi
rm -f "$out"/*

# extlinux, several entries, links, an escape attempt, a huge kernel.
t2=$T/tree2
cp -a "$tree" "$t2"
mkdir -p "$t2/boot/extlinux"
printf '\177ELF\nsecond kernel\n' >"$t2/boot/vmlinuz-2"
cat >"$t2/boot/extlinux/extlinux.conf" <<'EOF'
DEFAULT two
LABEL one
  KERNEL ../vmlinuz-6.1.0-99-amd64
  APPEND root=/dev/xvda one
LABEL two
  MENU LABEL Second
  LINUX /boot/vmlinuz-2
  INITRD ../initrd.img-6.1.0-99-amd64
  APPEND root=/dev/xvda two
LABEL escape
  KERNEL /boot/up
LABEL huge
  KERNEL /boot/huge
EOF
ln -s ../../../../../boot/vmlinuz-2 "$t2/boot/up"   # stays inside the fs
truncate -s 200M "$t2/boot/huge"
mkfs() { rm -f "$2"; mke2fs -q -t ext4 -d "$1" "$2" "$3" >/dev/null 2>&1; }
mkfs "$t2" "$T/ext.img" 300M
check_rc "extlinux default" 0 "$PYGRUB" -q --output-directory="$out" "$T/ext.img"
check "extlinux args" 1 "$(grep -c '(args "root=/dev/xvda two")' <<<"$OUT")"
check "extlinux kernel" "second kernel" "$(tail -n 1 "$(sed -n 's/.*(kernel \([^)]*\)).*/\1/p' <<<"$OUT")")"
check_rc "extlinux --entry=0" 0 "$PYGRUB" -q --output-directory="$out" --entry=0 "$T/ext.img"
check "entry 0" 1 "$(grep -c '(args "root=/dev/xvda one")' <<<"$OUT")"
check_rc "symlink up and out" 0 "$PYGRUB" -q --output-directory="$out" --entry=escape "$T/ext.img"
check "resolved inside the guest" "second kernel" "$(tail -n 1 "$(sed -n 's/.*(kernel \([^)]*\)).*/\1/p' <<<"$OUT")")"
check_rc "huge kernel" 1 "$PYGRUB" -q --output-directory="$out" --entry=huge "$T/ext.img"
check "refused" 1 "$(grep -c 'ext.img: /boot/huge: 209715200 bytes, more than' <<<"$OUT")"
check_rc "-l" 0 "$PYGRUB" -l "$T/ext.img"
check "lists 4" 4 "$(grep -c '^title:' <<<"$OUT")"
rm -f "$out"/*

# No menu: /vmlinuz and /initrd.img links. Inside an MBR partition.
t3=$T/tree3
cp -a "$tree" "$t3"
ln -s boot/vmlinuz-6.1.0-99-amd64 "$t3/vmlinuz"
ln -s /boot/initrd.img-6.1.0-99-amd64 "$t3/initrd.img"
mkfs "$t3" "$T/part.fs" 64M
truncate -s 70M "$T/mbr.img"
# One Linux (0x83) partition at sector 2048, 131072 sectors, and 55 AA.
printf '\0\0\0\0\203\0\0\0\0\10\0\0\0\0\2\0' |
	dd of="$T/mbr.img" bs=1 seek=446 conv=notrunc status=none
printf '\125\252' | dd of="$T/mbr.img" bs=1 seek=510 conv=notrunc status=none
dd if="$T/part.fs" of="$T/mbr.img" bs=1M seek=1 conv=notrunc status=none
check_rc "MBR disk, /vmlinuz links" 0 "$PYGRUB" -q --output-directory="$out" "$T/mbr.img"
check "no args" 1 "$(grep -c '^linux (kernel [^)]*)(ramdisk [^)]*)$' <<<"$OUT")"
rm -f "$out"/*
# The same filesystem as the second partition of a GPT disk.
python3 - "$T/gpt.img" "$T/part.fs" <<'PY'
import struct, sys, uuid
img, fs = sys.argv[1], sys.argv[2]
data = open(fs, "rb").read()
with open(img, "wb") as f:
    f.truncate((4096 + len(data) // 512 + 64) * 512)
    mbr = bytearray(512)
    mbr[446 + 4] = 0xEE
    mbr[446 + 8:446 + 16] = struct.pack("<II", 1, 0xFFFFFFFF)
    mbr[510:512] = b"\x55\xaa"
    f.seek(0); f.write(mbr)
    hdr = bytearray(512)
    hdr[0:8] = b"EFI PART"
    hdr[72:88] = struct.pack("<QII", 2, 128, 128)
    f.seek(512); f.write(hdr)
    esp = uuid.UUID("C12A7328-F81F-11D2-BA4B-00A0C93EC93B").bytes_le
    lin = uuid.UUID("0FC63DAF-8483-4772-8E79-3D69D8477DE4").bytes_le
    e = bytearray(128 * 128)
    e[0:16] = esp; e[32:48] = struct.pack("<QQ", 34, 2047)
    e[128:144] = lin; e[160:176] = struct.pack("<QQ", 4096, 4096 + len(data) // 512 - 1)
    f.seek(1024); f.write(e)
    f.seek(4096 * 512); f.write(data)
PY
check_rc "GPT disk" 0 "$PYGRUB" -q --output-directory="$out" "$T/gpt.img"
check "found the Linux partition" 1 "$(grep -c '^linux (kernel [^)]*)(ramdisk [^)]*)$' <<<"$OUT")"
rm -f "$out"/*
rm -rf "$t3/vmlinuz" "$t3/boot"
mkfs "$t3" "$T/empty.img" 64M
check_rc "nothing to boot" 1 "$PYGRUB" -q --output-directory="$out" "$T/empty.img"
check "says why" 1 "$(grep -c 'empty.img: no grub.cfg, extlinux.conf or /vmlinuz' <<<"$OUT")"
check "no files left" "" "$(ls "$out")"

# --- xend runs it -----------------------------------------------------------
export PATH=$TOP/build/bin:$PATH   # xend finds kxen-pygrub beside itself
xs_start
xend_start
cat >"$T/pgdom.cfg" <<EOF
name = "pgdom"
memory = 64
bootloader = "pygrub"
extra = "xm.extra=1"
disk = ['file:$img/pg.img,xvda,w']
EOF
check_rc "xm create (pygrub)" 0 "$XM" create "$T/pgdom.cfg"
id=$("$XM" domid pgdom 2>/dev/null)
pid=$(cat "$RUN/domains/$id/pid" 2>/dev/null)
argv=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null)
kern=$(grep -A1 -x -- --kernel <<<"$argv" | tail -n 1)
check "monitor's kernel extracted" 1 "$([[ $kern == "$RUN"/boot/boot_kernel.* ]] && echo 1 || echo "$kern")"
check "monitor's ramdisk" 1 "$(grep -A1 -x -- --ramdisk <<<"$argv" | tail -n 1 | grep -c "^$RUN/boot/boot_ramdisk")"
check "grub.cfg's args, then the config's" "root=/dev/xvda ro console=hvc0 net.ifnames=0 xm.extra=1" "$(grep -A1 -x -- --cmdline <<<"$argv" | tail -n 1)"
check "kernel content" "$(cat "$tree/boot/vmlinuz-6.1.0-99-amd64")" "$(cat "$kern" 2>/dev/null)"
check_rc "xm destroy" 0 "$XM" destroy pgdom
check "files gone with the domain" "" "$(ls "$RUN/boot")"
# on_reboot=restart runs the bootloader again; each domain's files go
# with it (the second reboot comes too fast and ends the domain).
t4=$T/tree4
cp -a "$tree" "$t4"
printf '\177ELF\nREBOOT_AFTER=1\n' >"$t4/boot/vmlinuz-6.1.0-99-amd64"
check_rc "rebooting image" 0 mkp --hostname rb --rootfs-from "$t4" --size 96M --noswap
sed -i 's/^on_reboot .*/on_reboot = "restart"/' "$cfgd/rb.cfg"
check_rc "xm create (reboots)" 0 "$XM" create "$cfgd/rb.cfg"
id1=$("$XM" domid rb 2>/dev/null)
k1=$(ls "$RUN"/boot/boot_kernel.* 2>/dev/null)
wait_until 20 '[ "$("$XM" domid rb 2>/dev/null)" != "$id1" ]'
id2=$("$XM" domid rb 2>/dev/null)
check "restarted under a new id" 1 "$([ -n "$id2" ] && [ "$id2" != "$id1" ] && echo 1 || echo "$id1 -> $id2")"
check "the first boot's files went" 0 "$(ls $k1 2>/dev/null | wc -l)"
check "the second boot's are there" 2 "$(ls "$RUN/boot" | wc -l)"
wait_until 20 '! "$XM" list rb >/dev/null 2>&1'
check "then gone, and its files" "" "$(ls "$RUN/boot")"

# Another bootloader, answering as Xen 4.17's pygrub does (Python repr).
cat >"$T/bl.sh" <<BL
#!/bin/sh
out=\$(mktemp "$RUN/boot/boot_kernel.XXXXXX")
echo "\$*" >\$out
printf "linux (kernel '%s')(args 'a \\\\\\\\'b\\\\\\\\' c')" \$out
BL
chmod +x "$T/bl.sh"
sed -e "s|bootloader = \"pygrub\"|bootloader = \"$T/bl.sh\"|" -e 's|pgdom|bl|' \
	"$T/pgdom.cfg" >"$T/bl.cfg"
echo "bootloader_args = ['--entry=1']" >>"$T/bl.cfg"
check_rc "xm create (another bootloader)" 0 "$XM" create "$T/bl.cfg"
pid=$(cat "$RUN/domains/$("$XM" domid bl 2>/dev/null)/pid" 2>/dev/null)
argv=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null)
kern=$(grep -A1 -x -- --kernel <<<"$argv" | tail -n 1)
check "its args" "a 'b' c" "$(grep -A1 -x -- --cmdline <<<"$argv" | tail -n 1)"
check "it was given" "-q --output-directory=$RUN/boot --args=xm.extra=1 --entry=1 $img/pg.img" "$(cat "$kern" 2>/dev/null)"
check "no ramdisk" 0 "$(grep -c -x -- --ramdisk <<<"$argv")"
check_rc "xm destroy" 0 "$XM" destroy bl
check "its file gone" "" "$(ls "$RUN/boot")"
cp "$T/pgdom.cfg" "$T/bad.cfg"
sed -i "s|name = \"pgdom\"|name = \"bad\"|; s|$img/pg.img|$T/empty.img|" "$T/bad.cfg"
check_rc "bootloader fails" 1 "$XM" create "$T/bad.cfg"
check "names bootloader and disk" 1 "$(grep -c "bootloader pygrub failed on disk $T/empty.img: kxen-pygrub: .*no grub.cfg" <<<"$OUT")"
check "no domain left" "" "$("$XM" list 2>/dev/null | awk '$1 == "bad"')"
check "no files left" "" "$(ls "$RUN/boot")"
sed -i "s|bootloader = \"pygrub\"|bootloader = \"/nonexistent/boot\"|" "$T/bad.cfg"
check_rc "bootloader missing" 1 "$XM" create "$T/bad.cfg"
check "names it" 1 "$(grep -c "bootloader /nonexistent/boot: /nonexistent/boot is not an executable program" <<<"$OUT")"
xend_stop

# --- opt-in: a real Debian image --------------------------------------------
if [ -n "${KXEN_TEST_DEBOOTSTRAP:-}" ]; then
	t0=$(date +%s)
	check_rc "debootstrap --pygrub" 0 "$MKIMG" --hostname deb --dir "$img" \
		--config-dir "$cfgd" --pygrub --size 2G \
		${KXEN_DEBOOTSTRAP_CACHE:+--debootstrap-cache "$KXEN_DEBOOTSTRAP_CACHE"}
	echo "     (debootstrap image: $(($(date +%s) - t0)) s)"
	tail -n 3 <<<"$OUT"
	t0=$(date +%s%N)
	check_rc "pygrub on it" 0 "$PYGRUB" -q --output-directory="$out" "$img/deb.img"
	echo "     (kxen-pygrub, Debian kernel: $(( ($(date +%s%N) - t0) / 1000000 )) ms)"
	k=$(sed -n 's/.*(kernel \([^)]*\)).*/\1/p' <<<"$OUT")
	check "an ELF vmlinux" 1 "$(file "$k" | grep -c 'ELF 64-bit')"
	check "with the PVH note" 1 "$(readelf -n "$k" | grep -Ec 'Xen .*(0x00000012|PHYS32_ENTRY)')"
fi

[ "$FAILS" = 0 ] && echo "create-image: all passed" || echo "create-image: $FAILS failed"
exit $((FAILS > 0))
