#!/usr/bin/env bash
# xm console, xm create -c and xm start -c: xm takes the console socket
# xend passes with its reply (SCM_RIGHTS, "fd":"console") and relays
# stdio to it.
#
# 1. Against a fake xend (Python, threads) whose "guest" is the other end
#    of a socket pair: output and input relay, EOF on stdin does not end
#    the session, the session ends (exit 0) when the guest side closes,
#    extra fds are closed at once and nothing else stays open, a
#    terminal is raw while attached and restored after Ctrl-] (detach,
#    exit 0) and after SIGTERM, announced-but-missing fds, failed
#    replies, and xend dying mid-request ("lost the connection").
# 2. Against the real xend with the fake monitor (when xenstored and
#    xenstore-utils are there): create -c, console with Ctrl-], start -c.
XM_ARG=${XM:-}  # XM=build-san/bin/xm runs it under ASan/UBSan
. "$(dirname "$0")/xend_lib.sh"
[ -n "$XM_ARG" ] && XM=$(realpath "$XM_ARG")
PY=/usr/bin/python3
FAKE_PID=
XM_PID=
FSOCK=$T/fake.sock

my_cleanup() {
	[ -n "$XM_PID" ] && kill "$XM_PID" 2>/dev/null
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
	[ -n "$FAKE_PID" ] && wait "$FAKE_PID" 2>/dev/null
	exec 3>&- 2>/dev/null
	xt_cleanup
}
trap my_cleanup EXIT

# --- a fake xend: the scenario is the last argument of the request
cat >"$T/fake_xend.py" <<'PYEOF'
import json, os, socket, sys, threading, time
path, tmp = sys.argv[1], sys.argv[2]

def reply(c, obj, fds=(), split=False, extra_fds=()):
    line = (json.dumps(dict({"version": 1}, **obj)) + "\n").encode()
    if split:  # the second chunk carries more fds
        socket.send_fds(c, [line[:5]], [f.fileno() for f in fds])
        socket.send_fds(c, [line[5:]], [f.fileno() for f in extra_fds])
    elif fds:
        socket.send_fds(c, [line], [f.fileno() for f in fds])
    else:
        c.sendall(line)

def log(name, data):
    with open(os.path.join(tmp, name), "ab") as f:
        f.write(data)

def guest_echo(g, name):
    seen = b""
    try:
        g.sendall(b"hello from guest\r\n")
        while b"bye" not in seen:
            d = g.recv(4096)
            if not d:
                break
            log(name + ".in", d)
            seen += d
            g.sendall(b"guest got: " + d)
    except OSError:
        pass  # xm went away (detach, SIGTERM)
    g.close()

def guest_late(g):
    g.sendall(b"early\n")
    time.sleep(1)
    g.sendall(b"late\n")
    g.close()

def guest_extras(g, peers):
    ok = True
    for p in peers:  # xm must close its copies at once
        p.settimeout(3)
        try:
            ok = ok and p.recv(1) == b""
        except OSError:
            ok = False
    g.sendall(b"extras closed: %s\n" % str(ok).encode())
    for _ in range(100):
        if os.path.exists(os.path.join(tmp, "go")):
            break
        time.sleep(0.1)
    g.close()

def serve(c):
    data = b""
    while not data.endswith(b"\n"):
        chunk = c.recv(65536)
        if not chunk:
            break
        data += chunk
    req = json.loads(data)
    log("req.log", (json.dumps(req, sort_keys=True) + "\n").encode())
    what = req["args"][-1] if req["args"] else req["command"]
    if req["command"] == "create":
        what = "create"
    ok = {"status": 0, "fd": "console"}
    g, x = socket.socketpair()
    if what.startswith("echo"):
        reply(c, ok, [x])
        threading.Thread(target=guest_echo, args=(g, what)).start()
    elif what == "late":
        reply(c, ok, [x])
        threading.Thread(target=guest_late, args=(g,)).start()
    elif what == "create":
        reply(c, dict(ok, output="Started domain debian (id=1)\n"), [x])
        g.sendall(b"booted\n")
        g.close()
    elif what == "extras":
        pairs = [socket.socketpair() for _ in range(3)]
        reply(c, ok, [x, pairs[0][1], pairs[1][1]], split=True,
              extra_fds=[pairs[2][1]])
        for p in pairs:
            p[1].close()
        threading.Thread(target=guest_extras,
                         args=(g, [p[0] for p in pairs])).start()
    elif what == "nofd":
        reply(c, ok)
    elif what == "unannounced":
        reply(c, {"status": 0, "output": "plain\n"}, [x])
    elif what == "failed":
        reply(c, {"status": 1, "error": "domain 'failed' is not running",
                  "fd": "console"}, [x])
    elif what == "partial":
        c.sendall(b'{"version":1,')
    # "die": no reply at all
    x.close()
    c.close()

