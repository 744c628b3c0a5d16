# bench/lib.sh: helpers for the benches that boot guests in the test bed
# (bench/blk, bench/net). Sourced by bash on the build host, not run.

# bench_progs ROOT PROG...: each program at its own path under ROOT, with
# the shared libraries ldd lists (the dynamic loader included) at theirs:
# enough for the busybox-only guest initramfs or the libc-less nested host.
bench_progs() {
  local root=$1 p
  shift
  for p in "$@"; do
    p=$(command -v "$p") || { echo "bench: missing $1" >&2; return 1; }
    mkdir -p "$root$(dirname "$p")"
    cp -L "$p" "$root$p"
    ldd "$p" | grep -o '/[^ ]*' || true
  done | sort -u | while read -r l; do
    mkdir -p "$root$(dirname "$l")"
    cp -L "$l" "$root$l"
  done
}

# bench_qemu_bundle DIR: QEMU, its libraries and the firmware `-M pc` with a
# PVH kernel needs, for the nested host (as bench/boot does for microvm).
bench_qemu_bundle() {
  local b=$1 l
  mkdir -p "$b/lib" "$b/share"
  cp /usr/bin/qemu-system-x86_64 "$b/"
  ldd /usr/bin/qemu-system-x86_64 | grep -o '/[^ ]*' | sort -u | while read -r l; do
    cp -L "$l" "$b/lib/"
  done
  cp -L /usr/share/qemu/{pvh.bin,linuxboot_dma.bin,kvmvapic.bin} "$b/share/"
  cp -L /usr/share/seabios/bios-256k.bin "$b/share/"
}

# bench_modules ART DIR MODULE...: stock modules of the guest kernel's ABI
# (ART = the folder scripts/guest-artifacts prints) and what they depend
# on, into DIR, with DIR/order listing them in load order. The package is
# fetched once with apt-get download and kept, unpacked, beside the
# artifacts ($ART/bench-kernel).
bench_modules() {
  local art=$1 out=$2 abi pkg cache m
  shift 2
  abi=$(basename "$art")
  pkg=linux-image-$abi
  cache=$art/bench-kernel
  if [ ! -f "$cache/stamp" ]; then
    rm -rf "$cache.tmp"
    mkdir -p "$cache.tmp/deb"
    chmod 755 "$cache.tmp" "$cache.tmp/deb"
    chown _apt "$cache.tmp/deb" 2>/dev/null || true
    (cd "$cache.tmp/deb" && apt-get download -q "$pkg" >&2)
    dpkg-deb -x "$cache.tmp"/deb/*.deb "$cache.tmp/pkg"
    rm -rf "$cache.tmp/deb" "$cache"
    mv "$cache.tmp" "$cache"
    echo "$pkg" >"$cache/stamp"
  fi
  local kmods=$cache/pkg/lib/modules/$abi
  mkdir -p "$out"
  : >"$out/order"
  declare -A seen=()
  _bench_mod() {
    local name=${1//-/_} f dep
    [ -n "${seen[$name]:-}" ] && return 0
    seen[$name]=1
    f=$(find "$kmods/kernel" -name "$name.ko" -o -name "${name//_/-}.ko" | head -n 1)
    [ -n "$f" ] || { echo "bench: module $1 not in $pkg" >&2; return 1; }
    for dep in $(modinfo -F depends "$f" | tr ',' ' '); do _bench_mod "$dep"; done
    cp "$f" "$out/"
    basename "$f" >>"$out/order"
  }
  for m in "$@"; do _bench_mod "$m"; done
}

# bench_cpio ROOT: an uncompressed newc archive of ROOT on stdout (the
# kernel unpacks archives appended to a compressed one; no decompression
# cost under emulation).
bench_cpio() {
  (cd "$1" && find . -print0 | LC_ALL=C sort -z |
     cpio --null -o -H newc -R 0:0 --quiet)
}
