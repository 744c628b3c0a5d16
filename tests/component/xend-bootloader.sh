#!/usr/bin/env bash
# bootloader= under xend with the fake monitor and a stand-in bootloader (a
# script that answers as pygrub does): xend keeps serving while it runs,
# the kernel it names is the one booted, and a bootloader that fails, or a
# domain destroyed while its bootloader runs, leaves nothing behind. (The
# real kxen-pygrub on a created image: tests/scenarios/pygrub-boot.sh.)
. "$(dirname "$0")/xend_lib.sh"
xs_start
xend_start

truncate -s 16M "$T/d.img" "$T/e.img" "$T/f.img"
: >"$T/vmlinuz-guest"
# The stand-in: sleeps $BL_SLEEP, logs its arguments, then answers.
cat >"$T/bl.sh" <<EOF
#!/bin/sh
echo "\$@" >>"$T/bl.args"
sleep "\$(cat "$T/bl.sleep")"
: >"$T/bl.done"
case "\$(cat "$T/bl.mode")" in
fail) echo "no grub.cfg on this disk" >&2; exit 1 ;;
*) echo "linux (kernel $T/vmlinuz-guest)(args \"root=/dev/xvda1 from=bl\")" ;;
esac
EOF
chmod +x "$T/bl.sh"

echo 2 >"$T/bl.sleep"; echo ok >"$T/bl.mode"
make_cfg pg "bootloader = '$T/bl.sh'" "disk = ['file:$T/d.img,xvda,w']"
"$XM" create -q "$T/pg.cfg" >"$T/pg.out" 2>&1 & cpid=$!
wait_until 5 '[ -s "$T/bl.args" ]'
check_rc "xm list answers while the bootloader runs" 0 "$XM" list pg
check "the bootloader was still running then" "" "$(ls "$T/bl.done" 2>/dev/null)"
check "the domain is listed as building" "--p---" "$(dom_field pg 5)"
check "the create was still waiting then" yes "$(kill -0 $cpid && echo yes)"
wait $cpid
check "the create succeeds" "0 Started domain pg" "$? $(cut -d' ' -f1-3 "$T/pg.out")"
check "the bootloader got the disk" 1 "$(grep -c -- "-q --output-directory=$RUN/boot .*$T/d.img\$" "$T/bl.args")"
id=$(dom_field pg 2)
check "the monitor boots the kernel it named" 1 \
	"$(tr '\0' ' ' </proc/"$(cat "$RUN/domains/$id/pid")"/cmdline | grep -c -- "--kernel $T/vmlinuz-guest --cmdline root=/dev/xvda1 from=bl")"
"$XM" destroy pg

# A config with no kernel= at all, as pygrub configs are.
echo 0 >"$T/bl.sleep"
printf 'name = "nok"\nmemory = 64\nbootloader = "%s"\ndisk = ["file:%s,xvda,w"]\n' \
	"$T/bl.sh" "$T/d.img" >"$T/nok.cfg"
check_rc "a bootloader config without kernel=" 0 "$XM" create -q "$T/nok.cfg"
"$XM" destroy nok

echo fail >"$T/bl.mode"
make_cfg bad "bootloader = '$T/bl.sh'" "disk = ['file:$T/e.img,xvda,w']"
check_rc "a failing bootloader fails the create" 1 "$XM" create -q "$T/bad.cfg"
check "with its last word" 1 "$(grep -c "bootloader $T/bl.sh failed on disk $T/e.img: no grub.cfg on this disk" <<<"$OUT")"
check "and no domain left" "" "$("$XM" list bad 2>/dev/null)"

echo 30 >"$T/bl.sleep"; echo ok >"$T/bl.mode"; : >"$T/bl.args"; rm -f "$T/bl.done"
make_cfg long "bootloader = '$T/bl.sh'" "disk = ['file:$T/f.img,xvda,w']"
"$XM" create -q "$T/long.cfg" >"$T/long.out" 2>&1 & cpid=$!
wait_until 5 '[ -s "$T/bl.args" ]'
check_rc "destroy while the bootloader runs" 0 "$XM" destroy long
wait $cpid
check "the create says so" 1 "$(grep -c "destroyed while starting" "$T/long.out")"
check "the bootloader is gone" "" "$(pgrep -f "$T/bl.sh")"
check "killed, not finished" "" "$(ls "$T/bl.done" 2>/dev/null)"
check "no domain left" "" "$("$XM" list long 2>/dev/null)"
check "no record left" "" "$(ls "$RUN/domains")"
# A xend killed while a bootloader runs takes the bootloader with it.
echo 30 >"$T/bl.sleep"; : >"$T/bl.args"; rm -f "$T/bl.done"
make_cfg orphan "bootloader = '$T/bl.sh'" "disk = ['file:$T/f.img,xvda,w']"
"$XM" create -q "$T/orphan.cfg" >/dev/null 2>&1 &
wait_until 5 '[ -s "$T/bl.args" ]'
xend_kill9
wait_until 5 '[ -z "$(pgrep -f "$T/bl.sh")" ]'
check "xend's death ends its bootloader" "" "$(pgrep -f "$T/bl.sh")"
echo "xend-bootloader: $FAILS failed"
[ "$FAILS" = 0 ]