s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(16)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PYEOF

# --- runs xm on a pty: pty.py MODE WANT XM-ARGS...; MODE detach types
# "abc", Ctrl-], "xyz" once WANT is shown; MODE term sends SIGTERM.
cat >"$T/pty.py" <<'PYEOF'
import os, select, signal, subprocess, sys, termios, time
mode, want, argv = sys.argv[1], sys.argv[2].encode(), sys.argv[3:]
m, s = os.openpty()
before = termios.tcgetattr(s)
p = subprocess.Popen(argv, stdin=s, stdout=s, stderr=s)
buf = b""
def read_until(pat, t):
    global buf
    end = time.time() + t
    while pat not in buf and time.time() < end:
        r, _, _ = select.select([m], [], [], 0.1)
        if r:
            try:
                buf += os.read(m, 4096)
            except OSError:
                break
    return pat in buf
seen = read_until(want, 5)
raw = not termios.tcgetattr(s)[3] & termios.ICANON
stopped = ""
if mode == "tstp":  # restored while stopped, raw again when continued
    p.send_signal(signal.SIGTSTP)
    time.sleep(0.3)
    stopped = " stopped-restored=%s" % (termios.tcgetattr(s) == before)
    p.send_signal(signal.SIGCONT)
    time.sleep(0.3)
    stopped += " raw-again=%s" % (not termios.tcgetattr(s)[3] & termios.ICANON)
    mode = "detach"
if mode == "detach":
    os.write(m, b"abc\x1dxyz")
else:
    p.send_signal(signal.SIGTERM)
try:
    rc = p.wait(5)
except subprocess.TimeoutExpired:
    p.kill()
    rc = "hung"
read_until(b"\x00", 0.3)
print("seen=%s raw=%s rc=%s restored=%s%s" %
      (seen, raw, rc, termios.tcgetattr(s) == before, stopped))
PYEOF

$PY "$T/fake_xend.py" "$FSOCK" "$T" &
FAKE_PID=$!
for _ in $(seq 50); do [ -S "$FSOCK" ] && break; sleep 0.1; done
fx() { XEND_SOCKET=$FSOCK "$XM" "$@"; }

# output and input relay; stdin's EOF does not end it, the guest's close does
out=$(printf 'ping\nbye\n' | fx console echo1 2>&1); rc=$?
check "echo: exit when the guest closes" 0 "$rc"
check "echo: output relayed" "hello from guest" "$(grep -ao 'hello from guest' <<<"$out")"
check "echo: input relayed" "guest got: ping" "$(grep -ao 'guest got: ping' <<<"$out")"
out=$(XEND_SOCKET=$FSOCK timeout 10 "$XM" console late </dev/null 2>&1; echo "rc=$?")
check "stdin at EOF: output until the guest closes" "early late rc=0" "$(xargs <<<"$out")"
out=$(XEND_SOCKET=$FSOCK timeout 10 "$XM" console late 0<&- 2>&1; echo "rc=$?")
check "no stdin at all: output until the guest closes" "early late rc=0" "$(xargs <<<"$out")"

# create -c: the reply's output, then the console
out=$(KXEN_HOST_MEMORY_MB=4096 fx create -c "$XT_TOP/tests/golden/book-debian.cfg" memory=64 </dev/null 2>/dev/null); rc=$?
check "create -c: exit 0" 0 "$rc"
check "create -c: output then console" "Started domain debian (id=1) booted" "$(xargs <<<"$out")"
check "create -c: -c forwarded" '["-c"]' "$($PY -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["command"] == "create": print(json.dumps(r["args"]))' "$T/req.log")"

# extra fds are closed at once; while attached xm holds stdio + the console
XEND_SOCKET=$FSOCK "$XM" console extras </dev/null >"$T/extras.out" 2>&1 &
XM_PID=$!
wait_until 5 'grep -q "extras closed" "$T/extras.out"'
check "extras: closed by xm at once" "extras closed: True" "$(cat "$T/extras.out")"
# (compared with a sleep started alike: the fds both inherit)
sleep 30 >"$T/ref.out" 2>&1 &
ref=$!
inherited=$(cd /proc/$ref/fd && echo *)
kill "$ref"; wait "$ref" 2>/dev/null
extra=$(for f in /proc/$XM_PID/fd/*; do
	grep -qw "${f##*/}" <<<"$inherited" || readlink "$f" | cut -d: -f1
done | xargs)
check "extras: xm holds only the console socket beyond what it inherited" "socket" "$extra"
touch "$T/go"
wait "$XM_PID"; rc=$?; XM_PID=
check "extras: exit 0 when the guest closes" 0 "$rc"

