#!/usr/bin/env bash
# xend with the fake monitor: create -> list -> XenStore layout ->
# pause/unpause -> rename -> sysrq -> shutdown -w -> gone; reboot gives a
# new domain id; create -p; destroy; shutdown -a -w; the listings
# (list -l, --state, uptime, vcpu-list, info, log, dmesg); commands not
# brought yet say so.
. "$(dirname "$0")/xend_lib.sh"
xs_start
mkdir "$T/clog"
xend_start --console-log-dir "$T/clog"

# --- create and list
make_cfg web vcpus=2 'extra = "console=hvc0"'
check_rc "create web" 0 "$XM" create -q "$T/web.cfg"
check "create output" "Started domain web (id=1)" "$OUT"
out=$("$XM" list)
check "list header" "Name                                        ID   Mem VCPUs      State   Time(s)" \
	"$(head -n 1 <<<"$out")"
check "list Domain-0 first" "Domain-0 0" "$(sed -n 2p <<<"$out" | awk '{print $1, $2}')"
check "list web row" "web 1 64 2 r-----" \
	"$(sed -n 3p <<<"$out" | awk '{print $1, $2, $3, $4, $5}')"
wait_until 3 'grep -q "Linux version" "$T/clog/guest-web.log"'
check "console log (--console-log-dir)" "Linux version" "$(grep -o 'Linux version' "$T/clog/guest-web.log")"
check "domid" "1" "$("$XM" domid web)"
check "domname" "web" "$("$XM" domname 1)"
check "domid Domain-0" "0" "$("$XM" domid Domain-0)"
check_rc "domid unknown" 1 "$XM" domid nosuch
check "domid unknown message" "xm: domain 'nosuch' does not exist" "$OUT"

