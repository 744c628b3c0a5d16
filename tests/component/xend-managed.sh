#!/usr/bin/env bash
# Managed domains (xm new/start/delete) kept in --state-dir across xend
# restarts; the auto directory's domains started when xend starts (and
# not twice); xend as a daemon with its pid file; xm log.
. "$(dirname "$0")/xend_lib.sh"
xs_start
mkdir -p "$T/auto"
make_cfg auto1 vcpus=1
cp "$T/auto1.cfg" "$T/auto/auto1.cfg"
printf 'name = "broken"\nmemory = "lots"\n' >"$T/auto/broken.cfg"
xend_start

# --- /etc/xen/auto
check "auto domain started" "1" "$(dom_field auto1 2)"
grep -q "auto: $T/auto/broken.cfg:2" "$T/xend.log"
check "broken auto config logged with its line" 0 $?

# --- new / list / start / delete
make_cfg m1 'on_poweroff = "destroy"'
check_rc "new" 0 "$XM" new "$T/m1.cfg"
check "stored" "yes" "$([ -f "$T/state/domains/m1.json" ] && echo yes)"
check "listed without an id" "m1 64 1 ------" "$("$XM" list | awk '$1 == "m1" {print $1, $2, $3, $4}')"
check "list --state=halted" "m1" "$("$XM" list --state=halted | awk 'NR > 1 {print $1}')"
check_rc "start" 0 "$XM" start m1
check "start output" "Started domain m1 (id=2)" "$OUT"
check "running" "2 r-----" "$("$XM" list m1 | awk 'NR == 2 {print $2, $5}')"
check_rc "start twice" 1 "$XM" start m1
check_rc "delete while running" 1 "$XM" delete m1
check_rc "new while running" 1 "$XM" new "$T/m1.cfg"
"$XM" shutdown -w m1
check "back to inactive after shutdown" "m1 64 1 ------" "$("$XM" list | awk '$1 == "m1" {print $1, $2, $3, $4}')"
check_rc "start -p" 0 "$XM" start -p m1
check "started paused" "--p---" "$(dom_field m1 5)"
"$XM" destroy m1
check_rc "start unknown" 1 "$XM" start nosuch
check "start unknown message" "xm: domain 'nosuch' is not a managed domain" "$OUT"

# --- managed domains survive a xend restart; auto does not start twice
xend_stop
xend_start
check "managed domain still known" "m1" "$("$XM" list --state=halted | awk 'NR > 1 {print $1}')"
check "auto domain not started twice" "1" "$("$XM" list | grep -c '^auto1 ')"
check_rc "delete" 0 "$XM" delete m1
check "file removed" "no" "$([ -f "$T/state/domains/m1.json" ] && echo yes || echo no)"
check_rc "delete again" 1 "$XM" delete m1

# --- xm log shows xend.log
check "xm log" "yes" "$("$XM" log | grep -q "managed domain 'm1' deleted" && echo yes)"

# --- daemon mode: detaches, writes its pid file, serves, stops on TERM
xend_stop
"$XEND" --socket "$XEND_SOCKET" --run-dir "$RUN" --state-dir "$T/state" \
	--xenstore "$XENSTORED_PATH" --monitor "$FAKE" --log-file "$T/xend.log" \
	--auto-dir "$T/auto" --pid-file "$T/xend.pid"
check "daemon: parent returned 0" "0" "$?"
wait_until 5 '[ -s "$T/xend.pid" ]'
dpid=$(cat "$T/xend.pid")
check "daemon serves" "yes" "$("$XM" list | grep -q '^auto1 ' && echo yes)"
check "socket mode 0600" "600" "$(stat -c %a "$XEND_SOCKET")"
kill "$dpid"
wait_until 5 '! alive $dpid'
check "daemon stopped" "" "$(alive "$dpid" && echo alive)"
check "pid file removed" "no" "$([ -f "$T/xend.pid" ] && echo yes || echo no)"
xend_start
"$XM" destroy auto1
xt_done
