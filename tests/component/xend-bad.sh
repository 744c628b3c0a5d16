#!/usr/bin/env bash
# Bad input to xend leaves nothing behind: a kernel the monitor refuses,
# a monitor that never answers, a name in use, memory the host does not
# have, a bad name; concurrent creates of one name (exactly one wins); xm
# without xend names the socket; a second xend on the same socket refuses
# to start; a missing monitor binary.
. "$(dirname "$0")/xend_lib.sh"
xs_start

# xm without xend: says so and names the socket.
make_cfg early
check_rc "xm list without xend" 1 "$XM" list
check "names the socket" "xm: xend is not running (cannot connect to $XEND_SOCKET: No such file or directory)" "$OUT"

xend_start --start-timeout 1

# nothing_at_all WHAT: no domain but Domain-0, no XenStore node, no
# monitor directory, no monitor process.
nothing_at_all() {
	check "$1: only Domain-0 listed" "Domain-0" "$("$XM" list | awk 'NR > 1 {print $1}' | xargs)"
	check "$1: /local/domain holds 0 at most" "" "$(xenstore-list /local/domain 2>/dev/null | grep -vx 0)"
	check "$1: /vm empty" "" "$(xenstore-list /vm 2>/dev/null | xargs)"
	check "$1: /libxl empty" "" "$(xenstore-list /libxl 2>/dev/null | xargs)"
	check "$1: no monitor directory" "" "$(ls "$RUN/domains")"
	check "$1: no monitor process" "" "$(monitor_pids)"
}

# --- the monitor refuses the kernel
echo FAIL >"$T/kernel-bad"
make_cfg bad KERNEL="$T/kernel-bad"
check_rc "refused kernel" 1 "$XM" create -q "$T/bad.cfg"
check "the monitor's reason reaches xm" "xm: the monitor of 'bad' exited: fake-monitor: cannot load kernel $T/kernel-bad: not an ELF file" "$OUT"
nothing_at_all "refused kernel"

# --- the monitor never answers on its ctl socket
echo NO_CTL >"$T/kernel-mute"
make_cfg mute KERNEL="$T/kernel-mute"
check_rc "silent monitor" 1 "$XM" create -q "$T/mute.cfg"
check "timeout message" "xm: the monitor of 'mute' did not answer" "$OUT"
nothing_at_all "silent monitor"

# --- while a monitor starts, xend keeps serving: list answers at once
# and shows it building (paused); a second create of the name is refused
("$XM" create -q "$T/mute.cfg" >/dev/null 2>&1; echo $? >"$T/res-mute") &
wait_until 2 '"$XM" list mute'
t0=$(date +%s%N)
row=$("$XM" list mute | awk 'NR == 2 {print $1, $5}')
ms=$((($(date +%s%N) - t0) / 1000000))
check "listed while starting" "mute --p---" "$row"
check "list answers during a start (<500 ms)" "yes" "$([ "$ms" -lt 500 ] && echo yes)"
check_rc "second create while the first starts" 1 "$XM" create -q "$T/mute.cfg"
wait_until 5 '[ -s "$T/res-mute" ]'
check "the slow create still fails" "1" "$(cat "$T/res-mute")"
nothing_at_all "after the slow create"

# --- a name in use
make_cfg web
"$XM" create -q "$T/web.cfg" >/dev/null
check_rc "name in use" 1 "$XM" create -q "$T/web.cfg"
check "name in use message" "xm: Domain 'web' already exists with ID '$(dom_field web 2)'" "$OUT"
check "still one web" "1" "$("$XM" list | grep -c '^web ')"
"$XM" destroy web

# --- memory the host does not have (xm is told the host is huge)
make_cfg big memory=40000000
check_rc "memory beyond the host" 1 env KXEN_HOST_MEMORY_MB=100000000 "$XM" create -q "$T/big.cfg"
check "memory message" "not enough free memory" "$(grep -o 'not enough free memory' <<<"$OUT")"
nothing_at_all "too much memory"

# --- names xend refuses
make_cfg 123
check_rc "numeric name" 1 "$XM" create -q "$T/123.cfg"
check_rc "rename to a used name" 1 "$XM" rename web Domain-0

# --- concurrent creates of one name: exactly one wins
make_cfg race
for i in 1 2 3 4 5 6; do
	("$XM" create -q "$T/race.cfg" >/dev/null 2>&1; echo $? >"$T/res-race.$i") &
done
wait_until 20 '[ "$(cat "$T"/res-race.* 2>/dev/null | wc -l)" = 6 ]'
check "exactly one create wins" "1" "$(grep -l '^0$' "$T"/res-race.* | wc -l)"
check "one race domain" "1" "$("$XM" list | grep -c '^race ')"
"$XM" destroy race
nothing_at_all "after the race"

# --- a client that connects and sends nothing holds up no one; one that
# sends more than 1 MiB is refused
/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"{\"vers")
time.sleep(3)' "$XEND_SOCKET" &
silent=$!
sleep 0.3
t0=$(date +%s%N)
"$XM" list >/dev/null
ms=$((($(date +%s%N) - t0) / 1000000))
check "list answers beside a silent client (<500 ms)" "yes" "$([ "$ms" -lt 500 ] && echo yes)"
kill "$silent" 2>/dev/null; wait "$silent" 2>/dev/null
out=$(/usr/bin/python3 - "$XEND_SOCKET" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
try:
    s.sendall(b'{"version":1,"command":"list","args":["' + b"x" * (2 << 20))
except OSError:
    pass
print(json.loads(s.makefile().readline())["error"])
EOF
)
check "oversized request refused" "request too large" "$out"

# --- non-root users are refused by the socket's permissions (0600)
check "socket mode" "600" "$(stat -c %a "$XEND_SOCKET")"
if command -v runuser >/dev/null && id nobody >/dev/null 2>&1; then
	chmod 755 "$T"
	check_rc "xm as nobody" 1 runuser -u nobody -- "$XM" list
	check "refused with EACCES" "Permission denied" "$(grep -o 'Permission denied' <<<"$OUT")"
	chmod 700 "$T"
fi

# --- a second xend on the same socket refuses to start
out=$("$XEND" -f --socket "$XEND_SOCKET" --run-dir "$T/run2" --log-file - 2>&1); rc=$?
check "second xend refused" "1" "$rc"
check "second xend message" "xend: cannot listen on $XEND_SOCKET: another xend is running" "$out"

# --- xenstored down: create says so before starting anything; after
# xenstored comes back, xend reconnects by itself
kill "$XS_PID"; wait "$XS_PID" 2>/dev/null
make_cfg noxs
check_rc "create without xenstored" 1 "$XM" create -q "$T/noxs.cfg"
check "names xenstored" "xm: cannot connect to xenstored at $XENSTORED_PATH" "${OUT%%: [A-Z]*}"
check "no monitor started" "" "$(ls "$RUN/domains")"
xs_start
check_rc "create after xenstored is back" 0 "$XM" create -q "$T/noxs.cfg"
"$XM" destroy noxs
nothing_at_all "after xenstored came back"

# --- a monitor binary that does not exist
xend_stop
xend_start --monitor "$T/no-such-monitor"
make_cfg nomon
check_rc "missing monitor" 1 "$XM" create -q "$T/nomon.cfg"
check "missing monitor message" "xm: the monitor of 'nomon' exited: xend: cannot run $T/no-such-monitor: No such file or directory" "$OUT"
nothing_at_all "missing monitor"
xt_done
