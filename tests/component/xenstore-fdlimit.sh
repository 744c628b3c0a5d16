#!/usr/bin/env bash
# Out of file descriptors: xenstored stops accepting instead of spinning on
# the listening socket, and accepts again once a client goes.
. "$(dirname "$0")/xenstore_lib.sh"
prlimit --nofile=32:32 "$XS_BIN" --socket "$XENSTORED_PATH" \
	--state-dir "$XS_TMP/state" --log-file "$XS_TMP/log" &
XS_PID=$!
for _ in $(seq 100); do [ -S "$XENSTORED_PATH" ] && break; sleep 0.05; done
$PY - "$XS_PID" <<'PYEOF' || XS_FAILS=1
import os, socket, sys, time
sys.path.insert(0, "tests/component")
from xenstore_raw import Sock, args
pid = int(sys.argv[1])

def ticks():
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])

socks = []
for i in range(60):      # more than the daemon has fds for
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(os.environ["XENSTORED_PATH"])  # the backlog takes them
    socks.append(s)
time.sleep(0.3)
t0 = ticks()
time.sleep(1.0)
busy = ticks() - t0
print("ok   no busy loop while out of fds (%d ticks in 1 s)" % busy if busy < 20
      else "FAIL busy loop while out of fds (%d ticks in 1 s)" % busy)
for s in socks[:40]:
    s.close()
time.sleep(0.3)
c = Sock(timeout=5)
got = c.call("GET_DOMAIN_PATH", args("1"))
print("ok   accepting again after clients left" if got == b"/local/domain/1\0"
      else "FAIL no service after clients left")
sys.exit(0 if busy < 20 else 1)
PYEOF
check "paused accepting was logged" "yes" "$(grep -q "not accepting for now" "$XS_TMP/log" && echo yes)"
xs_done
