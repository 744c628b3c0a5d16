#!/usr/bin/env bash
# `xm help` lists every command of "Running Xen" Appendix B, each with a
# one-line help; `xm help CMD` and `xm CMD --help` give its usage; xl is
# the same program; unknown commands and options are usage errors (exit 2).
set -u
XM=${XM:-build/bin/xm}
XL=${XL:-build/bin/xl}
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

appendix_b="console create new delete destroy domid domname dump-core list
mem-max mem-set migrate pause reboot rename restore save shutdown start
suspend resume sysrq trigger top unpause uptime vcpu-list vcpu-pin vcpu-set
debug-keys dmesg info log serve sched-credit sched-sedf block-attach
block-detach block-list block-configure network-attach network-detach
network-list vtpm-list vnet-list vnet-create vnet-delete labels addlabel
rmlabel getlabel dry-run resources makepolicy loadpolicy cfgbootpolicy
dumppolicy help"

help=$("$XM" help) || fail "xm help exited $?"
n=0
for c in $appendix_b; do
	n=$((n + 1))
	# each command on its own line, followed by its help text
	grep -qE "^ $c +[A-Z]" <<<"$help" || fail "xm help does not list '$c'"
	out=$("$XM" help "$c") || fail "xm help $c exited $?"
	grep -q "^Usage: xm $c" <<<"$out" || fail "xm help $c: no usage line"
	out=$("$XM" "$c" --help) || fail "xm $c --help exited $?"
	grep -q "^Usage: xm $c" <<<"$out" || fail "xm $c --help: no usage line"
done
[ "$n" -ge 58 ] || fail "only $n Appendix B commands checked"

out=$("$XL" help create) || fail "xl help create exited $?"
grep -q "^Usage: xl create" <<<"$out" || fail "xl does not name itself: $out"

out=$("$XM" lst 2>&1); rc=$?
[ $rc = 2 ] || fail "xm lst: exit $rc, expected 2"
grep -q "unknown command 'lst' (did you mean 'list'?)" <<<"$out" ||
	fail "xm lst: $out"
out=$("$XM" 2>&1); rc=$?
[ $rc = 2 ] || fail "xm without a command: exit $rc, expected 2"
out=$("$XM" --bogus list 2>&1); rc=$?
[ $rc = 2 ] || fail "xm --bogus: exit $rc, expected 2"
out=$("$XM" create --bogus x.cfg 2>&1); rc=$?
[ $rc = 2 ] || fail "xm create --bogus: exit $rc, expected 2 ($out)"
out=$("$XM" help nosuch 2>&1); rc=$?
[ $rc = 2 ] || fail "xm help nosuch: exit $rc, expected 2"

# Commands no issue implements yet fail loudly, never silently.
for c in save restore migrate mem-set vcpu-pin sched-credit vnet-list labels top; do
	out=$(XEND_SOCKET=/nonexistent "$XM" "$c" x 2>&1); rc=$?
	[ $rc = 1 ] || fail "xm $c: exit $rc, expected 1"
	[ "$out" = "xm: '$c' is not implemented yet" ] || fail "xm $c: '$out'"
done
# xl -N create is xl's dry run: the same SXP as xm create -n.
a=$(KXEN_HOST_MEMORY_MB=4096 "$XL" -N create tests/golden/book-debian.cfg 2>/dev/null); rc=$?
b=$(KXEN_HOST_MEMORY_MB=4096 "$XM" create -n tests/golden/book-debian.cfg 2>/dev/null)
[ $rc = 0 ] && [ "$a" = "$b" ] && grep -q '^(vm' <<<"$a" || fail "xl -N create: $rc $a"
# xl -N only runs commands that have a dry run.
out=$("$XL" -N list 2>&1); rc=$?
[ $rc = 1 ] || fail "xl -N list: exit $rc, expected 1 ($out)"

if [ $fails = 0 ]; then echo "xm-help: ok ($n commands)"; else exit 1; fi