# errors
out=$(fx console nofd 2>&1 </dev/null); rc=$?
check "announced, no fd" "1 xm: xend announced the console but passed no file descriptor" "$rc $out"
out=$(fx console unannounced 2>&1 </dev/null); rc=$?
check "fd not announced: ignored" "0 plain" "$rc $out"
out=$(fx console failed 2>&1 </dev/null); rc=$?
check "failed reply with an fd" "1 xm: domain 'failed' is not running" "$rc $out"
out=$(fx console die 2>&1 </dev/null); rc=$?
check "xend dies mid-request" "1 xm: lost the connection to xend ($FSOCK)" "$rc $out"
out=$(fx list partial 2>&1 </dev/null); rc=$?
check "xend dies mid-reply" "1 xm: lost the connection to xend ($FSOCK)" "$rc $out"

# a terminal: raw while attached, Ctrl-] detaches, restored after; SIGTERM too
out=$(XEND_SOCKET=$FSOCK $PY "$T/pty.py" detach "hello from guest" "$XM" console echo2)
check "pty: Ctrl-] detaches, terminal restored" "seen=True raw=True rc=0 restored=True" "$out"
wait_until 3 'grep -q abc "$T/echo2.in"'
check "pty: input before Ctrl-] sent, after it not" "abc" "$(cat "$T/echo2.in" 2>/dev/null)"
out=$(XEND_SOCKET=$FSOCK $PY "$T/pty.py" term "hello from guest" "$XM" console echo3)
check "pty: SIGTERM ends it, terminal restored" "seen=True raw=True rc=-15 restored=True" "$out"
out=$(XEND_SOCKET=$FSOCK $PY "$T/pty.py" tstp "hello from guest" "$XM" console echo4)
check "pty: SIGTSTP restores, SIGCONT makes raw again" \
	"seen=True raw=True rc=0 restored=True stopped-restored=True raw-again=True" "$out"
kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null; FAKE_PID=

# --- the real xend with the fake monitor
if ! command -v xenstore-exists >/dev/null || ! $PY -c 'import pyxs' 2>/dev/null; then
	echo "skip: real xend part (needs xenstore-utils and python3-pyxs)"
	xt_done; exit
fi
xs_start
mkdir "$T/clog"
xend_start --console-log-dir "$T/clog"
mkfifo "$T/in"
exec 3<>"$T/in"
make_cfg web
"$XM" create -c "$T/web.cfg" <"$T/in" >"$T/web.out" 2>&1 &
XM_PID=$!
wait_until 5 'grep -q "Linux version" "$T/web.out"'
printf 'typed-in\n' >&3
wait_until 5 'grep -q "typed-in" "$T/web.out"'
check "xend create -c: output" "Started domain web (id=1)" "$(grep -ao 'Started domain web (id=1)' "$T/web.out")"
check "xend create -c: console history" "Linux version" "$(grep -ao 'Linux version' "$T/web.out")"
check "xend create -c: input echoed by the guest" "typed-in" "$(grep -ao 'typed-in' "$T/web.out")"
"$XM" sysrq web s
wait_until 5 'grep -q "sysrq: s" "$T/web.out"'
check "xend create -c: live output" "sysrq: s" "$(grep -ao 'sysrq: s' "$T/web.out")"
"$XM" destroy web
wait "$XM_PID"; rc=$?; XM_PID=
check "xend create -c: exit 0 when the domain goes" 0 "$rc"

make_cfg con
check_rc "create con" 0 "$XM" create -q "$T/con.cfg"
out=$($PY "$T/pty.py" detach "Linux version" "$XM" console con)
check "xend console: Ctrl-] detaches, terminal restored" "seen=True raw=True rc=0 restored=True" "$out"
wait_until 3 'grep -q abc "$T/clog/guest-con.log"'
check "xend console: typed before Ctrl-] reached the guest" "abc" "$(grep -ao abc "$T/clog/guest-con.log")"
check "xend console: typed after Ctrl-] did not" "" "$(grep -ao xyz "$T/clog/guest-con.log")"
check "xend console: domain still running after detach" "r-----" "$(dom_field con 5)"
out=$(timeout 5 "$XM" console nosuch 2>&1 </dev/null); rc=$?
check "xend console of an unknown domain" "1 xm: domain 'nosuch' does not exist" "$rc $out"
"$XM" destroy con

make_cfg man
check_rc "new man" 0 "$XM" new "$T/man.cfg"
"$XM" start -c man </dev/null >"$T/man.out" 2>&1 &
XM_PID=$!
wait_until 5 'grep -q "Linux version" "$T/man.out"'
check "xend start -c: console" "Linux version" "$(grep -ao 'Linux version' "$T/man.out")"
"$XM" destroy man
wait "$XM_PID"; rc=$?; XM_PID=
check "xend start -c: exit 0 when the domain goes" 0 "$rc"
xt_done