# --- the XenStore layout (reference §2) with its permissions
perm() { xenstore-ls -p "$1" >/dev/null 2>&1; /usr/bin/python3 - "$1" <<'EOF'
import os, sys
from pyxs import Client
c = Client(unix_socket_path=os.environ["XENSTORED_PATH"]); c.connect()
print(",".join(p.decode() for p in c.get_perms(sys.argv[1].encode())))
EOF
}
D=/local/domain/1
check "name" "web" "$(xenstore-read $D/name)"
check "domid node" "1" "$(xenstore-read $D/domid)"
uuid=$(xenstore-read $D/vm); uuid=${uuid#/vm/}
check "vm uuid" "$uuid" "$(xenstore-read /vm/"$uuid"/uuid)"
check "vm name" "web" "$(xenstore-read /vm/"$uuid"/name)"
check "vm start_time set" "yes" "$(xenstore-read /vm/"$uuid"/start_time >/dev/null && echo yes)"
check "memory/target" "65536" "$(xenstore-read $D/memory/target)"
check "memory/static-max" "65536" "$(xenstore-read $D/memory/static-max)"
check "cpu/1/availability" "online" "$(xenstore-read $D/cpu/1/availability)"
check "store/port" "1" "$(xenstore-read $D/store/port)"
check "store/ring-ref" "$((0xfeffc))" "$(xenstore-read $D/store/ring-ref)"
check "console/ring-ref" "$((0xfeffd))" "$(xenstore-read $D/console/ring-ref)"
check "console/backend" "/local/domain/0/backend/console/1/0" "$(xenstore-read $D/console/backend)"
check "console backend frontend" "$D/console" \
	"$(xenstore-read /local/domain/0/backend/console/1/0/frontend)"
check "xs_reset_watches" "1" "$(xenstore-read $D/control/platform-feature-xs_reset_watches)"
check "/libxl type" "pvh" "$(xenstore-read /libxl/1/type)"
introduced() { /usr/bin/python3 - "$1" <<'EOF'
import os, sys
from pyxs import Client
c = Client(unix_socket_path=os.environ["XENSTORED_PATH"]); c.connect()
print(c.is_domain_introduced(int(sys.argv[1])))
EOF
}
check "introduced to xenstored (by the monitor)" "True" "$(introduced 1)"
check "perms domain dir (RO)" "n0,r1" "$(perm $D)"
check "perms control (RO)" "n0,r1" "$(perm $D/control)"
check "perms control/shutdown (RW)" "n1" "$(perm $D/control/shutdown)"
check "perms feature-poweroff (RW)" "n1" "$(perm $D/control/feature-poweroff)"
check "perms data (RW)" "n1" "$(perm $D/data)"
check "perms error (RW)" "n1" "$(perm $D/error)"
check "perms memory/target (inherits RO)" "n0,r1" "$(perm $D/memory/target)"
check "perms /vm/uuid (RO)" "n0,r1" "$(perm /vm/"$uuid")"
check "perms /libxl/1 (NP)" "n0" "$(perm /libxl/1)"
check "perms console backend (RO)" "n0,r1" "$(perm /local/domain/0/backend/console/1/0)"

# --- pause, unpause, rename, sysrq
check_rc "pause" 0 "$XM" pause web
check "paused state" "--p---" "$(dom_field web 5)"
check "list --state=paused" "web" "$("$XM" list --state=paused | awk 'NR > 1 {print $1}')"
check_rc "unpause" 0 "$XM" unpause web
check "running state" "r-----" "$(dom_field web 5)"
check_rc "rename" 0 "$XM" rename web www
check "renamed in XenStore" "www" "$(xenstore-read $D/name)"
check "renamed /vm name" "www" "$(xenstore-read /vm/"$uuid"/name)"
check "renamed in list" "1" "$(dom_field www 2)"
check_rc "rename to Domain-0" 1 "$XM" rename www Domain-0
check_rc "sysrq" 0 "$XM" sysrq www s
wait_until 3 '[ -z "$(xenstore-read $D/control/sysrq)" ]'
check "sysrq acknowledged by the guest" "" "$(xenstore-read $D/control/sysrq)"
console=$(/usr/bin/python3 - "$RUN/domains/1/console" <<'EOF2'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(0.5)
data = b""
try:
    while b"sysrq" not in data:
        data += s.recv(4096)
except OSError:
    pass
print(data.decode())
EOF2
)
check "guest saw the sysrq (console history)" "sysrq: s" "$(grep -o 'sysrq: s' <<<"$console")"

# --- xm console's xend side: the console socket comes with the reply
# (SCM_RIGHTS, "fd":"console"); an older xm that reads() drops it
out=$(/usr/bin/python3 - "$XEND_SOCKET" <<'EOF'
import array, json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b'{"version":1,"command":"console","args":["www"]}\n')
fds = array.array("i")
msg, anc, _, _ = s.recvmsg(65536, socket.CMSG_SPACE(fds.itemsize))
for level, kind, data in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(data[:fds.itemsize])
rep = json.loads(msg.split(b"\n")[0])
con = socket.socket(fileno=fds[0])
con.settimeout(2)
con.sendall(b"typed-in\n")
data = b""
try:
    while b"typed-in" not in data:
        data += con.recv(4096)
except OSError:
    pass
print(rep["status"], rep.get("fd"), b"Linux version" in data, b"typed-in" in data)
EOF
)
check "console: fd passed, history replayed, input reaches the guest" "0 console True True" "$out"
check_rc "console of an unknown domain" 1 "$XM" console nosuch
make_cfg withc
"$XM" create -q -c "$T/withc.cfg" </dev/null >"$T/withc.out" 2>&1 &
xmc=$!
wait_until 5 'grep -q "Linux version" "$T/withc.out"'
check "create -c output, then the console" "Started domain withc (id=2)" "$(head -n 1 "$T/withc.out")"
"$XM" destroy withc
wait "$xmc"
check "create -c: xm ends when the domain goes" 0 "$?"

# --- listings
check "list -l" "(domid 1)" "$("$XM" list -l www | grep -o '(domid 1)')"
check "list -l on_crash" "(on_crash restart)" "$("$XM" list -l www | grep -o '(on_crash [a-z-]*)')"
check "list --json" "Domain-0 www" "$("$XM" list --json | /usr/bin/python3 -c 'import json,sys; print(" ".join(d["name"] for d in json.load(sys.stdin)))')"
check "list -l kernel args" "(args 'console=hvc0')" "$("$XM" list -l www | grep -o "(args '.*')")"
check "uptime rows" "Domain-0 www" "$("$XM" uptime | awk 'NR > 1 {print $1}' | xargs)"
check "uptime -s" "www (1)" "$("$XM" uptime -s www | grep -o 'www (1)')"
check "vcpu-list rows of www" "2" "$("$XM" vcpu-list www | awk '$1 == "www"' | wc -l)"
check "info nr_cpus" "$(nproc)" "$("$XM" info | awk -F': ' '/^nr_cpus/ {print $2}')"
check "log has the start" "yes" "$("$XM" log | grep -q 'd1 (web): started' && echo yes)"
check_rc "dmesg" 0 "$XM" dmesg
check_rc "list unknown domain" 1 "$XM" list nosuch

