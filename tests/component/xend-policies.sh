#!/usr/bin/env bash
# xend's on_poweroff / on_reboot / on_crash with the fake monitor:
# destroy, restart (new id), preserve (kept, shown as shut down or
# crashed until destroyed), rename-restart (old one kept as
# Domain-<uuid>), restarting too fast, coredump-* not implemented yet, and
# a monitor killed with SIGKILL noticed within a second as a crash.
. "$(dirname "$0")/xend_lib.sh"
xs_start
xend_start --min-restart-interval 3

# fake_exit NAME REASON: the fake monitor of NAME ends with REASON.
fake_exit() {
	local id
	id=$(dom_field "$1" 2)
	/usr/bin/python3 - "$RUN/domains/$id/ctl" "$2" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(('{"op":"fake-exit","reason":"%s"}\n' % sys.argv[2]).encode())
s.makefile().readline()
EOF
}

# --- on_crash=destroy
make_cfg c1 'on_crash = "destroy"'
"$XM" create -q "$T/c1.cfg" >/dev/null
id=$(dom_field c1 2)
fake_exit c1 crash
check "crash + destroy: gone" "yes" "$(wait_until 2 gone c1 && echo yes)"
check_nothing_left "$id" "crash + destroy"
grep -q "d$id (c1): monitor ended: crash 4; on_crash=destroy" "$T/xend.log"
check "crash logged with its policy" 0 $?

# --- on_crash=restart: a new id, same name and uuid
make_cfg c2 'on_crash = "restart"'
"$XM" create -q "$T/c2.cfg" >/dev/null
id=$(dom_field c2 2); uuid=$(xenstore-read /local/domain/"$id"/vm)
fake_exit c2 crash
wait_running c2 $((id + 1))
nid=$(dom_field c2 2)
check "crash + restart: new id" "$((id + 1))" "$nid"
check "same uuid" "$uuid" "$(xenstore-read /local/domain/"$nid"/vm)"
check_nothing_left "$id" "old id after restart"

# --- restarting too fast: the second restart inside 3 s is refused
fake_exit c2 crash
check "too fast: destroyed instead" "yes" "$(wait_until 3 gone c2 && echo yes)"
grep -q "restarting too fast" "$T/xend.log"
check "too fast logged" 0 $?

# --- on_poweroff=preserve: kept as shut down until destroyed
make_cfg p1 'on_poweroff = "preserve"'
"$XM" create -q "$T/p1.cfg" >/dev/null
id=$(dom_field p1 2)
check_rc "shutdown -w a preserved domain" 0 "$XM" shutdown -w p1
check "preserved: state shutdown" "---s--" "$(dom_field p1 5)"
check "preserved: XenStore kept" "p1" "$(xenstore-read /local/domain/"$id"/name)"
check_rc "pause a preserved domain" 1 "$XM" pause p1
check_rc "destroy the preserved domain" 0 "$XM" destroy p1
check_nothing_left "$id" "preserved then destroyed"

# --- on_crash=preserve: shown crashed
make_cfg p2 'on_crash = "preserve"'
"$XM" create -q "$T/p2.cfg" >/dev/null
fake_exit p2 crash
wait_until 2 '[ "$(dom_field p2 5)" = "----c-" ]'
check "crash + preserve: state crashed" "----c-" "$(dom_field p2 5)"
check "list --state=crashed" "p2" "$("$XM" list --state=crashed | awk 'NR > 1 {print $1}')"
"$XM" destroy p2

# --- on_reboot=rename-restart: the old one stays, renamed
make_cfg r1 'on_reboot = "rename-restart"'
"$XM" create -q "$T/r1.cfg" >/dev/null
id=$(dom_field r1 2); uuid=$(xenstore-read /local/domain/"$id"/vm)
fake_exit r1 reboot
wait_running r1 $((id + 1))
nid=$(dom_field r1 2)
check "rename-restart: new id" "$((id + 1))" "$nid"
check "rename-restart: uuid moves to the new one" "$uuid" "$(xenstore-read /local/domain/"$nid"/vm)"
old=$(xenstore-read /local/domain/"$id"/name)
check "old one renamed" "Domain-" "${old:0:7}"
check "old one listed, shut down" "$id ---s--" "$("$XM" list "$old" | awk 'NR == 2 {print $2, $5}')"
check "old one's /vm renamed" "$old" "$(xenstore-read "$(xenstore-read /local/domain/"$id"/vm)"/name)"
"$XM" destroy "$old"
check "new one untouched by the old one's destroy" "r1" \
	"$(xenstore-read "$uuid"/name)"
"$XM" destroy r1

# --- on_reboot=destroy; halt follows on_poweroff
make_cfg r2 'on_reboot = "destroy"'
"$XM" create -q "$T/r2.cfg" >/dev/null
"$XM" reboot -w r2
check "reboot + destroy: gone" "yes" "$(gone r2 && echo yes)"
make_cfg h1 'on_poweroff = "preserve"'
"$XM" create -q "$T/h1.cfg" >/dev/null
"$XM" shutdown -H -w h1
check "halt follows on_poweroff (preserve)" "---s--" "$(dom_field h1 5)"
"$XM" destroy h1

# --- coredump-*: not implemented yet, and nothing created
make_cfg cd1 'on_crash = "coredump-destroy"'
check_rc "coredump-destroy refused" 1 "$XM" create -q "$T/cd1.cfg"
check "coredump message" "xm: coredump-destroy: not implemented yet" "$OUT"
check "nothing listed" "yes" "$(gone cd1 && echo yes)"

# --- a monitor killed with SIGKILL: a crash, noticed within a second
make_cfg k1 'on_crash = "destroy"'
"$XM" create -q "$T/k1.cfg" >/dev/null
id=$(dom_field k1 2)
kill -9 "$(cat "$RUN/domains/$id/pid")"
start=$(date +%s%N)
wait_until 2 gone k1
ms=$((($(date +%s%N) - start) / 1000000))
check "SIGKILLed monitor noticed within a second" "yes" "$([ "$ms" -lt 1000 ] && echo yes)"
echo "     (noticed after ${ms} ms)"
grep -q "d$id (k1): monitor ended: crash -1; on_crash=destroy" "$T/xend.log"
check "killed monitor counts as a crash" 0 $?
check_nothing_left "$id" "killed monitor"
xt_done
