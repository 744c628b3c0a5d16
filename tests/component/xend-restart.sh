#!/usr/bin/env bash
# xend kill -9 and restart: running domains are re-adopted (list, pause,
# shutdown, destroy work again, ids go on increasing); a domain whose
# monitor ended while xend was down is handled by its policy when xend
# returns (reboot -> restart, crash -> destroy, a killed monitor -> crash);
# a preserved domain stays preserved; a monitor without xend's record
# (xend died inside create) is removed; SIGTERM stops xend and leaves
# the domains running.
. "$(dirname "$0")/xend_lib.sh"
xs_start
xend_start --min-restart-interval 0

fake_exit() {
	/usr/bin/python3 - "$RUN/domains/$1/ctl" "$2" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(('{"op":"fake-exit","reason":"%s"}\n' % sys.argv[2]).encode())
s.makefile().readline()
EOF
}

make_cfg a; make_cfg b; make_cfg c 'on_crash = "destroy"'
make_cfg r 'on_reboot = "restart"'; make_cfg k 'on_crash = "destroy"'
make_cfg p 'on_poweroff = "preserve"'
for n in a b c r k p; do "$XM" create -q "$T/$n.cfg" >/dev/null; done
"$XM" pause b
"$XM" shutdown -w p
pa=$(cat "$RUN/domains/1/pid")
before=$("$XM" list | awk 'NR > 1 {print $1, $2}' | xargs)
check "six domains" "Domain-0 0 a 1 b 2 c 3 r 4 k 5 p 6" "$before"

# --- kill -9 xend; while it is down, three monitors end
xend_kill9
fake_exit 3 crash
fake_exit 4 reboot
kill -9 "$(cat "$RUN/domains/5/pid")"
check_rc "xm while xend is down" 1 "$XM" list
check "monitor of a kept running" "alive" "$(alive "$pa" && echo alive)"

# --- restart: adopt, apply policies
xend_start --min-restart-interval 0
wait_running r 7
check "after restart" "Domain-0 0 a 1 b 2 p 6 r 7" "$("$XM" list | awk 'NR > 1 {print $1, $2}' | xargs)"
check "a re-adopted, running" "r-----" "$(dom_field a 5)"
check "b re-adopted, paused" "--p---" "$(dom_field b 5)"
check "p still preserved" "---s--" "$(dom_field p 5)"
grep -q "d3 (c): monitor ended while xend was down (crash 4)" "$T/xend.log"
check "crash while down: logged" 0 $?
grep -q "d5 (k): monitor ended while xend was down (crash -1)" "$T/xend.log"
check "killed while down counts as a crash" 0 $?
check_nothing_left 3 "crashed while down"
check_nothing_left 4 "rebooted while down (old id)"
check_nothing_left 5 "killed while down"
check "r restarted under id 7" "r" "$(xenstore-read /local/domain/7/name)"

# --- adopted domains answer again
check_rc "unpause adopted b" 0 "$XM" unpause b
check "b running" "r-----" "$(dom_field b 5)"
check_rc "shutdown -w adopted a" 0 "$XM" shutdown -w a
check "a gone" "yes" "$(gone a && echo yes)"
check "a's monitor gone" "" "$(alive "$pa" && echo alive)"
check_nothing_left 1 "a after shutdown"
check_rc "destroy adopted b" 0 "$XM" destroy b
check_nothing_left 2 "b after destroy"
make_cfg n
"$XM" create -q "$T/n.cfg" >/dev/null
check "new ids continue" "8" "$(dom_field n 2)"
check_rc "destroy preserved p" 0 "$XM" destroy p
check_nothing_left 6 "p after destroy"

# --- an adopted monitor that ends is noticed at once
id=$(dom_field r 2)
xend_kill9
xend_start --min-restart-interval 0
kill -9 "$(cat "$RUN/domains/$id/pid")"
wait_running r 9
check "adopted monitor's crash handled (restart)" "9" "$(dom_field r 2)"

# --- xend killed while a create waits for its monitor: the next xend
# removes that domain (its record still says "starting")
echo NO_CTL >"$T/kernel-mute"
make_cfg mute KERNEL="$T/kernel-mute"
("$XM" create -q "$T/mute.cfg" >"$T/mute.out" 2>&1; echo $? >"$T/res-mute") &
wait_until 3 '"$XM" list mute'
mid=$(dom_field mute 2)
wait_until 3 '[ -s "$RUN/domains/$mid/pid" ]'
mpid=$(cat "$RUN/domains/$mid/pid")
xend_kill9
wait_until 3 '[ -s "$T/res-mute" ]'
# (today's xm words it "xend sent a reply xm cannot read")
check "the waiting xm fails" "1 xm: " "$(cat "$T/res-mute") $(cut -c1-4 "$T/mute.out")"
cat "$T/mute.out"
xend_start --min-restart-interval 0
check "half-created domain removed" "yes" "$(gone mute && echo yes)"
check "its monitor killed" "" "$(wait_until 2 '! alive $mpid'; alive "$mpid" && echo alive)"
check_nothing_left "$mid" "half-created domain"

# --- a monitor without a record (xend died inside create) is removed
xend_stop
mkdir -p "$RUN/domains/42"
: >"$T/kernel-orphan"
opid=$("$FAKE" --name orphan --domid 42 --kernel "$T/kernel-orphan" \
	--xenstore "$XENSTORED_PATH" --state-dir "$RUN/domains/42" --paused \
	>/dev/null 2>&1 & echo $!)
wait_until 3 '[ -S "$RUN/domains/42/ctl" ]'
xenstore-write /local/domain/42/name orphan
xend_start --min-restart-interval 0
wait_until 2 '! alive $opid'
check "orphan monitor killed" "" "$(alive "$opid" && echo alive)"
check_nothing_left 42 "orphan"

# --- SIGTERM: xend stops, domains keep running, the next xend adopts
ids=$("$XM" list | awk 'NR > 1 {print $1, $2}' | xargs)
xend_stop
check "socket removed on SIGTERM" "" "$(ls "$XEND_SOCKET" 2>/dev/null)"
check "monitors still run" "2" "$(monitor_pids | wc -l)"
xend_start --min-restart-interval 0
check "same domains after a clean restart" "$ids" "$("$XM" list | awk 'NR > 1 {print $1, $2}' | xargs)"
xt_done