# --- shutdown -w: the guest acts on control/shutdown; everything goes
pid=$(cat "$RUN/domains/1/pid")
check_rc "shutdown -w" 0 "$XM" shutdown -w www
check "gone after shutdown -w" "yes" "$(gone www && echo yes)"
check "monitor process gone" "" "$(alive "$pid" && echo alive)"
check_nothing_left 1 "after shutdown"
check "/vm emptied" "" "$(xenstore-list /vm)"
check "released from xenstored" "False" "$(introduced 1)"

# --- reboot: on_reboot=restart gives a new boot under a new id
make_cfg db
"$XM" create -q "$T/db.cfg" >/dev/null
check "db id" "3" "$(dom_field db 2)"
check_rc "reboot -w" 0 "$XM" reboot -w db
wait_running db 4
check "rebooted under a new id" "4" "$(dom_field db 2)"
check_nothing_left 3 "old id after reboot"
check "new id's layout" "db" "$(xenstore-read /local/domain/4/name)"
check "same uuid kept" "1" "$(xenstore-list /vm | wc -l)"

# --- create -p stays paused; destroy takes anything away
make_cfg paused
check_rc "create -p" 0 "$XM" create -q -p "$T/paused.cfg"
check "created paused" "--p---" "$(dom_field paused 5)"
id=$(dom_field paused 2)
check_rc "destroy" 0 "$XM" destroy paused
check "gone after destroy" "yes" "$(gone paused && echo yes)"
# The monitor's log outlives the domain, next to xend.log (xl's qemu-dm-NAME.log).
check "monitor log kept as monitor-paused.log" "yes" \
	"$([ -f "$T/monitor-paused.log" ] && echo yes)"
check_nothing_left "$id" "after destroy"
check "destroyed domain released" "False" "$(introduced "$id")"
check_rc "destroy unknown" 1 "$XM" destroy paused
check_rc "destroy Domain-0" 1 "$XM" destroy 0

# --- a guest that ignores shutdown can still be destroyed
echo IGNORE_SHUTDOWN >"$T/kernel-deaf"
make_cfg deaf KERNEL="$T/kernel-deaf"
"$XM" create -q "$T/deaf.cfg" >/dev/null
check_rc "shutdown (ignored)" 0 "$XM" shutdown deaf
sleep 0.5
check "still running" "r-----" "$(dom_field deaf 5)"
check_rc "destroy the deaf one" 0 "$XM" destroy deaf

# --- shutdown -a -w: every domain
make_cfg one; make_cfg two
"$XM" create -q "$T/one.cfg" >/dev/null; "$XM" create -q "$T/two.cfg" >/dev/null
check_rc "shutdown -a -w" 0 "$XM" shutdown -a -w
check "only Domain-0 left" "Domain-0" "$("$XM" list | awk 'NR > 1 {print $1}' | xargs)"
check "XenStore has dom0 only" "0" "$(xenstore-list /local/domain | xargs)"

# --- devices (details in xend-devices.sh): attached without warnings
make_cfg withdisk "disk = [ 'file:$T/kernel,xvda,w' ]" "vif = [ '' ]"
check_rc "create with devices" 0 "$XM" create -q "$T/withdisk.cfg"
check "no device warning" "" "$(grep warning <<<"$OUT")"
"$XM" destroy withdisk

# --- commands not brought yet; protocol errors
check_rc "suspend" 1 "$XM" suspend db
check "suspend says so" "xm: suspend: not implemented yet" "$OUT"
check_rc "shutdown usage" 2 "$XM" shutdown
out=$(/usr/bin/python3 - "$XEND_SOCKET" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b'{"version":2,"command":"list","args":[]}\n')
print(json.loads(s.makefile().readline())["error"])
EOF
)
check "newer protocol refused" "xm speaks protocol version 2, this xend speaks version 1" "$out"
out=$(/usr/bin/python3 - "$XEND_SOCKET" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b'{"version":1,"comm\n')
print(json.loads(s.makefile().readline())["status"])
EOF
)
check "malformed request: status 1" "1" "$out"
check "xend still serves" "yes" "$("$XM" list >/dev/null && echo yes)"
xt_done
